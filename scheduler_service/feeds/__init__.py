"""Subscription feeds: secret tokens, subscribe links, and the HTTP server for ``.ics`` files.

Modules: :mod:`.feed_key` (the key tokens derive from), :mod:`.tokens` (the table, hashing,
lookup), :mod:`.links` (entitlements and URLs), :mod:`.service` (issue/rotate/revoke/links),
:mod:`.http_cache` (validators and encodings), :mod:`.page` (the coordinator page),
:mod:`.server` (the ASGI app).
"""

from __future__ import annotations

from scheduler_service.feeds.service import ensure_tokens

__all__ = ["ensure_tokens"]
