"""Feed file names: stable, and free of personal data (a hash of the feed's kind and key)."""

from __future__ import annotations

import hashlib

FEED_KINDS = ("person", "facilitator", "coordinator", "team")


def feed_filename(kind: str, key: str) -> str:
    """``calendars/<this>``: e.g. ``person-3f9a0c…​.ics`` for person id ``key``."""
    if kind not in FEED_KINDS:
        raise ValueError(f"unknown feed kind {kind!r}")
    digest = hashlib.sha256(f"traincal-feed:{kind}:{key}".encode()).hexdigest()[:20]
    return f"{kind}-{digest}.ics"
