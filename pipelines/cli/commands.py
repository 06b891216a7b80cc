"""The commands of `caseaudit`: each calls the step functions the Airflow DAGs call."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.run import settings

console = Console(stderr=True)
# docs/outputs.md, "Exit status"
EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_LOCKED, EXIT_NOT_LOADED = 0, 1, 2, 3, 4


class UsageError(Exception):
    """Bad arguments the parser could not catch: exit 2 with the message."""


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def days(text: str) -> int:
    """A whole number of days, at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days, 1 or more")
    return int(text)


def scale(text: str) -> float:
    """A caseload relative to the national one: above 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a scale above 0 (1.0 is national)")
    return value


def share(text: str) -> float:
    """A share from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1")
    return value


def _require_night(con, as_of: dt.date, warehouse: Path) -> None:
    """A usage error naming the loaded nights when as_of is not one of them."""
    from pipelines.publish import tables

    loaded = tables.nights(con)
    if as_of not in loaded:
        latest = ", ".join(d.isoformat() for d in loaded[-5:]) or "none"
        raise UsageError(
            f"no night {as_of} in {warehouse} (latest loaded: {latest}); "
            "`caseaudit nights` lists them all"
        )


def area_list(text: str) -> list[str] | None:
    from pipelines.contract.reference import area_codes

    if text == "all":
        return None
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in area_codes()]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown area code(s) {', '.join(unknown)}: the 42 codes are listed in docs/exports.md"
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
    from pipelines.contract.reference import area_codes

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
    if args.readings:
        from pipelines.run import readers

        with _progress(len(dates) * len(codes), "readings") as advance:
            readings = readers.write_readings(
                args.out, dates, codes, seed=args.seed, progress=advance
            )
        console.print(f"{readings:,} readings of the inspection samples (case_readings.csv)")
    return EXIT_OK


def _run_nights(args: argparse.Namespace, dates: Sequence[dt.date]) -> int:
    """Each night through the steps; a night that fails to load stops the command."""
    from pipelines.ingest.landing import discover_areas
    from pipelines.run import local, steps

    if not args.landing.is_dir():
        raise UsageError(
            f"no landing folder at {args.landing}: pass --landing or set CASEAUDIT_LANDING"
        )
    nights, failures, exit_code = [], [], EXIT_OK
    per_night = [len(discover_areas(args.landing, d)[0]) for d in dates]
    total = sum(len(args.areas) if args.areas else n for n in per_night)
    total += len(dates) * (2 if args.publish else 1)
    if not Path(args.landing).is_dir():
        raise UsageError(
            f"no landing folder at {args.landing}: pass --landing or set CASEAUDIT_LANDING"
        )
    with _progress(total, "audit") as advance, local.workers() as pool:
        for as_of in dates:
            try:
                night = local.run_night(
                    pool,
                    args.landing,
                    args.warehouse,
                    as_of,
                    areas=args.areas,
                    publish_root=args.publish,
                    progress=advance,
                    accept_new_key=args.accept_new_key,
                )
            except steps.KeyChanged as changed:
                failures.append(f"{changed}; later nights were not run")
                exit_code = EXIT_USAGE
                break
            except steps.NightFailed as nothing_landed:
                failures.append(str(nothing_landed))
                exit_code = max(exit_code, EXIT_REJECTED)
                continue
            except steps.NightNotLoaded as not_loaded:
                failures.append(f"{not_loaded}; later nights were not run")
                exit_code = EXIT_NOT_LOADED
                break
            nights.append(night)
            exit_code = max(exit_code, night.exit_code)
    if nights:
        _print_summary(args.warehouse, nights)
    for message in failures:
        console.print(f"[red]error:[/red] {message}")
    return exit_code


def cmd_run(args: argparse.Namespace) -> int:
    return _run_nights(args, [args.as_of])


def cmd_backfill(args: argparse.Namespace) -> int:
    from pipelines.ingest.landing import export_dates

    if args.to_date < args.from_date:
        raise UsageError("--to is before --from")
    if not args.landing.is_dir():
        raise UsageError(
            f"no landing folder at {args.landing}: pass --landing or set CASEAUDIT_LANDING"
        )
    dates = export_dates(args.landing, args.from_date, args.to_date)
    if not dates:
        raise UsageError(
            f"no export dates between {args.from_date} and {args.to_date} under {args.landing}"
        )
    return _run_nights(args, dates)


def _print_summary(warehouse_path: Path, nights: list) -> None:
    """One screen: per night the areas' criterion scores, rejections and quarantine."""
    from pipelines.publish import summary

    with _read(warehouse_path) as con:
        for night in nights:
            console.print(summary.night_table(con, night.as_of))
            for line in summary.night_notes(con, night):
                console.print(line)


@contextmanager
def _read(warehouse_path: Path) -> Iterator:
    from pipelines.warehouse.connection import reading

    with reading(warehouse_path) as con:
        yield con


