"""POST /v1/feedback."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.http.deps import FeedbackDep
from assistant.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter(tags=["feedback"])


@router.post("/v1/feedback", response_model=FeedbackResponse)
def feedback(body: FeedbackRequest, store: FeedbackDep) -> FeedbackResponse:
    new_id = store.add(body.rating, body.question, body.answer, body.citation_ids, body.comment)
    return FeedbackResponse(id=new_id)
