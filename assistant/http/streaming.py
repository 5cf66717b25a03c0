"""Answers as a stream of text pieces, then the whole answer; and the server-sent-events framing.

The interface is `answer_events(bot, …) -> Iterator[str | Answer]`: text pieces, then exactly one `Answer` (the
authoritative, verified answer). An assistant that can stream (a future `ask_stream` with the same signature as
`ask`, e.g. over the LLM composer's token stream) is used as is; otherwise the finished answer is cut into a few
pieces at sentence boundaries, so clients written against the stream work the same with either composer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from assistant.types import Answer

# After these characters a piece may end (sentence ends, clause separators, line breaks).
_BREAK = re.compile(r"(?<=[。!?;!?;\n])|(?<=[.:])(?=\s)")
_SOFT_BREAK = re.compile(r"(?<=[,,、])")
MIN_PIECE = 24
MAX_PIECE = 120


def split_text(text: str, min_piece: int = MIN_PIECE, max_piece: int = MAX_PIECE) -> list[str]:
    """Cut `text` into pieces whose concatenation is exactly `text`: at sentence ends, long sentences at commas,
    runs without any break every `max_piece` characters; short pieces are merged with the next one."""
    raw: list[str] = []
    for sentence in (s for s in _BREAK.split(text) if s):
        if len(sentence) <= max_piece:
            raw.append(sentence)
            continue
        for part in (p for p in _SOFT_BREAK.split(sentence) if p):
            raw.extend(part[i:i + max_piece] for i in range(0, len(part), max_piece))
    pieces: list[str] = []
    for part in raw:
        if pieces and (len(pieces[-1]) < min_piece) and len(pieces[-1]) + len(part) <= max_piece:
            pieces[-1] += part
        else:
            pieces.append(part)
    return pieces


def answer_events(
    bot: Any, question: str, history: Sequence[dict], *, city: str | None = None, top_k: int | None = None,
    as_of: date | None = None,
) -> Iterator[str | Answer]:
    """Text pieces of the answer, then the `Answer` itself (see the module docstring)."""
    streamer = getattr(bot, "ask_stream", None)
    if callable(streamer):
        yield from streamer(question, history, city=city, top_k=top_k, as_of=as_of)
        return
    answer = bot.ask(question, history, city=city, top_k=top_k, as_of=as_of)
    yield from split_text(answer.text)
    yield answer


def started(events: Iterator[str | Answer]) -> Iterator[str | Answer]:
    """Run the stream up to its first event now (so a bad request still gets a plain 4xx before any byte is
    sent), and give back an iterator over all events."""
    first = next(events)

    def chained() -> Iterator[str | Answer]:
        yield first
        yield from events

    return chained()


def sse(data: Any, event: str | None = None) -> str:
    """One server-sent event; `data` is JSON-encoded (one line), or sent as is when it is a string marker."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"


SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

def sse_responses(description: str, event_names: tuple[str, ...] | None, json_data: bool) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a text/event-stream endpoint; the schema describes one event (OpenAPI < 3.2)."""
    data: dict[str, Any] = {"type": "string"}
    if json_data:
        data["contentMediaType"] = "application/json"
    event: dict[str, Any] = {"type": "object", "required": ["data"], "properties": {"data": data}}
    if event_names:
        event["required"] = ["event", "data"]
        event["properties"]["event"] = {"type": "string", "enum": list(event_names)}
    return {200: {"description": description, "content": {"text/event-stream": {"schema": event}}}}
