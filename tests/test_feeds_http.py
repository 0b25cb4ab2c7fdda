"""HTTP caching rules for feeds: validators, encodings, the file cache, redaction, Basic auth."""

from __future__ import annotations

import base64
import gzip
import os
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_service.feeds.http_cache import (
    FeedFileCache,
    accepts_gzip,
    etag_matches,
    make_feed_file,
    not_modified,
    parse_http_date,
    strong_etag,
)
from scheduler_service.feeds.server import basic_auth_ok, redact_path
from scheduler_service.feeds.tokens import hash_prefix

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MODIFIED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ETAG = strong_etag(b"feed")

opaque = st.text(st.characters(min_codepoint=0x23, max_codepoint=0x7E), max_size=12)


@given(tags=st.lists(st.tuples(opaque, st.booleans()), max_size=5), target=opaque)
def test_if_none_match_matches_exactly_the_listed_tags(
    tags: list[tuple[str, bool]], target: str
) -> None:
    header = ", ".join(("W/" if weak else "") + f'"{tag}"' for tag, weak in tags)
    assert etag_matches(header, f'"{target}"') == (target in [tag for tag, _ in tags])


def test_star_matches_and_garbage_does_not() -> None:
    assert etag_matches("*", ETAG)
    assert not etag_matches("", ETAG)
    assert not etag_matches(ETAG.strip('"'), ETAG)  # unquoted is not an entity tag


def test_if_none_match_decides_alone() -> None:
    stamp = format_datetime(MODIFIED, usegmt=True)
    assert not_modified(ETAG, None, ETAG, MODIFIED, NOW)
    assert not not_modified('"other"', stamp, ETAG, MODIFIED, NOW)
    assert not_modified(None, stamp, ETAG, MODIFIED, NOW)
    assert not not_modified(None, None, ETAG, MODIFIED, NOW)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (MODIFIED, True),
        (MODIFIED + timedelta(minutes=5), True),
        (MODIFIED - timedelta(seconds=1), False),
        (NOW + timedelta(days=1), False),  # a date in the future is invalid: ignored
    ],
)
def test_if_modified_since(since: datetime, expected: bool) -> None:
    header = format_datetime(since, usegmt=True)
    assert not_modified(None, header, ETAG, MODIFIED, NOW) is expected


@pytest.mark.parametrize("garbage", ["", "yesterday", "Mon, 99 Foo 2026 25:61:00 GMT", "0"])
def test_unparseable_if_modified_since_never_gives_304(garbage: str) -> None:
    assert parse_http_date(garbage) is None
    assert not not_modified(None, garbage, ETAG, MODIFIED, NOW)


def test_the_three_http_date_formats() -> None:
    expected = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == expected
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == expected
    assert parse_http_date("Sun Nov  6 08:49:37 1994") == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=nan", False),
        ("identity", False),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("deflate, br", False),
    ],
)
def test_accept_encoding(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_gzip_variant_has_its_own_strong_etag() -> None:
    body = b"BEGIN:VCALENDAR\r\n" + b"SUMMARY:Academy day\r\n" * 200 + b"END:VCALENDAR\r\n"
    feed = make_feed_file(body, MODIFIED.timestamp() + 0.7)
    assert feed.gzip is not None
    assert gzip.decompress(feed.gzip.body) == body
    assert feed.gzip.etag == strong_etag(feed.gzip.body) != feed.identity.etag
    assert feed.last_modified == MODIFIED  # whole seconds
    assert feed.variant("gzip") == (feed.gzip, True)
    assert feed.variant(None) == (feed.identity, False)
    assert make_feed_file(body, 0).gzip == feed.gzip  # deterministic bytes
    assert make_feed_file(b"tiny", 0).gzip is None


def test_file_cache_reads_once_per_version(tmp_path: Path) -> None:
    cache = FeedFileCache()
    path = tmp_path / "feed.ics"
    assert cache.get(path) is None
    path.write_bytes(b"one")
    first = cache.get(path)
    assert first is not None and cache.get(path) is first and cache.reads == 1
    stamp = path.stat().st_mtime
    path.write_bytes(b"two")  # same size, and the mtime put back: still noticed
    os.utime(path, (stamp, stamp))
    second = cache.get(path)
    assert second is not None and second.identity.body == b"two" and cache.reads == 2
    replacement = tmp_path / "new.ics"
    replacement.write_bytes(b"three")
    replacement.replace(path)
    third = cache.get(path)
    assert third is not None and third.identity.body == b"three"


def test_file_cache_is_bounded(tmp_path: Path) -> None:
    cache = FeedFileCache(max_entries=2)
    for name in "abc":
        (tmp_path / name).write_bytes(name.encode())
        cache.get(tmp_path / name)
    cache.get(tmp_path / "a")
    assert cache.reads == 4  # "a" was evicted and read again


token_text = st.text(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
    min_size=16, max_size=60,
)


@given(token=token_text, prefix=st.sampled_from(["/feeds/", "/feed/", "/", "/x/y/"]))
def test_redacted_paths_never_show_a_token(token: str, prefix: str) -> None:
    redacted = redact_path(f"{prefix}{token}.ics")
    assert token not in redacted
    assert hash_prefix(token) in redacted


def test_short_paths_stay_readable() -> None:
    assert redact_path("/healthz") == "/healthz"
    assert redact_path("/feeds/short.ics") == "/feeds/short.ics"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_basic("coordinator", "s3cret"), True),
        (_basic("anyone", "s3cret"), True),
        (_basic("coordinator", "s3cret "), False),
        (_basic("coordinator", ""), False),
        ("Basic !!!not-base64", False),
        ("Bearer s3cret", False),
        ("Basic " + base64.b64encode(b"no-colon-s3cret").decode(), False),
        (None, False),
    ],
)
def test_basic_auth(header: str | None, expected: bool) -> None:
    assert basic_auth_ok(header, "s3cret") is expected
