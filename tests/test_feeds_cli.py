"""``traincal feeds ...`` and ``traincal serve`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scheduler_service.cli import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('"sqlite:///traincal.db"', f'"sqlite:///{tmp_path}/traincal.db"')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def as_json(*args: str) -> Any:
    return json.loads(invoke(*args, "--json", "-").stdout)


def test_links_list_rotate_revoke(config_path: Path) -> None:
    cfg = str(config_path)
    listed = as_json("feeds", "list", "--config", cfg)
    assert {row["state"] for row in listed} == {"not issued"}
    links = as_json("feeds", "links", "--config", cfg)
    mine = [x for x in links if x["person"] == "jbellweat"]
    assert [x["kind"] for x in mine] == ["person"]
    assert mine[0]["https"].startswith("https://training.example.org/feeds/")
    assert mine[0]["webcal"] == "webcal://" + mine[0]["https"].removeprefix("https://")
    assert mine[0]["google"].startswith("https://calendar.google.com/calendar/r?cid=webcal%3A")
    listed = {(r["person"], r["kind"]): r for r in as_json("feeds", "list", "--config", cfg)}
    row = listed[("jbellweat", "person")]
    assert row["state"] == "active" and row["hash_prefix"] and row["created_at"]
    token = mine[0]["https"].rsplit("/", 1)[1][:-4]
    assert token not in json.dumps(list(listed.values()))  # list shows hash prefixes only

    (rotated,) = as_json("feeds", "rotate", "jbellweat", "--config", cfg)
    assert rotated["https"] != mine[0]["https"]
    again = as_json("feeds", "links", "jbellweat", "--config", cfg)
    assert [x["https"] for x in again] == [rotated["https"]]

    out = invoke("feeds", "revoke", "jbellweat", "--config", cfg).stdout
    assert "revoked person of jbellweat" in out
    listed = {(r["person"], r["kind"]): r for r in as_json("feeds", "list", "--config", cfg)}
    assert listed[("jbellweat", "person")]["state"] == "revoked"
    assert as_json("feeds", "links", "jbellweat", "--config", cfg) == []


def test_rotate_prints_the_new_link_once(config_path: Path) -> None:
    out = invoke("feeds", "rotate", "rachterberg", "--kind", "coordinator",
                 "--config", str(config_path)).stdout
    assert out.count("https://training.example.org/feeds/") == 1
    assert "webcal://training.example.org/feeds/" in out


def test_usage_and_user_errors_exit_2_and_1(config_path: Path, run_cli: Any) -> None:
    assert CliRunner().invoke(cli, ["feeds", "rotate", "--config", str(config_path)]).exit_code == 2
    unknown = run_cli("feeds", "revoke", "jbellweet", "--config", config_path)
    assert unknown.returncode == 1
    assert "did you mean 'jbellweat'" in unknown.stderr
    missing = run_cli("serve", "--config", config_path.parent / "nope.toml")
    assert missing.returncode == 1
    assert "file not found" in missing.stderr
