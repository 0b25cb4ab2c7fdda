"""The feed server: an ASGI app (Starlette) that serves ``/feeds/<token>.ics``.

Routes:

- ``GET/HEAD /feeds/<token>.ics``: the feed file of an active token, from ``feeds.directory``,
  with strong ETags, Last-Modified, ``Cache-Control: private``, gzip on request and 304 on a real
  validator match (:mod:`.http_cache`). Unknown and revoked tokens, and any other path, get the
  same 404 body after the same lookup work.
- ``GET /healthz``: 200 when the database answers.
- ``GET /``: the coordinator page, behind HTTP Basic auth (any user name, the password from the
  environment variable named by ``feeds.admin_password_env``); 503 when no password is set.

Tokens never reach a log: uvicorn's access log is off, :class:`AccessLog` writes its own with
every long path segment replaced by a hash prefix.

Speed: the feed endpoint is a bare ASGI handler; the token lookup is one precompiled query on
one kept-open connection (inline for SQLite, on a dedicated thread for network databases); feed
bytes, their gzip variant and ETags are computed once per file version.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import hashlib
import hmac
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn.config
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler_service.clock import Clock, SystemClock
from scheduler_service.config import Config, load_config
from scheduler_service.feeds.feed_key import load_feed_key
from scheduler_service.feeds.http_cache import FeedFile, FeedFileCache, not_modified
from scheduler_service.feeds.page import page_rows, render_page
from scheduler_service.feeds.service import FeedService
from scheduler_service.feeds.tokens import TokenLookup, hash_prefix
from scheduler_service.ical.names import feed_filename
from scheduler_service.store import Store

log = logging.getLogger("traincal.feeds")
access_log = logging.getLogger("traincal.access")

CONFIG_ENV = "TRAINCAL_CONFIG"
ACCESS_LOG_ENV = "TRAINCAL_ACCESS_LOG"
NOT_FOUND_BODY = b"Not found.\n"
CALENDAR_TYPE = "text/calendar; charset=utf-8"
_COMMON_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_COMMON_RAW = [(k.lower().encode("ascii"), v.encode("ascii")) for k, v in _COMMON_HEADERS.items()]
_CONDITIONAL = (b"accept-encoding", b"if-none-match", b"if-modified-since")
_PAGE_HEADERS = {
    **_COMMON_HEADERS,
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
_REALM = 'Basic realm="traincal coordinator", charset="UTF-8"'


class FeedServer:
    """The state behind the routes: where feeds are, the cache, the clock, the credential."""

    def __init__(
        self, config: Config, store: Store, feeds_dir: Path, clock: Clock,
        feed_key: bytes | None, admin_password: str | None,
    ) -> None:
        self.config = config
        self.store = store
        self.feeds_dir = feeds_dir
        self.clock = clock
        self.feed_key = feed_key
        self.admin_password = admin_password
        self.cache = FeedFileCache()
        self.cache_control = f"private, max-age={config.feeds.refresh_minutes * 60}".encode()
        # One database connection, kept open, for token lookups. With SQLite (a local file, an
        # indexed read of some tens of microseconds) the lookup runs inline on the event loop: a
        # thread hop would cost more than the read. With a network database it runs on one
        # dedicated thread, so a slow database never blocks the event loop.
        self.lookup = TokenLookup(store)
        self.executor: ThreadPoolExecutor | None = None
        if store.engine.dialect.name != "sqlite":
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="traincal-feeds")

    async def resolve_async(self, token: str) -> FeedFile | None:
        if self.executor is None:
            return self.resolve(token)
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.resolve, token)

    def close(self) -> None:
        if self.executor is None:
            self.lookup.close()
        else:
            self.executor.submit(self.lookup.close).result()
            self.executor.shutdown()

    def resolve(self, token: str) -> FeedFile | None:
        """Token to feed file; None for unknown, revoked, or not (yet) published."""
        ref = self.lookup(token)
        if ref is None:
            log.info("feed %s: unknown or revoked token", hash_prefix(token))
            return None
        name = feed_filename(ref.kind, ref.key)
        feed = self.cache.get(self.feeds_dir / name)
        if feed is None:
            log.warning("feed %s: valid token but %s is not published", hash_prefix(token), name)
        return feed

    async def feed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """GET/HEAD /feeds/<token>.ics as a bare ASGI app: the hot path builds no Request or
        Response objects."""
        feed = await self.resolve_async(scope["path_params"]["token"])
        if feed is None:
            await not_found(Request(scope))(scope, receive, send)
            return
        asked = _request_headers(scope)
        variant, gzipped = feed.variant(asked.get("accept-encoding"))
        headers = [
            *_COMMON_RAW,
            (b"etag", variant.etag.encode("ascii")),
            (b"last-modified", feed.last_modified_header.encode("ascii")),
            (b"cache-control", self.cache_control),
            (b"vary", b"Accept-Encoding"),
        ]
        status, body = 200, variant.body
        if not_modified(
            asked.get("if-none-match"), asked.get("if-modified-since"),
            variant.etag, feed.last_modified, self.clock.now(),
        ):
            status, body = 304, b""
        else:
            headers.append((b"content-type", CALENDAR_TYPE.encode("ascii")))
            if gzipped:
                headers.append((b"content-encoding", b"gzip"))
            headers.append((b"content-length", str(len(body)).encode("ascii")))
            if scope["method"] == "HEAD":
                body = b""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def healthz(self, request: Request) -> Response:
        try:
            await run_in_threadpool(self._ping)
        except Exception as exc:  # any database failure means unhealthy; say which kind
            log.error("health check failed: %s", type(exc).__name__)
            return JSONResponse({"status": "error", "database": "unavailable"}, 503)
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    def _ping(self) -> None:
        with self.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def page(self, request: Request) -> Response:
        env = self.config.feeds.admin_password_env
        if not self.admin_password:
            message = (
                f"The coordinator page is disabled: set the environment variable {env} to a "
                "password before starting `traincal serve`.\n"
            )
            return Response(message, 503, _PAGE_HEADERS, media_type="text/plain")
        if not basic_auth_ok(request.headers.get("authorization"), self.admin_password):
            client = request.client.host if request.client else "?"
            log.warning("coordinator page: authentication failed from %s", client)
            headers = {**_PAGE_HEADERS, "WWW-Authenticate": _REALM}
            return Response("Authentication required.\n", 401, headers, media_type="text/plain")
        html = await run_in_threadpool(self._render_page)
        return HTMLResponse(html, headers=_PAGE_HEADERS)

    def _render_page(self) -> str:
        with_links = self.feed_key is not None
        service = FeedService(self.config, self.store, self.feed_key or b"", self.clock)
        rows = page_rows(service, with_links)
        return render_page(self.config.organisation.name, rows, with_links)


def _request_headers(scope: Scope) -> dict[str, str]:
    """The request headers the feed endpoint reads (repeated ones joined with commas)."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name in _CONDITIONAL:
            key = name.decode("ascii")
            text = value.decode("latin-1")
            found[key] = f"{found[key]}, {text}" if key in found else text
    return found


