"""Privacy: a person's feed names nobody else. Every feed is checked against the whole roster."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ical_support import basic_plan, check_feed, make_config, publish, unfold

from scheduler_service.config import Config, load_config
from scheduler_service.ical.feeds import COORDINATOR_KEY
from scheduler_service.ical.names import feed_filename
from scheduler_service.model import Plan

REPO = Path(__file__).resolve().parent.parent


def _text(data: bytes) -> str:
    """Unfolded and unescaped enough to find names split by folding or escaping."""
    return "\n".join(unfold(data)).replace("\\,", ",").replace("\\;", ";").casefold()


def _others_mentioned(config: Config, data: bytes, own: str) -> list[str]:
    text = _text(data)
    found = []
    for person in config.roster:
        if person.id == own:
            continue
        for needle in (person.name, person.email):
            if needle.casefold() in text:
                found.append(needle)
    return found


def _assert_private(config: Config, plan: Plan) -> None:
    _, files = publish(config, plan, {})
    for person in config.roster:
        data = files[feed_filename("person", person.id)]
        check_feed(data)
        assert _others_mentioned(config, data, person.id) == [], person.id
        assert person.name.casefold() in _text(data)  # the check can see names at all


@pytest.mark.parametrize("sees_names", [False, True])
def test_person_feeds_name_nobody_else(sees_names: bool) -> None:
    _assert_private(make_config(facilitator_sees_names=sees_names, team_feeds=True), basic_plan())


def test_person_feeds_of_the_example_hotline_name_nobody_else() -> None:
    """The example config's roster, everyone in a big session with a facilitator."""
    from test_ical_support import local, make_plan, make_session

    config = load_config(REPO / "config.example.toml")
    config = config.model_copy(
        update={"feeds": config.feeds.model_copy(update={"facilitator_sees_names": True})}
    )
    everyone = tuple(p.id for p in config.roster if p.role != "facilitator")
    session = make_session(
        "staff-meeting-1",
        local(2027, 1, 5, 10),
        training="staff-meeting",
        title="All-Staff Meeting",
        attendees=everyone,
        facilitators=("rachterberg",),
        location=None,
        virtual_url="https://meet.example.org/all-staff",
    )
    ce = make_session(
        "ce-deescalation-1",
        local(2027, 1, 6, 10),
        training="ce-deescalation",
        title="CE: De-escalation Refresher",
        attendees=everyone[:15],
        facilitators=("mlockhart",),
        location="Training Room 1",
    )
    _assert_private(config, make_plan(session, ce))


def test_facilitator_feed_shows_counts_and_names_only_when_allowed() -> None:
    plan = basic_plan()
    _, hidden = publish(make_config(facilitator_sees_names=False), plan, {})
    data = hidden[feed_filename("facilitator", "fay")]
    check_feed(data)
    text = _text(data)
    assert "attendees: 2 of 12 places" in text
    assert "ana maría núñez" not in text and "bo chen" not in text
    _, shown = publish(make_config(facilitator_sees_names=True), plan, {})
    text = _text(shown[feed_filename("facilitator", "fay")])
    assert "- ana maría núñez" in text and "- bo chen" in text
    assert "@" not in text.split("x-wr-timezone")[1].replace("@line.example.org", "")


def test_team_feed_names_nobody() -> None:
    config = make_config(team_feeds=True, facilitator_sees_names=True)
    _, files = publish(config, basic_plan(), {})
    for team in ("A", "B"):
        data = files[feed_filename("team", team)]
        check_feed(data)
        assert _others_mentioned(config, data, own="") == []


def test_coordinator_feed_has_everyone() -> None:
    config = make_config()
    _, files = publish(config, basic_plan(), {})
    text = _text(files[feed_filename("coordinator", COORDINATOR_KEY)])
    for name in ("ana maría núñez", "bo chen", "cy okafor", "dee lindqvist", "fay trainer"):
        assert name in text
