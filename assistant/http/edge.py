"""The one place where internal types become the contract's pydantic models (and back)."""

from __future__ import annotations

from typing import Any

from assistant.schemas import AskResponse, CalculationOut, Citation
from assistant.types import Answer, ClauseView, Hit


def citation(hit: Hit, status: str = "current") -> Citation:
    d, c = hit.document, hit.clause
    return Citation(
        id=c.clause_id, city=d.city, doc_title=d.title, doc_number=d.doc_number,
        clause=c.display_label, text=c.text, score=round(float(hit.score), 4), status=status,
    )


def calculation_out(calc: Any) -> CalculationOut:
    return CalculationOut(**calc.to_contract())


def ask_response(answer: Answer) -> AskResponse:
    return AskResponse(
        answer=answer.text,
        citations=[citation(h, s) for h, s in zip(answer.cited, answer.statuses or ("current",) * len(answer.cited))],
        calculation=calculation_out(answer.calculation) if answer.calculation is not None else None,
        refused=answer.refused,
        rewritten_question=answer.rewritten_question,
        latency_ms=answer.latency_ms,
    )


def clause_record(view: ClauseView) -> dict[str, Any]:
    return view.to_dict()
