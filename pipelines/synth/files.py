"""Writing a night's CSV files and manifest in the landing layout of exports.md."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines.contract import exports as c
from pipelines.synth.defects import splice_field_counts


def write_csv(path: Path, table: pa.Table, misshapen: list[tuple[int, int]]) -> str:
    """Write one export file, unquoted, and return its sha256 for the manifest."""
    sink = pa.BufferOutputStream()
    sink.write((",".join(table.column_names) + "\n").encode())
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    data: bytes | pa.Buffer = sink.getvalue()
    if misshapen:
        data = splice_field_counts(sink.getvalue().to_pybytes(), misshapen)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def write_manifest(folder: Path, manifest: dict) -> None:
    """The manifest names every file of the folder with its row count and sha256."""
    (folder / c.MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
