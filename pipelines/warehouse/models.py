"""The SQL models of pipelines/warehouse/sql for one night, in dependency order.

Every model is one SELECT named for what it produces, layered as dbt's are:
`staging/` and `outcomes/` models become temporary tables of the same name;
`marts/` models replace that night's rows of the marts table of the same name.
A model depends on another when it names it, so the order is found, never
hand-kept. SQL reads the night from `getvariable('as_of')` and the scope from
`getvariable('scope')`; models are Jinja2 templates whose one variable,
`scorecard`, names the scorecard the benchmark reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import jinja2

from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)
SQL_DIR = SQL.root
TEMP_LAYERS = ("staging", "outcomes")
MART_LAYER = "marts"
SCORECARD = "marts.scorecard"


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    sql: str


def render_model(path: Path, scorecard: str = SCORECARD) -> str:
    template = jinja2.Template(path.read_text(encoding="utf-8"), undefined=jinja2.StrictUndefined)
    return template.render(scorecard=scorecard).strip().rstrip(";")


def load_models(sql_dir: Path | None = None) -> list[Model]:
    """Models in an order where every model comes after those it reads."""
    root = sql_dir or SQL_DIR
    models = {
        path.stem: Model(path.stem, layer, render_model(path))
        for layer in (*TEMP_LAYERS, MART_LAYER)
        for path in sorted((root / layer).glob("*.sql"))
    }
    graph = {}
    for model in models.values():
        words = set(re.findall(r"[a-z_][a-z0-9_]*", model.sql.lower()))
        graph[model.name] = {other for other in models if other != model.name and other in words}
    return [models[name] for name in TopologicalSorter(graph).static_order()]


def set_night(con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str) -> None:
    """The variables every model reads."""
    con.execute(SQL.render("derive/set_variable", name="as_of"), [as_of])
    con.execute(SQL.render("derive/set_variable", name="scope"), [scope])


def keep_insertion_order(con: duckdb.DuckDBPyConnection, keep: bool) -> None:
    con.execute(SQL.render("derive/insertion_order", keep=keep))


def run_models(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    scope: str = "census",
    sql_dir: Path | None = None,
    only: Collection[str] | None = None,
) -> None:
    """Derive outcomes and scorecards of one night; the caller owns the transaction.

    `only` names the models to run (e.g. the benchmark alone, which reads only
    marts); every model runs when it is None.
    """
    set_night(con, as_of, scope)
    # No model depends on the order its inputs were inserted in (windows order by
    # unique keys, lists are only searched, readers order their rows), so DuckDB
    # need not keep it: case_outcomes' insert 3.6 -> 2.5 s on a national night.
    keep_insertion_order(con, False)  # not reset on failure: harmless
    for model in load_models(sql_dir):
        if only is not None and model.name not in only:
            continue
        if model.layer == MART_LAYER:
            con.execute(SQL.render("derive/clear_mart", model=model), [as_of, scope])
            con.execute(SQL.render("derive/insert_mart", model=model))
        else:
            con.execute(SQL.render("derive/temp_model", model=model))
    keep_insertion_order(con, True)
