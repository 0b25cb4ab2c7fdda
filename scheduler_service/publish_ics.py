"""``traincal publish --target ics``: build the feeds of the latest plan version, write the files
that changed, remember what was published, and report what changed for whom.

The steps, in order: latest plan -> advance the publication state (SEQUENCE, cancellations) ->
build every feed -> write changed files -> save the state -> mark the plan version published.
Writing before saving means a crash in between only repeats the same publication next time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scheduler_service.config.schema import Config
from scheduler_service.errors import PublishError
from scheduler_service.ical.changes import PersonChanges, person_changes
from scheduler_service.ical.feeds import build_feeds
from scheduler_service.ical.items import plan_items
from scheduler_service.ical.state import advance, load_state, save_state
from scheduler_service.ical.writer import WriteResult, write_feeds
from scheduler_service.store import Store


@dataclass(frozen=True)
class IcsPublication:
    version: int
    published_at: datetime
    directory: Path
    files: WriteResult
    feeds: int
    changes: tuple[PersonChanges, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": "ics",
            "plan_version": self.version,
            "published_at": self.published_at.isoformat(),
            "directory": str(self.directory),
            "feeds": self.feeds,
            "files": {
                "written": list(self.files.written),
                "unchanged": len(self.files.unchanged),
                "removed": list(self.files.removed),
            },
            "people": [c.to_json() for c in self.changes],
        }


def publish_ics(config: Config, store: Store, directory: Path, *, now: datetime) -> IcsPublication:
    """Publish the latest plan version as iCalendar feeds into ``directory``."""
    latest = store.latest_plan()
    if latest is None:
        raise PublishError("there is no plan to publish: run traincal plan first")
    version, plan = latest
    before = load_state(store)
    items = plan_items(config, plan)
    state = advance(
        before,
        items,
        stamp=plan.generated_at,
        now=now,
        retention_days=config.feeds.cancelled_retention_days,
    )
    files = build_feeds(config, plan, state)
    result = write_feeds(directory, files)
    save_state(store, state)
    store.mark_published(version, now)
    return IcsPublication(
        version=version,
        published_at=now,
        directory=directory,
        files=result,
        feeds=len(files),
        changes=tuple(person_changes(config, before, items)),
    )
