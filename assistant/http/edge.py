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


def match_response(result: Any) -> "MatchResponse":
    """A `MatchResult` (assistant.matching) as the contract's POST /v1/match response."""
    from assistant.schemas import MatchOut, MatchResponse

    matches = [
        MatchOut(
            program=m.program, title=m.title, city=m.city, status=m.status, amount_yuan=m.amount_yuan,
            steps=list(m.steps), missing=list(m.missing), reason=m.reason,
            citation=citation(m.hit, m.doc_status) if m.hit is not None else None,
            responsible_units=list(m.responsible_units), reviewed=m.reviewed,
        )
        for m in result.matches
    ]
    return MatchResponse(profile=result.profile.to_dict(), matches=matches, total_yuan=result.total_yuan, notes=list(result.notes))
