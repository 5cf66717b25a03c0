"""Load the rule files (`assistant/rules/*.yaml`) once and describe them for the API and tools."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.calculator.models import Rule, Stacking

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def load_rule_file(path: Path) -> list[Rule]:
    """Every rule of one city file; the city, its English name and its stacking principle are shared."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    stacking = Stacking(**data["stacking"]) if data.get("stacking") else None
    return [
        Rule(city=data["city"], city_en=data["city_en"], stacking=stacking, **program)
        for program in data["programs"]
    ]


def load_rules_from(directory: Path) -> dict[str, Rule]:
    """Rules of every ``*.yaml`` file in `directory`, by program id (duplicate ids are an error)."""
    rules: dict[str, Rule] = {}
    for path in sorted(directory.glob("*.yaml")):
        for rule in load_rule_file(path):
            if rule.program in rules:
                raise ValueError(f"duplicate program id {rule.program!r} in {path.name}")
            rules[rule.program] = rule
    return rules


@lru_cache(maxsize=1)
def _cached_rules() -> dict[str, Rule]:
    return load_rules_from(RULES_DIR)


def load_rules() -> dict[str, Rule]:
    """All bundled rules by program id (parsed once; returns a fresh dict each call)."""
    return dict(_cached_rules())


def programs_schema() -> list[dict[str, Any]]:
    """JSON-able list of programs with their input schema (GET /v1/programs)."""
    return [rule.schema() for rule in _cached_rules().values()]
