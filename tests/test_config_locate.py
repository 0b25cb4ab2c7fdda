"""The line finder behind config error messages: the right line, or a less precise one."""

from __future__ import annotations

from scheduler_service.config.locate import TomlLocator

TEXT = """\
people = [
  { id = "ada", email = "ada@example.org", team = "A" },
  { id = "ben", team = "B" },
]

[organisation]
name = "Line"
timezone = "Europe/Berlin"

[trainings.intro]
title = "Intro"
prerequisites = [{ training = "advanced" }]

[trainings.advanced]
title = "Advanced"

[[blocks]]
name = "first"

[[blocks]]
name = "second"
"""


def test_keys_and_tables() -> None:
    locate = TomlLocator(TEXT)
    assert locate("organisation") == 6
    assert locate("trainings") == 10  # the first table inside it
    assert locate("organisation.timezone") == 8
    assert locate("trainings.advanced.title") == 15


def test_rows_of_a_multi_line_array() -> None:
    locate = TomlLocator(TEXT)
    assert locate("people[0].team") == 2
    assert locate("people[1].team") == 3
    assert locate("people[1]") == 3


def test_missing_key_in_a_row_points_at_the_row_not_a_later_line() -> None:
    assert TomlLocator(TEXT)("people[1].email") == 3


def test_element_of_a_one_line_array_stays_on_that_line() -> None:
    assert TomlLocator(TEXT)("trainings.intro.prerequisites[0].training") == 12


def test_array_of_tables() -> None:
    locate = TomlLocator(TEXT)
    assert locate("blocks[0].name") == 18
    assert locate("blocks[1].name") == 21


def test_unknown_path() -> None:
    locate = TomlLocator(TEXT)
    assert locate("") is None
    assert locate("nowhere") is None
    assert locate("people[7].id") == 1  # no such row: the array's own line
