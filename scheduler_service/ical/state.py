"""Publication state of feed items: SEQUENCE, last revision and cancellation, per UID.

The pure part (:func:`advance`) takes the previous state, the items of a new plan and ``now``
and returns the next state. SEQUENCE grows by one exactly when an item's significant
fingerprint (start, end, location, status, recurrence) changes, when it disappears from the plan
(it is then kept as cancelled), or when a cancelled item comes back. Cancelled items stay
``config.feeds.cancelled_retention_days`` after the cancellation, then drop out of the state.

The adapter part stores the state in the ``ical_item_state`` table of the traincal database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Boolean, DateTime, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from scheduler_service.ical.items import FeedItem
from scheduler_service.store import Base, Store


@dataclass(frozen=True)
class ItemState:
    """What was last published for one UID."""

    item: FeedItem  # the last version published (its status says whether it is cancelled)
    fingerprint: str  # FeedItem.significant() of that version
    content: str  # FeedItem.content() of that version
    sequence: int
    modified_at: datetime  # stamp of the plan version that last changed the item's content
    cancelled_at: datetime | None = None  # when it was first published as cancelled
    hidden: bool = False  # cancelled longer ago than the retention: kept, but no longer shown

    @property
    def uid(self) -> str:
        return self.item.uid


State = Mapping[str, ItemState]


def initial(item: FeedItem, stamp: datetime, now: datetime) -> ItemState:
    return ItemState(
        item=item,
        fingerprint=item.significant(),
        content=item.content(),
        sequence=0,
        modified_at=stamp,
        cancelled_at=now if item.cancelled else None,
    )


def _revise(previous: ItemState, item: FeedItem, stamp: datetime, now: datetime) -> ItemState:
    fingerprint = item.significant()
    content = item.content()
    sequence = previous.sequence + (fingerprint != previous.fingerprint)
    changed = content != previous.content or fingerprint != previous.fingerprint
    modified = stamp if changed else previous.modified_at
    cancelled_at = (previous.cancelled_at or now) if item.cancelled else None
    return ItemState(item, fingerprint, content, sequence, modified, cancelled_at)


def _expired(entry: ItemState, now: datetime, retention: timedelta) -> bool:
    return entry.cancelled_at is not None and now - entry.cancelled_at > retention


def advance(
    previous: State,
    items: Iterable[FeedItem],
    *,
    stamp: datetime,
    now: datetime,
    retention_days: int,
) -> dict[str, ItemState]:
    """The state after publishing ``items`` (a whole plan) at ``now``; ``stamp`` is the plan
    version's time, used as the revision time of changed items."""
    retention = timedelta(days=retention_days)
    result: dict[str, ItemState] = {}
    for item in items:
        before = previous.get(item.uid)
        result[item.uid] = (
            initial(item, stamp, now) if before is None else _revise(before, item, stamp, now)
        )
        if _expired(result[item.uid], now, retention):
            # cancelled in the plan itself, long enough ago: remembered, not shown
            result[item.uid] = replace(result[item.uid], hidden=True)
    for uid, before in previous.items():
        if uid in result:
            continue
        gone = (
            before
            if before.item.cancelled
            else _revise(before, before.item.as_cancelled(), stamp, now)
        )
        if not _expired(gone, now, retention):
            result[uid] = replace(gone, hidden=False)
    return result


# --- storage -------------------------------------------------------------------------------


class ItemStateRow(Base):
    __tablename__ = "ical_item_state"

    uid: Mapped[str] = mapped_column(String(255), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(255), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer)
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    item_json: Mapped[str] = mapped_column(Text)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _entry(row: ItemStateRow) -> ItemState:
    return ItemState(
        item=FeedItem.from_json(json.loads(row.item_json)),
        fingerprint=row.fingerprint,
        content=row.content,
        sequence=row.sequence,
        modified_at=_aware(row.modified_at),
        cancelled_at=None if row.cancelled_at is None else _aware(row.cancelled_at),
        hidden=row.hidden,
    )


def load_state(store: Store) -> dict[str, ItemState]:
    with store.session() as db:
        rows = db.scalars(select(ItemStateRow)).all()
        return {row.uid: _entry(row) for row in rows}


def save_state(store: Store, state: State) -> None:
    """Replace the stored state with ``state`` (one transaction)."""
    with store.session() as db, db.begin():
        db.execute(delete(ItemStateRow))
        for entry in sorted(state.values(), key=lambda e: e.uid):
            db.add(
                ItemStateRow(
                    uid=entry.uid,
                    session_id=entry.item.session_id,
                    fingerprint=entry.fingerprint,
                    content=entry.content,
                    sequence=entry.sequence,
                    modified_at=entry.modified_at.astimezone(UTC),
                    cancelled_at=(
                        None if entry.cancelled_at is None else entry.cancelled_at.astimezone(UTC)
                    ),
                    hidden=entry.hidden,
                    item_json=json.dumps(entry.item.to_json(), sort_keys=True),
                )
            )
