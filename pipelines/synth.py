"""Synthetic nightly exports (`caseaudit generate`) in the landing layout of exports.md.

Every value is a counter-based hash of (seed, area, row key, field), so a row never
depends on which other areas or rows are generated, the same seed gives the same
bytes, and the whole vectorised history of an area is drawn once and then cut into
one snapshot per export date (rulebook.md "Dates after as_of"). Practice quality is a
per-area profile drifting month by month, so areas differ and trends show.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines import contract as c
from pipelines import reference_data

DAY0 = np.datetime64("1970-01-01", "D")
RETENTION_DAYS = 730  # a snapshot keeps events terminated at most 24 months earlier
CASES_PER_MILLION = 4400  # events starting per year per million people at scale 1.0
SECOND_EVENT_SHARE = 0.10  # offenders who get a second event
SECOND_EVENT_GAP_DAYS = (60, 540)  # second event starts this long after the first
LONGEST_ORDER_MONTHS = 36
LICENCE_DAYS = (90, 730)
# The history starts early enough that no earlier event can still be in a snapshot
# (started, ran its longest order, ended 24 months before), so a night's snapshot is
# the same whichever range of export dates it is generated with.
HISTORY_MONTHS = (RETENTION_DAYS + SECOND_EVENT_GAP_DAYS[1] + LONGEST_ORDER_MONTHS * 31) // 30 + 2
MONTH_SLOTS = 100_000  # offenders per area and month; keeps ids unique
EXCEL_EPOCH_SHIFT = 25569  # Excel serial of 1970-01-01
U64 = np.uint64

SURNAMES = (
    "Ashworth", "Blackburn", "Brennan", "Cartwright", "Chadwick", "Crawford", "Dawson",
    "Donnelly", "Fairbrother", "Fletcher", "Gallagher", "Gillespie", "Greenwood", "Hargreaves",
    "Hartley", "Haworth", "Higginbottom", "Holroyd", "Hussain", "Jennings", "Kaur", "Kowalski",
    "Lambert", "Lockwood", "McAllister", "McCarthy", "McLaughlin", "Metcalfe", "Nicholson",
    "Okafor", "Oyelaran", "Pemberton", "Pickering", "Quinlan", "Rahman", "Ramsbottom",
    "Rawlinson", "Sanderson", "Sheridan", "Shuttleworth", "Stansfield", "Sutcliffe",
    "Thornton", "Threlfall", "Umeh", "Wainwright", "Whitehead", "Whittaker", "Wilkinson",
    "Worthington", "Yardley", "Ackroyd", "Braithwaite", "Entwistle", "Fairclough", "Haslam",
    "Ingham", "Kershaw", "Ormerod", "Postlethwaite",
)  # fmt: skip
FORENAMES = (
    "Aaron", "Adam", "Aimee", "Alfie", "Ashley", "Bethany", "Bradley", "Callum", "Carly",
    "Chantelle", "Connor", "Craig", "Danielle", "Darren", "Dean", "Declan", "Gemma", "Jamal",
    "Jordan", "Kayleigh", "Kieran", "Kirsty", "Leanne", "Liam", "Mohammed", "Nathan", "Reece",
    "Ryan", "Shane", "Stacey", "Tariq", "Tyler", "Wayne", "Zoe", "Lewis", "Jade", "Marcus",
    "Natasha", "Imran", "Toby",
)  # fmt: skip
INTERVENTIONS = {
    "3": "Housing referral", "4": "ETE referral", "5": "Debt advice", "6": "Relationship work",
    "7": "Lifestyle work", "8": "Drug treatment", "9": "Alcohol treatment",
    "10": "Counselling referral", "11": "Thinking skills programme", "12": "Attitudes work",
    "ROSH": "Risk management plan",
}  # fmt: skip
PROGRESS_MEASURES = (
    "Monthly OM review", "Attendance record", "Partner agency report", "Test results",
    "Self-report and OM check",
)  # fmt: skip
PROVIDER_REQUIREMENTS = tuple(c.REQUIREMENT_PROVIDER)  # PROG, DRR, ATR, MHTR, RES, UPW
OTHER_PROVIDERS = ("OM", "ETE", "PARTNER")

# practice-quality dimensions: national typical probability (seed-report levels)
QUALITY = {
    "assess_on_time": 0.72,
    "assess_sufficient": 0.80,
    "plan_on_time": 0.66,
    "plan_sufficient": 0.74,
    "review_assess": 0.88,
    "review_plan": 0.88,
    "progress": 0.85,
    "induction": 0.83,
    "rmp": 0.90,
    "reassess": 0.20,
    "rosh_link": 0.83,
    "interventions": 0.80,
    "liaison": 0.50,
    "diversity": 0.57,
    "involved": 0.52,
    "multiagency": 0.75,
    "multiagency_review": 0.55,
    "accurate": 0.985,
    "contacts": 0.65,
}
Q = {name: i for i, name in enumerate(QUALITY)}


@dataclass
class GenerateSummary:
    files_written: int = 0
    rows_by_file: dict[str, int] = field(
        default_factory=lambda: {f.file_name: 0 for f in c.EXPORT_FILES}
    )
    cases: int = 0  # event rows written, summed over snapshots
    defects: int = 0  # rows written with an injected defect


# ---------------------------------------------------------------- random numbers


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijective 64-bit hash, vectorised (wrapping is intended)."""
    with np.errstate(over="ignore"):
        x = x + U64(0x9E3779B97F4A7C15)
        x ^= x >> U64(30)
        x *= U64(0xBF58476D1CE4E5B9)
        x ^= x >> U64(27)
        x *= U64(0x94D049BB133111EB)
        x ^= x >> U64(31)
    return x


class _Rng:
    """Counter-based draws: value = hash(seed, salt, key), independent of draw order."""

    def __init__(self, seed: str) -> None:
        self.seed = seed

    def u(self, keys: np.ndarray | int, salt: str) -> np.ndarray:
        digest = hashlib.blake2b(f"{self.seed}/{salt}".encode(), digest_size=8).digest()
        x = np.asarray(keys).astype(U64) ^ U64(int.from_bytes(digest, "little"))
        return (_mix(x) >> U64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

    def ints(self, keys, salt: str, lo, hi) -> np.ndarray:
        """Uniform integers in [lo, hi] (hi below lo is read as lo)."""
        lo = np.asarray(lo, dtype=np.int64)
        span = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 0) + 1
        return lo + np.floor(self.u(keys, salt) * span).astype(np.int64)

    def choice(self, keys, salt: str, probs) -> np.ndarray:
        cdf = np.cumsum(np.asarray(probs, dtype=np.float64))
        draw = self.u(keys, salt) * cdf[-1]
        return np.minimum(np.searchsorted(cdf, draw, side="right"), len(cdf) - 1)

    def normal(self, keys, salt: str) -> np.ndarray:
        u1 = self.u(keys, salt + ":1")
        u2 = self.u(keys, salt + ":2")
        return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


# ---------------------------------------------------------------- calendar and rulebook


def _day(d: dt.date) -> int:
    return int((np.datetime64(d, "D") - DAY0).astype(np.int64))


def _iso(day: int) -> str:
    return str(DAY0 + np.timedelta64(int(day), "D"))


MIN_DAY = _day(dt.date.fromisoformat(c.EARLIEST_DATE))
MIN_MONTH = int(
    np.datetime64(c.EARLIEST_DATE, "M").astype(np.int64)
)  # offender numbers count from it


@functools.cache
def _calendar() -> tuple[int, np.ndarray]:
    rows = reference_data.working_day_calendar()
    return _day(rows[0][0]), np.array([r[2] for r in rows], dtype=np.int64)


