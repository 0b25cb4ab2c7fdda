"""Feed tokens: the secret in a subscribe URL ``/feeds/<token>.ics``.

One token per (holder, feed): a holder is a roster person, a feed is a (kind, key) pair as in
:func:`scheduler_service.ical.names.feed_filename` (``person``/``facilitator`` keyed by person
id, ``coordinator`` keyed by ``"all"``, ``team`` keyed by team id). Two coordinators hold two
different tokens for the one coordinator feed, so each can be revoked alone.

Tokens are derived, not stored (see :mod:`scheduler_service.feeds.feed_key`): 256 bits of
HMAC-SHA256 output under a 256-bit random key, with a fresh random salt per issue, so each token
is as unpredictable as 256 random bits to anyone without the key. The database keeps
``sha256(token)``, never the token.

Why a plain SHA-256 and not a slow password hash: slow hashes (bcrypt, scrypt, argon2) defend
low-entropy secrets against guessing. A 256-bit random token cannot be guessed from its hash
whatever the hash speed, and the lookup needs a deterministic, unsalted digest so a request can
find its row by index. Lookups go by hash, then compare the digests with
:func:`hmac.compare_digest`; unknown and revoked tokens run the very same query.

Rotating gives a new salt (and generation): the old token stops matching at once. Revoking marks
the row; it no longer matches either. Rows are never deleted, so ``traincal feeds list`` keeps
the history. Logs carry :func:`hash_prefix`, never a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.pool import PoolProxiedConnection

from scheduler_service.errors import StoreError
from scheduler_service.store import Base, Store

HASH_PREFIX_LEN = 10
REVOKED_BY_COORDINATOR = "revoked"
REVOKED_NOT_ENTITLED = "no longer entitled"
_DUMMY_HASH = "0" * 64


class FeedToken(Base):
    __tablename__ = "feed_tokens"
    __table_args__ = (UniqueConstraint("holder", "kind", "feed_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    feed_key: Mapped[str] = mapped_column(String(100))
    generation: Mapped[int] = mapped_column(Integer)
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")


@dataclass(frozen=True, order=True)
class FeedRef:
    """Who may read which feed: ``holder`` (a person id) reads feed (``kind``, ``key``)."""

    holder: str
    kind: str
    key: str


@dataclass(frozen=True)
class TokenRecord:
    """What the database knows about one token (never the token itself)."""

    ref: FeedRef
    generation: int
    created_at: datetime
    revoked_at: datetime | None
    revoked_reason: str
    hash_prefix: str

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued or re-derived, with its record."""

    record: TokenRecord
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_prefix(token: str) -> str:
    """The short, loggable identity of a token (the start of its stored hash)."""
    return hash_token(token)[:HASH_PREFIX_LEN]


def derive_token(key: bytes, ref: FeedRef, generation: int, salt: str) -> str:
    message = "\x00".join(
        ("traincal-feed-token/v1", ref.holder, ref.kind, ref.key, str(generation), salt)
    )
    digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def lookup_feed(store: Store, token: str) -> FeedRef | None:
    """The feed an active token opens, or None. (The server keeps a :class:`TokenLookup`.)"""
    lookup = TokenLookup(store)
    try:
        return lookup(token)
    finally:
        lookup.close()


