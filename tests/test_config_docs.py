"""docs/config.md is generated from the config schema and must never drift from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler_service.config.docs import _models, render_config_docs
from scheduler_service.config.patterns import PRESETS
from scheduler_service.config.schema import Config

DOCS = Path(__file__).resolve().parent.parent / "docs" / "config.md"
DOCS_TEXT = render_config_docs()
REGENERATE = "python -m scheduler_service.config.docs > docs/config.md"


def test_docs_match_the_schema() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_config_docs(), (
        f"docs/config.md is out of date with the config schema; run `{REGENERATE}`"
    )


FIELDS = [
    (model.__name__, name)
    for model in _models(Config).values()
    for name in model.model_fields
]


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m}.{f}" for m, f in FIELDS])
def test_every_key_is_documented_with_a_description(model: str, field: str) -> None:
    docs = DOCS_TEXT
    rows = [line for line in docs.splitlines() if line.startswith(f"| `{field}` |")]
    assert rows, f"{model}.{field} has no row in the docs"
    described = [row for row in rows if not row.rstrip().endswith("|  |")]
    assert described, (
        f"{model}.{field} has no description; add description= to the Field in "
        f"scheduler_service/config/schema.py, then run `{REGENERATE}`"
    )


def test_docs_show_types_defaults_and_sections() -> None:
    docs = DOCS_TEXT
    assert "### `trainings.<name>`" in docs
    assert "#### `trainings.<name>.homework[]`" in docs
    assert "#### `mail.smtp`" in docs
    assert "| `duration_minutes` | integer (> 0, ≤ 1440) | **required** |" in docs
    assert '| `delivery` | one of "in_person", "virtual", "hybrid" | `"in_person"` |' in docs
    # defaults built by a factory are read from the model, not left blank
    assert '| `days` | list of one of "mon"' in docs
    assert '`["mon", "tue", "wed", "thu", "fri"]`' in docs
    assert "| `reminder_minutes` | list of integers | `[1440, 60]` |" in docs


def test_docs_list_every_preset_in_explicit_form() -> None:
    docs = DOCS_TEXT
    for name, preset in PRESETS.items():
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{name}` |"))
        for cycle in preset.cycles:
            assert f"`{cycle}`" in row
        assert ", ".join(map(str, preset.offsets)) in row


def test_schema_is_json_serialisable() -> None:
    schema = json.loads(json.dumps(Config.model_json_schema()))
    assert schema["type"] == "object"
    assert set(schema["required"]) >= {"organisation", "shifts", "rotations", "people"}
