"""The independent checker: a hand-built valid plan passes, each planted violation is caught.

The small hotline below (New York time, planning 2027-01-04 .. 2027-01-17) works a 4-day cycle:

    date   Jan  4  5  6  7  8  9 10 11 12 13 14 15 16 17
    team A      D  D  .  .  D  D  .  .  D  D  .  .  D  D     (07:00-19:00)
    team B      .  .  D  D  .  .  D  D  .  .  D  D  .  .
    team C      N  N  .  .  N  N  .  .  N  N  .  .  N  N     (19:00-07:00)
    team D      .  .  N  N  .  .  N  N  .  .  N  N  .  .

The valid plan puts every session on the attendees' days off, rested on both sides.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler_service.checker import KINDS, Violation, verify
from scheduler_service.config import Config, parse_config
from scheduler_service.model import Plan, Session, Unplaced

NY = ZoneInfo("America/New_York")

HEAD = """
[organisation]
name = "Test Line"
timezone = "America/New_York"
coordinator = { name = "Coord", email = "coord@example.org" }
from_address = "training@example.org"
"""

BASE = HEAD + """
[shifts.day]
code = "D"
start = "07:00"
end = "19:00"

[shifts.night]
code = "N"
start = "19:00"
end = "07:00"

[rotations.floor]
anchor = 2027-01-04
teams = ["A", "B", "C", "D"]
cycles = { A = "DDOO", B = "OODD", C = "NNOO", D = "OONN" }

[staffing]
minimum = 2

[rest]
after_shift_hours = 10
after_overnight_hours = 12
before_shift_hours = 11
buffer_minutes = 30
max_hours_with_shift = 12

[exceptions.a3]
time_off = [{ start = 2027-01-14, end = 2027-01-14 }]
max_training_hours_per_week = 2

[facilitators.f1]
availability = [
  { days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start = "08:00", end = "23:00" },
]

[calendar]
holidays = [2027-01-15]
blackouts = [{ start = 2027-01-11 }]

[trainings.ce]
title = "CE"
duration_minutes = 120
audience = { teams = ["A"] }
window = { start = 2027-01-04, end = 2027-01-15 }
allowed_days = ["mon", "tue", "wed", "thu", "fri"]
earliest_start = "09:30"
capacity = 4
offerings = 2
facilitators = ["f1"]
room = "R1"

[trainings.academy-1]
title = "Academy 1"
duration_minutes = 180
audience = { cohorts = ["c27"] }
facilitators = ["f1", "f2"]
room = "R2"

[trainings.academy-2]
title = "Academy 2"
duration_minutes = 180
audience = { cohorts = ["c27"] }
facilitators = ["f1", "f2"]
room = "R2"
prerequisites = [{ training = "academy-1", min_gap_days = 2 }]

