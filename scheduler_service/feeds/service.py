"""Feed administration: who has which feed, issuing, rotating, revoking, and links.

The CLI (``traincal feeds ...``), the coordinator page and the publish step call this; it owns
no state beyond the database rows in :mod:`scheduler_service.feeds.tokens`.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scheduler_service.clock import Clock, FixedClock, SystemClock
from scheduler_service.config import Config
from scheduler_service.config.schema import Person
from scheduler_service.errors import TraincalError
from scheduler_service.feeds.feed_key import load_feed_key
from scheduler_service.feeds.links import (
    SubscribeLinks,
    entitled_feeds,
    feeds_of,
    sort_key,
    subscribe_links,
)
from scheduler_service.feeds.tokens import FeedRef, TokenRecord, TokenStore
from scheduler_service.store import Store

log = logging.getLogger("traincal.feeds")


class FeedAdminError(TraincalError):
    """A feed command named something that does not exist (unknown person, nothing to do)."""


@dataclass(frozen=True)
class FeedStatus:
    """One (holder, feed) pair: entitled by the roster, issued in the database, or both."""

    ref: FeedRef
    name: str | None  # None: the holder is no longer in the roster
    record: TokenRecord | None

    @property
    def state(self) -> str:
        if self.record is None:
            return "not issued"
        return "active" if self.record.active else self.record.revoked_reason or "revoked"

    def to_json(self) -> dict[str, Any]:
        rec = self.record
        return {
            "person": self.ref.holder,
            "name": self.name,
            "kind": self.ref.kind,
            "feed": self.ref.key,
            "state": self.state,
            "generation": None if rec is None else rec.generation,
            "created_at": None if rec is None else rec.created_at.isoformat(),
            "revoked_at": None if rec is None or rec.revoked_at is None
            else rec.revoked_at.isoformat(),
            "hash_prefix": None if rec is None else rec.hash_prefix,
        }


@dataclass(frozen=True)
class FeedLink:
    """The subscribe links of one active token, for the coordinator to send."""

    ref: FeedRef
    name: str
    email: str
    links: SubscribeLinks
    hash_prefix: str

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.ref.holder,
            "name": self.name,
            "email": self.email,
            "kind": self.ref.kind,
            "feed": self.ref.key,
            **self.links.to_json(),
            "hash_prefix": self.hash_prefix,
        }


class FeedService:
    def __init__(self, config: Config, store: Store, key: bytes, clock: Clock) -> None:
        self.config = config
        self.tokens = TokenStore(store, key)
        self.clock = clock

    def ensure(self) -> list[TokenRecord]:
        issued = self.tokens.ensure(entitled_feeds(self.config), self.clock.now())
        for rec in issued:
            log.info("issued feed token %s for %s", rec.hash_prefix, _describe(rec.ref))
        return issued

    def statuses(self) -> list[FeedStatus]:
        records = {rec.ref: rec for rec in self.tokens.records()}
        refs = set(records) | set(entitled_feeds(self.config))
        names = {p.id: p.name for p in self.config.roster}
        return [
            FeedStatus(ref, names.get(ref.holder), records.get(ref))
            for ref in sorted(refs, key=sort_key)
        ]

    def links(self, people: Sequence[str] = ()) -> list[FeedLink]:
        """Links for every active token (of ``people`` only, when given); issues missing ones."""
        for person_id in people:
            self._person(person_id)
        self.ensure()
        wanted = set(people)
        active = [
            rec for rec in self.tokens.records()
            if rec.active and (not wanted or rec.ref.holder in wanted)
        ]
        return [self.link_for(rec) for rec in _sorted(active)]

    def rotate(self, person_id: str | None, kinds: Iterable[str] = ()) -> list[FeedLink]:
        """New tokens for a person's feeds (or everyone's active ones); prints-once links."""
        kinds = set(kinds)
        if person_id is None:
            targets = [
                s.ref for s in self.statuses()
                if s.name is not None and s.state in ("active", "not issued")
            ]
        else:
            targets = feeds_of(self.config, self._person(person_id))
        targets = [ref for ref in targets if not kinds or ref.kind in kinds]
        if not targets:
            raise FeedAdminError(f"{person_id} has no feed of kind {', '.join(sorted(kinds))}")
        issued = self.tokens.rotate(targets, self.clock.now())
        for item in issued:
            log.info("rotated feed token to %s for %s", item.record.hash_prefix,
                     _describe(item.record.ref))
        issued = sorted(issued, key=lambda item: sort_key(item.record.ref))
        return [self._link(item.record, item.token) for item in issued]

    def revoke(self, person_id: str, kinds: Iterable[str] = ()) -> list[TokenRecord]:
        kinds = set(kinds)
        held = [rec.ref for rec in self.tokens.records() if rec.ref.holder == person_id]
        if not held:
            self._person(person_id)  # unknown person: say so, with a hint
        targets = [ref for ref in held if not kinds or ref.kind in kinds]
        revoked = self.tokens.revoke(targets, self.clock.now())
        for rec in revoked:
            log.info("revoked feed token %s of %s", rec.hash_prefix, _describe(rec.ref))
        return revoked

    def link_for(self, record: TokenRecord) -> FeedLink:
        """The links of one active record (re-derived from the key)."""
        return self._link(record, self.tokens.token_for(record))

    def _person(self, person_id: str) -> Person:
        try:
            return self.config.person(person_id)
        except KeyError:
            ids = [p.id for p in self.config.roster]
            hint = difflib.get_close_matches(person_id, ids, n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise FeedAdminError(f"no person {person_id!r} in the roster{extra}") from None

    def _link(self, rec: TokenRecord, token: str) -> FeedLink:
        try:
            person = self.config.person(rec.ref.holder)
            name, email = person.name, person.email
        except KeyError:
            name, email = rec.ref.holder, ""
        links = subscribe_links(self.config.feeds.base_url, token)
        return FeedLink(rec.ref, name, email, links, rec.hash_prefix)


def open_feed_service(
    config: Config, store: Store | None = None, *, key: bytes | None = None,
    clock: Clock | None = None,
) -> FeedService:
    store = store if store is not None else Store(config.storage.url)
    key = key if key is not None else load_feed_key(config.storage.url)
    return FeedService(config, store, key, clock or SystemClock())


def ensure_tokens(
    config: Config, store: Store, *, now: datetime | None = None, key: bytes | None = None
) -> list[TokenRecord]:
    """Issue a token for every feed the roster entitles (the publish step calls this).

    Returns the newly issued records; holders who left the roster lose their tokens.
    """
    clock: Clock = SystemClock() if now is None else FixedClock(now)
    return open_feed_service(config, store, key=key, clock=clock).ensure()


def _sorted(records: Iterable[TokenRecord]) -> list[TokenRecord]:
    return sorted(records, key=lambda rec: sort_key(rec.ref))


def _describe(ref: FeedRef) -> str:
    return f"{ref.holder} ({ref.kind} feed {ref.key})"
