"""Hand-built staging rows for rule tests: defaults for everything, override what matters.

A `Night` holds one area's export of one as_of date; `Night.case` adds an event
and returns a `Case` whose methods add that event's assessments, plans,
contacts, registrations and inspectors' readings. `load` writes the rows into staging.* exactly as
ingest would (partitioned by as_of_date and area_code, no PII).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import duckdb

from pipelines.contract.exports import EXPORTS_BY_NAME
from pipelines.warehouse import models

Day = dt.date


def d(text: str) -> Day:
    return dt.date.fromisoformat(text)


@dataclass
class Night:
    as_of: Day
    area: str = "WAR"
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in EXPORTS_BY_NAME}
    )
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def case(
        self,
        key: str,
        start: Day,
        *,
        event_number: int = 1,
        sentence_type: str = "CO",
        tier: int = 3,
        requirements: tuple[str, ...] | None = ("SUP",),
        diversity_needs: tuple[str, ...] | None = None,
        termination_date: Day | None = None,
    ) -> Case:
        licence = sentence_type == "LIC"
        self.rows["events"].append(
            {
                "case_key": key,
                "event_number": event_number,
                "sentence_type": sentence_type,
                "sentence_date": start - dt.timedelta(days=200) if licence else start,
                "release_date": start if licence else None,
                "termination_date": termination_date,
                "tier": tier,
                "requirements": list(requirements) if requirements is not None else None,
                "diversity_needs": list(diversity_needs) if diversity_needs else None,
                "offender_manager": "OM1",
            }
        )
        return Case(self, key, event_number)

    def reading(
        self,
        key: str,
        question_id: str,
        judgement: str,
        *,
        event_number: int = 1,
        reader: str = "R1",
        read_date: Day | None = None,
    ) -> None:
        """An inspector's reading of a case's question (staging.case_readings), of any
        case key: one the night has no event for is a reading outside the census."""
        self.rows["case_readings"].append(
            {
                "case_key": key,
                "event_number": event_number,
                "question_id": question_id,
                "judgement": judgement,
                "reader": reader,
                "read_date": read_date or self.as_of,
            }
        )

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        for name, rows in self.rows.items():
            if not rows:
                continue
            columns = [c for c, _ in EXPORTS_BY_NAME[name].staging_columns]
            names = ", ".join(["as_of_date", "area_code", *columns])
            marks = ", ".join("?" * (len(columns) + 2))
            con.executemany(
                f"INSERT INTO staging.{name} ({names}) VALUES ({marks})",
                [[self.as_of, self.area, *(row.get(c) for c in columns)] for row in rows],
            )

    def run(self, con: duckdb.DuckDBPyConnection, scope: str = "census") -> None:
        self.load(con)
        models.run_models(con, self.as_of, scope)


@dataclass
class Case:
    night: Night
    key: str
    event_number: int

    def assessment(
        self,
        date_completed: Day | None,
        *,
        purpose_code: int = 430,
        status: str = "COMPLETE",
        rosh_level: str | None = "M",
        risk_grid_max: str | None = "M",
        rosh_screening: str | None = "Y",
        rosh_summary: str | None = "Y",
        full_analysis: str | None = "Y",
        rmp: str | None = "Y",
        voided_date: Day | None = None,
        initiation_date: Day | None = None,
        linked_sections: tuple[int, ...] = (),
    ) -> int:
        pk = next(self.night.ids)
        self.night.rows["oasys_assessments"].append(
            {
                "oasys_set_pk": pk,
                "case_key": self.key,
                "event_number": self.event_number,
                "purpose_code": purpose_code,
                "assessment_type": "LAYER_3",
                "assessment_status": status,
                "initiation_date": initiation_date or date_completed,
                "date_completed": date_completed,
                "voided_date": voided_date,
                "rosh_level": rosh_level,
                "risk_grid_max": risk_grid_max,
                "rosh_screening": rosh_screening,
                "full_analysis": full_analysis,
                "rosh_summary": rosh_summary,
                "rmp": rmp,
                "countersigned_date": None,
            }
        )
        for section in linked_sections:
            self.need(pk, section)
        return pk

    def need(self, oasys_set_pk: int, section: int, linked_to_offending: str = "Y") -> None:
        self.night.rows["oasys_needs"].append(
            {
                "oasys_set_pk": oasys_set_pk,
                "section": section,
                "linked_to_offending": linked_to_offending,
                "linked_to_harm": "N",
            }
        )

    def plan(
        self,
        plan_date: Day,
        *,
        plan_type: str = "INITIAL",
        offender_involved: str | None = "Y",
        diversity_addressed: str | None = "Y",
        multiagency_integrated: str | None = None,
        progress_recorded: str | None = None,
        objectives: int = 1,
    ) -> int:
        """A plan with `objectives` default (sufficient) objectives; add more with objective()."""
        plan_id = next(self.night.ids)
        self.night.rows["sentence_plans"].append(
            {
                "plan_id": plan_id,
                "oasys_set_pk": None,
                "case_key": self.key,
                "event_number": self.event_number,
                "plan_type": plan_type,
                "plan_date": plan_date,
                "offender_involved": offender_involved,
                "diversity_addressed": diversity_addressed,
                "multiagency_integrated": multiagency_integrated,
                "progress_recorded": progress_recorded,
            }
        )
        for _ in range(objectives):
            self.objective(plan_id)
        return plan_id

    def objective(
        self,
        plan_id: int,
        *,
        need_section: str = "7",
        intervention: str | None = "Thinking skills programme",
        who_does_work: str | None = "OM",
        progress_measure: str | None = "Completes the programme",
        addresses_rosh: str | None = "Y",
    ) -> None:
        self.night.rows["plan_objectives"].append(
            {
                "objective_id": next(self.night.ids),
                "plan_id": plan_id,
                "need_section": need_section,
                "intervention": intervention,
                "who_does_work": who_does_work,
                "progress_measure": progress_measure,
                "addresses_rosh": addresses_rosh,
            }
        )

    def contact(
        self,
        contact_date: Day,
        contact_type: str = "COAP",
        *,
        attended: str | None = "Y",
        ns_contact: str | None = "Y",
    ) -> None:
        self.night.rows["contacts"].append(
            {
                "contact_id": next(self.night.ids),
                "case_key": self.key,
                "event_number": self.event_number,
                "contact_date": contact_date,
                "contact_type": contact_type,
                "attended": attended,
                "ns_contact": ns_contact,
            }
        )

    def incident(self, contact_date: Day, contact_type: str = "SIAR") -> None:
        self.contact(contact_date, contact_type, attended=None, ns_contact="N")

    def reading(
        self, question_id: str, judgement: str, reader: str = "R1", read_date: Day | None = None
    ) -> None:
        """A reading of this case's question: judgement MET, NOT_MET or NA."""
        self.night.reading(
            self.key,
            question_id,
            judgement,
            event_number=self.event_number,
            reader=reader,
            read_date=read_date,
        )

    def registration(
        self,
        register_type: str,
        registration_date: Day,
        deregistration_date: Day | None = None,
    ) -> None:
        self.night.rows["registrations"].append(
            {
                "registration_id": next(self.night.ids),
                "case_key": self.key,
                "register_type": register_type,
                "register_level": "M2" if register_type == "MAPP" else None,
                "registration_date": registration_date,
                "deregistration_date": deregistration_date,
            }
        )


def outcome(
    con: duckdb.DuckDBPyConnection, key: str, question_id: str, event_number: int = 1
) -> tuple[str, Day | None, Day | None, str | None] | None:
    """(outcome, due_date, evidence_date, reason) of one case and question on the night last
    derived, None if no row."""
    rows = con.execute(
        "SELECT outcome, due_date, evidence_date, reason FROM marts.case_outcomes "
        "WHERE as_of_date = getvariable('as_of') AND scope = getvariable('scope') "
        "AND case_key = ? AND event_number = ? AND question_id = ?",
        [key, event_number, question_id],
    ).fetchall()
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def score(
    con: duckdb.DuckDBPyConnection, question_id: str | None, criterion_id: str | None = None
) -> tuple[int, int, float | None, str | None]:
    """(met, evaluated, pct, band) of a question row, or of a criterion row."""
    if question_id is None:
        where, value = "question_id IS NULL AND criterion_id = ?", criterion_id
    else:
        where, value = "question_id = ?", question_id
    rows = con.execute(
        "SELECT met, evaluated, pct, band FROM marts.scorecard "
        f"WHERE as_of_date = getvariable('as_of') AND scope = getvariable('scope') AND {where}",
        [value],
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0]
