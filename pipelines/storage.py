"""One path abstraction for landing, work and publish: a local folder or an object store.

Locations are universal_pathlib paths (`UPath`): a local path is a pathlib.Path,
and `s3://bucket/prefix` (or any fsspec protocol) reads and writes through
fsspec, so workers on different hosts can share nothing but a bucket. DuckDB
and Great Expectations read local files only, so a step that works on a
remote location stages it in a local temporary folder (`staged`); for a local
location it works in place and copies nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from upath import UPath

Place = UPath | Path | str  # a local path, a storage location, or either as text


def location(text: Place) -> UPath:
    """A landing, work or publish location from a path or a URL such as s3://bucket/x."""
    return text if isinstance(text, UPath) else UPath(str(text))


def is_local(place: Place) -> bool:
    return location(place).protocol in ("", "file", "local")


@contextmanager
def staged(
    place: Place,
    *,
    download: Sequence[str] | bool = True,
    upload: bool = False,
    last: str | None = None,
) -> Iterator[Path]:
    """A local folder standing for `place`: the place itself when it is local; otherwise a
    temporary copy of the same name (of every file, or of the `download` names that
    exist), uploaded back when `upload`, replacing what was there, with `last` written
    last (a folder whose `last` file exists is complete)."""
    remote = location(place)
    if is_local(remote):
        local = Path(remote.path)
        if upload:
            local.mkdir(parents=True, exist_ok=True)
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="caseaudit-stage-") as scratch:
        local = Path(scratch) / remote.name
        local.mkdir()
        if download:
            _download(remote, local, None if download is True else download)
        yield local
        if upload:
            replace(local, remote, last)


def _download(remote: UPath, local: Path, names: Sequence[str] | None) -> None:
    if names is None:
        if remote.is_dir():
            remote.fs.get(remote.path.rstrip("/") + "/", str(local), recursive=True)
        return
    for name in names:
        source = remote / name
        if source.exists():
            remote.fs.get(source.path, str(local / name), recursive=source.is_dir())


def replace(local: Path, place: Place, last: str | None = None) -> None:
    """Make `place` hold exactly the files of the local folder (`last` written last)."""
    remote = location(place)
    if is_local(remote):
        target = Path(remote.path)
        if target.resolve() != local.resolve():
            copy_folder(local, target)
        return
    if remote.exists():
        remote.fs.rm(remote.path, recursive=True)
    files = sorted(p for p in local.rglob("*") if p.is_file())
    for path in sorted(files, key=lambda p: p.name == last):
        remote.fs.put_file(str(path), (remote / path.relative_to(local).as_posix()).path)


def copy_folder(source: Path, target: Path) -> None:
    """Replace the local folder `target` with a copy of `source`; the copy is made beside
    it and renamed into place, so `target` is never a half-copied folder."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(source, partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def remove(place: Place) -> None:
    remote = location(place)
    if is_local(remote):
        shutil.rmtree(remote.path, ignore_errors=True)
    elif remote.exists():
        remote.fs.rm(remote.path, recursive=True)
