"""The `caseaudit` command line: the same functions the Airflow DAGs call.

Exit status (outputs.md): 0 success, 1 when a file or an area's export was
rejected (the rest still processed), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines import settings
from pipelines.nightly import NoExportError

console = Console(stderr=True)
EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments the parser could not catch: exit 2 with the message."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _areas(text: str) -> list[str] | None:
    from pipelines.reference_data import area_codes

    if text == "all":
        return None
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in area_codes()]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown area code(s) {', '.join(unknown)}; see pipelines/reference/"
            "probation_areas.csv"
        )
    return codes


@contextmanager
def _progress(total: int, label: str) -> Iterator:
    """A progress bar on stderr; yields a callback that advances it by one step."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[step]}"),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=total, step="")
        yield lambda step: bar.update(task, advance=1, step=step)


def cmd_generate(args: argparse.Namespace) -> int:
    from pipelines import synth
    from pipelines.reference_data import area_codes

    if args.to_date < args.from_date:
        raise UsageError("--to is before --from")
    dates = []
    day = args.from_date
    while day <= args.to_date:
        dates.append(day)
        day += dt.timedelta(days=args.every)
    codes = args.areas or list(area_codes())
    with _progress(len(dates) * len(codes), "generate") as advance:
        summary = synth.generate(
            args.out,
            dates,
            codes,
            scale=args.scale,
            seed=args.seed,
            defect_rate=args.defect_rate,
            progress=advance,
        )
    table = Table(title=f"Synthetic exports in {args.out}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows_by_file.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        f"{len(codes)} areas x {len(dates)} export dates, {summary.cases:,} cases, "
        f"{summary.files_written} files"
    )
    return EXIT_OK


def _run_nights(args: argparse.Namespace, dates: Sequence[dt.date]) -> int:
    from pipelines import nightly

    exit_code = EXIT_OK
    nights = []
    per_night = [len(nightly.plan_areas(args.landing, d, args.areas)[0]) for d in dates]
    steps = sum(per_night) + len(dates) * (2 if args.publish else 1)
    with _progress(steps, "audit") as advance:
        for as_of in dates:

            def step(label: str, day: dt.date = as_of) -> None:
                advance(f"{day} {label}")

            night = nightly.run_night(
                args.landing,
                args.warehouse,
                as_of,
                areas=args.areas,
                publish_root=args.publish,
                progress=step,
            )
            nights.append(night)
            exit_code = max(exit_code, night.exit_code)
    _print_summary(args.warehouse, nights)
    return exit_code


def cmd_run(args: argparse.Namespace) -> int:
    return _run_nights(args, [args.as_of])


def cmd_backfill(args: argparse.Namespace) -> int:
    from pipelines import nightly

    dates = nightly.export_dates(args.landing, args.from_date, args.to_date)
    if not dates:
        raise UsageError(
            f"no export dates between {args.from_date} and {args.to_date} under {args.landing}"
        )
    return _run_nights(args, dates)


def _print_summary(warehouse_path: Path, nights: list) -> None:
    """One screen: per night the areas' criterion scores, rejections and quarantine."""
    from pipelines import summary

    with _read(warehouse_path) as con:
        for night in nights:
            console.print(summary.night_table(con, night.as_of))
            for line in summary.night_notes(night):
                console.print(line)


@contextmanager
def _read(warehouse_path: Path) -> Iterator:
    from pipelines import warehouse

    with warehouse.connect(warehouse_path, read_only=True) as con:
        yield con