class _Endpoint:
    """Wraps a bound ASGI method so Starlette's Route treats it as an ASGI app."""

    def __init__(self, handler: ASGIApp) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.handler(scope, receive, send)


def not_found(request: Request) -> Response:
    headers = {**_COMMON_HEADERS, "Cache-Control": "no-store",
               "Content-Length": str(len(NOT_FOUND_BODY))}
    body = b"" if request.method == "HEAD" else NOT_FOUND_BODY
    return Response(body, 404, headers, media_type="text/plain")


async def _not_found_handler(request: Request, exc: Exception) -> Response:
    return not_found(request)


async def _http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return not_found(request)
    return Response(f"{exc.detail}\n", exc.status_code, exc.headers, media_type="text/plain")


def basic_auth_ok(header: str | None, password: str) -> bool:
    """HTTP Basic credentials carry ``password`` (user name ignored); constant-time compare."""
    scheme, _, encoded = (header or "").partition(" ")
    given = ""
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            given = ""
    _, sep, supplied = given.partition(":")
    digest_given = hashlib.sha256(supplied.encode("utf-8")).digest()
    digest_want = hashlib.sha256(password.encode("utf-8")).digest()
    return bool(sep) and hmac.compare_digest(digest_given, digest_want)


def redact_path(path: str) -> str:
    """A path fit for logs: every segment of 16+ characters becomes ``[hash prefix]``."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        stem = part.removesuffix(".ics")
        if len(stem) >= 16:
            parts[i] = f"[{hash_prefix(stem)}]" + part[len(stem):]
    return "/".join(parts)


class AccessLog:
    """ASGI middleware: one log line per request, with redacted path and no query string."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            client = scope.get("client")
            access_log.info(
                '%s "%s %s" %d %.1fms', client[0] if client else "-", scope["method"],
                redact_path(scope["path"]), status, (time.perf_counter() - started) * 1000,
            )


def create_app(
    config: Config,
    store: Store,
    *,
    feeds_dir: Path | None = None,
    feed_key: bytes | None = None,
    admin_password: str | None = None,
    clock: Clock | None = None,
    access_log: bool = True,
) -> Starlette:
    """The ASGI app. ``feed_key`` is needed only for links on the coordinator page.

    ``access_log``: one redacted line per request on the ``traincal.access`` logger (INFO).
    """
    directory = (feeds_dir or Path(config.feeds.directory)).resolve()
    server = FeedServer(
        config, store, directory, clock or SystemClock(), feed_key, admin_password
    )
    routes = [
        Route("/feeds/{token}.ics", _Endpoint(server.feed), methods=["GET", "HEAD"]),
        Route("/healthz", server.healthz, methods=["GET", "HEAD"]),
        Route("/", server.page, methods=["GET", "HEAD"]),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        server.close()

    app = Starlette(
        routes=routes, lifespan=lifespan,
        exception_handlers={404: _not_found_handler, HTTPException: _http_error_handler},
    )
    if access_log:
        app.add_middleware(AccessLog)
    app.state.feed_server = server
    return app


def app_from_env(environ: Mapping[str, str] | None = None) -> Starlette:
    """App factory for uvicorn (``--factory``): the config path comes from TRAINCAL_CONFIG;
    TRAINCAL_ACCESS_LOG=0 turns the access log off."""
    env = os.environ if environ is None else environ
    config = load_config(env.get(CONFIG_ENV, "config.toml"))
    store = Store(config.storage.url)
    key = load_feed_key(config.storage.url, env)
    password = env.get(config.feeds.admin_password_env) or None
    access = env.get(ACCESS_LOG_ENV, "1") != "0"
    return create_app(config, store, feed_key=key, admin_password=password, access_log=access)


def log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging setup plus the traincal loggers on the same handler."""
    cfg = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    cfg["formatters"]["traincal"] = {
        "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
    }
    cfg["handlers"]["traincal"] = {
        "formatter": "traincal", "class": "logging.StreamHandler", "stream": "ext://sys.stderr",
    }
    cfg["loggers"]["traincal"] = {"handlers": ["traincal"], "level": level, "propagate": False}
    return cfg


def uvicorn_options(host: str, port: int, workers: int = 1) -> dict[str, Any]:
    """Settings for uvicorn in production and tests alike: no access log (it would log tokens)."""
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "access_log": False,
        "server_header": False,
        "proxy_headers": True,
    }
