"""Run the SQL models of sql/ for one night, in dependency order.

Every file under sql/ is one SELECT named for what it produces. Files in
sql/staging and sql/outcomes become temporary tables of the same name; files in
sql/marts replace that night's rows of the marts table of the same name. A model
depends on another when it names it, so the order is found, never hand-kept.
SQL reads the night from `getvariable('as_of')` and the scope from
`getvariable('scope')`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from pipelines import settings

TEMP_LAYERS = ("staging", "outcomes")
MART_LAYER = "marts"


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    sql: str


def load_models(sql_dir: Path | None = None) -> list[Model]:
    """Models in an order where every model comes after those it reads."""
    root = sql_dir or settings.SQL_DIR
    models = {
        path.stem: Model(path.stem, layer, path.read_text(encoding="utf-8").strip().rstrip(";"))
        for layer in (*TEMP_LAYERS, MART_LAYER)
        for path in sorted((root / layer).glob("*.sql"))
    }
    graph = {}
    for model in models.values():
        words = set(re.findall(r"[a-z_][a-z0-9_]*", model.sql.lower()))
        graph[model.name] = {other for other in models if other != model.name and other in words}
    return [models[name] for name in TopologicalSorter(graph).static_order()]


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
    con.execute("SET VARIABLE as_of = ?::DATE", [as_of])
    con.execute("SET VARIABLE scope = ?", [scope])
    # No model depends on the order its inputs were inserted in (windows order by
    # unique keys, lists are only searched, readers order their rows), so DuckDB
    # need not keep it: case_outcomes' insert 3.6 -> 2.5 s on a national night.
    con.execute("SET preserve_insertion_order = false")  # not reset on failure: harmless
    for model in load_models(sql_dir):
        if only is not None and model.name not in only:
            continue
        if model.layer == MART_LAYER:
            con.execute(
                f"DELETE FROM marts.{model.name} WHERE as_of_date = ? AND scope = ?",
                [as_of, scope],
            )
            con.execute(f"INSERT INTO marts.{model.name} BY NAME {model.sql}")
        else:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {model.name} AS {model.sql}")
    con.execute("RESET preserve_insertion_order")
