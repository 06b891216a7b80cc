"""The docs keep step with the code: every fact they must state is read from the code here.

docs/exports.md from the contract (pipelines/contract/exports.py) and the
quarantine rules, docs/rulebook.md from the rulebook configuration and the
reason codes in the header comments of the outcome SQL, docs/outputs.md from
the warehouse schema, the command-line parser, the settings and the published
file layouts.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import build_parser
from pipelines.contract.exports import EVENTS, LANDED_FILES
from pipelines.contract.reference import areas, load_rulebook
from pipelines.ingest import quarantine
from pipelines.publish import files
from pipelines.validate.suites import expected_suite
from pipelines.warehouse import schema

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES_SQL = ROOT / "pipelines" / "warehouse" / "sql" / "outcomes"
SETTINGS_SOURCES = [
    ROOT / "pipelines" / "run" / "settings.py",
    ROOT / "pipelines" / "contract" / "reference.py",
]
DOC_NAMES = ("exports.md", "rulebook.md", "outputs.md")
QUESTION_IDS = [q["question_id"] for q in load_rulebook()["questions"]]


def doc(name: str) -> str:
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def section(name: str, heading: str) -> str:
    """The text of docs/<name> under the first heading that starts with `heading`, down to
    the next heading of the same or a higher level (lines in code fences are not headings)."""
    start = re.compile(rf"#+ {re.escape(heading)}(?![\w.])")
    level, body, fenced = 0, [], False
    for line in doc(name).splitlines():
        fenced ^= line.startswith("```")
        hashes = None if fenced else re.match(r"(#+) ", line)
        if level and hashes and len(hashes[1]) <= level:
            break
        if level:
            body.append(line)
        elif hashes and start.match(line):
            level = len(hashes[1])
    assert level, f"docs/{name} has no heading starting with {heading!r}"
    return "\n".join(body)


def spans(text: str) -> set[str]:
    """The `code spans` of a markdown text."""
    return set(re.findall(r"`([^`]+)`", text))


def table_rows(text: str) -> dict[str, dict[str, str]]:
    """The rows of the markdown tables in text, keyed by their first cell, as {header: cell}."""
    rows: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if header is None:
            header = cells
        elif set(line) - set("|-: "):
            rows[cells[0]] = dict(zip(header, cells, strict=False))
    return rows


def listed(text: str) -> set[str]:
    """The names a section's tables list: the code spans of their first cells, each up to
    its first space (`--out DIR` lists `--out`)."""
    return {s.split()[0] for key in table_rows(text) for s in spans(key)}


def code_list(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names)


# docs/exports.md


@pytest.mark.parametrize("export", LANDED_FILES, ids=lambda e: e.name)
def test_exports_doc_has_each_column_with_its_kind_codes_and_pii(export):
    where = f"docs/exports.md, section {export.file_name}"
    rows = {
        k: r
        for k, r in table_rows(section("exports.md", f"`{export.file_name}`")).items()
        if "kind" in r
    }
    for column in export.columns:
        row = rows.pop(f"`{column.name}`", None)
        assert row, f"{where}: no table row for column {column.name}"
        facts = {
            "kind": column.kind,
            "required": "yes" if column.required else "no",
            "PII": "yes" if column.pii else "no",
        }
        wrong = {k: (v, row.get(k)) for k, v in facts.items() if row.get(k) != v}
        assert not wrong, f"{where}: {column.name} should say (contract, doc): {wrong}"
        missing = [str(c) for c in column.codes or () if str(c) not in spans(row["codes or range"])]
        assert not missing, f"{where}: {column.name} does not list the codes {missing}"
    assert not rows, f"{where}: documents columns the contract does not have: {list(rows)}"


@pytest.mark.parametrize("export", LANDED_FILES, ids=lambda e: e.name)
def test_exports_doc_states_each_key_parent_and_date_order(export):
    text = section("exports.md", f"`{export.file_name}`")
    expected = [f"Key: {code_list(export.key)}"]
    if export.parent:
        parent = export.parent
        expected.append(
            f"Parent: {code_list(parent.columns)} must match a row of `{parent.export}.csv` "
            f"(its {code_list(parent.parent_columns)})"
        )
    else:
        expected.append("Parent: none")
    expected += [f"`{o.later}` on or after `{o.earlier}`" for o in export.date_orders]
    if not export.date_orders:
        expected.append("Date orders: none")
    missing = [e for e in expected if e not in text]
    assert not missing, f"docs/exports.md, section {export.file_name} lacks: {missing}"


def quarantine_rules() -> set[str]:
    """Every rule a quarantine record can carry: the suites' rules and field_count's."""
    rules = {e["meta"]["rule"] for x in LANDED_FILES for e in expected_suite(x)["expectations"]}
    with duckdb.connect() as con:
        quarantine.create_table(con)
        quarantine.add_misshapen(con, EVENTS, [(2, "1 field of 9")])
        rules |= {rule for (rule,) in con.execute("select rule from quarantine").fetchall()}
    return rules


def test_exports_doc_explains_every_quarantine_rule():
    documented = listed(section("exports.md", "Quarantine rules"))
    rules = quarantine_rules()
    assert not rules - documented, (
        f"docs/exports.md, Quarantine rules lacks {sorted(rules - documented)}"
    )
    assert not documented - rules, (
        f"docs/exports.md documents unknown rules {sorted(documented - rules)}"
    )


def test_exports_doc_lists_the_areas():
    rows = table_rows(section("exports.md", "Probation areas"))
    wrong = [
        a.code
        for a in areas()
        if rows.get(f"`{a.code}`", {})
        != {"code": f"`{a.code}`", "area": a.name, "region": a.region}
    ]
    assert not wrong, f"docs/exports.md, Probation areas: missing or wrong rows for {wrong}"
    assert len(rows) == len(areas()), "docs/exports.md, Probation areas: extra rows"


# docs/rulebook.md


def reason_codes(question_id: str) -> list[str]:
    """The NOT_MET reason codes named in the header comment of the question's SQL file,
    e.g. `missing | late:<n>wd (remark) | insufficient:<part>[,<part>]; joined by ';'.`"""
    (path,) = OUTCOMES_SQL.glob(question_id.lower().replace(".", "_") + "_*.sql")
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        header.append(line.removeprefix("--").strip())
    text = re.sub(r"\([^()]*\)", "", " ".join(header))  # remarks in brackets
    listed = re.search(r"Reasons?:(.*?)(?:;|\.\s|\.$)", text)
    assert listed, f"{path.name}: its header comment names no 'Reason:'"
    return [code.strip() for code in listed.group(1).split("|")]


def documents_reason(code: str, documented: set[str]) -> bool:
    """A code with placeholders (`late:<n>wd`) is documented by any span with its fixed
    start (`late:`); a plain code (`missing`) only by itself."""
    fixed = re.split(r"[<\[]", code)[0]
    return code in documented or (fixed != code and any(s.startswith(fixed) for s in documented))


@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_rulebook_doc_has_each_question_with_its_reason_codes(question_id):
    documented = spans(section("rulebook.md", question_id))
    missing = [c for c in reason_codes(question_id) if not documents_reason(c, documented)]
    assert not missing, f"docs/rulebook.md, section {question_id} lacks reason codes {missing}"


def test_rulebook_doc_names_the_rulebook_version():
    version = load_rulebook()["rulebook_version"]
    assert f"`{version}`" in doc("rulebook.md"), f"docs/rulebook.md does not name {version}"


# docs/outputs.md


def warehouse_tables() -> dict[str, list[str]]:
    """{schema.table: columns} of every CREATE TABLE the warehouse schema runs."""
    tables = {}
    for statement in schema.statements():
        create = re.search(r"create table if not exists (\w+\.\w+) \((.*)\)", statement, re.S)
        if create:
            tables[create[1]] = [line.split()[0] for line in create[2].strip().splitlines()]
    assert tables, "no CREATE TABLE parsed from pipelines.warehouse.schema.statements()"
    return tables


@pytest.mark.parametrize(
    "table, columns", [pytest.param(*t, id=t[0]) for t in warehouse_tables().items()]
)
def test_outputs_doc_has_each_warehouse_table_with_its_columns(table, columns):
    documented = listed(section("outputs.md", f"`{table}`"))
    missing = [c for c in columns if c not in documented]
    assert not missing, f"docs/outputs.md, section {table} lacks columns {missing}"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


@pytest.mark.parametrize("name, parser", [pytest.param(*c, id=c[0]) for c in subcommands().items()])
def test_outputs_doc_has_each_command_with_its_options(name, parser):
    documented = listed(section("outputs.md", f"`caseaudit {name}`"))
    options = [
        max(a.option_strings, key=len)
        for a in parser._actions
        if a.option_strings and a.dest != "help"
    ]
    missing = [o for o in options if o not in documented]
    assert not missing, f"docs/outputs.md, section caseaudit {name} lacks options {missing}"


def test_outputs_doc_names_every_environment_variable():
    names = {
        n for path in SETTINGS_SOURCES for n in re.findall(r'"(CASEAUDIT_\w+)"', path.read_text())
    }
    documented = listed(section("outputs.md", "Environment"))
    assert not names - documented, (
        f"docs/outputs.md, Environment lacks {sorted(names - documented)}"
    )


@pytest.mark.parametrize(
    "file_name, columns",
    [
        ("scorecard.csv", files.SCORECARD_COLUMNS),
        ("benchmark.csv", files.BENCHMARK_COLUMNS),
        ("data_quality.csv", files.DATA_QUALITY_COLUMNS),
    ],
)
def test_outputs_doc_lists_each_published_file_with_its_columns(file_name, columns):
    text = section("outputs.md", "Published files")
    paragraph = next((p for p in text.split("\n\n") if p.startswith(f"**`{file_name}`**")), "")
    assert paragraph, f"docs/outputs.md, Published files has no paragraph on {file_name}"
    missing = [c for c in columns if c not in spans(paragraph)]
    assert not missing, f"docs/outputs.md, {file_name} lacks columns {missing}"


@pytest.mark.parametrize("name", DOC_NAMES)
def test_docs_stand_alone(name):
    assert "shared/" not in doc(name), f"docs/{name} points outside the repository (shared/)"
