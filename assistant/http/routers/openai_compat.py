"""OpenAI-compatible API (DESIGN §6): GET /v1/models, POST /v1/chat/completions (plain and streamed).

The answer text keeps its [n] markers and ends with a short source list; `citations` (the /v1/ask citation objects)
and `calculation` travel as extra top-level fields of the completion and of the last stream chunk."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse

from assistant.http.deps import AssistantDep, SettingsDep
from assistant.http.edge import ask_response
from assistant.http.openai_models import (
    MODEL_ID, ChatChoice, ChatCompletion, ChatCompletionMessage, ChatCompletionRequest, ModelCard, ModelList, Usage,
)
from assistant.http.routers.stream import log_answer
from assistant.http.streaming import SSE_HEADERS, answer_events, sse, sse_responses, started
from assistant.schemas import AskResponse, Citation
from assistant.settings import Settings
from assistant.types import Answer

log = logging.getLogger("assistant.api")
router = APIRouter(tags=["openai-compatible"])
STARTED = int(time.time())
SOURCES_HEADING = {"zh": "来源:", "en": "Sources:"}
STATUS_NOTE = {
    "zh": {"expired": "已失效", "superseded": "已被替代", "not_yet_effective": "尚未生效"},
    "en": {"expired": "expired", "superseded": "superseded", "not_yet_effective": "not yet effective"},
}


@router.get("/v1/models", response_model=ModelList)
def list_models() -> ModelList:
    return ModelList(data=[_card()])


@router.get("/v1/models/{model_id}", response_model=ModelCard)
def get_model(model_id: str) -> ModelCard:
    if model_id != MODEL_ID:
        raise HTTPException(404, f"no model {model_id!r}; this server answers as {MODEL_ID!r}")
    return _card()


def _card() -> ModelCard:
    return ModelCard(id=MODEL_ID, created=STARTED, owned_by=MODEL_ID)


@router.post(
    "/v1/chat/completions", response_model=ChatCompletion,
    responses=sse_responses("a chat.completion; with `stream: true`, server-sent chat.completion.chunk events ending "
                            "`data: [DONE]`", None, json_data=False),
)
def chat_completions(body: ChatCompletionRequest, bot: AssistantDep, settings: SettingsDep) -> Any:
    question = body.question
    events = started(answer_events(bot, question, body.history, city=body.city, top_k=body.top_k, as_of=body.as_of))
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    prompt_tokens = approx_tokens(question) + sum(approx_tokens(t["content"]) for t in body.history)
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        frames = _chunks(events, completion_id, created, prompt_tokens, include_usage, question, settings)
        return StreamingResponse(frames, media_type="text/event-stream", headers=SSE_HEADERS)
    answer = next(e for e in events if isinstance(e, Answer))
    response = ask_response(answer)
    log_answer("chat_completion", question, settings, answer, response.citations)
    content = response.answer + source_list(response.citations, answer.lang)
    return ChatCompletion(
        id=completion_id, created=created, model=MODEL_ID,
        choices=[ChatChoice(message=ChatCompletionMessage(content=content))],
        usage=_usage(prompt_tokens, content), citations=response.citations, calculation=response.calculation,
    )


def _chunks(
    events: Iterator[str | Answer], completion_id: str, created: int, prompt_tokens: int, include_usage: bool,
    question: str, settings: Settings,
) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}
        if include_usage:
            body.setdefault("usage", None)
        return sse(body)

    yield chunk({"role": "assistant", "content": ""})
    sent: list[str] = []
    try:
        for event in events:
            if isinstance(event, Answer):
                response: AskResponse = ask_response(event)
                log_answer("chat_completion_stream", question, settings, event, response.citations)
                tail = source_list(response.citations, event.lang)
                if tail:
                    sent.append(tail)
                    yield chunk({"content": tail})
                extra = {"citations": [c.model_dump(mode="json") for c in response.citations],
                         "calculation": response.calculation.model_dump(mode="json") if response.calculation else None}
                yield chunk({}, "stop", **extra)
                if include_usage:
                    usage = _usage(prompt_tokens, "".join(sent)).model_dump()
                    yield sse({"id": completion_id, "object": "chat.completion.chunk", "created": created,
                               "model": MODEL_ID, "system_fingerprint": None, "choices": [], "usage": usage, **extra})
            elif event:
                sent.append(event)
                yield chunk({"content": event})
    except Exception:  # headers are sent: finish the stream with a readable note instead of cutting it
        log.exception("chat completion stream failed")
        yield chunk({"content": "\n\n(internal error while answering; please try again)"}, "stop")
    yield sse("[DONE]")


def source_list(citations: list[Citation], lang: str) -> str:
    """'\\n\\n来源:\\n[1] 城市《标题》(文号) 条款' — one line per citation, in the answer's language."""
    if not citations:
        return ""
    notes = STATUS_NOTE.get(lang, STATUS_NOTE["zh"])
    lines = [SOURCES_HEADING.get(lang, SOURCES_HEADING["zh"])]
    for n, c in enumerate(citations, 1):
        number = f"({c.doc_number})" if c.doc_number else ""
        status = f" [{notes[c.status]}]" if c.status in notes else ""
        lines.append(f"[{n}] {c.city or ''}《{c.doc_title}》{number} {c.clause}{status}")
    return "\n\n" + "\n".join(lines)


_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z]+|\d+|[^\sA-Za-z\d\u3400-\u9fff\uf900-\ufaff]")


def approx_tokens(text: str) -> int:
    """A rough token count (one per Han character, word, number or symbol) for the `usage` field."""
    return len(_TOKEN.findall(text))


def _usage(prompt_tokens: int, content: str) -> Usage:
    completion = approx_tokens(content)
    return Usage(prompt_tokens=prompt_tokens, completion_tokens=completion, total_tokens=prompt_tokens + completion)
