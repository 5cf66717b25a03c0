"""The rule book: reviewed rules (hand-checked YAML) plus rules the index extracted from clause text.

A reviewed rule wins: an extracted rule for a clause that has a reviewed one is dropped. Extracted rule dicts
are validated here against the same `Rule` model; one that does not validate is left out with the reason
(`rejected`), never half-used. Unreviewed calculations carry `reviewed: false` and a note saying so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import ValidationError

from assistant.calculator.engine import evaluate
from assistant.calculator.models import Calculation, Rule
from assistant.calculator.rules import RULES_DIR, load_rules_from
from assistant.errors import UnknownProgramError

EXTRACTED_RULES_FILE = "rules.jsonl"  # written by `index build` next to clauses.jsonl


def read_extracted(path: Path) -> list[dict[str, Any]]:
    """Extracted rule dicts from a ``rules.jsonl`` file, or from an index build directory holding one."""
    path = Path(path)
    if path.is_dir():
        path = path / EXTRACTED_RULES_FILE
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class RuleBook:
    """Every rule the calculator can use, by programme id; reviewed rules first."""

    def __init__(self, reviewed: dict[str, Rule] | Iterable[Rule], extracted: Iterable[dict[str, Any]] = ()) -> None:
        rules = list(reviewed.values()) if isinstance(reviewed, dict) else list(reviewed)
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            self._rules[rule.program] = rule.model_copy(update={"reviewed": True}) if not rule.reviewed else rule
        reviewed_clauses = {r.clause_id for r in self._rules.values()}
        self._by_clause: dict[str, list[Rule]] | None = None
        self.dropped: list[str] = []  # extracted programmes superseded by a reviewed rule for the same clause
        self.rejected: list[tuple[str, str]] = []  # (programme, reason) for extracted dicts that do not validate
        for data in extracted:
            program = str(data.get("program", "?"))
            if data.get("clause_id") in reviewed_clauses:
                self.dropped.append(program)
                continue
            if program in self._rules:
                self.rejected.append((program, "duplicate programme id"))
                continue
            try:
                self._rules[program] = Rule(**{**data, "reviewed": False})
            except (ValidationError, TypeError) as exc:
                self.rejected.append((program, str(exc).splitlines()[0]))

    @classmethod
    def default(cls) -> "RuleBook":
        """The reviewed rules only (what the module-level `calculate` uses)."""
        return cls(load_rules_from(RULES_DIR))

    @classmethod
    def from_index(cls, index_path: Path | None, reviewed_dir: Path = RULES_DIR) -> "RuleBook":
        """Reviewed YAML rules plus the rules extracted into an index build directory."""
        extracted = read_extracted(index_path) if index_path else []
        return cls(load_rules_from(reviewed_dir), extracted)

    # ------------------------------------------------------------------ lookup

    def __contains__(self, program: object) -> bool:
        return program in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def rules(self) -> dict[str, Rule]:
        return dict(self._rules)

    def get(self, program: str) -> Rule:
        """The rule for a programme id, or UnknownProgramError listing the accepted ids."""
        try:
            return self._rules[program]
        except KeyError:
            raise UnknownProgramError(
                f"unknown program {program!r} / 未知项目; accepted programs: {', '.join(self._rules)}"
            ) from None

    def by_clause(self, clause_id: str) -> list[Rule]:
        """The rules resting on one clause (reviewed ones, else the extracted ones)."""
        if self._by_clause is None:
            self._by_clause = {}
            for rule in self._rules.values():
                self._by_clause.setdefault(rule.clause_id, []).append(rule)
        return list(self._by_clause.get(clause_id, ()))

    def by_city(self, city: str) -> list[Rule]:
        return [r for r in self._rules.values() if r.city == city]

    def programs_schema(self) -> list[dict[str, Any]]:
        """JSON-able list of programmes with their input schema and `reviewed` (GET /v1/programs)."""
        return [rule.schema() for rule in self._rules.values()]

    def calculate(self, program: str, inputs: dict[str, Any] | None = None, lang: str = "zh") -> Calculation:
        """Apply one programme's rule; an unreviewed rule's calculation says so (`reviewed: false`, a note)."""
        return evaluate(self.get(program), inputs, lang)

    def counts(self) -> dict[str, int]:
        reviewed = sum(1 for r in self._rules.values() if r.reviewed)
        return {
            "reviewed": reviewed,
            "extracted": len(self._rules) - reviewed,
            "dropped_for_reviewed": len(self.dropped),
            "rejected": len(self.rejected),
        }
