"""What flows inside the assistant: frozen dataclasses, never HTTP models.

`Hit` is a retrieved clause with its scores; `ClauseView` a clause with its document (what citation cards and
the library show); `Answer` what `PolicyAssistant.ask` returns. `assistant/http/edge.py` turns them into the
contract's pydantic models; the UI and the CLI read them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index.models import Clause, Document


@dataclass(frozen=True)
class Hit:
    """A clause as retrieval ranked it."""

    clause: Clause
    document: Document
    score: float  # fused score, higher is better
    bm25_rank: int | None = None
    dense_rank: int | None = None
    dense_score: float = 0.0
    bm25_score: float = 0.0


@dataclass(frozen=True)
class ClauseView:
    """A clause with the document facts a reader needs beside it."""

    clause: Clause
    document: Document

    @property
    def clause_id(self) -> str:
        return self.clause.clause_id

    def to_dict(self) -> dict[str, Any]:
        d = self.document
        return {
            **self.clause.to_dict(),
            "display_label": self.clause.display_label,
            "city": d.city,
            "doc_title": d.title,
            "doc_number": d.doc_number,
            "effective_from": d.effective_from,
            "effective_until": d.effective_until,
        }


@dataclass(frozen=True)
class Trace:
    """The decisions taken for one answer, for logs, tests and the eval report."""

    kind: str  # the answer kind the planner chose
    cities: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One answer: text with [n] markers, the clauses they point to, the calculation it rests on."""

    text: str
    cited: tuple[Hit, ...]
    calculation: Any | None  # assistant.calculator.Calculation
    refused: bool
    rewritten_question: str
    latency_ms: float
    trace: Trace
    lang: str = "zh"
    compared: tuple[Any, ...] = field(default=())  # several calculator runs: a comparison's cities, awards side by side
    statuses: tuple[str, ...] = ()  # lifecycle status of each cited clause's document on the answer's date

    @property
    def cited_views(self) -> tuple[ClauseView, ...]:
        return tuple(ClauseView(h.clause, h.document) for h in self.cited)
