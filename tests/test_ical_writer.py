"""Feed files are written atomically, only when their bytes change, and stale feed files go
(never files traincal did not name)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scheduler_service.errors import PublishError
from scheduler_service.ical.names import feed_filename
from scheduler_service.ical.writer import is_feed_file, write_feeds

A = feed_filename("person", "ana")
B = feed_filename("person", "bo")
C = feed_filename("coordinator", "all")


def test_writes_creates_directory_and_files(tmp_path: Path) -> None:
    target = tmp_path / "calendars"
    result = write_feeds(target, {A: b"a\r\n", C: b"c\r\n"})
    assert sorted(result.written) == sorted([A, C]) and not result.unchanged
    assert (target / A).read_bytes() == b"a\r\n"
    assert sorted(p.name for p in target.iterdir()) == sorted([A, C])  # no temp files left


def test_only_changed_files_are_rewritten(tmp_path: Path) -> None:
    write_feeds(tmp_path, {A: b"a", B: b"b"})
    os.utime(tmp_path / A, ns=(1_000_000_000, 1_000_000_000))
    before = (tmp_path / A).stat()
    result = write_feeds(tmp_path, {A: b"a", B: b"b2"})
    assert result.written == (B,) and result.unchanged == (A,)
    after = (tmp_path / A).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (tmp_path / B).read_bytes() == b"b2"


def test_replace_is_a_rename(tmp_path: Path) -> None:
    """A reader holding the old file keeps reading the complete old version."""
    write_feeds(tmp_path, {A: b"old version"})
    with (tmp_path / A).open("rb") as reader:
        write_feeds(tmp_path, {A: b"new version"})
        assert reader.read() == b"old version"
    assert (tmp_path / A).read_bytes() == b"new version"


def test_stale_feed_files_removed_others_kept(tmp_path: Path) -> None:
    write_feeds(tmp_path, {A: b"a", B: b"b"})
    (tmp_path / "notes.ics").write_text("mine")
    (tmp_path / "person-xyz.ics").write_text("not a traincal name")
    result = write_feeds(tmp_path, {A: b"a"})
    assert result.removed == (B,)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([A, "notes.ics", "person-xyz.ics"])


def test_feed_file_names() -> None:
    assert is_feed_file(A) and is_feed_file(feed_filename("team", "A"))
    assert not is_feed_file("person-123.ics") and not is_feed_file(f".{A}.tmp")


def test_refuses_foreign_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_feeds(tmp_path, {"../escape.ics": b"x"})


def test_unwritable_directory_is_a_publish_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PublishError, match="cannot write feeds"):
        write_feeds(blocker / "calendars", {A: b"a"})
