"""Write feed files into the feeds directory: atomically, and only when their bytes changed.

Each file is written to a temporary file in the same directory, flushed to disk and renamed over
the old one (``os.replace``), so the feed server never sees half a feed. Files of feeds that no
longer exist are removed, but only files whose names traincal itself gives to feeds.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scheduler_service.errors import PublishError
from scheduler_service.ical.names import FEED_KINDS

FEED_FILE = re.compile(rf"^(?:{'|'.join(FEED_KINDS)})-[0-9a-f]{{20}}\.ics$")


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def is_feed_file(name: str) -> bool:
    return FEED_FILE.match(name) is not None


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False


def write_atomic(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def write_feeds(directory: Path, files: Mapping[str, bytes]) -> WriteResult:
    """Make ``directory`` hold exactly ``files`` among traincal feed files."""
    for name in files:
        if not is_feed_file(name):
            raise ValueError(f"{name!r} is not a traincal feed file name")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written, unchanged = [], []
        for name in sorted(files):
            path = directory / name
            if _unchanged(path, files[name]):
                unchanged.append(name)
            else:
                write_atomic(path, files[name])
                written.append(name)
        removed = []
        for path in sorted(directory.iterdir()):
            if is_feed_file(path.name) and path.name not in files and path.is_file():
                path.unlink()
                removed.append(path.name)
    except OSError as exc:
        raise PublishError(f"cannot write feeds to {directory}: {exc}") from exc
    return WriteResult(tuple(written), tuple(unchanged), tuple(removed))
