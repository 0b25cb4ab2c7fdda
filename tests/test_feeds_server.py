"""The feed server over real HTTP on 127.0.0.1 (uvicorn in a thread, httpx as the client)."""

from __future__ import annotations

import gzip
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from scheduler_service.clock import FixedClock
from scheduler_service.config import Config, load_config
from scheduler_service.feeds.feed_key import load_feed_key
from scheduler_service.feeds.server import app_from_env, create_app, uvicorn_options
from scheduler_service.feeds.service import FeedService
from scheduler_service.feeds.tokens import hash_prefix
from scheduler_service.ical.names import feed_filename
from scheduler_service.store import Store

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FILE_TIME = datetime(2026, 11, 30, 9, 30, 15, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


def small_calendar(summary: str, events: int = 40) -> bytes:
    """A small valid calendar; 40 events make it large enough to be worth gzipping."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//traincal tests//EN"]
    for i in range(events):
        lines += [
            "BEGIN:VEVENT", f"UID:session-{i}@traincal.test", "DTSTAMP:20261130T090000Z",
            f"DTSTART:202612{1 + i % 28:02d}T140000Z", f"DTEND:202612{1 + i % 28:02d}T160000Z",
            f"SUMMARY:{summary} {i}", "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def write_feed(directory: Path, kind: str, key: str, body: bytes, when: datetime) -> Path:
    path = directory / feed_filename(kind, key)
    path.write_bytes(body)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


class _ThreadedServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class Live:
    """Everything a test needs: the config, the feed service, the base URL, a client."""

    def __init__(self, config: Config, store: Store, service: FeedService, feeds: Path) -> None:
        self.config, self.store, self.service, self.feeds = config, store, service, feeds
        self.base = ""
        self.client = httpx.Client(timeout=10)

    def token(self, person: str, kind: str = "person") -> str:
        (link,) = [x for x in self.service.links([person]) if x.ref.kind == kind]
        return link.links.https.rsplit("/", 1)[1].removesuffix(".ics")

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.client.get(self.base + path, headers=headers)

    def head(self, path: str, **headers: str) -> httpx.Response:
        return self.client.head(self.base + path, headers=headers)


def example_config(tmp_path: Path) -> Config:
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('"sqlite:///traincal.db"', f'"sqlite:///{tmp_path}/traincal.db"')
    text = text.replace('directory = "calendars"', f'directory = "{tmp_path}/calendars"')
    text = text.replace('"Avery Abara"', '"Avery <script>alert(1)</script> Abara"')
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    (tmp_path / "calendars").mkdir()
    return load_config(tmp_path / "config.toml")


@contextmanager
def running(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` with the production uvicorn options on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    options = uvicorn_options("127.0.0.1", sock.getsockname()[1])
    del options["workers"]
    server = _ThreadedServer(uvicorn.Config(app, log_config=None, lifespan="on", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert server.ready.wait(10), "server did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    config = example_config(tmp_path)
    store = Store(config.storage.url)
    key = load_feed_key(config.storage.url, {})
    clock = FixedClock(NOW)
    service = FeedService(config, store, key, clock)
    app = create_app(config, store, feed_key=key, admin_password=PASSWORD, clock=clock)
    state = Live(config, store, service, tmp_path / "calendars")
    with running(app) as base, state.client:
        state.base = base
        yield state


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "date"}


def test_feed_is_served_with_validators(live: Live) -> None:
    body = small_calendar("Academy")
    write_feed(live.feeds, "person", "jbellweat", body, FILE_TIME)
    response = live.get(f"/feeds/{live.token('jbellweat')}.ics")
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"].startswith('"') and response.headers["etag"].endswith('"')
    assert response.headers["last-modified"] == format_datetime(FILE_TIME, usegmt=True)
    assert response.headers["cache-control"] == "private, max-age=3600"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "noindex" in response.headers["x-robots-tag"]


def test_if_none_match_gives_304_until_the_file_changes(live: Live) -> None:
    write_feed(live.feeds, "person", "jbellweat", small_calendar("One"), FILE_TIME)
    path = f"/feeds/{live.token('jbellweat')}.ics"
    etag = live.get(path).headers["etag"]
    cached = live.get(path, **{"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    assert "last-modified" in cached.headers
    assert live.get(path, **{"If-None-Match": '"something-else"'}).status_code == 200
    write_feed(live.feeds, "person", "jbellweat", small_calendar("Two"), FILE_TIME)
    changed = live.get(path, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert b"SUMMARY:Two 0" in changed.content


def test_if_modified_since_only_on_a_real_match(live: Live) -> None:
    write_feed(live.feeds, "person", "jbellweat", small_calendar("One"), FILE_TIME)
    path = f"/feeds/{live.token('jbellweat')}.ics"
    stamp = format_datetime(FILE_TIME, usegmt=True)
    earlier = format_datetime(FILE_TIME.replace(hour=8), usegmt=True)
    future = format_datetime(NOW.replace(year=2027), usegmt=True)
    assert live.get(path, **{"If-Modified-Since": stamp}).status_code == 304
    assert live.get(path, **{"If-Modified-Since": earlier}).status_code == 200
    assert live.get(path, **{"If-Modified-Since": "yesterday-ish"}).status_code == 200
    assert live.get(path, **{"If-Modified-Since": future}).status_code == 200
    # If-None-Match decides alone when present
    both = {"If-Modified-Since": stamp, "If-None-Match": '"stale"'}
    assert live.get(path, **both).status_code == 200


def test_wrong_and_revoked_tokens_get_the_same_404(live: Live) -> None:
    write_feed(live.feeds, "person", "jbellweat", small_calendar("One"), FILE_TIME)
    token = live.token("jbellweat")
    assert live.get(f"/feeds/{token}.ics").status_code == 200
    live.service.revoke("jbellweat")
    responses = [
        live.get(f"/feeds/{token}.ics"),
        live.get(f"/feeds/{token[:-1]}A.ics"),
        live.get("/feeds/not-a-token.ics"),
        live.get("/feeds/nested/path.ics"),
        live.get("/no/such/page"),
    ]
    assert {r.status_code for r in responses} == {404}
    assert {r.content for r in responses} == {b"Not found.\n"}
    assert all(_headers(r) == _headers(responses[0]) for r in responses)


def test_valid_token_without_a_published_file_is_404(live: Live) -> None:
    response = live.get(f"/feeds/{live.token('mdunmore')}.ics")
    assert response.status_code == 404
    assert response.content == b"Not found.\n"


def test_rotate_kills_the_old_token_at_once(live: Live) -> None:
    write_feed(live.feeds, "person", "jbellweat", small_calendar("One"), FILE_TIME)
    old = live.token("jbellweat")
    assert live.get(f"/feeds/{old}.ics").status_code == 200
    (new_link,) = live.service.rotate("jbellweat")
    new = new_link.links.https.rsplit("/", 1)[1].removesuffix(".ics")
    assert new != old
    assert live.get(f"/feeds/{old}.ics").status_code == 404
    assert live.get(f"/feeds/{new}.ics").status_code == 200


def test_head_has_the_get_headers_and_no_body(live: Live) -> None:
    body = small_calendar("One")
    write_feed(live.feeds, "person", "jbellweat", body, FILE_TIME)
    path = f"/feeds/{live.token('jbellweat')}.ics"
    for encoding in ("identity", "gzip"):
        get = live.get(path, **{"Accept-Encoding": encoding})
        head = live.head(path, **{"Accept-Encoding": encoding})
        assert head.status_code == 200
        assert head.content == b""
        assert _headers(head) == _headers(get)
    plain = live.head(path, **{"Accept-Encoding": "identity"})
    assert plain.headers["content-length"] == str(len(body))


def test_gzip_when_asked_with_its_own_strong_etag(live: Live) -> None:
    body = small_calendar("Compressible")
    write_feed(live.feeds, "person", "jbellweat", body, FILE_TIME)
    path = f"/feeds/{live.token('jbellweat')}.ics"
    plain = live.get(path, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with live.client.stream("GET", live.base + path, headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
        zipped_headers = r.headers
    assert zipped_headers["content-encoding"] == "gzip"
    assert zipped_headers["vary"] == "Accept-Encoding"
    assert len(raw) < len(body)
    assert gzip.decompress(raw) == body
    gz_etag = zipped_headers["etag"]
    assert gz_etag != plain.headers["etag"] and not gz_etag.startswith("W/")
    fresh = {"Accept-Encoding": "gzip", "If-None-Match": gz_etag}
    assert live.get(path, **fresh).status_code == 304
    stale = {"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]}
    assert live.get(path, **stale).status_code == 200
    refused = live.get(path, **{"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_healthz(live: Live) -> None:
    response = live.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_coordinator_page_needs_the_password(live: Live) -> None:
    live.service.ensure()
    anonymous = live.get("/")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Basic ")
    assert "webcal" not in anonymous.text
    wrong = live.client.get(live.base + "/", auth=("coordinator", "guess"))
    assert wrong.status_code == 401
    page = live.client.get(live.base + "/", auth=("coordinator", PASSWORD))
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    token = live.token("jbellweat")
    assert f"webcal://training.example.org/feeds/{token}.ics" in page.text
    assert f"cid=webcal%3A%2F%2Ftraining.example.org%2Ffeeds%2F{token}.ics" in page.text
    assert "<script>" not in page.text
    assert "Avery &lt;script&gt;alert(1)&lt;/script&gt; Abara" in page.text


def test_coordinator_page_is_disabled_without_a_password(tmp_path: Path) -> None:
    config = example_config(tmp_path)
    app = create_app(config, Store(config.storage.url), admin_password=None)
    with running(app) as base:
        response = httpx.get(base + "/", auth=("coordinator", "anything"))
    assert response.status_code == 503
    assert "TRAINCAL_ADMIN_PASSWORD" in response.text


def test_tokens_never_reach_the_logs(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    write_feed(live.feeds, "person", "jbellweat", small_calendar("One"), FILE_TIME)
    token = live.token("jbellweat")
    live.get(f"/feeds/{token}.ics")
    live.get(f"/feeds/{token}.ics?x=1")
    (rotated,) = live.service.rotate("jbellweat")
    new = rotated.links.https.rsplit("/", 1)[1].removesuffix(".ics")
    live.get(f"/feeds/{token}.ics")  # now a dead token: logged as unknown
    live.get(f"/feeds/{new}.ics")
    live.get(f"/feeds/{live.token('mdunmore')}.ics")  # valid token, no file: a warning
    live.client.get(live.base + "/", auth=("coordinator", PASSWORD))
    # everything but the test's own HTTP client (httpx logs the URLs it requests)
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    messages = [r.getMessage() for r in server_side]
    assert {r.name for r in server_side} >= {"traincal.access", "traincal.feeds"}
    assert any(hash_prefix(token) in m for m in messages)
    assert any(hash_prefix(new) in m for m in messages)
    for secret in (token, new, token[:16], new[:16]):
        assert not any(secret in m for m in messages)


def test_the_uvicorn_factory_reads_config_and_password_from_the_environment(
    tmp_path: Path,
) -> None:
    config = example_config(tmp_path)
    environ = {"TRAINCAL_CONFIG": str(tmp_path / "config.toml"), "TRAINCAL_ADMIN_PASSWORD": "pw"}
    service = FeedService(config, Store(config.storage.url),
                          load_feed_key(config.storage.url, {}), FixedClock(NOW))
    (link,) = service.links(["jbellweat"])
    body = small_calendar("Factory")
    write_feed(tmp_path / "calendars", "person", "jbellweat", body, FILE_TIME)
    with running(app_from_env(environ)) as base:
        assert httpx.get(link.links.https.replace("https://training.example.org", base),
                         headers={"Accept-Encoding": "identity"}).content == body
        page = httpx.get(base + "/", auth=("c", "pw"))
    assert page.status_code == 200 and link.links.webcal in page.text