[trainings.meeting]
title = "Staff meeting"
duration_minutes = 60
audience = { teams = ["B"] }
recurrence = { every = "month", first_days = 10 }
facilitators = ["f1"]
delivery = "virtual"
virtual_url = "https://meet.example.org/m"
"""

PEOPLE = [
    ("a1", "A", 'cohort = "c27"'), ("a2", "A", 'cohort = "c27"'), ("a3", "A", ""),
    ("n1", "A", "start_date = 2027-01-11"),
    ("b1", "B", ""), ("b2", "B", ""), ("b3", "B", ""),
    ("c1", "C", ""), ("c2", "C", ""), ("d1", "D", ""), ("d2", "D", ""),
]


def _people_toml(extra: str = "") -> str:
    rows = [f'  {{ id = "{pid}", name = "{pid}", email = "{pid}@example.org", team = "{team}"'
            + (f", {more}" if more else "") + " },"
            for pid, team, more in PEOPLE]
    rows += [
        '  { id = "f1", name = "f1", email = "f1@example.org", role = "facilitator" },',
        '  { id = "f2", name = "f2", email = "f2@example.org", role = "facilitator" },',
        '  { id = "coord", name = "co", email = "co@example.org", role = "coordinator" },',
    ]
    return "people = [\n" + "\n".join(rows) + extra + "\n]\n"


def config(*edits: tuple[str, str]) -> Config:
    """The base config, with textual (old, new) edits applied."""
    text = _people_toml() + BASE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_config(text)


def at(day: int, clock: str) -> datetime:
    hours, minutes = clock.split(":")
    return datetime(2027, 1, day, int(hours), int(minutes), tzinfo=NY)


def sess(sid: str, training: str, day: int, clock: str, minutes: int,
         attendees: tuple[str, ...], facilitators: tuple[str, ...] = ("f1",)) -> Session:
    start = at(day, clock)
    return Session(id=sid, training=training, title=training, start=start,
                   end=start + timedelta(minutes=minutes), facilitators=facilitators,
                   attendees=attendees)


VALID = (
    sess("meeting-1", "meeting", 4, "10:00", 60, ("b1", "b2", "b3")),
    sess("ce-1", "ce", 6, "10:00", 120, ("a1", "a2", "a3")),
    sess("academy-1-1", "academy-1", 7, "10:00", 180, ("a1", "a2"), ("f2",)),
    sess("academy-2-1", "academy-2", 10, "10:00", 180, ("a1", "a2")),
    sess("ce-2", "ce", 14, "10:00", 120, ("n1",)),
)


def plan(*sessions: Session, unplaced: tuple[Unplaced, ...] = ()) -> Plan:
    return Plan(generated_at=at(1, "00:00"), timezone="America/New_York",
                horizon_start=at(4, "00:00"), horizon_end=at(18, "00:00"),
                sessions=sessions, unplaced=unplaced)


def replaced(sid: str, base: tuple[Session, ...] = VALID, **changes: object) -> tuple[Session, ...]:
    """``base`` with one session changed; ``day``/``clock`` move it, keeping its length."""
    out = []
    for s in base:
        if s.id == sid:
            if "day" in changes or "clock" in changes:
                local = s.start.astimezone(NY)
                day = int(changes.pop("day", local.day))  # type: ignore[call-overload]
                clock = str(changes.pop("clock", f"{local:%H:%M}"))
                start = at(day, clock)
                changes.update(start=start, end=start + (s.end - s.start))
            s = dataclasses.replace(s, **changes)  # type: ignore[arg-type]
        out.append(s)
    return tuple(out)


def kinds(found: list[Violation]) -> set[str]:
    return {v.kind for v in found}


def test_valid_plan_has_no_violation() -> None:
    assert verify(config(), plan(*VALID)) == []


def test_release_inside_shift_with_staff_left_is_fine() -> None:
    # n1 on Tue Jan 12 during team A's day shift: 4 on duty, 1 released, minimum 2.
    assert verify(config(), plan(*replaced("ce-2", day=12))) == []


def without(*ids: str) -> tuple[Session, ...]:
    return tuple(s for s in VALID if s.id not in ids)


ACADEMY_1_UNPLACED = tuple(Unplaced(p, "academy-1", "no facilitator") for p in ("a1", "a2"))

PLANTED: list[tuple[str, Config, Plan, str]] = [
    ("off grid", config(), plan(*replaced("ce-1", clock="10:15")), "session_time"),
    ("too short", config(), plan(*replaced("ce-1", end=at(6, "11:00"))), "session_time"),
    ("before earliest_start", config(), plan(*replaced("ce-1", clock="09:00")), "session_time"),
    ("after latest_end", config(), plan(*replaced("academy-2-1", clock="19:00")),
     "session_time"),
    ("on a Sunday", config(), plan(*replaced("ce-1", day=10, clock="14:00")), "session_time"),
    ("holiday", config(), plan(*replaced("ce-2", day=15)), "holiday_blackout"),
    ("blackout", config(), plan(*replaced("ce-2", day=11)), "holiday_blackout"),
    ("after day 10 of the month", config(), plan(*replaced("meeting-1", day=13)), "window"),
    ("outside window and horizon", config(), plan(*replaced("ce-2", day=18)), "window"),
    ("not in audience", config(),
     plan(*replaced("ce-1", attendees=("a1", "a2", "a3", "coord"))), "audience"),
    ("before start date", config(),
     plan(*replaced("ce-1", base=without("ce-2"), attendees=("a1", "a2", "a3", "n1"))),
     "audience"),
    ("across shift end", config(), plan(*replaced("ce-2", day=12, clock="18:00")), "on_shift"),
    ("inside the buffer", config(), plan(*replaced("ce-2", day=13, clock="19:00")),
     "on_shift"),
    ("release not allowed",
     config(("minimum = 2", 'minimum = 2\ntraining_while_on_shift = "never"')),
     plan(*replaced("ce-2", day=12)), "on_shift"),
    ("too close before the next shift", config(),
     plan(*replaced("ce-1", day=7, clock="19:00")), "rest"),
    ("on time off", config(),
     plan(*replaced("ce-2", base=replaced("ce-1", attendees=("a1", "a2")),
                    attendees=("n1", "a3"))), "time_off"),
    ("weekly cap", config(("max_training_hours_per_week = 2",
                           "max_training_hours_per_week = 1.5")), plan(*VALID),
     "weekly_training_cap"),
    ("two sessions at once", config(),
     plan(*replaced("academy-1-1", day=6, clock="11:00")), "double_booked"),
    ("same training twice", config(), plan(*replaced("ce-2", attendees=("n1", "a1"))),
     "duplicate_attendance"),
    ("no facilitator", config(), plan(*replaced("ce-1", facilitators=())),
     "facilitator_count"),
    ("facilitator not listed", config(), plan(*replaced("ce-1", facilitators=("f2",))),
     "facilitator_not_listed"),
    ("facilitator outside availability", config(),
     plan(*replaced("academy-2-1", facilitators=("f2",))), "facilitator_unavailable"),
    ("facilitator on time off",
     config(("[facilitators.f1]", "[facilitators.f2]\ntime_off = [{ start = 2027-01-07, "
             "end = 2027-01-07 }]\n\n[facilitators.f1]")),
     plan(*VALID), "facilitator_unavailable"),
    ("facilitator in two places", config(), plan(*replaced("academy-2-1", day=14)),
     "facilitator_double_booked"),
    ("over capacity", config(("capacity = 4", "capacity = 2")), plan(*VALID), "capacity"),
    ("under-filled though n1 could join ce-1",
     config(("capacity = 4", "capacity = 4\nmin_attendees = 2"),
            ("start_date = 2027-01-11", "start_date = 2027-01-04")), plan(*VALID),
     "min_attendees"),
    ("one room, two sessions", config(('room = "R2"', 'room = "R1"'),
                                      ('room = "R2"', 'room = "R1"')),
     plan(*replaced("academy-2-1", day=14, facilitators=("f2",))), "room_overlap"),
    ("too many offerings", config(("offerings = 2", "offerings = 1")), plan(*VALID),
     "offerings"),
    ("prerequisite too late", config(),
     plan(*replaced("academy-2-1", day=7, clock="14:00")), "prerequisite"),
    ("prerequisite missing", config(),
     plan(*without("academy-1-1"), unplaced=ACADEMY_1_UNPLACED), "prerequisite"),
    ("a3 forgotten", config(), plan(*replaced("ce-1", attendees=("a1", "a2"))),
     "unplaced_missing"),
    ("b3 misses the January meeting", config(),
     plan(*replaced("meeting-1", attendees=("b1", "b2"))), "unplaced_missing"),
    ("two sessions, one id", config(), plan(*replaced("ce-2", id="ce-1")),
     "duplicate_session_id"),
    ("unknown training", config(), plan(*VALID, sess("x-1", "nope", 16, "10:00", 60, ())),
     "unknown_training"),
]


@pytest.mark.parametrize(("cfg", "the_plan", "kind"), [p[1:] for p in PLANTED],
                         ids=[p[0] for p in PLANTED])
def test_planted_violation_is_caught_and_only_it(cfg: Config, the_plan: Plan, kind: str) -> None:
    found = verify(cfg, the_plan)
    assert kinds(found) == {kind}, [str(v) for v in found]


def test_facilitator_who_also_attends_is_caught() -> None:
    found = verify(config(), plan(*replaced("ce-2", attendees=("n1", "f1"))))
    assert kinds(found) == {"facilitator_double_booked", "audience"}


def test_every_kind_but_staffing_is_planted_above() -> None:
    assert {p[3] for p in PLANTED} | {"staffing"} == set(KINDS)


def test_messages_name_session_person_and_local_time() -> None:
    found = verify(config(), plan(*replaced("ce-2", day=12, clock="18:00")))
    (v,) = found
    assert (v.session, v.person) == ("ce-2", "n1")
    assert "Tue 2027-01-12 18:00-20:00 EST" in v.message
    assert "07:00-19:00" in v.message


def test_unplaced_listing_excuses_a_missing_person() -> None:
    sessions = replaced("ce-1", attendees=("a1", "a2"))
    excused = (Unplaced("a3", "ce", "on time off"),)
    assert verify(config(), plan(*sessions, unplaced=excused)) == []


def test_unplaced_prerequisite_must_carry_over_with_its_reason() -> None:
    sessions = tuple(s for s in VALID if s.training not in ("academy-1", "academy-2"))
    why = "facilitator unavailable all window"
    good = tuple(Unplaced(p, "academy-1", why) for p in ("a1", "a2")) + tuple(
        Unplaced(p, "academy-2", "prerequisite academy-1 not placed") for p in ("a1", "a2"))
    assert verify(config(), plan(*sessions, unplaced=good)) == []
    bad = tuple(Unplaced(p, t, why) for p in ("a1", "a2") for t in ("academy-1", "academy-2"))
    assert kinds(verify(config(), plan(*sessions, unplaced=bad))) == {"prerequisite"}


def test_an_only_option_may_be_under_filled() -> None:
    # n1 starts on Jan 11, so ce-2 is n1's only possible session: allowed below min_attendees.
    cfg = config(("capacity = 4", "capacity = 4\nmin_attendees = 2"))
    assert verify(cfg, plan(*VALID)) == []


def test_an_empty_session_is_rejected() -> None:
    empty = sess("ce-3", "ce", 15, "10:00", 120, ())
    found = verify(config(("offerings = 2", "offerings = 3"), ("holidays = [2027-01-15]",
                                                               "holidays = []")),
                   plan(*VALID, empty))
    assert [(v.kind, v.session) for v in found] == [("min_attendees", "ce-3")]
    assert "has no attendees" in found[0].message


def test_cancelled_sessions_are_not_checked() -> None:
    ghost = dataclasses.replace(VALID[1], id="ce-0", status="cancelled")
    assert verify(config(), plan(*VALID, ghost)) == []


# --- staffing, computed by hand ---------------------------------------------------------------

STAFF = """
people = [
  { id = "p1", name = "p1", email = "p1@example.org", team = "A" },
  { id = "p2", name = "p2", email = "p2@example.org", team = "A" },
  { id = "p3", name = "p3", email = "p3@example.org", team = "A" },
  { id = "p4", name = "p4", email = "p4@example.org", team = "N" },
]
""" + HEAD + """

