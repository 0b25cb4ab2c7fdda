"""The server-side feed key: the secret from which every feed token is derived.

Why a key at all: a subscribe link must be re-sendable (``traincal feeds links``), yet the
database must not be enough to rebuild it. So a token is never stored; it is derived,
``token = HMAC-SHA256(feed key, holder | kind | feed key | generation | salt)``, and the database
keeps only ``sha256(token)`` and the random per-token salt. With the database alone nobody can
recompute a token (the key is missing); with the key alone neither (the salts are missing).

Where the key lives (first match wins):

1. ``TRAINCAL_FEED_KEY``: the key itself (at least 32 characters), for container secrets;
2. ``TRAINCAL_FEED_KEY_FILE``: the path of a key file;
3. ``traincal-feed.key`` next to the SQLite database file (the working directory for other
   database URLs).

A missing key file is created with 32 random bytes (hex) and mode 0600. Back it up with the
database: losing it makes every existing link unrecoverable (``traincal feeds rotate --all``
issues new ones).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from scheduler_service.errors import StoreError

log = logging.getLogger("traincal.feeds")

KEY_ENV = "TRAINCAL_FEED_KEY"
KEY_FILE_ENV = "TRAINCAL_FEED_KEY_FILE"
KEY_FILE_NAME = "traincal-feed.key"
KEY_BYTES = 32


def key_file_path(database_url: str, environ: Mapping[str, str] | None = None) -> Path:
    """Where the key file is (or will be) for this database URL."""
    env = os.environ if environ is None else environ
    if env.get(KEY_FILE_ENV):
        return Path(env[KEY_FILE_ENV])
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).parent / KEY_FILE_NAME
    return Path(KEY_FILE_NAME)


def load_feed_key(
    database_url: str, environ: Mapping[str, str] | None = None, *, create: bool = True
) -> bytes:
    """The feed key, from the environment or the key file (created when missing and allowed)."""
    env = os.environ if environ is None else environ
    inline = env.get(KEY_ENV)
    if inline:
        if len(inline) < KEY_BYTES:
            raise StoreError(f"{KEY_ENV} is too short: use at least {KEY_BYTES} random characters")
        return inline.encode("utf-8")
    path = key_file_path(database_url, env)
    if not path.exists():
        if not create:
            raise StoreError(f"feed key file {path} does not exist")
        _create_key_file(path)
    return _read_key_file(path)


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first; read theirs
    except OSError as exc:
        raise StoreError(f"cannot create feed key file {path}: {exc}") from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    log.info("created feed key file %s (mode 0600); back it up with the database", path)


def _read_key_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read feed key file {path}: {exc}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("feed key file %s is accessible by other users; run chmod 600 on it", path)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise StoreError(f"feed key file {path} does not hold a hex key") from None
    if len(key) < KEY_BYTES:
        raise StoreError(f"feed key file {path} holds fewer than {KEY_BYTES} bytes")
    return key
