"""Who is entitled to which feed, and the subscribe links for a token.

Every roster person gets their own feed; facilitators (role ``facilitator``, or named as a
facilitator anywhere in the config) also get a facilitator feed; coordinators (role
``coordinator``, or the organisation's coordinator by email) get the coordinator feed; with
``feeds.team_feeds`` every person with a team also gets their team's feed.

Links: ``https://<base>/feeds/<token>.ics`` (https unless the configured base URL says
otherwise; Outlook on the web accepts only http(s)), the same URL as ``webcal://`` (asks the
calendar app to subscribe rather than import), and Google Calendar's "add by URL" link.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from scheduler_service.config import Config
from scheduler_service.config.schema import Person
from scheduler_service.feeds.tokens import FeedRef

KIND_ORDER = ("person", "facilitator", "coordinator", "team")
KIND_LABELS = {
    "person": "own sessions",
    "facilitator": "sessions they lead",
    "coordinator": "all sessions (coordinator)",
    "team": "team sessions",
}
GOOGLE_ADD_BY_URL = "https://calendar.google.com/calendar/r?cid="


@dataclass(frozen=True)
class SubscribeLinks:
    https: str
    webcal: str
    google: str

    def to_json(self) -> dict[str, str]:
        return {"https": self.https, "webcal": self.webcal, "google": self.google}


def subscribe_links(base_url: str, token: str) -> SubscribeLinks:
    url = f"{base_url.rstrip('/')}/feeds/{token}.ics"
    scheme, _, rest = url.partition("://")
    webcal = f"webcal://{rest}"
    return SubscribeLinks(url, webcal, GOOGLE_ADD_BY_URL + quote(webcal, safe=""))


def feeds_of(config: Config, person: Person) -> list[FeedRef]:
    """The feeds one person is entitled to, in display order."""
    refs = [FeedRef(person.id, "person", person.id)]
    if _is_facilitator(config, person):
        refs.append(FeedRef(person.id, "facilitator", person.id))
    if _is_coordinator(config, person):
        refs.append(FeedRef(person.id, "coordinator", "all"))
    if config.feeds.team_feeds and person.team:
        refs.append(FeedRef(person.id, "team", person.team))
    return refs


def entitled_feeds(config: Config) -> list[FeedRef]:
    """Every (holder, feed) pair the roster entitles."""
    return [ref for person in config.roster for ref in feeds_of(config, person)]


def sort_key(ref: FeedRef) -> tuple[str, int, str]:
    return (ref.holder, KIND_ORDER.index(ref.kind) if ref.kind in KIND_ORDER else 99, ref.key)


def _is_facilitator(config: Config, person: Person) -> bool:
    if person.role == "facilitator" or person.id in config.facilitators:
        return True
    return any(person.id in t.facilitators for t in config.trainings.values())


def _is_coordinator(config: Config, person: Person) -> bool:
    if person.role == "coordinator":
        return True
    return person.email.casefold() == config.organisation.coordinator.email.casefold()
