"""The gold question set: one JSON object per line, written by reading the clauses (never by the system)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_GOLD = Path(__file__).resolve().parent / "data" / "gold.jsonl"

QuestionType = Literal[
    "rate_cap", "calculation", "eligibility", "responsible_unit", "dates", "doc_meta", "interpretation",
    "comparison", "followup_city", "followup_amount", "followup_this", "traditional", "english",
    "paraphrase", "typo", "refusal",
]


class GoldTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class GoldItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str = Field(min_length=1)
    history: list[GoldTurn] = Field(default_factory=list)
    type: QuestionType
    lang: Literal["zh-Hans", "zh-Hant", "en"] = "zh-Hans"
    city: str | None = None
    expected_clause_ids: list[str] = Field(default_factory=list)
    expected_doc_ids: list[str] = Field(default_factory=list)
    required_amounts_yuan: list[int] = Field(default_factory=list)
    required_percents: list[float] = Field(default_factory=list)
    required_terms: list[str] = Field(default_factory=list)
    expected_program: str | None = None
    expected_result_yuan: int | None = None
    expect_refusal: bool = False
    notes: str = ""


class GoldSetError(ValueError):
    """A gold file that cannot be used, with the file and line that is wrong."""


def load_gold(path: Path = DEFAULT_GOLD) -> list[GoldItem]:
    """Read and validate a gold file; duplicate ids and malformed lines are errors naming the line."""
    path = Path(path)
    if not path.is_file():
        raise GoldSetError(f"gold set not found: {path}")
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = GoldItem.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise GoldSetError(f"{path}:{number}: {exc}") from exc
        if item.id in seen:
            raise GoldSetError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise GoldSetError(f"gold set {path} holds no questions")
    return items
