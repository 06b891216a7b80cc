"""The strings of each event: CRN, PNC number, names, offender manager, code lists."""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract import exports as c
from pipelines.contract import reference as reference_data
from pipelines.synth.arrays import codes_lookup, take
from pipelines.synth.events import MONTH_SLOTS
from pipelines.synth.rng import Rng

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


def draw_event_text(rng: Rng, ev: dict[str, np.ndarray], area_code: str, rate: float):
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
        take(letters, rng.ints(off, "pnc_check", 0, 25)),
        "/",
    )
    pnc = pc.replace_substring_regex(pnc, r"^(\d\d)/(\d{6})/([A-Z])$", r"\1/\2\3")
    no_pnc = pa.array(rng.u(off, "pnc_blank") < 0.08)
    staff = rng.ints(uid, "staff", 0, max(3, int(rate / 40)) - 1)
    return {
        "crn": pc.binary_join_element_wise(
            take(letters, crn_number // 1_000_000), padded(crn_number % 1_000_000, 6), ""
        ),
        "surname": take(SURNAMES, rng.ints(off, "surname", 0, len(SURNAMES) - 1)),
        "forename": take(FORENAMES, rng.ints(off, "forename", 0, len(FORENAMES) - 1)),
        "pnc_number": pc.if_else(no_pnc, pa.scalar(None, pa.string()), pnc),
        "offender_manager": pc.binary_join_element_wise(pa.scalar(area_code), padded(staff, 3), ""),
        "requirements": take(codes_lookup(c.REQUIREMENTS), ev["req"]),
        "diversity_needs": take(codes_lookup(c.DIVERSITY_NEEDS), ev["div"]),
    }
