"""The report's words and marks: criterion names, palette, and how figures are written.

The palette is Okabe-Ito (distinguishable by colour-blind readers); every
colour also comes with a shape or a dash, so the charts read in greyscale and
in print too.
"""

from __future__ import annotations

CRITERION_NAMES = {
    "B1": "Assessment of Risk of Harm",
    "B3": "Case management",
    "C2": "Delivering appropriate supervision",
}
RULEBOOK_SOURCE = (
    "HM Inspectorate of Probation, Effective Supervision Inspection criteria; model: the "
    "Warwickshire ESI follow-up, November 2006 (docs/rulebook.md)"
)
SUPPRESSED = "*"
MISSING = "–"

# Okabe-Ito, in its published order
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
BLACK, ORANGE, SKY, BLUE, VERMILLION = (
    OKABE_ITO[k] for k in ("black", "orange", "sky blue", "blue", "vermillion")
)
# the regions' lines: every colour but black (the nation's) and yellow (too pale on white),
# each with a dash too, so ten regions stay apart in greyscale and in print
REGION_COLOURS = tuple(
    OKABE_ITO[k] for k in ("blue", "orange", "bluish green", "reddish purple", "sky blue",
                           "vermillion")
)  # fmt: skip
REGION_DASHES = ([1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4])
GREY = "#8c8c8c"

# marts.benchmark's flag: whether the area's 95% interval lies wholly above or below the
# national score; colour, shape and the mark written beside a figure
FLAG_COLOURS = {"above": BLUE, "below": VERMILLION, "similar": GREY}
FLAG_SHAPES = {"above": "triangle-up", "below": "triangle-down", "similar": "circle"}
FLAG_MARKS = {"above": "▲", "below": "▼", "similar": ""}
FLAG_WORDS = {
    "above": "above the national score",
    "below": "below the national score",
    "similar": "similar to the national score",
}
# the sample's interval: census inside, outside, or not published
INTERVAL_WORDS = {True: "census inside", False: "census outside", None: "census suppressed"}
INTERVAL_COLOURS = {True: SKY, False: ORANGE, None: GREY}
# trend lines: the area, its region and the nation, told apart by dash as well as colour
SERIES_COLOURS = {"area": BLACK, "region": BLUE, "nation": VERMILLION}
SERIES_DASHES = {"area": [1, 0], "region": [6, 3], "nation": [2, 2]}


def fmt_pct(value: float | None, hidden: bool = False) -> str:
    if hidden:
        return SUPPRESSED
    return MISSING if value is None else f"{value:.1f}"


def fmt_change(value: float | None) -> str:
    return MISSING if value is None else f"{value:+.1f}"


def fmt_rank(rank: int | float | None) -> str:
    return MISSING if rank is None else str(int(rank))


def fmt_count(value: int | float | None, hidden: bool = False) -> str:
    if hidden:
        return SUPPRESSED
    return MISSING if value is None else f"{int(value):,}"


def criterion_label(criterion: str) -> str:
    return f"{criterion} {CRITERION_NAMES.get(criterion, '')}".strip()