def cmd_nights(args: argparse.Namespace) -> int:
    from pipelines.warehouse import audit

    table = Table(title=f"Nights in {args.warehouse} (latest run of each)")
    for column in ("night", "areas loaded", "rejected", "missing", "last run (UTC)"):
        table.add_column(column, justify="left" if column == "night" else "right")
    for night in audit.nights(args.warehouse):
        table.add_row(
            night["as_of_date"].isoformat(),
            str(night["loaded"]),
            str(night["rejected"]),
            str(night["missing"]),
            f"{night['last_run']:%Y-%m-%d %H:%M}",
        )
    console.print(table)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from pipelines.publish import disclosure, show

    with _read(args.warehouse) as con:
        _require_night(con, args.as_of, args.warehouse)
        try:
            shown = show.rows(con, args.as_of, args.questions)
        except show.UnknownQuestion as unknown:
            raise UsageError(f"no such question in the rulebook: {unknown}") from None
        threshold = disclosure.threshold(con)
    if args.format == "csv":
        print(show.to_csv(shown), end="")
        return EXIT_OK
    console.print(show.table(shown, args.as_of, threshold))
    publish_dir = settings.publish_dir() / args.as_of.isoformat()
    if (publish_dir / "scorecard.csv").exists():
        console.print(f"scorecard: {publish_dir / 'scorecard.csv'}")
    if (publish_dir / "report.html").exists():
        console.print(f"report: {publish_dir / 'report.html'}")
    console.print(f"warehouse: {args.warehouse}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from pipelines.publish import explain

    with _read(args.warehouse) as con:
        _require_night(con, args.as_of, args.warehouse)
        rows = explain.explain_case(con, args.crn, args.as_of, settings.case_key_secret())
    if not rows:
        console.print(f"No scored case for that crn on {args.as_of} in {args.warehouse}.")
        return EXIT_USAGE
    print(explain.format_explanation(rows))
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from pipelines.publish import tables
    from pipelines.warehouse import writer

    with _read(args.warehouse) as con:
        _require_night(con, args.as_of, args.warehouse)
        cohort_days = tables.config_value(con, "cohort_window_days")
    from_date = args.from_date or args.as_of - dt.timedelta(days=cohort_days)
    to_date = args.to_date or args.as_of
    if to_date < from_date:
        raise UsageError("--to is before --from")
    if args.reading_list is not None:
        _check_private(args.reading_list)
    drawn = writer.score_sample(
        args.warehouse,
        args.as_of,
        from_date,
        to_date,
        size=args.size,
        min_high_rosh=args.min_high,
        seed=args.seed,
    )
    with _read(args.warehouse) as con:
        rows = [r for r in tables.sample_vs_census(con, args.as_of) if r["question_id"] is None]
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
    if args.reading_list is not None:
        _write_reading_lists(args)
    return EXIT_OK


def _check_private(folder: Path) -> None:
    """A reading list holds crns: never under the publish folder."""
    from pipelines import storage

    publish = settings.publish_dir()
    under_publish = storage.is_local(publish) and (
        Path(folder).resolve().is_relative_to(Path(str(publish)).resolve())
    )
    if under_publish:
        raise UsageError(
            f"--reading-list {folder} is under the publish folder {publish}, and a reading "
            "list holds case identifiers: write it to a folder that is not published"
        )


def _write_reading_lists(args: argparse.Namespace) -> None:
    from pipelines.contract.reference import area_codes
    from pipelines.publish import reading_list

    secret = settings.case_key_secret()
    night = Path(args.landing) / args.as_of.isoformat()
    with _read(args.warehouse) as con:
        for code in args.area or area_codes():
            rows = reading_list.sample_questions(con, args.as_of, code)
            if not rows:
                continue
            try:
                crns = reading_list.landed_crns(night / code / "events.csv", secret)
                path = args.reading_list / reading_list.file_name(code, args.as_of)
                cases = reading_list.write_reading_list(rows, crns, path)
            except ValueError as error:
                raise UsageError(f"{code}: {error}") from None
            console.print(f"reading list {code}: {cases} cases, {len(rows)} questions: {path}")


def cmd_calibration(args: argparse.Namespace) -> int:
    from pipelines.publish import tables

    where = args.area or "national"
    with _read(args.warehouse) as con:
        _require_night(con, args.as_of, args.warehouse)
        rows = tables.agreement(con, args.as_of, where)
    if not rows:
        console.print(f"No readings landed for {args.as_of} ({where}): nothing to calibrate.")
        return EXIT_OK
    table = Table(
        title=f"Calibration {args.as_of} {where}: readers against the derived outcomes",
        caption="cells: reader/derived; kappa with its 95% interval",
    )
    headers = ["question", "read", "both", "agree %", "kappa [95%]", "MET/MET", "MET/NOT"]
    headers += ["NOT/MET", "NOT/NOT", "NA/scored", "scored/NA", "not due"]
    for column in headers:
        table.add_column(column, justify="left" if column == "question" else "right")
    for row in rows:
        table.add_row(
            row["question_id"] or f"[bold]{row['criterion_id']}[/bold]",
            *(str(row[k]) for k in ("read", "both_scored")),
            "-" if row["pct_agreement"] is None else f"{row['pct_agreement']:.1f}",
            _kappa(row),
            *(str(row[k]) for k in tables.AGREEMENT_CELLS),
            end_section=row["question_id"] is None,
        )
    console.print(table)
    return EXIT_OK


def _kappa(row: dict) -> str:
    if row["kappa"] is None:
        return "-"
    return f"{row['kappa']:.2f} [{row['kappa_ci_low']:.2f}, {row['kappa_ci_high']:.2f}]"


def _pct(pct: float | None, met: int, evaluated: int) -> str:
    return "-" if pct is None else f"{pct:.1f} ({met}/{evaluated})"


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines import storage
    from pipelines.publish import report

    night = storage.location(
        args.out.parent if args.out else settings.publish_dir() / args.as_of.isoformat()
    )
    name = args.out.name if args.out else "report.html"
    with _read(args.warehouse) as con, storage.staged(night, upload=True) as local:
        _require_night(con, args.as_of, args.warehouse)
        if args.baseline:
            _require_night(con, args.baseline, args.warehouse)
        report.build_report(con, args.as_of, local / name, baseline_as_of=args.baseline)
    console.print(f"report: {night / name}")
    return EXIT_OK