[shifts.day]
code = "D"
start = "07:00"
end = "19:00"

[shifts.night]
code = "N"
start = "19:00"
end = "07:00"

[rotations.line]
anchor = 2027-01-04
teams = ["A", "N"]
cycles = { A = "D", N = "N" }

[staffing]
minimum = 2

[trainings.huddle]
title = "Huddle"
duration_minutes = 60
audience = { teams = ["A"] }
facilitators_needed = 0
delivery = "virtual"
virtual_url = "https://meet.example.org/h"
"""


def staff_plan(*attendees: str, clock: str = "10:00") -> Plan:
    session = sess("huddle-1", "huddle", 5, clock, 60, attendees, ())
    rest = tuple(Unplaced(p, "huddle", "keeps the line") for p in ("p1", "p2", "p3")
                 if p not in attendees)
    return plan(session, unplaced=rest)


def staffing_config(extra: str = "") -> Config:
    return parse_config(STAFF.replace("[staffing]\n", "[staffing]\n" + extra, 1))


def test_one_released_of_three_keeps_the_minimum() -> None:
    # p4 alone on nights is below the minimum all night, but nobody is released then: no finding
    assert verify(staffing_config(), staff_plan("p1")) == []


def test_two_released_of_three_breaks_minimum_two_by_one() -> None:
    (v,) = verify(staffing_config(), staff_plan("p1", "p2"))
    assert v.kind == "staffing" and v.session == "huddle-1"
    assert "3 on duty, 2 released, 2 required, margin -1" in v.message
    assert "Tue 2027-01-05 10:00 EST" in v.message
    assert "p1, p2" in v.message


def test_by_hour_rule_binds_from_its_start_minute() -> None:
    cfg = staffing_config('by_hour = [{ start = "10:30", end = "11:00", minimum = 3 }]\n')
    (v,) = verify(cfg, staff_plan("p1"))
    assert "at Tue 2027-01-05 10:30 EST" in v.message
    assert "margin -1" in v.message
    # the same session half an hour earlier ends when the rule starts
    assert verify(cfg, staff_plan("p1", clock="09:30")) == []


def test_by_shift_minimum_applies_during_that_shift() -> None:
    cfg = staffing_config("by_shift = { day = 3 }\n")
    assert kinds(verify(cfg, staff_plan("p1"))) == {"staffing"}


def test_per_team_floor() -> None:
    cfg = parse_config(STAFF.replace("minimum = 2", "minimum = 0\nper_team = 2"))
    (v,) = verify(cfg, staff_plan("p1", "p2"))
    assert "team A: 3 on duty, 2 released, 2 must stay" in v.message
    assert verify(cfg, staff_plan("p1")) == []


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(VALID))), st.integers(0, 3), st.integers(-6, 6))
def test_result_does_not_depend_on_order(order: list[int], which: int, hours: int) -> None:
    """Shuffle the sessions and their attendees, move one: same findings either way round."""
    moved = list(VALID)
    moved[which] = dataclasses.replace(
        moved[which], start=moved[which].start + timedelta(hours=hours),
        end=moved[which].end + timedelta(hours=hours))
    shuffled = [dataclasses.replace(moved[i], attendees=tuple(reversed(moved[i].attendees)))
                for i in order]
    cfg = config()
    found = verify(cfg, plan(*moved))
    assert verify(cfg, plan(*shuffled)) == found
    assert all(v.kind in KINDS for v in found)
    if hours == 0:
        assert found == []


def test_horizon_end_at_midnight_is_exclusive() -> None:
    late = replaced("ce-2", day=18)
    messages = [v.message for v in verify(config(), plan(*late))]
    assert any("outside the planning horizon 2027-01-04..2027-01-17" in m for m in messages)
    assert all(re.search(r"\d{2}:\d{2}", m) for m in messages)


def test_weekly_cap_counts_hours_inside_each_pay_week() -> None:
    # The pay week turns over on Wednesday 11:00, in the middle of ce-1 (Wed 10:00-12:00):
    # a3 has one hour in each week, under a 1.5 h cap. Adding ce-2 on Wed Jan 13 09:30-11:30
    # puts 1 h (ce-1) + 1.5 h (ce-2) into the week Jan 6 11:00 .. Jan 13 11:00: over the cap.
    cfg = config(('[exceptions.a3]', '[pay]\nweek_start_day = "wed"\nweek_start_time = "11:00"'
                  '\n\n[exceptions.a3]'),
                 ("max_training_hours_per_week = 2", "max_training_hours_per_week = 1.5"))
    assert verify(cfg, plan(*VALID)) == []
    both = replaced("ce-2", attendees=("n1", "a3"), day=13, clock="09:30")
    assert kinds(verify(cfg, plan(*both))) >= {"weekly_training_cap"}


def test_prerequisite_taken_in_a_previous_plan_counts() -> None:
    """A rolling horizon from Jan 8: academy-1 happened on Jan 7 in the previous plan."""
    later = Plan(generated_at=at(7, "20:00"), timezone="America/New_York",
                 horizon_start=at(8, "00:00"), horizon_end=at(18, "00:00"),
                 sessions=tuple(s for s in VALID if s.start >= at(8, "00:00")),
                 unplaced=tuple(Unplaced(p, "academy-1", "already attended") for p in ("a1", "a2")))
    assert "prerequisite" in kinds(verify(config(), later))
    found = verify(config(), later, previous=plan(*VALID))
    assert "prerequisite" not in kinds(found)
    # a previous session after the new horizon's start is not history
    moved = plan(*replaced("academy-1-1", day=8))
    assert "prerequisite" in kinds(verify(config(), later, previous=moved))
