"""SQL statements kept in files: each stage's `sql/` folder, one statement per file.

A plain statement is `<name>.sql`, run as written with its values as parameters.
A statement generated from the contract (one per export file, say) is a Jinja2
template `<name>.sql.j2`, rendered with the identifiers it needs; values still
travel as parameters, and the one literal a template may quote goes through
the `literal` filter.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2


def literal(value: object) -> str:
    """A SQL string literal: the value with its quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def literal_list(values: Any) -> str:
    """A SQL list of string literals, e.g. ['CO', 'SSO']."""
    return "[" + ", ".join(literal(v) for v in values) + "]"


class Statements:
    """The SQL files under one stage's `sql/` folder."""

    def __init__(self, stage_dir: Path):
        self.root = Path(stage_dir) / "sql"
        self._jinja = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.root),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # SQL, not HTML: identifiers come from the contract only
        )
        self._jinja.filters.update(literal=literal, literal_list=literal_list)

    @functools.cache  # noqa: B019 - one instance per stage, for the life of the process
    def text(self, name: str) -> str:
        """The statement in `<name>.sql`, without its trailing semicolon."""
        return (self.root / f"{name}.sql").read_text(encoding="utf-8").strip().rstrip(";")

    def render(self, template: str, /, **context: Any) -> str:
        """The template `<template>.sql.j2` rendered with `context`."""
        return self._jinja.get_template(f"{template}.sql.j2").render(**context).strip().rstrip(";")