class TokenLookup:
    """Token to feed, fast enough for every request: one statement compiled once, run on one
    DBAPI connection kept open. Use it from one thread at a time (the server gives it its own).

    Unknown and revoked tokens take the same path: hash, the same query, a constant-time compare
    against a dummy digest when no row came back.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        query = select(
            FeedToken.holder, FeedToken.kind, FeedToken.feed_key, FeedToken.token_hash
        ).where(FeedToken.token_hash == bindparam("token_hash"), FeedToken.revoked_at.is_(None))
        dialect = store.engine.dialect
        compiled = query.compile(dialect=dialect)
        self.sql = str(compiled)
        self._positional = bool(dialect.positional)
        self._conn: PoolProxiedConnection | None = None

    def __call__(self, token: str) -> FeedRef | None:
        wanted = hash_token(token)
        row = self._fetch(wanted)
        stored = _DUMMY_HASH if row is None else str(row[3])
        matches = hmac.compare_digest(stored.encode("ascii"), wanted.encode("ascii"))
        if row is None or not matches:
            return None
        return FeedRef(str(row[0]), str(row[1]), str(row[2]))

    def connection(self) -> PoolProxiedConnection:
        if self._conn is None:
            self._conn = self.store.engine.raw_connection()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def _fetch(self, wanted: str) -> tuple[Any, ...] | None:
        params: Any = (wanted,) if self._positional else {"token_hash": wanted}
        dbapi_error = self.store.engine.dialect.loaded_dbapi.Error
        for attempt in (1, 2):
            conn = self.connection()
            try:
                cursor = conn.cursor()
                cursor.execute(self.sql, params)
                row = cursor.fetchone()
                cursor.close()
                conn.rollback()  # end the read transaction: the next lookup sees new commits
                return None if row is None else tuple(row)
            except dbapi_error:
                self.close()  # a broken connection: open a new one and try once more
                if attempt == 2:
                    raise
        return None


class TokenStore:
    """Issue, rotate, revoke and re-derive feed tokens. Needs the feed key."""

    def __init__(self, store: Store, key: bytes) -> None:
        self.store = store
        self.key = key

    def records(self) -> list[TokenRecord]:
        with self.store.session() as db:
            rows = db.scalars(select(FeedToken).order_by(FeedToken.id)).all()
            return [_record(row) for row in rows]

    def ensure(self, wanted: Iterable[FeedRef], now: datetime) -> list[TokenRecord]:
        """Issue a token for every wanted feed that has none; retire tokens no longer wanted.

        A feed the coordinator revoked stays revoked (``rotate`` reopens it); a feed retired
        because its holder left (or lost the role) is issued anew if it is wanted again.
        Returns the records of tokens issued now.
        """
        now = _utc_now(now)
        want = set(wanted)
        issued: list[TokenRecord] = []
        with self.store.session() as db, db.begin():
            rows = {_ref(row): row for row in db.scalars(select(FeedToken))}
            for ref in sorted(want):
                row = rows.get(ref)
                if row is None:
                    row = FeedToken(holder=ref.holder, kind=ref.kind, feed_key=ref.key)
                    row.generation = 0
                    db.add(row)
                    issued.append(self._reissue(row, now))
                elif row.revoked_at is not None and row.revoked_reason == REVOKED_NOT_ENTITLED:
                    issued.append(self._reissue(row, now))
            for ref, row in rows.items():
                if ref not in want and row.revoked_at is None:
                    row.revoked_at, row.revoked_reason = now, REVOKED_NOT_ENTITLED
        return issued

    def rotate(self, refs: Iterable[FeedRef], now: datetime) -> list[IssuedToken]:
        """New tokens for these feeds (issued if missing); the old ones are dead at commit."""
        now = _utc_now(now)
        out: list[TokenRecord] = []
        with self.store.session() as db, db.begin():
            for ref in sorted(set(refs)):
                row = _row(db, ref)
                if row is None:
                    row = FeedToken(holder=ref.holder, kind=ref.kind, feed_key=ref.key)
                    row.generation = 0
                    db.add(row)
                out.append(self._reissue(row, now))
        return [IssuedToken(rec, self.token_for(rec)) for rec in out]

    def revoke(self, refs: Iterable[FeedRef], now: datetime) -> list[TokenRecord]:
        """Revoke the active tokens of these feeds; returns what was revoked."""
        now = _utc_now(now)
        out: list[TokenRecord] = []
        with self.store.session() as db, db.begin():
            for ref in sorted(set(refs)):
                row = _row(db, ref)
                if row is not None and row.revoked_at is None:
                    row.revoked_at, row.revoked_reason = now, REVOKED_BY_COORDINATOR
                    out.append(_record(row))
        return out

    def token_for(self, record: TokenRecord) -> str:
        """Re-derive the token of an active record (for links); checks it against the hash."""
        with self.store.session() as db:
            row = _row(db, record.ref)
            if row is None or row.revoked_at is not None:
                raise StoreError(f"no active feed token for {_describe(record.ref)}")
            token = derive_token(self.key, record.ref, row.generation, row.salt)
            if not hmac.compare_digest(hash_token(token), row.token_hash):
                raise StoreError(
                    "the feed key does not match the tokens in the database (was the key file "
                    "lost or replaced?). Restore the key file, or run `traincal feeds rotate "
                    "--all` to issue new links to everyone."
                )
            return token

    def _reissue(self, row: FeedToken, now: datetime) -> TokenRecord:
        row.generation = (row.generation or 0) + 1
        row.salt = secrets.token_hex(16)
        token = derive_token(self.key, _ref(row), row.generation, row.salt)
        row.token_hash = hash_token(token)
        row.created_at, row.revoked_at, row.revoked_reason = now, None, ""
        return _record(row)


def _ref(row: FeedToken) -> FeedRef:
    return FeedRef(row.holder, row.kind, row.feed_key)


def _row(db: Session, ref: FeedRef) -> FeedToken | None:
    return db.scalars(
        select(FeedToken).where(
            FeedToken.holder == ref.holder,
            FeedToken.kind == ref.kind,
            FeedToken.feed_key == ref.key,
        )
    ).first()


def _utc_now(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("feed token times must be timezone-aware")
    return now.astimezone(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record(row: FeedToken) -> TokenRecord:
    return TokenRecord(
        ref=_ref(row),
        generation=row.generation,
        created_at=_aware(row.created_at),
        revoked_at=None if row.revoked_at is None else _aware(row.revoked_at),
        revoked_reason=row.revoked_reason or "",
        hash_prefix=row.token_hash[:HASH_PREFIX_LEN],
    )


def _describe(ref: FeedRef) -> str:
    return f"{ref.holder} ({ref.kind} feed {ref.key})"