def cmd_show(args: argparse.Namespace) -> int:
    from pipelines import summary

    with _read(args.warehouse) as con:
        console.print(summary.night_table(con, args.as_of))
    publish_dir = settings.publish_dir() / args.as_of.isoformat()
    if (publish_dir / "scorecard.csv").exists():
        console.print(f"scorecard: {publish_dir / 'scorecard.csv'}")
    if (publish_dir / "report.html").exists():
        console.print(f"report: {publish_dir / 'report.html'}")
    console.print(f"warehouse: {args.warehouse}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from pipelines import explain

    with _read(args.warehouse) as con:
        rows = explain.explain_case(con, args.crn, args.as_of, settings.case_key_secret())
    if not rows:
        console.print(f"No scored case for that crn on {args.as_of} in {args.warehouse}.")
        return EXIT_USAGE
    print(explain.format_explanation(rows))
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from pipelines import sample, warehouse

    if args.to_date < args.from_date:
        raise UsageError("--to is before --from")

    def draw_and_score() -> int:
        with warehouse.connect(args.warehouse) as con, warehouse.transaction(con):
            return sample.score_sample(
                con,
                args.as_of,
                args.from_date,
                args.to_date,
                size=args.size,
                min_high_rosh=args.min_high,
                seed=args.seed,
            )

    drawn = warehouse.with_lock_retry(draw_and_score)
    with _read(args.warehouse) as con:
        rows = [r for r in sample.sample_vs_census(con, args.as_of) if r["question_id"] is None]
    table = Table(title=f"Inspection sample {args.as_of} ({drawn} cases): sample vs census, % met")
    for column in ("area", "criterion", "sample", "census", "diff pts", "in CI"):
        table.add_column(column, justify="left" if column in ("area", "criterion") else "right")
    for row in rows:
        table.add_row(
            row["area_code"],
            row["criterion_id"],
            _pct(row["sample_pct"], row["sample_met"], row["sample_evaluated"]),
            _pct(row["census_pct"], row["census_met"], row["census_evaluated"]),
            "-" if row["diff_pts"] is None else f"{row['diff_pts']:+.1f}",
            {True: "yes", False: "no", None: "-"}[row["census_in_interval"]],
        )
    console.print(table)
    return EXIT_OK


def _pct(pct: float | None, met: int, evaluated: int) -> str:
    return "-" if pct is None else f"{pct:.1f} ({met}/{evaluated})"


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines import report

    out = args.out or (settings.publish_dir() / args.as_of.isoformat() / "report.html")
    with _read(args.warehouse) as con:
        path = report.build_report(con, args.as_of, out, baseline_as_of=args.baseline)
    console.print(f"report: {path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="caseaudit", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write synthetic exports in the landing layout")
    gen.add_argument("--out", type=Path, default=settings.landing_dir())
    gen.add_argument("--from", dest="from_date", type=_date, required=True)
    gen.add_argument("--to", dest="to_date", type=_date, required=True)
    gen.add_argument("--every", type=int, default=1, help="days between export dates")
    gen.add_argument("--areas", type=_areas, default=None, help="all, or codes like WAR,DUR")
    gen.add_argument("--scale", type=float, default=1.0)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--defect-rate", type=float, default=0.0)
    gen.set_defaults(handler=cmd_generate)

    for name, handler, help_text in (
        ("run", cmd_run, "audit one night: ingest, validate, derive, load, score, publish"),
        ("backfill", cmd_backfill, "audit every export date in a range"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--landing", type=Path, default=settings.landing_dir())
        sub.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
        sub.add_argument("--areas", type=_areas, default=None)
        sub.add_argument(
            "--publish", type=Path, default=settings.publish_dir(), help="publish root folder"
        )
        if name == "run":
            sub.add_argument("--as-of", type=_date, required=True)
        else:
            sub.add_argument("--from", dest="from_date", type=_date, required=True)
            sub.add_argument("--to", dest="to_date", type=_date, required=True)
        sub.set_defaults(handler=handler)

    show = commands.add_parser("show", help="print a night's scorecard from the warehouse")
    show.add_argument("--as-of", type=_date, required=True)
    show.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    show.set_defaults(handler=cmd_show)

    exp = commands.add_parser("explain", help="every question's outcome for one case, in words")
    exp.add_argument("--crn", required=True)
    exp.add_argument("--as-of", type=_date, required=True)
    exp.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    exp.set_defaults(handler=cmd_explain)

    smp = commands.add_parser("sample", help="draw an inspection-style sample and score it")
    smp.add_argument("--as-of", type=_date, required=True)
    smp.add_argument(
        "--from",
        dest="from_date",
        type=_date,
        required=True,
        help="first start date of the sampling window",
    )
    smp.add_argument("--to", dest="to_date", type=_date, required=True)
    smp.add_argument("--size", type=int, default=None, help="cases per area (rulebook default)")
    smp.add_argument(
        "--min-high",
        type=int,
        default=None,
        help="at least this many high / very high RoH cases (rulebook default)",
    )
    smp.add_argument("--seed", type=int, default=0)
    smp.add_argument("--warehouse", type=Path, default=settings.warehouse_path())
    smp.set_defaults(handler=cmd_sample)

    rep = commands.add_parser("report", help="build the offline HTML report from the warehouse")
    rep.add_argument("--as-of", type=_date, required=True)
    rep.add_argument("--baseline", type=_date, default=None)
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
    except (UsageError, NoExportError, FileNotFoundError) as error:
        console.print(f"[red]error:[/red] {error}")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
