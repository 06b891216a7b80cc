"""The `caseaudit` command line: the same step functions the Airflow DAGs call.

Exit status (docs/outputs.md): 0 success; 1 an area's export or a landing folder
was rejected (the rest still processed) or nothing landed; 2 a usage error; 3 the
warehouse stayed locked by another process; 4 a night failed to load (nothing
of it was committed). The commands, the
warehouse tables and the published files are described in docs/outputs.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from pipelines import storage
from pipelines.cli.commands import (
    EXIT_LOCKED,
    EXIT_USAGE,
    UsageError,
    area_list,
    cmd_backfill,
    cmd_calibration,
    cmd_explain,
    cmd_generate,
    cmd_nights,
    cmd_report,
    cmd_run,
    cmd_sample,
    cmd_show,
    console,
    days,
    iso_date,
    scale,
    share,
)
from pipelines.cli.quality import cmd_quality
from pipelines.run import settings
from pipelines.warehouse.connection import WarehouseLocked


def _one_area(text: str) -> str:
    codes = area_list(text) or []
    if len(codes) != 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not one area code")
    return codes[0]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseaudit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write synthetic exports in the landing layout")
    gen.add_argument("--out", type=Path, default=settings.landing_dir(), help="a local folder")
    gen.add_argument("--from", dest="from_date", type=iso_date, required=True)
    gen.add_argument("--to", dest="to_date", type=iso_date, required=True)
    gen.add_argument("--every", type=days, default=1, help="days between export dates")
    gen.add_argument("--areas", type=area_list, default=None, help="all, or codes like WAR,DUR")
    gen.add_argument("--scale", type=scale, default=1.0, help="1.0: a national caseload")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--defect-rate", type=share, default=0.0, help="share of rows, 0 to 1")
    gen.add_argument(
        "--readings",
        action="store_true",
        help="also write readers' readings of each night's inspection sample (case_readings.csv)",
    )
    gen.set_defaults(handler=cmd_generate)

    for name, handler, help_text in (
        ("run", cmd_run, "audit one night: ingest, validate, derive, load, score, publish"),
        ("backfill", cmd_backfill, "audit every export date in a range"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--landing", type=storage.location, default=settings.landing_dir(), help="folder or URL"
        )
        sub.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
        sub.add_argument(
            "--areas",
            type=area_list,
            default=None,
            help="the areas the night expects (default CASEAUDIT_EXPECTED_AREAS: all 42); "
            "one that did not land is reported missing (exit 1)",
        )
        sub.add_argument(
            "--accept-new-key",
            action="store_true",
            help="score although the case-key secret differs from the warehouse's last night",
        )
        sub.add_argument(
            "--publish",
            type=storage.location,
            default=settings.publish_dir(),
            help="publish root: a folder or a storage URL",
        )
        if name == "run":
            sub.add_argument("--as-of", type=iso_date, required=True)
        else:
            sub.add_argument("--from", dest="from_date", type=iso_date, required=True)
            sub.add_argument("--to", dest="to_date", type=iso_date, required=True)
        sub.set_defaults(handler=handler)

    nights = commands.add_parser("nights", help="list the nights the warehouse holds")
    nights.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    nights.set_defaults(handler=cmd_nights)

    show = commands.add_parser("show", help="print a night's scorecard from the warehouse")
    show.add_argument("--as-of", type=iso_date, required=True)
    show.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    show.add_argument(
        "--questions",
        type=lambda text: [q.strip() for q in text.split(",") if q.strip()],
        default=[],
        help="comma-separated question ids to show beside the criteria, e.g. B1.1,B3.1",
    )
    show.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table (the terminal) or csv on stdout, for scripts",
    )
    show.set_defaults(handler=cmd_show)

    exp = commands.add_parser("explain", help="every question's outcome for one case, in words")
    exp.add_argument("--crn", required=True)
    exp.add_argument("--as-of", type=iso_date, required=True)
    exp.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    exp.set_defaults(handler=cmd_explain)

    smp = commands.add_parser("sample", help="draw an inspection-style sample and score it")
    smp.add_argument("--as-of", type=iso_date, required=True)
    smp.add_argument(
        "--from",
        dest="from_date",
        type=iso_date,
        default=None,
        help="first start date of the sampling window (default: the census's cohort window)",
    )
    smp.add_argument("--to", dest="to_date", type=iso_date, default=None, help="default: --as-of")
    smp.add_argument(
        "--size", "--n", type=int, default=None, help="cases per area (rulebook default)"
    )
    smp.add_argument(
        "--min-high",
        type=int,
        default=None,
        help="at least this many high / very high RoH cases (rulebook default)",
    )
    smp.add_argument("--seed", type=int, default=0)
    smp.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    smp.add_argument(
        "--reading-list",
        type=Path,
        default=None,
        help="also write each area's sample, with crns, as a CSV into this folder",
    )
    smp.add_argument(
        "--landing",
        type=Path,
        default=settings.landing_dir(),
        help="the local landing the night was loaded from (for the crns of --reading-list)",
    )
    smp.add_argument("--area", type=area_list, default=None, help="--reading-list of these areas")
    smp.set_defaults(handler=cmd_sample)

    cal = commands.add_parser(
        "calibration", help="how far the derived outcomes agree with readers of the same cases"
    )
    cal.add_argument("--as-of", type=iso_date, required=True)
    cal.add_argument("--area", type=_one_area, default=None, help="one area; default national")
    cal.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    cal.set_defaults(handler=cmd_calibration)

    qua = commands.add_parser(
        "quality", help="what each area's quarantine held on a night, and its trend"
    )
    qua.add_argument("--as-of", type=iso_date, required=True)
    qua.add_argument("--area", type=_one_area, default=None, help="one area; default all")
    qua.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    qua.set_defaults(handler=cmd_quality)

    rep = commands.add_parser("report", help="build the offline HTML report from the warehouse")
    rep.add_argument("--as-of", type=iso_date, required=True)
    rep.add_argument("--baseline", type=iso_date, default=None)
    rep.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    rep.add_argument("--out", type=Path, default=None)
    rep.set_defaults(handler=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.handler(args)
    except (UsageError, FileNotFoundError) as error:
        console.print(f"[red]error:[/red] {error}")
        return EXIT_USAGE
    except WarehouseLocked as error:
        console.print(f"[red]error:[/red] {error}")
        return EXIT_LOCKED
    except duckdb.CatalogException as error:  # a DuckDB file this version did not write
        reason = str(error).splitlines()[0]
        console.print(
            f"[red]error:[/red] {getattr(args, 'warehouse', 'the warehouse')} is not a "
            f"warehouse this version of caseaudit has loaded ({reason}): load a night into it "
            "with `caseaudit run`, which brings its tables up to date, or pass --warehouse"
        )
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