def _wd(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """WD(d, n) of the rulebook: the n-th working day after d."""
    first, seq = _calendar()
    target = seq[np.clip(days - first, 0, len(seq) - 1)] + n
    return np.searchsorted(seq, target, side="left").astype(np.int64) + first


@functools.cache
def _standards() -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """Edition start days, per-(edition, tier) parameters, contact window from the rulebook."""
    rulebook = reference_data.load_rulebook()
    editions = rulebook["editions"]
    starts = np.array([_day(e["starts_on"]) for e in editions], dtype=np.int64)
    tables = {}
    for name in (
        "initial_assessment_wd",
        "initial_plan_wd",
        "first_contact_wd",
        "reassessment_wd",
        "contact_level",
    ):
        table = np.zeros((len(editions), 4), dtype=np.int64)
        for i, edition in enumerate(editions):
            spec = edition[name]
            for tier in range(4):
                table[i, tier] = (
                    spec["by_tier"][str(tier + 1)] if "by_tier" in spec else spec["value"]
                )
        tables[name] = table
    return starts, tables, int(rulebook["contact_window_days"])


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _quality(rng: _Rng, months: np.ndarray) -> np.ndarray:
    """Per-month practice quality of an area: level, slow drift and monthly noise."""
    dims = np.arange(len(QUALITY))
    base = np.array([_logit(p) for p in QUALITY.values()])
    overall = 0.3 * rng.normal(0, "q:overall")
    offset = 0.15 * rng.normal(dims, "q:offset")
    amplitude = (0.1 + 0.25 * rng.u(0, "q:amp")) * (0.7 + 0.6 * rng.u(dims, "q:mult"))
    period_years = 4.0 + 5.0 * rng.u(0, "q:period")
    phase = 2 * np.pi * rng.u(0, "q:phase")
    wave = np.sin(2 * np.pi * (months / 12.0) / period_years + phase)
    noise = 0.12 * rng.normal(months[:, None].astype(np.int64) * 64 + dims[None, :], "q:noise")
    logit = base + overall + offset + amplitude * wave[:, None] + noise
    return 1.0 / (1.0 + np.exp(-logit))


# ---------------------------------------------------------------- history


def _explode(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parent index and within-parent index of rows, counts[i] rows for parent i."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    within = np.arange(len(parent)) - np.repeat(np.cumsum(counts) - counts, counts)
    return parent, within


def _weekday_shift(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to the Monday after (courts and releases are weekdays)."""
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return days + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))


def _codes_lookup(codes: Sequence[str]) -> pa.Array:
    """Every subset of codes as a `|` list, indexed by bitmask (bit i = codes[i])."""
    values = [
        "|".join(code for i, code in enumerate(codes) if mask >> i & 1) or None
        for mask in range(1 << len(codes))
    ]
    return pa.array(values, pa.string())


def _take(values: Sequence[str | None] | pa.Array, idx: np.ndarray) -> pa.Array:
    """String column from an index array; a negative index is a blank."""
    dictionary = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    idx = np.asarray(idx)
    return pc.take(dictionary, pa.array(idx.astype(np.int32), mask=idx < 0))


def _dates(days: np.ndarray, blank: bool = True) -> pa.Array:
    """date32 column; a negative day (before 1970) is a blank unless blank=False."""
    days = np.asarray(days, dtype=np.int64)
    mask = days < 0 if blank else None
    return pa.array(days.astype(np.int32), pa.int32(), mask=mask).cast(pa.date32())


def _yn(rng: _Rng, keys, salt: str, p_yes, p_blank: float = 0.0) -> np.ndarray:
    """Y/N index array: 1 = Y, 0 = N, -1 = blank."""
    u = rng.u(keys, salt)
    out = np.where(u < p_yes, 1, 0)
    if p_blank:
        out = np.where(rng.u(keys, salt + ":blank") < p_blank, -1, out)
    return out


@dataclass
class _History:
    """An area's whole history as column arrays (days since 1970-01-01, -1 blank)."""

    area_code: str
    events: dict[str, np.ndarray]
    event_text: dict[str, pa.Array]
    registrations: dict[str, np.ndarray]
    contacts: dict[str, np.ndarray]
    assessments: dict[str, np.ndarray]
    needs: dict[str, np.ndarray]
    plans: dict[str, np.ndarray]
    objectives: dict[str, np.ndarray]


def _history(rng: _Rng, area: reference_data.Area, first: int, last: int, scale: float) -> _History:
    months, month_start, month_len = _months(first, last)
    rate = CASES_PER_MILLION * area.population_millions * scale / (1 + SECOND_EVENT_SHARE)
    lam = rate / 365.25 * month_len
    n = np.maximum(0, np.rint(lam + np.sqrt(lam) * rng.normal(months, "month_count")))
    n = n.astype(np.int64)
    if n.size and n.max() >= MONTH_SLOTS:
        raise ValueError(f"scale {scale} gives more than {MONTH_SLOTS} cases a month")
    month_idx, within = _explode(n)
    off1 = (months[month_idx] - MIN_MONTH) * MONTH_SLOTS + within
    start1 = month_start[month_idx] + np.floor(rng.u(off1, "start") * month_len[month_idx])
    start1 = _weekday_shift(start1.astype(np.int64))
    second = rng.u(off1, "second") < SECOND_EVENT_SHARE
    off = np.concatenate([off1, off1[second]])
    first_start = np.concatenate([start1, start1[second]])
    evno = np.concatenate([np.ones(len(off1), np.int64), np.full(int(second.sum()), 2)])
    uid = off * 2 + evno - 1
    order = np.argsort(uid, kind="stable")
    off, first_start, evno, uid = off[order], first_start[order], evno[order], uid[order]
    start = np.where(
        evno == 2, first_start + rng.ints(uid, "gap", *SECOND_EVENT_GAP_DAYS), first_start
    )
    start = _weekday_shift(start)

    ev = _event_attributes(rng, uid, off, evno, start, first_start)
    month_of = start.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    q_months = np.arange(months[0], max(int(month_of.max(initial=months[-1])), months[-1]) + 1)
    quality = _quality(rng, q_months)
    ev["q"] = quality[month_of - q_months[0]]

    registrations = _registrations(rng, ev)
    relevant = (ev["start"] <= last) & (ev["term"] >= first - RETENTION_DAYS)
    ev = {k: v[relevant] for k, v in ev.items()}
    registrations = {
        k: v[np.isin(registrations["off"], ev["off"])] for k, v in registrations.items()
    }
    _deadlines(ev)
    _need_profile(rng, ev)
    incidents = _incidents(rng, ev, last)
    assessments = _assessments(rng, ev, incidents, last)
    plans = _plans(rng, ev, assessments, registrations, last)
    return _History(
        area_code=area.code,
        events=ev,
        event_text=_event_text(rng, ev, area.code, rate),
        registrations=registrations,
        contacts=_contacts(rng, ev, incidents, last),
        assessments=assessments,
        needs=_needs(rng, ev, assessments),
        plans=plans,
        objectives=_objectives(rng, ev, plans),
    )


def _months(first: int, last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    first_month = np.datetime64(_iso(first), "M").astype(np.int64) - HISTORY_MONTHS
    last_month = np.datetime64(_iso(last), "M").astype(np.int64)
    months = np.arange(max(int(first_month), MIN_MONTH), int(last_month) + 1)
    starts = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    ends = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return months, starts, ends - starts


TIER_GIVEN_ROSH = np.array(
    [
        [0.35, 0.40, 0.20, 0.05],
        [0.10, 0.30, 0.50, 0.10],
        [0.0, 0.10, 0.45, 0.45],
        [0.0, 0.0, 0.20, 0.80],
    ]
)
COMMUNITY_REQUIREMENTS = {
    "UPW": 0.35, "SUP": 0.85, "PROG": 0.20, "DRR": 0.10, "ATR": 0.08, "MHTR": 0.03,
    "RES": 0.03, "CUR": 0.12, "ACT": 0.15,
}  # fmt: skip
LICENCE_CONDITIONS = {
    "UPW": 0.0, "SUP": 0.95, "PROG": 0.15, "DRR": 0.10, "ATR": 0.05, "MHTR": 0.03,
    "RES": 0.20, "CUR": 0.15, "ACT": 0.05,
}  # fmt: skip
DIVERSITY_SHARES = (0.35, 0.15, 0.30, 0.15, 0.20, 0.10)
LIC = c.SENTENCE_TYPES.index("LIC")
UPW_BIT = 1 << c.REQUIREMENTS.index("UPW")
SUP_BIT = 1 << c.REQUIREMENTS.index("SUP")


def _event_attributes(rng, uid, off, evno, start, first_start) -> dict[str, np.ndarray]:
    stype = rng.choice(uid, "stype", (0.50, 0.25, 0.25))
    lic = stype == LIC
    sentence = np.where(lic, np.maximum(start - rng.ints(uid, "custody", 60, 1500), MIN_DAY), start)
    months = np.array([6, 12, 18, 24, LONGEST_ORDER_MONTHS])[
        rng.choice(uid, "length", (0.1, 0.45, 0.2, 0.2, 0.05))
    ]
    length = np.where(lic, rng.ints(uid, "licence", *LICENCE_DAYS), np.rint(months * 30.44))
    early = rng.u(uid, "early") < 0.12
    length = np.where(early, length * (0.2 + 0.7 * rng.u(uid, "early_at")), length)
    rosh = rng.choice(off, "rosh", (0.40, 0.45, 0.13, 0.02))  # the offender's, on both events
    tier_cdf = np.cumsum(TIER_GIVEN_ROSH, axis=1)[rosh]
    tier = 1 + np.minimum((rng.u(uid, "tier")[:, None] >= tier_cdf).sum(axis=1), 3)

    req = np.zeros(len(uid), dtype=np.int64)
    for i, code in enumerate(c.REQUIREMENTS):
        p = np.where(lic, LICENCE_CONDITIONS[code], COMMUNITY_REQUIREMENTS[code])
        req |= (rng.u(uid, f"req:{code}") < p).astype(np.int64) << i
    req = np.where((req == 0) | (~lic & (req == UPW_BIT)), req | SUP_BIT, req)
    req = np.where(~lic & (rng.u(uid, "upw_only") < 0.15), UPW_BIT, req)
    req = np.where(lic & (rng.u(uid, "no_conditions") < 0.02), 0, req)

    div = np.zeros(len(uid), dtype=np.int64)
    for i, share in enumerate(DIVERSITY_SHARES):
        div |= (rng.u(off, f"div:{i}") < share).astype(np.int64) << i
    div = np.where(div == 0, 1 << rng.choice(off, "div_one", DIVERSITY_SHARES), div)
    div = np.where(rng.u(off, "diverse") < 0.30, div, 0)

    age_years = 18 + 57 * rng.u(off, "age") ** 1.8
    return {
        "uid": uid,
        "off": off,
        "evno": evno,
        "start": start,
        "stype": stype,
        "sentence": sentence,
        "release": np.where(lic, start, -1),
        "term": start + np.maximum(1, length.astype(np.int64)),
        "tier": tier,
        "rosh": rosh,
        "req": req,
        "div": div,
        "dob": first_start - np.floor(age_years * 365.25).astype(np.int64),
        "first_start": first_start,
    }


CRN_SPACE = 26 * 1_000_000
CRN_CYCLE_MONTHS = 120  # a CRN is reused after ten years, long after any snapshot drops it


@functools.cache
def _crn_slices() -> dict[str, tuple[int, int]]:
    """Each area's block of the national CRN space, sized by population, and its
    numbers per month; fixed by the reference list so CRNs are unique nationally."""
    total = sum(a.population_millions for a in reference_data.areas())
    slices, begin = {}, 0
    for area in reference_data.areas():
        size = int(CRN_SPACE * area.population_millions / total)
        per_month = size // CRN_CYCLE_MONTHS
        per_month -= per_month % 7919 == 0  # keep the scramble below a bijection
        slices[area.code] = (begin, per_month)
        begin += size
    return slices


def _crn_numbers(off: np.ndarray, area_code: str) -> np.ndarray:
    begin, per_month = _crn_slices()[area_code]
    month, number = off // MONTH_SLOTS, off % MONTH_SLOTS
    if len(number) and number.max() >= per_month:
        raise ValueError(
            f"too many offenders a month in {area_code} for unique CRNs: lower --scale"
        )
    local = (month % CRN_CYCLE_MONTHS) * per_month + (number * 7919 + 1234) % per_month
    return begin + local


def _event_text(rng: _Rng, ev: dict[str, np.ndarray], area_code: str, rate: float):
    """Identifier, personal-data and code-list strings of each event."""
    off, uid = ev["off"], ev["uid"]
    letters = [chr(ord("A") + i) for i in range(26)]
    crn_number = _crn_numbers(off, area_code)

    def padded(values: np.ndarray, width: int) -> pa.Array:
        return pc.utf8_lpad(pa.array(values).cast(pa.string()), width=width, padding="0")

    pnc_year = (ev["first_start"] - rng.ints(off, "pnc_year", 0, 3650)).astype("datetime64[D]")
    pnc = pc.binary_join_element_wise(
        padded(pnc_year.astype("datetime64[Y]").astype(np.int64) % 100, 2),
        padded(rng.ints(off, "pnc_number", 1, 999999), 6),
        _take(letters, rng.ints(off, "pnc_check", 0, 25)),
        "/",
    )
    pnc = pc.replace_substring_regex(pnc, r"^(\d\d)/(\d{6})/([A-Z])$", r"\1/\2\3")
    no_pnc = pa.array(rng.u(off, "pnc_blank") < 0.08)
    staff = rng.ints(uid, "staff", 0, max(3, int(rate / 40)) - 1)
    return {
        "crn": pc.binary_join_element_wise(
            _take(letters, crn_number // 1_000_000), padded(crn_number % 1_000_000, 6), ""
        ),
        "surname": _take(SURNAMES, rng.ints(off, "surname", 0, len(SURNAMES) - 1)),
        "forename": _take(FORENAMES, rng.ints(off, "forename", 0, len(FORENAMES) - 1)),
        "pnc_number": pc.if_else(no_pnc, pa.scalar(None, pa.string()), pnc),
        "offender_manager": pc.binary_join_element_wise(pa.scalar(area_code), padded(staff, 3), ""),
        "requirements": _take(_codes_lookup(c.REQUIREMENTS), ev["req"]),
        "diversity_needs": _take(_codes_lookup(c.DIVERSITY_NEEDS), ev["div"]),
    }


def _deadlines(ev: dict[str, np.ndarray]) -> None:
    """Rulebook deadlines of each event, so delays can be drawn against the real ones."""
    starts, tables, window = _standards()
    edition = np.searchsorted(starts, ev["start"], side="right") - 1
    tier = ev["tier"] - 1
    ev["due_assess"] = _wd(ev["start"], tables["initial_assessment_wd"][edition, tier])
    ev["due_plan"] = _wd(ev["start"], tables["initial_plan_wd"][edition, tier])
    ev["due_induction"] = _wd(ev["start"], tables["first_contact_wd"][edition, tier])
    ev["reassess_wd"] = tables["reassessment_wd"][edition, tier]
    ev["contact_level"] = tables["contact_level"][edition, tier]
    ev["contact_window"] = np.full(len(tier), window)


def _q(ev: dict[str, np.ndarray], name: str, idx: np.ndarray | None = None) -> np.ndarray:
    column = ev["q"][:, Q[name]]
    return column if idx is None else column[idx]


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _sorted_by(table: dict[str, np.ndarray], key: str) -> dict[str, np.ndarray]:
    order = np.argsort(table[key], kind="stable")
    return {k: v[order] for k, v in table.items()}


def _registrations(rng: _Rng, ev: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Register entries of each offender, drawn from the first event."""
    e1 = np.flatnonzero(ev["evno"] == 1)
    off, start, term, rosh = ev["off"][e1], ev["start"][e1], ev["term"][e1], ev["rosh"][e1]
    parts = []

    def add(slot, present, rtype, level, reg, dereg_share, dereg):
        key = off * 16 + slot
        reg = np.maximum(reg, MIN_DAY)
        dereg = np.where(rng.u(key, "dereg") < dereg_share, np.maximum(dereg, reg), -1)
        keep = present
        parts.append(
            {
                "rid": key[keep],
                "off": off[keep],
                "type": np.broadcast_to(rtype, key.shape)[keep],
                "level": np.broadcast_to(level, key.shape)[keep],
                "reg": reg[keep],
                "dereg": dereg[keep],
            }
        )

    key0 = off * 16
    accurate = rng.u(key0, "rosh_register") < _q(ev, "accurate", e1)
    level = np.where(accurate, rosh, np.where(rosh == 0, 1, rosh - 1))
    reg0 = start + rng.ints(key0, "reg_day", -10, 20)
    add(
        0,
        rng.u(key0, "has_rosh") < np.where(rosh >= 2, 0.98, 0.85),
        level,
        -1,
        reg0,
        0.25,
        reg0 + rng.ints(key0, "dereg_day", 30, term - reg0 + 180),
    )
    key1 = off * 16 + 1
    mapp = rng.u(key1, "has") < np.select([rosh >= 2, rosh == 1], [0.5, 0.03], 0.0)
    add(
        1,
        mapp,
        c.REGISTER_TYPES.index("MAPP"),
        rng.choice(key1, "level", (0.7, 0.25, 0.05)),
        start - rng.ints(key1, "reg_day", 0, 60),
        0.2,
        term + rng.ints(key1, "dereg_day", 0, 90),
    )
    for slot, code, share, before, after in (
        (2, "ADVP", 0.12, 30, 60),
        (3, "RCPR", 0.05, 90, 0),
        (4, "RCCO", 0.06, 90, 0),
    ):
        key = off * 16 + slot
        reg = start + rng.ints(key, "reg_day", -before, after)
        add(
            slot,
            rng.u(key, "has") < share,
            c.REGISTER_TYPES.index(code),
            -1,
            reg,
            0.35,
            reg + rng.ints(key, "dereg_day", 30, 700),
        )
    return _sorted_by(_concat(parts), "rid")


def _incidents(rng: _Rng, ev: dict[str, np.ndarray], last: int) -> dict[str, np.ndarray]:
    """Significant incidents (contacts SIAR/SICC/SIRC) during supervision."""
    count = rng.choice(ev["uid"], "incidents", (0.78, 0.15, 0.05, 0.02))
    parent, k = _explode(count)
    key = ev["uid"][parent] * 4 + k
    start, term = ev["start"][parent], ev["term"][parent]
    day = start + rng.ints(key, "incident_day", 0, term - start)
    recall = (ev["stype"][parent] == LIC) & (rng.u(key, "recall") < 0.3)
    arrest = rng.u(key, "arrest") < 0.55
    ctype = np.where(
        recall,
        c.CONTACT_TYPES.index("SIRC"),
        np.where(arrest, c.CONTACT_TYPES.index("SIAR"), c.CONTACT_TYPES.index("SICC")),
    )
    keep = day <= last
    return {"ev": parent[keep], "k": k[keep], "day": day[keep], "ctype": ctype[keep]}


START_SLOT, REPLACEMENT_SLOT, FIRST_REVIEW_SLOT, TERMINATION_SLOT, INCIDENT_SLOT = 0, 1, 2, 50, 52
MAX_REVIEWS = 40
STATUS = {s: i for i, s in enumerate(c.ASSESSMENT_STATUSES)}


def _chain(rng, ev, first_day, present, salt, quality, last) -> dict[str, np.ndarray]:
    """Reviews after first_day until termination: on time with the area's probability.

    On time is a gap under 112 days (in time for NS2005's 16 weeks and NS2007's four
    months), late a gap over four months.
    """
    parts = []
    alive = np.flatnonzero(present)
    day = first_day[alive]
    for k in range(1, MAX_REVIEWS + 1):
        key = ev["uid"][alive] * 64 + k
        on_time = rng.u(key, salt) < quality[alive]
        day = day + np.where(
            on_time, rng.ints(key, salt + ":gap", 80, 111), rng.ints(key, salt + ":late", 125, 200)
        )
        keep = (day < ev["term"][alive]) & (day <= last)
        alive, day = alive[keep], day[keep]
        if not len(alive):
            break
        parts.append({"ev": alive, "slot": np.full(len(alive), k), "day": day})
    if not parts:
        return {
            "ev": np.zeros(0, np.int64),
            "slot": np.zeros(0, np.int64),
            "day": np.zeros(0, np.int64),
        }
    return _concat(parts)


def _assessments(rng, ev, incidents, last) -> dict[str, np.ndarray]:
    uid, start, n = ev["uid"], ev["start"], len(ev["uid"])
    idx = np.arange(n)
    lic = ev["stype"] == LIC
    present = rng.u(uid, "a0:present") < 0.97
    on_time = rng.u(uid, "a0:on_time") < _q(ev, "assess_on_time")
    pre_release = lic & (rng.u(uid, "a0:pre") < 0.4)
    done = np.where(
        on_time,
        np.where(
            pre_release,
            start - rng.ints(uid, "a0:before", 1, 30),
            start + rng.ints(uid, "a0:delay", 0, ev["due_assess"] - start),
        ),
        ev["due_assess"] + rng.ints(uid, "a0:late", 1, 75),
    )
    start_purpose = np.where(
        rng.u(uid, "a0:transfer") < 0.05, 500, np.array(c.START_PURPOSES[:3])[ev["stype"]]
    )
    spoiled = present & (rng.u(uid, "a0:spoiled") < 0.04)  # voided or locked, then redone
    redone = done + rng.ints(uid, "a0:redone", 3, 40)
    valid_done = np.where(spoiled, redone, done)
    ev["a0_present"] = present
    ev["a0_pk"] = uid * 64 + np.where(spoiled, REPLACEMENT_SLOT, START_SLOT)

    groups = [
        {
            "ev": idx[present],
            "slot": np.full(int(present.sum()), START_SLOT),
            "day": done[present],
            "purpose": start_purpose[present],
        },
        {
            "ev": idx[spoiled],
            "slot": np.full(int(spoiled.sum()), REPLACEMENT_SLOT),
            "day": redone[spoiled],
            "purpose": start_purpose[spoiled],
        },
    ]
    reviews = _chain(rng, ev, valid_done, present, "a:review", _q(ev, "review_assess"), last)
    review_key = uid[reviews["ev"]] * 64 + reviews["slot"]
    reviews["slot"] = reviews["slot"] - 1 + FIRST_REVIEW_SLOT
    reviews["purpose"] = np.array(c.REVIEW_PURPOSES)[
        rng.choice(review_key, "a:purpose", (0.4, 0.4, 0.1, 0.1))
    ]
    groups.append(reviews)

    inc_ev, inc_day = incidents["ev"], incidents["day"]
    inc_key = uid[inc_ev] * 4 + incidents["k"]
    due = _wd(inc_day, ev["reassess_wd"][inc_ev])
    in_time = rng.u(inc_key, "a:reassess") < _q(ev, "reassess", inc_ev)
    late = ~in_time & (rng.u(inc_key, "a:reassess_late") < 0.5)
    day = np.where(
        in_time,
        inc_day + rng.ints(inc_key, "a:reassess_day", 0, due - inc_day),
        due + rng.ints(inc_key, "a:reassess_late_day", 1, 40),
    )
    recall = (incidents["ctype"] == c.CONTACT_TYPES.index("SIRC")) & (
        rng.u(inc_key, "a:recall") < 0.5
    )
    reassessed = in_time | late
    groups.append(
        {
            "ev": inc_ev[reassessed],
            "slot": INCIDENT_SLOT + incidents["k"][reassessed],
            "day": day[reassessed],
            "purpose": np.where(recall, 490, 360)[reassessed],
        }
    )
    ends = rng.u(uid, "a:termination") < 0.75
    groups.append(
        {
            "ev": idx[ends],
            "slot": np.full(int(ends.sum()), TERMINATION_SLOT),
            "day": (ev["term"] + rng.ints(uid, "a:term_day", 0, 14))[ends],
            "purpose": np.where(lic, 340, 330)[ends],
        }
    )
    a = _concat(groups)
    e = a["ev"]
    pk = uid[e] * 64 + a["slot"]
    a = {k: v for k, v in a.items()}
    a["pk"] = pk
    completed = a["day"]
    a["init"] = np.maximum(completed - rng.ints(pk, "a:initiated", 0, 10), MIN_DAY)
    a["init"] = np.where(a["slot"] == TERMINATION_SLOT, np.maximum(a["init"], start[e]), a["init"])

    status = np.where(rng.u(pk, "a:signed") < 0.35, STATUS["SIGNED"], STATUS["COMPLETE"])
    first = a["slot"] == START_SLOT
    locked = first & spoiled[e] & (rng.u(uid[e], "a0:locked") < 0.5)
    abandoned = (a["slot"] >= FIRST_REVIEW_SLOT) & (rng.u(pk, "a:abandoned") < 0.01)
    status = np.where(locked, STATUS["LOCKED_INCOMPLETE"], status)
    status = np.where(abandoned, STATUS["OPEN"], status)
    a["status"] = status
    a["done"] = np.where(locked | abandoned, -1, completed)
    voided = (first & spoiled[e] & ~locked) | (
        (a["slot"] >= FIRST_REVIEW_SLOT) & (rng.u(pk, "a:voided") < 0.01)
    )
    a["voided"] = np.where(voided, a["init"] + rng.ints(pk, "a:voided_day", 1, 30), -1)
    a["layer"] = np.where(rng.u(pk, "a:layer") < 0.12, 0, 1)  # 0 LAYER_1, 1 LAYER_3

    rosh = ev["rosh"][e]
    shift = (a["slot"] >= FIRST_REVIEW_SLOT) & (rng.u(pk, "a:rosh_shift") < 0.03)
    rosh = np.where(shift, np.clip(rosh + np.where(rng.u(pk, "a:up") < 0.5, -1, 1), 0, 3), rosh)
    accurate = rng.u(pk, "a:grid") < _q(ev, "accurate", e)
    grid = np.where(accurate, rosh, np.where(rosh == 0, 1, rosh - 1))
    not_calculated = rng.u(pk, "a:nc") < 0.01
    a["rosh"] = np.where(not_calculated, c.ROSH_LEVELS.index("NC"), rosh)
    a["grid"] = np.where(not_calculated, -1, grid)
    high = rosh >= 2
    sufficient = rng.u(pk, "a:sufficient") < _q(ev, "assess_sufficient", e)
    gap = np.where(sufficient, -1, rng.ints(pk, "a:gap", 0, np.where(high, 2, 1)))
    a["screening"] = np.where(gap == 0, 0, 1)
    a["summary"] = np.where(gap == 1, np.where(rng.u(pk, "a:summary_blank") < 0.3, -1, 0), 1)
    a["full"] = np.where(high, np.where(gap == 2, 0, 1), _yn(rng, pk, "a:full", 0.3))
    a["rmp"] = np.where(
        high, _yn(rng, pk, "a:rmp", _q(ev, "rmp", e)), _yn(rng, pk, "a:rmp_low", 0.2, 0.1)
    )
    signed_off = high | (rng.u(pk, "a:countersign") < 0.1)
    a["countersigned"] = np.where(
        signed_off & (a["done"] >= 0), a["done"] + rng.ints(pk, "a:countersign_day", 0, 14), -1
    )
    keep = a["init"] <= last
    return _sorted_by({k: v[keep] for k, v in a.items()}, "pk")


def _multiagency_window(ev, registrations) -> tuple[np.ndarray, np.ndarray]:
    """Per event, from the first multi-agency registration to the last deregistration."""
    codes = [c.REGISTER_TYPES.index(t) for t in ("MAPP", "RCPR", "RCCO")]
    ma = np.isin(registrations["type"], codes)
    offenders, event_offender = np.unique(ev["off"], return_inverse=True)
    owner = np.searchsorted(offenders, registrations["off"][ma])
    never = np.iinfo(np.int64).max
    since = np.full(len(offenders), never)
    until = np.full(len(offenders), -1)
    np.minimum.at(since, owner, registrations["reg"][ma])
    dereg = registrations["dereg"][ma]
    np.maximum.at(until, owner, np.where(dereg < 0, never, dereg))
    return since[event_offender], until[event_offender]


def _plans(rng, ev, assessments, registrations, last) -> dict[str, np.ndarray]:
    uid, start, n = ev["uid"], ev["start"], len(ev["uid"])
    idx = np.arange(n)
    present = rng.u(uid, "p0:present") < 0.97
    on_time = rng.u(uid, "p0:on_time") < _q(ev, "plan_on_time")
    pre_release = (ev["stype"] == LIC) & (rng.u(uid, "p0:pre") < 0.3)
    day = np.where(
        on_time,
        np.where(
            pre_release,
            np.maximum(ev["sentence"], start - rng.ints(uid, "p0:before", 1, 20)),
            start + rng.ints(uid, "p0:delay", 0, ev["due_plan"] - start),
        ),
        ev["due_plan"] + rng.ints(uid, "p0:late", 1, 75),
    )
    initial = {
        "ev": idx[present],
        "slot": np.zeros(int(present.sum()), np.int64),
        "day": day[present],
    }
    reviews = _chain(rng, ev, day, present, "p:review", _q(ev, "review_plan"), last)
    p = _concat([initial, reviews])
    e = p["ev"]
    pid = uid[e] * 64 + p["slot"]
    p["pid"] = pid
    review = p["slot"] > 0
    p["type"] = review.astype(np.int64)

    a0_init = np.full(n, np.iinfo(np.int64).max)
    first_rows = np.flatnonzero(np.isin(assessments["pk"], ev["a0_pk"]))
    a0_owner = np.searchsorted(uid, assessments["pk"][first_rows] // 64)
    a0_init[a0_owner] = assessments["init"][first_rows]
    linked = (a0_init[e] <= p["day"]) & (rng.u(pid, "p:linked") < np.where(review, 0.6, 0.9))
    p["pk"] = np.where(linked, ev["a0_pk"][e], -1)

    p["involved"] = _yn(rng, pid, "p:involved", _q(ev, "involved", e), 0.05)
    has_div = ev["div"][e] > 0
    p["diversity"] = np.where(
        has_div,
        _yn(rng, pid, "p:diversity", _q(ev, "diversity", e)),
        _yn(rng, pid, "p:div_none", 0.2, 0.3),
    )
    since, until = _multiagency_window(ev, registrations)
    active = (since[e] <= p["day"]) & (until[e] > p["day"])
    integrate = np.where(review, _q(ev, "multiagency_review", e), _q(ev, "multiagency", e))
    p["multiagency"] = np.where(
        active,
        _yn(rng, pid, "p:multiagency", integrate),
        np.where(rng.u(pid, "p:ma_none") < 0.7, -1, 0),
    )
    p["progress"] = np.where(review, _yn(rng, pid, "p:progress", _q(ev, "progress", e)), -1)
    p["progress"] = np.where(
        review & (p["progress"] == 0) & (rng.u(pid, "p:progress_blank") < 0.2), -1, p["progress"]
    )
    p["sufficient"] = rng.u(pid, "p:sufficient") < _q(ev, "plan_sufficient", e)
    return _sorted_by(p, "pid")


EARLY_CONTACTS_BY_TIER = np.array([0.25, 1.0, 0.5, 0.6])  # times the tier-2 standard level
MONTHLY_CONTACTS_BY_TIER = np.array([0.15, 0.3, 0.35, 0.45])  # after the first 16 weeks


def _contacts(rng, ev, incidents, last) -> dict[str, np.ndarray]:
    """Induction (COAI), appointments and sessions, and the incident contacts."""
    uid, start, term, n = ev["uid"], ev["start"], ev["term"], len(ev["uid"])
    idx = np.arange(n)
    types = {t: i for i, t in enumerate(c.CONTACT_TYPES)}
    due = ev["due_induction"]
    on_time = rng.u(uid, "c:induction") < _q(ev, "induction")
    failure = rng.choice(uid, "c:induction_failure", (0.40, 0.35, 0.25))  # late, unattended, none
    in_window = start + rng.ints(uid, "c:induction_day", 0, due - start)
    late_day = due + rng.ints(uid, "c:induction_late", 1, 30)
    first = on_time | (failure < 2)
    first_day = np.where(on_time | (failure == 1), in_window, late_day)
    first_attended = np.where(on_time | (failure == 0), 1, 0)
    again = ~on_time & (failure == 1)

    def induction(mask: np.ndarray, slot: int, day: np.ndarray, attended: np.ndarray):
        k = int(mask.sum())
        return {
            "ev": idx[mask],
            "slot": np.full(k, slot),
            "day": day[mask],
            "type": np.full(k, types["COAI"]),
            "attended": attended[mask],
            "ns": np.ones(k, np.int64),
        }

    parts = [
        induction(first, 0, first_day, first_attended),
        induction(again, 1, late_day, np.ones(n, np.int64)),
    ]

    window = ev["contact_window"]
    target = np.rint(ev["contact_level"] * EARLY_CONTACTS_BY_TIER[ev["tier"] - 1])
    target = target.astype(np.int64)
    met = rng.u(uid, "c:level") < _q(ev, "contacts")
    good = np.where(
        met,
        target + rng.ints(uid, "c:extra", 0, 3),
        np.maximum(target - rng.ints(uid, "c:short", 1, 6), 0),
    )
    poor = rng.ints(uid, "c:poor", 0, 2)
    span = np.maximum(np.minimum(term, start + 1100) - (start + window), 0)
    later = np.floor(span / 30 * MONTHLY_CONTACTS_BY_TIER[ev["tier"] - 1]).astype(np.int64)
    count = np.minimum(good + poor + later, 990)
    parent, j = _explode(count)
    s = start[parent]
    key = uid[parent] * 1024 + 2 + j
    early = j < good[parent] + poor[parent]
    day = np.where(
        early,
        s + np.floor(rng.u(key, "c:day") * window[parent]),
        s + window[parent] + np.floor(rng.u(key, "c:day") * span[parent]),
    )
    day = day.astype(np.int64)
    keep = (day <= term[parent]) & (day <= last)
    parent, j, key, early, day = parent[keep], j[keep], key[keep], early[keep], day[keep]
    good_row = early & (j < good[parent])
    attended = np.where(good_row, 1, _yn(rng, key, "c:attended", np.where(early, 0.3, 0.88), 0.02))
    ns = np.where(good_row, 1, _yn(rng, key, "c:ns", np.where(early, 0.5, 0.92), 0.02))
    req = ev["req"][parent]
    prog = (req >> c.REQUIREMENTS.index("PROG") & 1).astype(bool)
    upw = (req & UPW_BIT) > 0
    upw_only = req == UPW_BIT
    weights = np.stack(
        [
            np.where(upw_only, 0.25, 0.65),
            np.where(upw_only, 0.0, 0.10),
            np.where(prog, 0.25, 0.0),
            np.where(upw_only, 0.75, np.where(upw, 0.35, 0.0)),
        ],
        axis=1,
    )
    cdf = np.cumsum(weights, axis=1)
    pick = (rng.u(key, "c:type")[:, None] * cdf[:, -1:] >= cdf).sum(axis=1)
    kinds = np.array([types["COAP"], types["CHVS"], types["CPRG"], types["CUPW"]])
    parts.append(
        {
            "ev": parent,
            "slot": 2 + j,
            "day": day,
            "type": kinds[np.minimum(pick, 3)],
            "attended": attended,
            "ns": ns,
        }
    )
    inc_key = uid[incidents["ev"]] * 4 + incidents["k"]
    parts.append(
        {
            "ev": incidents["ev"],
            "slot": 1000 + incidents["k"],
            "day": incidents["day"],
            "type": incidents["ctype"],
            "attended": np.full(len(inc_key), -1),
            "ns": np.where(rng.u(inc_key, "c:incident_ns") < 0.7, 0, -1),
        }
    )
    parts[0] = {k: v[first_day[first] <= last] for k, v in parts[0].items()}
    parts[1] = {k: v[late_day[again] <= last] for k, v in parts[1].items()}
    con = _concat(parts)
    con["cid"] = uid[con["ev"]] * 1024 + con["slot"]
    return con


def _need_profile(rng, ev) -> None:
    """An offender's criminogenic needs: which sections, in which order, linked to offending."""
    sections = np.arange(len(c.NEED_SECTIONS))
    keys = ev["uid"][:, None] * 16 + sections[None, :]
    ev["sections"] = np.argsort(rng.u(keys, "n:order"), axis=1)  # section index by position
    ev["n_needs"] = rng.ints(ev["uid"], "n:count", 4, 6)
    within = sections[None, :] < ev["n_needs"][:, None]
    linked = within & (rng.u(keys, "n:linked") < 0.65)
    ev["linked"] = linked
    ev["n_linked"] = linked.sum(axis=1)
    ev["linked_first"] = np.argsort(~linked, axis=1, kind="stable")


def _needs(rng, ev, assessments) -> dict[str, np.ndarray]:
    layer3 = assessments["layer"] == 1
    counts = np.where(layer3, ev["n_needs"][assessments["ev"]], 0)
    parent, j = _explode(counts)
    e = assessments["ev"][parent]
    section = ev["sections"][e, j]
    pk = assessments["pk"][parent]
    key = pk * 16 + section
    harm = np.where(ev["rosh"][e] >= 2, 0.6, 0.2)
    return {
        "assessment": parent,
        "section": section + c.NEED_SECTIONS[0],
        "key": key,
        "offending": ev["linked"][e, j].astype(np.int64),
        "harm": _yn(rng, key, "n:harm", harm),
    }


def _providers(ev) -> tuple[np.ndarray, np.ndarray]:
    """Providers of each event's requirements delivered by others (exports.md mapping)."""
    has = np.stack(
        [(ev["req"] >> c.REQUIREMENTS.index(r) & 1).astype(bool) for r in PROVIDER_REQUIREMENTS],
        axis=1,
    )
    order = np.argsort(~has, axis=1, kind="stable")
    provider = np.array(
        [c.PROVIDERS.index(c.REQUIREMENT_PROVIDER[r]) for r in PROVIDER_REQUIREMENTS]
    )
    listed = np.take_along_axis(has, order, axis=1)
    return np.where(listed, provider[order], -1), has.sum(axis=1)


INTERVENTION_TEXT = [INTERVENTIONS[s] for s in c.OBJECTIVE_NEED_SECTIONS] + ["   "]
ROSH_NEED = c.OBJECTIVE_NEED_SECTIONS.index("ROSH")


def _objectives(rng, ev, plans) -> dict[str, np.ndarray]:
    """2 to 5 objectives a plan: linked needs, a RoSH objective, requirement providers."""
    pid, pe = plans["pid"], plans["ev"]
    n_linked = ev["n_linked"][pe]
    rosh_wanted = (ev["rosh"][pe] >= 1) & (rng.u(pid, "o:rosh") < _q(ev, "rosh_link", pe))
    rosh_objective = rosh_wanted & (n_linked < 5)
    rosh_on_need = rosh_wanted & ~rosh_objective
    count = np.clip(rosh_objective + n_linked, 2, 5)
    parent, j = _explode(count)
    e = pe[parent]
    key = pid[parent] * 8 + j
    is_rosh = rosh_objective[parent] & (j == 0)
    m = j - rosh_objective[parent]
    position = ev["linked_first"][e, np.clip(m, 0, 9)]
    missed = (rng.u(pid, "o:match") >= _q(ev, "interventions", pe))[parent]
    nl = n_linked[parent]
    position = np.where(missed & (nl > 0) & (m == nl - 1), ev["linked_first"][e, 9], position)
    need = np.where(is_rosh, ROSH_NEED, ev["sections"][e, position])

    providers, n_providers = _providers(ev)
    listed = ~is_rosh & (m < n_providers[e])
    who = np.where(listed, providers[e, np.clip(m, 0, providers.shape[1] - 1)], -1)
    others = np.array([c.PROVIDERS.index(p) for p in OTHER_PROVIDERS])
    other = others[rng.choice(key, "o:who", (0.6, 0.2, 0.2))]
    other = np.where(is_rosh, np.where(rng.u(key, "o:rosh_who") < 0.7, others[0], others[2]), other)
    who = np.where(listed, who, other)
    no_liaison = (rng.u(pid, "o:liaison") >= _q(ev, "liaison", pe))[parent]
    who = np.where(listed & no_liaison & (m == 0), others[0], who)

    interv = need.copy()
    measure = rng.ints(key, "o:measure", 0, len(PROGRESS_MEASURES) - 1)
    poor = ~plans["sufficient"][parent]
    bad_slot = rng.ints(pid, "o:bad_slot", 0, count - 1)[parent]
    bad_field = rng.ints(pid, "o:bad_field", 0, 2)[parent]
    hit = poor & (j == bad_slot)
    spaces = rng.u(key, "o:spaces") < 0.3
    interv = np.where(
        hit & (bad_field == 0), np.where(spaces, len(INTERVENTION_TEXT) - 1, -1), interv
    )
    who = np.where(hit & (bad_field == 1), -1, who)
    measure = np.where(hit & (bad_field == 2), -1, measure)
    addresses = is_rosh | (rosh_on_need[parent] & (j == 0))
    return {
        "oid": key,
        "plan": parent,
        "need": need,
        "intervention": interv,
        "who": who,
        "measure": measure,
        "rosh": addresses.astype(np.int64),
    }


# ---------------------------------------------------------------- snapshots


@dataclass
class _Snapshot:
    """One file of one night: its columns, the row keys defects are drawn from, and the
    numeric dates defects are made from."""

    columns: dict[str, pa.Array]
    keys: np.ndarray
    dates: dict[str, np.ndarray]


YN = ("N", "Y")


def _ints(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, pa.int64(), mask=values < 0)


def _upto(days: np.ndarray, as_of: int) -> np.ndarray:
    """A date after as_of is written blank."""
    return np.where(days <= as_of, days, -1)


def _snapshots(h: _History, as_of: int) -> dict[str, _Snapshot]:
    ev, text = h.events, h.event_text
    in_events = (ev["start"] <= as_of) & (ev["term"] >= as_of - RETENTION_DAYS)
    rows = np.flatnonzero(in_events)
    take_rows = pa.array(rows)
    out = {}
    out["events"] = _Snapshot(
        {
            "crn": pc.take(text["crn"], take_rows),
            "event_number": _ints(ev["evno"][rows]),
            "area_code": _take([h.area_code], np.zeros(len(rows), np.int64)),
            "surname": pc.take(text["surname"], take_rows),
            "forename": pc.take(text["forename"], take_rows),
            "date_of_birth": _dates(ev["dob"][rows], blank=False),
            "pnc_number": pc.take(text["pnc_number"], take_rows),
            "sentence_type": _take(c.SENTENCE_TYPES, ev["stype"][rows]),
            "sentence_date": _dates(ev["sentence"][rows]),
            "release_date": _dates(ev["release"][rows]),
            "termination_date": _dates(_upto(ev["term"][rows], as_of)),
            "tier": _ints(ev["tier"][rows]),
            "requirements": pc.take(text["requirements"], take_rows),
            "diversity_needs": pc.take(text["diversity_needs"], take_rows),
            "offender_manager": pc.take(text["offender_manager"], take_rows),
        },
        ev["uid"][rows],
        {
            "start": ev["start"][rows],
            "sentence": ev["sentence"][rows],
            "lic": ev["stype"][rows] == LIC,
        },
    )

    def crn(event_idx: np.ndarray) -> pa.Array:
        return pc.take(text["crn"], pa.array(event_idx))

    reg = h.registrations
    rows = np.flatnonzero(np.isin(reg["off"], ev["off"][in_events]) & (reg["reg"] <= as_of))
    out["registrations"] = _Snapshot(
        {
            "registration_id": _ints(reg["rid"][rows]),
            "crn": crn(np.searchsorted(ev["off"], reg["off"][rows])),
            "register_type": _take(c.REGISTER_TYPES, reg["type"][rows]),
            "register_level": _take(c.MAPPA_LEVELS, reg["level"][rows]),
            "registration_date": _dates(reg["reg"][rows]),
            "deregistration_date": _dates(_upto(reg["dereg"][rows], as_of)),
        },
        reg["rid"][rows],
        {"reg": reg["reg"][rows]},
    )

    con = h.contacts
    rows = np.flatnonzero(in_events[con["ev"]] & (con["day"] <= as_of))
    e = con["ev"][rows]
    out["contacts"] = _Snapshot(
        {
            "contact_id": _ints(con["cid"][rows]),
            "crn": crn(e),
            "event_number": _ints(ev["evno"][e]),
            "contact_date": _dates(con["day"][rows]),
            "contact_type": _take(c.CONTACT_TYPES, con["type"][rows]),
            "attended": _take(YN, con["attended"][rows]),
            "ns_contact": _take(YN, con["ns"][rows]),
        },
        con["cid"][rows],
        {"day": con["day"][rows]},
    )

    a = h.assessments
    in_assessments = in_events[a["ev"]] & (a["init"] <= as_of)
    rows = np.flatnonzero(in_assessments)
    e = a["ev"][rows]
    done = a["done"][rows]
    unfinished = done > as_of  # initiated by as_of, completed later: still open that night
    done = np.where(unfinished, -1, done)
    status = np.where(unfinished, STATUS["OPEN"], a["status"][rows])
    out["oasys_assessments"] = _Snapshot(
        {
            "oasys_set_pk": _ints(a["pk"][rows]),
            "crn": crn(e),
            "event_number": _ints(ev["evno"][e]),
            "purpose_code": _ints(a["purpose"][rows]),
            "assessment_type": _take(c.ASSESSMENT_TYPES, a["layer"][rows]),
            "assessment_status": _take(c.ASSESSMENT_STATUSES, status),
            "initiation_date": _dates(a["init"][rows]),
            "date_completed": _dates(done),
            "voided_date": _dates(_upto(a["voided"][rows], as_of)),
            "rosh_level": _take(c.ROSH_LEVELS, np.where(done < 0, -1, a["rosh"][rows])),
            "risk_grid_max": _take(c.RISK_GRID_LEVELS, np.where(done < 0, -1, a["grid"][rows])),
            "rosh_screening": _take(YN, a["screening"][rows]),
            "full_analysis": _take(YN, a["full"][rows]),
            "rosh_summary": _take(YN, a["summary"][rows]),
            "rmp": _take(YN, a["rmp"][rows]),
            "countersigned_date": _dates(_upto(a["countersigned"][rows], as_of)),
        },
        a["pk"][rows],
        {"init": a["init"][rows], "done": done},
    )

    n = h.needs
    rows = np.flatnonzero(in_assessments[n["assessment"]])
    out["oasys_needs"] = _Snapshot(
        {
            "oasys_set_pk": _ints(a["pk"][n["assessment"][rows]]),
            "section": _ints(n["section"][rows]),
            "linked_to_offending": _take(YN, n["offending"][rows]),
            "linked_to_harm": _take(YN, n["harm"][rows]),
        },
        n["key"][rows],
        {},
    )

    p = h.plans
    in_plans = in_events[p["ev"]] & (p["day"] <= as_of)
    rows = np.flatnonzero(in_plans)
    e = p["ev"][rows]
    out["sentence_plans"] = _Snapshot(
        {
            "plan_id": _ints(p["pid"][rows]),
            "oasys_set_pk": _ints(p["pk"][rows]),
            "crn": crn(e),
            "event_number": _ints(ev["evno"][e]),
            "plan_type": _take(c.PLAN_TYPES, p["type"][rows]),
            "plan_date": _dates(p["day"][rows]),
            "offender_involved": _take(YN, p["involved"][rows]),
            "diversity_addressed": _take(YN, p["diversity"][rows]),
            "multiagency_integrated": _take(YN, p["multiagency"][rows]),
            "progress_recorded": _take(YN, p["progress"][rows]),
        },
        p["pid"][rows],
        {"day": p["day"][rows]},
    )

    o = h.objectives
    rows = np.flatnonzero(in_plans[o["plan"]])
    out["plan_objectives"] = _Snapshot(
        {
            "objective_id": _ints(o["oid"][rows]),
            "plan_id": _ints(p["pid"][o["plan"][rows]]),
            "need_section": _take(c.OBJECTIVE_NEED_SECTIONS, o["need"][rows]),
            "intervention": _take(INTERVENTION_TEXT, o["intervention"][rows]),
            "who_does_work": _take(c.PROVIDERS, o["who"][rows]),
            "progress_measure": _take(PROGRESS_MEASURES, o["measure"][rows]),
            "addresses_rosh": _take(YN, o["rosh"][rows]),
        },
        o["oid"][rows],
        {},
    )
    return out


# ---------------------------------------------------------------- defects

DATE_KINDS = ("bad_date", "future_date")
ROW_KINDS = ("unknown_code", "duplicate_key", "missing_required", "field_count")
DEFECT_KINDS = {
    "events": DATE_KINDS + ("date_order",) + ROW_KINDS,
    "registrations": DATE_KINDS + ("date_order",) + ROW_KINDS,
    "contacts": DATE_KINDS + ROW_KINDS,
    "oasys_assessments": DATE_KINDS + ("date_order",) + ROW_KINDS,
    "oasys_needs": ROW_KINDS,
    "sentence_plans": DATE_KINDS + ROW_KINDS,
    "plan_objectives": ROW_KINDS,
}
UNKNOWN_CODES = {
    "events": (("sentence_type", "CJO"), ("requirements", "|EMC")),
    "registrations": (("register_type", "RSOF"), ("register_level", "M4")),
    "contacts": (("contact_type", "CTEL"),),
    "oasys_assessments": (("purpose_code", "520"), ("assessment_status", "DELETED")),
    "oasys_needs": (("section", "13"),),
    "sentence_plans": (("plan_type", "TRANSFER"),),
    "plan_objectives": (("who_does_work", "CRC"), ("need_section", "13")),
}
MISSING_REQUIRED = {
    "events": ("tier", "offender_manager", "sentence_date"),
    "registrations": ("registration_date", "register_type"),
    "contacts": ("contact_date", "contact_type"),
    "oasys_assessments": ("initiation_date", "assessment_status"),
    "oasys_needs": ("section", "oasys_set_pk"),
    "sentence_plans": ("plan_date", "plan_type"),
    "plan_objectives": ("plan_id", "need_section"),
}
EVENT_DATE = {
    "registrations": ("registration_date", "reg"),
    "contacts": ("contact_date", "day"),
    "oasys_assessments": ("initiation_date", "init"),
    "sentence_plans": ("plan_date", "day"),
}


def _bad_date(day: int, variant: int) -> str:
    """Unparseable or non-ISO renderings of a date, as real exports send them."""
    iso = _iso(day)
    year, month, dom = iso[:4], iso[5:7], iso[8:]
    return (
        f"{dom}/{month}/{year}",
        f"{year}-13-{dom}",
        str(day + EXCEL_EPOCH_SHIFT),
        f"31/04/{year}",
    )[variant % 4]


Edit = tuple[str, str | None]


def _edits(name, kind, variant, row, snap: _Snapshot, as_of: int) -> list[Edit]:
    """Column values that give one row one defect of the given kind."""
    d, later = snap.dates, 1 + variant % 60
    if kind == "unknown_code":
        column, value = UNKNOWN_CODES[name][variant % len(UNKNOWN_CODES[name])]
        if value.startswith("|"):
            current = snap.columns[column][row].as_py()
            value = f"{current}{value}" if current else value[1:]
        return [(column, value)]
    if kind == "missing_required":
        return [(MISSING_REQUIRED[name][variant % len(MISSING_REQUIRED[name])], None)]
    if name == "events":
        start_column = "release_date" if d["lic"][row] else "sentence_date"
        if kind == "bad_date":
            return [("sentence_date", _bad_date(int(d["sentence"][row]), variant))]
        if kind == "future_date":
            return [(start_column, _iso(as_of + later)), ("termination_date", None)]
        return [("termination_date", _iso(int(d["start"][row]) - later))]
    if name == "oasys_assessments" and kind != "bad_date":
        init, done = int(d["init"][row]), int(d["done"][row])
        if kind == "future_date":
            column = "date_completed" if done >= 0 else "initiation_date"
            blanks: list[Edit] = [("voided_date", None), ("countersigned_date", None)]
            return [(column, _iso(as_of + later))] + (blanks if done < 0 else [])
        column = "date_completed" if done >= 0 else "voided_date"
        return [(column, _iso(init - later))]
    column, day = EVENT_DATE[name]
    if kind == "bad_date":
        return [(column, _bad_date(int(d[day][row]), variant))]
    if kind == "future_date":
        extra: list[Edit] = [("deregistration_date", None)] if name == "registrations" else []
        return [(column, _iso(as_of + later))] + extra
    return [("deregistration_date", _iso(int(d["reg"][row]) - later))]  # registrations order


def _inject(
    name: str, snap: _Snapshot, as_of: int, rate: float, rng: _Rng
) -> tuple[pa.Table, list[tuple[int, int]], int]:
    """Row-level defects of exports.md at `rate`, cycling through the file's kinds.

    Returns the table to write, the (line, variant) of rows to write with a wrong
    number of fields, and how many rows carry a defect.
    """
    export = c.EXPORTS_BY_NAME[name]
    chosen = (
        np.flatnonzero(rng.u(snap.keys, f"defect:{name}") < rate)
        if rate > 0
        else np.zeros(0, np.int64)
    )
    kinds = DEFECT_KINDS[name]
    edits: dict[str, dict[int, str | None]] = {}
    duplicates, misshapen = [], []
    for ordinal, row in enumerate(chosen.tolist()):
        kind, variant = kinds[ordinal % len(kinds)], ordinal // len(kinds)
        if kind == "duplicate_key":
            duplicates.append(row)
        elif kind == "field_count":
            misshapen.append((row, variant))
        else:
            for column, value in _edits(name, kind, variant, row, snap, as_of):
                edits.setdefault(column, {})[row] = value
    columns = dict(snap.columns)
    for column, values in edits.items():
        rows = sorted(values)
        mask = np.zeros(len(snap.keys), dtype=bool)
        mask[rows] = True
        columns[column] = pc.replace_with_mask(
            columns[column].cast(pa.string()),
            pa.array(mask),
            pa.array([values[r] for r in rows], pa.string()),
        )
    table = pa.table({n: columns[n] for n in export.column_names})
    dup = np.array(duplicates, dtype=np.int64)
    if len(dup):
        n = table.num_rows
        order = np.argsort(np.concatenate([np.arange(n) * 2, dup * 2 + 1]), kind="stable")
        table = table.take(pa.array(np.concatenate([np.arange(n), dup])[order]))
    lines = [(row + int(np.searchsorted(dup, row, side="left")), v) for row, v in misshapen]
    return table, lines, len(chosen)


def _splice(data: bytes, lines: list[tuple[int, int]]) -> bytes:
    """Give data lines one field too many (even variant) or too few (odd variant)."""
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    pieces, done = [], 0
    for line, variant in sorted(lines):
        begin, end = int(newlines[line]) + 1, int(newlines[line + 1])
        if variant % 2 == 0:
            pieces += [data[done:end], b",N"]
            done = end
        else:
            pieces.append(data[done : data.rfind(b",", begin, end)])
            done = end
    pieces.append(data[done:])
    return b"".join(pieces)


# ---------------------------------------------------------------- writing


def _write_csv(path: Path, table: pa.Table, misshapen: list[tuple[int, int]]) -> str:
    sink = pa.BufferOutputStream()
    sink.write((",".join(table.column_names) + "\n").encode())
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    data: bytes | pa.Buffer = sink.getvalue()
    if misshapen:
        data = _splice(sink.getvalue().to_pybytes(), misshapen)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def generate(
    out: Path,
    export_dates: Sequence[dt.date],
    area_codes: Sequence[str],
    *,
    scale: float = 1.0,
    seed: int = 0,
    defect_rate: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write `<out>/<date>/<area>/` exports and manifests for every date and area."""
    known = {a.code: a for a in reference_data.areas()}
    unknown = sorted(set(area_codes) - set(known))
    if unknown:
        raise ValueError(f"unknown area codes: {', '.join(unknown)}")
    if not export_dates:
        raise ValueError("no export dates")
    if not 0.0 <= defect_rate <= 1.0:
        raise ValueError("defect_rate must be between 0 and 1")
    dates = sorted(set(export_dates))
    first, last = _day(dates[0]), _day(dates[-1])
    summary = GenerateSummary()
    # files are written on two threads while the main thread draws the next snapshot;
    # at most one snapshot's files are in flight, so memory stays at about two snapshots
    with ThreadPoolExecutor(max_workers=2) as pool:
        in_flight: list[tuple[Path, dict, dict[str, Future[str]], str]] = []
        for code in area_codes:
            rng = _Rng(f"{seed}:{code}")
            history = _history(rng, known[code], first, last, scale)
            for export_date in dates:
                as_of = _day(export_date)
                folder = Path(out) / export_date.isoformat() / code
                folder.mkdir(parents=True, exist_ok=True)
                files: dict[str, dict] = {}
                manifest = {
                    "export_date": export_date.isoformat(),
                    "area_code": code,
                    "files": files,
                }
                writes = {}
                for name, snap in _snapshots(history, as_of).items():
                    table, misshapen, defects = _inject(name, snap, as_of, defect_rate, rng)
                    file_name = c.EXPORTS_BY_NAME[name].file_name
                    writes[file_name] = pool.submit(
                        _write_csv, folder / file_name, table, misshapen
                    )
                    files[file_name] = {"rows": table.num_rows, "sha256": None}
                    summary.rows_by_file[file_name] += table.num_rows
                    summary.defects += defects
                    if name == "events":
                        summary.cases += len(snap.keys)
                in_flight.append((folder, manifest, writes, f"{export_date.isoformat()} {code}"))
                while len(in_flight) > 1:
                    _finish(*in_flight.pop(0), summary, progress)
        while in_flight:
            _finish(*in_flight.pop(0), summary, progress)
    return summary


def _finish(folder, manifest, writes, label, summary, progress) -> None:
    """Wait for one snapshot's files, then write its manifest."""
    for file_name, future in writes.items():
        manifest["files"][file_name]["sha256"] = future.result()
        summary.files_written += 1
    (folder / c.MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    summary.files_written += 1
    if progress:
        progress(label)
