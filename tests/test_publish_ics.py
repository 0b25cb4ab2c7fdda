"""``traincal publish --target ics`` end to end: store -> feeds on disk -> change summary."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_ical_support import (
    CONFIG_TOML,
    GENERATED,
    basic_plan,
    check_feed,
    events_by_uid,
    local,
    make_config,
    make_plan,
    make_session,
)

from scheduler_service.cli import cli
from scheduler_service.errors import PublishError
from scheduler_service.ical.names import feed_filename
from scheduler_service.ical.state import load_state
from scheduler_service.publish_ics import publish_ics
from scheduler_service.store import Store

NOW = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    toml = CONFIG_TOML + f'\n[storage]\nurl = "sqlite:///{tmp_path / "traincal.db"}"\n'
    toml += f'\n[feeds]\ndirectory = "{tmp_path / "calendars"}"\n'
    (tmp_path / "config.toml").write_text(toml, encoding="utf-8")
    return tmp_path


def _store(workdir: Path) -> Store:
    return Store(f"sqlite:///{workdir / 'traincal.db'}")


def test_publish_without_plan_fails(workdir: Path) -> None:
    with pytest.raises(PublishError, match="run traincal plan first"):
        publish_ics(make_config(), _store(workdir), workdir / "calendars", now=NOW)


def test_publish_writes_feeds_state_and_marks_published(workdir: Path) -> None:
    store = _store(workdir)
    version = store.save_plan(basic_plan())
    result = publish_ics(make_config(), store, workdir / "calendars", now=NOW)
    assert result.version == version
    assert store.latest_published() is not None
    names = sorted(p.name for p in (workdir / "calendars").iterdir())
    assert names == sorted(result.files.written) and len(names) == result.feeds
    for name in names:
        check_feed((workdir / "calendars" / name).read_bytes())
    state = load_state(store)
    assert state["intro-1@line.example.org"].sequence == 0
    assert state["intro-1@line.example.org"].modified_at == GENERATED
    ana = next(c for c in result.changes if c.person == "ana")
    assert [r.session_id for r in ana.new] == ["intro-1", "webinar-1"]
    # the same plan again: nothing written, nothing changed
    again = publish_ics(make_config(), store, workdir / "calendars", now=NOW + timedelta(hours=1))
    assert again.files.written == () and again.changes == ()


def test_replan_reports_new_updated_cancelled(workdir: Path) -> None:
    store = _store(workdir)
    store.save_plan(basic_plan())
    publish_ics(make_config(), store, workdir / "calendars", now=NOW)
    old = basic_plan()
    intro1, intro2, webinar = old.sessions
    later = GENERATED + timedelta(days=1)
    new_plan = make_plan(
        replace(intro1, location="Room 9"),  # updated for ana and bo
        replace(webinar, attendees=("cy",)),  # ana taken off the webinar
        make_session("intro-3", local(2027, 1, 21, 10), attendees=("dee",)),
        generated=later,
    )  # intro-2 dropped: cancelled for cy and dee
    store.save_plan(new_plan)
    result = publish_ics(make_config(), store, workdir / "calendars", now=NOW + timedelta(days=1))
    by_person = {c.person: c for c in result.changes}
    assert [r.session_id for r in by_person["ana"].updated] == ["intro-1"]
    assert [r.session_id for r in by_person["ana"].cancelled] == ["webinar-1"]
    assert [r.session_id for r in by_person["cy"].cancelled] == ["intro-2"]
    assert [r.session_id for r in by_person["dee"].cancelled] == ["intro-2"]
    assert [r.session_id for r in by_person["dee"].new] == ["intro-3"]
    assert "cora" not in by_person
    dee = (workdir / "calendars" / feed_filename("person", "dee")).read_bytes()
    assert events_by_uid(dee)["intro-2@line.example.org"]["STATUS"] == "CANCELLED"


def test_cli_publish(workdir: Path) -> None:
    runner = CliRunner()
    config = str(workdir / "config.toml")
    missing = runner.invoke(cli, ["publish", "--target", "ics", "--config", config])
    assert missing.exit_code != 0
    assert "run traincal plan first" in str(missing.exception)
    _store(workdir).save_plan(basic_plan())
    out = runner.invoke(cli, ["publish", "--target", "ics", "--config", config])
    assert out.exit_code == 0, out.output
    assert "Ana María Núñez (ana): 2 new, 0 updated, 0 cancelled" in out.output
    summary = workdir / "summary.json"
    again = runner.invoke(
        cli, ["publish", "--target", "ics", "--config", config, "--json", str(summary)]
    )
    assert again.exit_code == 0, again.output
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["target"] == "ics" and data["people"] == [] and data["files"]["written"] == []
    assert data["feeds"] == len(list((workdir / "calendars").iterdir()))


def test_cli_exit_status_without_plan(workdir: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    done = run_cli("publish", "--target", "ics", "--config", workdir / "config.toml", cwd=workdir)
    assert done.returncode == 1
    assert "run traincal plan first" in done.stderr
