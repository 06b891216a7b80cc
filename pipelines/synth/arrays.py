"""Small helpers over numpy column tables and the pyarrow columns written from them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def explode(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parent index and within-parent index of rows, counts[i] rows for parent i."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    within = np.arange(len(parent)) - np.repeat(np.cumsum(counts) - counts, counts)
    return parent, within


def codes_lookup(codes: Sequence[str]) -> pa.Array:
    """Every subset of codes as a `|` list, indexed by bitmask (bit i = codes[i])."""
    values = [
        "|".join(code for i, code in enumerate(codes) if mask >> i & 1) or None
        for mask in range(1 << len(codes))
    ]
    return pa.array(values, pa.string())


def take(values: Sequence[str | None] | pa.Array, idx: np.ndarray) -> pa.Array:
    """String column from an index array; a negative index is a blank."""
    dictionary = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    idx = np.asarray(idx)
    return pc.take(dictionary, pa.array(idx.astype(np.int32), mask=idx < 0))


def dates(days: np.ndarray, blank: bool = True) -> pa.Array:
    """date32 column; a negative day (before 1970) is a blank unless blank=False."""
    days = np.asarray(days, dtype=np.int64)
    mask = days < 0 if blank else None
    return pa.array(days.astype(np.int32), pa.int32(), mask=mask).cast(pa.date32())


def ints(values: np.ndarray) -> pa.Array:
    """int64 column; a negative value is a blank."""
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, pa.int64(), mask=values < 0)


def concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """One table from tables with the same columns, rows in order."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def sorted_by(table: dict[str, np.ndarray], key: str) -> dict[str, np.ndarray]:
    """The table's rows in order of one column, so files come out in key order."""
    order = np.argsort(table[key], kind="stable")
    return {k: v[order] for k, v in table.items()}
