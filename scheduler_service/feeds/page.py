"""The coordinator page: who has which feed, with subscribe links to send.

Rendered with Jinja2 autoescaping (names come from the roster, which anyone editing the CSV
controls). The links contain tokens, so the server shows this page only after HTTP Basic
authentication, and marks it ``no-store``.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from scheduler_service.feeds.links import KIND_LABELS, SubscribeLinks
from scheduler_service.feeds.service import FeedService

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<title>{{ org }}: training calendar feeds</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; }
.state-active { color: #17643a; }
.state-other { color: #9a2a2a; }
code { font-size: .85em; word-break: break-all; }
</style>
</head>
<body>
<h1>{{ org }}: training calendar feeds</h1>
<p>Each person subscribes once to their own feed. Send each person only their own links:
anyone holding a link can read that calendar. Rotate a link with
<code>traincal feeds rotate PERSON</code>; revoke it with <code>traincal feeds revoke PERSON</code>.
Google Calendar can take up to a day to show changes.</p>
{% if not links_available %}
<p class="state-other">Links cannot be shown: the feed key is not available to the server.</p>
{% endif %}
<table>
<thead><tr><th>Person</th><th>Role / team</th><th>Feed</th><th>State</th>
<th>Subscribe</th></tr></thead>
<tbody>
{% for row in rows %}
<tr>
<td>{{ row.name }}<br><small>{{ row.person }}</small></td>
<td>{{ row.role }}{% if row.team %} / {{ row.team }}{% endif %}</td>
<td>{{ row.feed }}</td>
<td class="{{ 'state-active' if row.state == 'active' else 'state-other' }}">{{ row.state }}
{% if row.since %}<br><small>since {{ row.since }}</small>{% endif %}</td>
<td>{% if row.links %}
<a href="{{ row.links.webcal }}">webcal</a> ·
<a href="{{ row.links.google }}" rel="noreferrer noopener" target="_blank">add to
Google Calendar</a>
<br><code>{{ row.links.https }}</code>
{% else %}-{% endif %}</td>
</tr>
{% endfor %}
</tbody>
</table>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_COMPILED = _ENV.from_string(_TEMPLATE)


@dataclass(frozen=True)
class PageRow:
    person: str
    name: str
    role: str
    team: str
    feed: str
    state: str
    since: str
    links: SubscribeLinks | None


def page_rows(service: FeedService, with_links: bool) -> list[PageRow]:
    """One row per (person, feed), links for active tokens when the key is at hand."""
    people = {p.id: p for p in service.config.roster}
    zone = service.config.zone
    rows: list[PageRow] = []
    for status in service.statuses():
        person = people.get(status.ref.holder)
        rec = status.record
        links = None
        if with_links and rec is not None and rec.active:
            links = service.link_for(rec).links
        when = None if rec is None else (rec.created_at if rec.active else rec.revoked_at)
        rows.append(PageRow(
            person=status.ref.holder,
            name=person.name if person else status.ref.holder + " (not in roster)",
            role=person.role if person else "",
            team=(person.team or "") if person else "",
            feed=KIND_LABELS.get(status.ref.kind, status.ref.kind),
            state=status.state,
            since="" if when is None else when.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            links=links,
        ))
    return rows


def render_page(org_name: str, rows: list[PageRow], links_available: bool) -> str:
    return _COMPILED.render(org=org_name, rows=rows, links_available=links_available)
