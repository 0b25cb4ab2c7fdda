"""HTTP caching for feed files: an in-memory cache of representations, validators, encodings.

A feed file is read once per (path, mtime, size) and kept with its gzip variant. Each variant has
a strong ETag, the SHA-256 of its own bytes (so the gzip variant's differs), and the file's
mtime (whole seconds) as Last-Modified.

304 rules (RFC 9110 §13): If-None-Match decides alone when present (weak comparison, ``*``
matches); otherwise If-Modified-Since, only when it parses and is not in the future, and only
when the file is not newer. An unparseable date never yields a 304: a feed server that answered
304 to any If-Modified-Since once froze Apple Calendar forever.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

_ETAG = re.compile(r'(?:W/)?"[^"]*"')
_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")
_MIN_GZIP_SIZE = 512


@dataclass(frozen=True)
class Variant:
    body: bytes
    etag: str


@dataclass(frozen=True)
class FeedFile:
    """One feed file's bytes, ready to serve: identity and (when it pays) gzip."""

    identity: Variant
    gzip: Variant | None
    last_modified: datetime

    @property
    def last_modified_header(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)

    def variant(self, accept_encoding: str | None) -> tuple[Variant, bool]:
        """The variant to send and whether it is gzip-encoded."""
        if self.gzip is not None and accepts_gzip(accept_encoding):
            return self.gzip, True
        return self.identity, False


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def make_feed_file(body: bytes, mtime: float) -> FeedFile:
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    gz = Variant(compressed, strong_etag(compressed)) if (
        len(body) >= _MIN_GZIP_SIZE and len(compressed) < len(body)
    ) else None
    modified = datetime.fromtimestamp(int(mtime), tz=UTC)
    return FeedFile(Variant(body, strong_etag(body)), gz, modified)


class FeedFileCache:
    """Thread-safe LRU of feed files keyed by path, valid while the file's stat is unchanged.

    The stat key is (mtime, size, inode, ctime): an atomic replace (temp file + rename) changes
    the inode, and an in-place rewrite changes ctime even when mtime is set back and the size
    happens to be equal.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[_StatKey, FeedFile]] = OrderedDict()
        self._lock = threading.Lock()
        self.reads = 0  # how many times a file was actually read (for tests and stats)

    def get(self, path: Path) -> FeedFile | None:
        """The file's representation, or None when it does not exist."""
        name = str(path)
        try:
            st = os.stat(name)
        except (FileNotFoundError, NotADirectoryError):
            return None
        with self._lock:
            hit = self._entries.get(name)
            if hit is not None and hit[0] == _stat_key(st):
                self._entries.move_to_end(name)
                return hit[1]
        return self._load(name)

    def _load(self, name: str) -> FeedFile | None:
        try:
            with open(name, "rb") as handle:
                st = os.fstat(handle.fileno())
                body = handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        feed = make_feed_file(body, st.st_mtime)
        with self._lock:
            self.reads += 1
            self._entries[name] = (_stat_key(st), feed)
            self._entries.move_to_end(name)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return feed


_StatKey = tuple[int, int, int, int]


def _stat_key(st: os.stat_result) -> _StatKey:
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of an If-None-Match header against one strong ETag."""
    if if_none_match.strip() == "*":
        return True
    return any(tag.removeprefix("W/") == etag for tag in _ETAG.findall(if_none_match))


def parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    etag: str,
    last_modified: datetime,
    now: datetime,
) -> bool:
    """Whether a conditional GET/HEAD may be answered 304 Not Modified."""
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    if if_modified_since is None:
        return False
    since = parse_http_date(if_modified_since)
    if since is None or since > now:
        return False
    return last_modified <= since


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether Accept-Encoding allows gzip (``gzip``/``x-gzip``, or ``*``; q=0 refuses)."""
    if not accept_encoding:
        return False
    quality: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        quality[coding.strip().lower()] = _q(params)
    for name in ("gzip", "x-gzip"):
        if name in quality:
            return quality[name] > 0
    return quality.get("*", 0) > 0


def _q(params: str) -> float:
    """The q parameter (RFC 9110 §12.4.2 syntax); a malformed q refuses the coding."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.fullmatch(value) else 0.0
    return 1.0
