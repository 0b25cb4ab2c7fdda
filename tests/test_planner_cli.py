"""`traincal plan` end to end on the example configuration (short horizon, greedy preview)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scheduler_service.cli import cli
from scheduler_service.store import Store

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def _config(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    text = EXAMPLE.read_text(encoding="utf-8").replace('url = "sqlite:///traincal.db"',
                                                       f'url = "{url}"')
    text = text.replace("time_limit_seconds = 30", "time_limit_seconds = 30\n"
                        "deterministic_time = 0.3")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path, url


def test_plan_json_verify_and_diff(tmp_path: Path) -> None:
    path, url = _config(tmp_path)
    runner = CliRunner()
    out = tmp_path / "plan.json"
    result = runner.invoke(cli, ["plan", "--config", str(path), "--from", "2027-01-04",
                                 "--to", "2027-01-17", "--greedy", "--json", str(out),
                                 "--verify"])
    assert result.exit_code == 0, result.output
    assert "verify: no hard-constraint violation" in result.output
    assert "Saved as plan version 1" in result.output
    data = json.loads(out.read_text())
    assert set(data) == {"generated_at", "timezone", "horizon", "sessions", "unplaced", "stats"}
    assert data["sessions"] and all(s["start"][-6:] == "-05:00" for s in data["sessions"])
    diff = runner.invoke(cli, ["plan", "diff", "--config", str(path), "--json", "-"])
    assert diff.exit_code == 0, diff.output
    changes = json.loads(diff.output)
    assert len(changes["added"]) == len(data["sessions"]) and changes["cancelled"] == []
    store = Store(url)
    store.mark_published(1, Store(url).load_plan(1).generated_at)  # type: ignore[union-attr]
    again = runner.invoke(cli, ["plan", "--config", str(path), "--from", "2027-01-04",
                                "--to", "2027-01-17", "--greedy"])
    assert again.exit_code == 0, again.output
    diff2 = runner.invoke(cli, ["plan", "diff", "--config", str(path), "--json", "-"])
    assert json.loads(diff2.output)["moved"] == []
    assert json.loads(diff2.output)["cancelled"] == []


def test_plan_strict_and_explain(tmp_path: Path) -> None:
    path, _url = _config(tmp_path)
    runner = CliRunner()
    # Trainings whose window lies outside the horizon leave people unplaced: --strict fails.
    # The January cohort is not required in the December staff meeting (not employed yet).
    strict = runner.invoke(cli, ["plan", "--config", str(path), "--from", "2026-12-01",
                                 "--to", "2026-12-10", "--greedy", "--strict"])
    assert strict.exit_code == 1
    assert "outside the horizon" in strict.output or "the horizon" in strict.output
    assert "before their start date" not in strict.output
    explain = runner.invoke(cli, ["plan", "--config", str(path), "--from", "2026-12-01",
                                  "--to", "2026-12-10", "--explain", "rgutierre",
                                  "--training", "staff-meeting", "--json", "-"])
    assert explain.exit_code == 0, explain.output
    rows = json.loads(explain.output)
    assert rows and all(r["status"] == "blocked" for r in rows)
    assert all("start date" in r["blockers"][0] for r in rows)
