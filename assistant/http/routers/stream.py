"""POST /v1/ask/stream: the /v1/ask body; server-sent events `delta` ({"text": piece}) then one `done` (the full
AskResponse). A failure after the stream has started is sent as one `error` event ({"detail": …})."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.http.deps import AssistantDep, SettingsDep
from assistant.http.edge import ask_response
from assistant.http.streaming import SSE_HEADERS, answer_events, sse, sse_responses, started
from assistant.schemas import AskRequest
from assistant.settings import Settings
from assistant.types import Answer

log = logging.getLogger("assistant.api")
router = APIRouter(tags=["ask"])


STREAM_RESPONSES = sse_responses(
    "server-sent events: `delta` ({\"text\": piece}) …, then `done` (the /v1/ask response); `error` ({\"detail\"}) if it fails midway",
    ("delta", "done", "error"), json_data=True,
)


@router.post("/v1/ask/stream", response_class=StreamingResponse, responses=STREAM_RESPONSES)
def ask_stream(body: AskRequest, bot: AssistantDep, settings: SettingsDep) -> StreamingResponse:
    """Server-sent events: `event: delta` with `{"text": "…"}` pieces of the answer, then one `event: done` whose
    data is the full /v1/ask response (the authoritative text, citations and calculation)."""
    history = [t.model_dump() for t in body.history]
    events = started(answer_events(bot, body.question, history, city=body.city, top_k=body.top_k, as_of=body.as_of))
    return StreamingResponse(_frames(events, body.question, settings), media_type="text/event-stream", headers=SSE_HEADERS)


def _frames(events: Iterator[str | Answer], question: str, settings: Settings) -> Iterator[str]:
    try:
        for event in events:
            if isinstance(event, Answer):
                response = ask_response(event)
                log_answer("ask_stream", question, settings, event, response.citations)
                yield sse(response.model_dump(mode="json"), "done")
            elif event:
                yield sse({"text": event}, "delta")
    except Exception:  # headers are sent: say so in the stream instead of cutting it
        log.exception("stream failed")
        yield sse({"detail": "internal error while answering; please try again"}, "error")


def log_answer(event: str, question: str, settings: Settings, answer: Answer, citations: list) -> None:
    shown = question if settings.log_questions else hashlib.sha256(question.encode()).hexdigest()[:12]
    log.info(json.dumps({"event": event, "question": shown, "refused": answer.refused, "kind": answer.trace.kind,
                         "citations": [c.id for c in citations], "latency_ms": answer.latency_ms}, ensure_ascii=False))
