"""Composers write the answer an `AnswerPlan` asks for, with [n] markers pointing at the clauses they cite.

The extractive composer (default, and the fallback) quotes clause sentences and the calculator's steps; the
LLM composer asks a chat model and keeps its answer only when it passes the same verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assistant.planner import AnswerPlan
from assistant.types import Hit


@dataclass(frozen=True)
class Composed:
    """What a composer returns: the answer text and the clauses its [n] markers point to, in order."""

    text: str
    cited: tuple[Hit, ...]
    fallback_reason: str | None = None  # set when the LLM answer was rejected for the extractive one


class Composer(Protocol):
    def compose(self, plan: AnswerPlan) -> Composed: ...

