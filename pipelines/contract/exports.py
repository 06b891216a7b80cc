"""The export contract (docs/exports.md) as data.

One place says which files land, their columns and types, keys, parents, code
lists and personal-data columns; ingest, validation, the generator and the
warehouse schema all read it, so the contract is never restated elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.contract.reference import DEFAULT_RULEBOOK, load_rulebook

YES_NO = ("Y", "N")
EARLIEST_DATE = "1990-01-01"
EARLIEST_BIRTH_DATE = "1900-01-01"

SENTENCE_TYPES = ("CO", "SSO", "LIC")
REQUIREMENTS = ("UPW", "SUP", "PROG", "DRR", "ATR", "MHTR", "RES", "CUR", "ACT")
DIVERSITY_NEEDS = ("DIS", "LNG", "LIT", "LD", "CAR", "FTH")
REGISTER_TYPES = ("RLRH", "RMRH", "RHRH", "RVHR", "MAPP", "RCPR", "RCCO", "ADVP")
MAPPA_LEVELS = ("M1", "M2", "M3")
CONTACT_TYPES = ("COAI", "COAP", "CHVS", "CPRG", "CUPW", "SIAR", "SICC", "SIRC")
INCIDENT_CONTACT_TYPES = ("SIAR", "SICC", "SIRC")
START_PURPOSES = (430, 440, 450, 500)
REVIEW_PURPOSES = (190, 270, 480, 580)
PURPOSE_CODES = START_PURPOSES + REVIEW_PURPOSES + (360, 490, 330, 340, 350)
ASSESSMENT_TYPES = ("LAYER_1", "LAYER_3")
ASSESSMENT_STATUSES = ("OPEN", "SIGNED", "COMPLETE", "LOCKED_INCOMPLETE")
ROSH_LEVELS = ("L", "M", "H", "V", "NC")
RISK_GRID_LEVELS = ("L", "M", "H", "V")
NEED_SECTIONS = tuple(range(3, 13))
PLAN_TYPES = ("INITIAL", "REVIEW")
OBJECTIVE_NEED_SECTIONS = tuple(str(s) for s in NEED_SECTIONS) + ("ROSH",)
# case_readings.csv (issue 20): an inspector's or area auditor's reading of a question
QUESTION_IDS = tuple(q["question_id"] for q in load_rulebook(DEFAULT_RULEBOOK)["questions"])
JUDGEMENTS = ("MET", "NOT_MET", "NA")  # NA: the reader found the question does not apply
PROVIDERS = ("OM", "PROG", "DRUG", "ALCOHOL", "HEALTH", "AP", "UPW", "ETE", "PARTNER")
# rulebook B3.4: requirements delivered by other workers, and who delivers them
REQUIREMENT_PROVIDER = {
    "PROG": "PROG",
    "DRR": "DRUG",
    "ATR": "ALCOHOL",
    "MHTR": "HEALTH",
    "RES": "AP",
    "UPW": "UPW",
}


@dataclass(frozen=True)
class Column:
    """One exported column: its warehouse type and the checks a row must pass."""

    name: str
    kind: str  # text | int | date | yn | codes
    required: bool = True
    codes: tuple[str, ...] | tuple[int, ...] | None = None
    pattern: str | None = None  # regular expression the whole value must match
    minimum: int | None = None
    maximum: int | None = None
    pii: bool = False

    @property
    def sql_type(self) -> str:
        return {
            "text": "VARCHAR",
            "int": "BIGINT",
            "date": "DATE",
            "yn": "VARCHAR",
            "codes": "VARCHAR[]",
        }[self.kind]


@dataclass(frozen=True)
class DateOrder:
    """`later` must be on or after `earlier` when both are present."""

    later: str
    earlier: str


@dataclass(frozen=True)
class Parent:
    """Every row must reference an existing row of `export` (an orphan otherwise):
    `columns` of the child equal `parent_columns` of the parent."""

    export: str
    columns: tuple[str, ...]
    parent_columns: tuple[str, ...]


@dataclass(frozen=True)
class ExportFile:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    event_date: str  # the column whose date decides whether a row exists on as_of
    date_orders: tuple[DateOrder, ...] = field(default_factory=tuple)
    parent: Parent | None = None
    optional: bool = False  # a night without the file is not a defect: it loads no rows

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def kept_columns(self) -> tuple[Column, ...]:
        """Columns that survive ingest: everything but personal data."""
        return tuple(c for c in self.columns if not c.pii)

    @property
    def date_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == "date")

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def has_pii(self) -> bool:
        return any(c.pii for c in self.columns)

    @property
    def staging_columns(self) -> tuple[tuple[str, str], ...]:
        """(name, type) of the staging table after ingest: no PII, crn replaced by case_key,
        area_code left to the partition column that holds it."""
        return tuple(
            ("case_key" if c.name == "crn" else c.name, c.sql_type)
            for c in self.kept_columns
            if c.name != "area_code"
        )


CRN = Column("crn", "text", pattern=r"[A-Z][0-9]{6}")
EVENT_NUMBER = Column("event_number", "int", minimum=1)
# rows of a sentence event: contacts, assessments and plans
_OF_EVENT = Parent("events", ("crn", "event_number"), ("crn", "event_number"))


def _yn(name: str) -> Column:
    return Column(name, "yn", required=False, codes=YES_NO)


EVENTS = ExportFile(
    name="events",
    key=("crn", "event_number"),
    event_date="supervision_start",
    columns=(
        CRN,
        EVENT_NUMBER,
        Column("area_code", "text"),
        Column("surname", "text", pii=True),
        Column("forename", "text", pii=True),
        Column("date_of_birth", "date", pii=True),
        Column("pnc_number", "text", required=False, pii=True),
        Column("sentence_type", "text", codes=SENTENCE_TYPES),
        Column("sentence_date", "date"),
        Column("release_date", "date", required=False),
        Column("termination_date", "date", required=False),
        Column("tier", "int", minimum=1, maximum=4),
        Column("requirements", "codes", required=False, codes=REQUIREMENTS),
        Column("diversity_needs", "codes", required=False, codes=DIVERSITY_NEEDS),
        Column("offender_manager", "text"),
    ),
    date_orders=(
        DateOrder("release_date", "sentence_date"),
        DateOrder("termination_date", "supervision_start"),
    ),
)

REGISTRATIONS = ExportFile(
    name="registrations",
    key=("registration_id",),
    event_date="registration_date",
    columns=(
        Column("registration_id", "int"),
        CRN,
        Column("register_type", "text", codes=REGISTER_TYPES),
        Column("register_level", "text", required=False, codes=MAPPA_LEVELS),
        Column("registration_date", "date"),
        Column("deregistration_date", "date", required=False),
    ),
    date_orders=(DateOrder("deregistration_date", "registration_date"),),
    parent=Parent("events", ("crn",), ("crn",)),
)

CONTACTS = ExportFile(
    name="contacts",
    key=("contact_id",),
    event_date="contact_date",
    columns=(
        Column("contact_id", "int"),
        CRN,
        EVENT_NUMBER,
        Column("contact_date", "date"),
        Column("contact_type", "text", codes=CONTACT_TYPES),
        _yn("attended"),
        _yn("ns_contact"),
    ),
    parent=_OF_EVENT,
)

OASYS_ASSESSMENTS = ExportFile(
    name="oasys_assessments",
    key=("oasys_set_pk",),
    event_date="date_completed",
    columns=(
        Column("oasys_set_pk", "int"),
        CRN,
        EVENT_NUMBER,
        Column("purpose_code", "int", codes=PURPOSE_CODES),
        Column("assessment_type", "text", codes=ASSESSMENT_TYPES),
        Column("assessment_status", "text", codes=ASSESSMENT_STATUSES),
        Column("initiation_date", "date"),
        Column("date_completed", "date", required=False),
        Column("voided_date", "date", required=False),
        Column("rosh_level", "text", required=False, codes=ROSH_LEVELS),
        Column("risk_grid_max", "text", required=False, codes=RISK_GRID_LEVELS),
        _yn("rosh_screening"),
        _yn("full_analysis"),
        _yn("rosh_summary"),
        _yn("rmp"),
        Column("countersigned_date", "date", required=False),
    ),
    date_orders=(
        DateOrder("date_completed", "initiation_date"),
        DateOrder("voided_date", "initiation_date"),
    ),
    parent=_OF_EVENT,
)

OASYS_NEEDS = ExportFile(
    name="oasys_needs",
    key=("oasys_set_pk", "section"),
    event_date="",
    columns=(
        Column("oasys_set_pk", "int"),
        Column("section", "int", codes=NEED_SECTIONS),
        _yn("linked_to_offending"),
        _yn("linked_to_harm"),
    ),
    parent=Parent("oasys_assessments", ("oasys_set_pk",), ("oasys_set_pk",)),
)

SENTENCE_PLANS = ExportFile(
    name="sentence_plans",
    key=("plan_id",),
    event_date="plan_date",
    columns=(
        Column("plan_id", "int"),
        Column("oasys_set_pk", "int", required=False),
        CRN,
        EVENT_NUMBER,
        Column("plan_type", "text", codes=PLAN_TYPES),
        Column("plan_date", "date"),
        _yn("offender_involved"),
        _yn("diversity_addressed"),
        _yn("multiagency_integrated"),
        _yn("progress_recorded"),
    ),
    parent=_OF_EVENT,
)

PLAN_OBJECTIVES = ExportFile(
    name="plan_objectives",
    key=("objective_id",),
    event_date="",
    columns=(
        Column("objective_id", "int"),
        Column("plan_id", "int"),
        Column("need_section", "text", codes=OBJECTIVE_NEED_SECTIONS),
        Column("intervention", "text", required=False),
        Column("who_does_work", "text", required=False, codes=PROVIDERS),
        Column("progress_measure", "text", required=False),
        _yn("addresses_rosh"),
    ),
    parent=Parent("sentence_plans", ("plan_id",), ("plan_id",)),
)

# Readings of sampled cases by inspectors or area auditors: most nights have none.
# No parent: a reading of a case outside the night's census lands, and
# marts.agreement does not count it as read.
CASE_READINGS = ExportFile(
    name="case_readings",
    key=("crn", "event_number", "question_id", "reader"),
    event_date="read_date",
    columns=(
        CRN,
        EVENT_NUMBER,
        Column("question_id", "text", codes=QUESTION_IDS),
        Column("judgement", "text", codes=JUDGEMENTS),
        Column("reader", "text"),
        Column("read_date", "date"),
    ),
    optional=True,
)

# the seven files of an area's nightly export, every one required
EXPORT_FILES: tuple[ExportFile, ...] = (
    EVENTS,
    REGISTRATIONS,
    CONTACTS,
    OASYS_ASSESSMENTS,
    OASYS_NEEDS,
    SENTENCE_PLANS,
    PLAN_OBJECTIVES,
)
# every file that may land in an area's folder: the export, and the optional readings
LANDED_FILES: tuple[ExportFile, ...] = (*EXPORT_FILES, CASE_READINGS)
EXPORTS_BY_NAME = {f.name: f for f in LANDED_FILES}
MANIFEST_NAME = "_manifest.json"
