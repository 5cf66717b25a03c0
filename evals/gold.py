"""The gold question set: one JSON object per line, written by reading the clauses (never by the system)."""

from __future__ import annotations

import hashlib
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Literal, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_GOLD = Path(__file__).resolve().parent / "data" / "gold.jsonl"

QuestionType = Literal[
    "rate_cap", "calculation", "eligibility", "responsible_unit", "dates", "doc_meta", "interpretation",
    "comparison", "followup_city", "followup_amount", "followup_this", "traditional", "english",
    "paraphrase", "typo", "refusal",
    # issue 16 (written 2026-11-23, before any code change for them)
    "multi_part", "followup_chain", "role", "count", "target", "stacking", "comparison_missing", "vague",
]
Split = Literal["dev", "heldout"]
SPLITS = ("dev", "heldout")
SPLIT_CHOICES = ("all", *SPLITS)
HELDOUT_SHARE = 0.4
SPLIT_FROZEN_ON = "2026-11-23"


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
    split: Split | None = None  # dev (tune on it) or heldout (frozen; read only in reports)


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


def _split_key(item: GoldItem) -> tuple[str, str, str]:
    """Stratum (type, city) first, then a stable hash of the id (not Python's salted hash())."""
    return item.type, item.city or "", hashlib.sha256(item.id.encode("utf-8")).hexdigest()


def stratified_split(items: Iterable[GoldItem], heldout_share: float = HELDOUT_SHARE) -> dict[str, str]:
    """The split rule: sort by (type, city, sha256(id)) and send every item whose position crosses a
    multiple of 1/heldout_share to heldout (systematic sampling). Deterministic, exactly
    round-down(share × n) held out overall, and within ±1 of the share in every (type, city) stratum."""
    share = Fraction(str(heldout_share))  # exact arithmetic: no float rounding at multiples
    ordered = sorted(items, key=_split_key)
    return {
        item.id: "heldout" if math.floor((pos + 1) * share) > math.floor(pos * share) else "dev"
        for pos, item in enumerate(ordered)
    }


def heldout_fingerprint(items: Iterable[GoldItem]) -> str:
    """sha256 over the sorted held-out ids: recorded in evals/data/README.md when the split was frozen."""
    ids = sorted(i.id for i in items if i.split == "heldout")
    return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()


def select_split(items: Sequence[GoldItem], split: str) -> list[GoldItem]:
    """Items of one split (`dev`, `heldout`) or all of them; a split asked of a file without splits is an error."""
    if split not in SPLIT_CHOICES:
        raise GoldSetError(f"unknown split {split!r}: use one of {', '.join(SPLIT_CHOICES)}")
    if split == "all":
        return list(items)
    unassigned = [i.id for i in items if i.split is None]
    if unassigned:
        raise GoldSetError(f"{len(unassigned)} item(s) have no split (e.g. {unassigned[0]!r}); give each a \"split\"")
    return [i for i in items if i.split == split]
