"""Event calls to the web UI checked before Gradio sees them (a pure ASGI wrapper around the UI mount).

Gradio answers a call naming an unknown event, or carrying fewer input values than the event takes, with
a 500 — and runs the handler on whatever it is given. The page itself only ever sends queued events
through `…/queue/join` and unqueued ones through `…/run/predict`; Gradio's programmatic API
(`…/run/<name>`, `…/call/<name>`) is not part of this product (the API is /v1). So:

- `…/run/<name>` other than `predict`, and `…/call/…` → 404 (use the /v1 API);
- an event that is not the page's (unknown `fn_index`) → 404; a queued event sent to `…/run/predict`
  (the page queues it) → 404;
- fewer input values than the event takes → 422; a body that is not JSON Gradio can read → 400;
- `…/queue/data` for a session with nothing queued → 404 (Gradio would start the event stream and then
  fail inside it: an ASGI error and a reset connection).

`events(fn_index) -> (inputs, queued) | None` describes the UI's events and `has_session(hash)` says
whether a session has events queued (both built from the Blocks in assistant/root.py, so this module
knows nothing of Gradio).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs
from typing import Any, Callable

from assistant.http.bodylimit import ASGIApp, Message, Receive, Scope, Send, _refuse

Events = Callable[[int], "tuple[int, bool] | None"]
_ROUTE = re.compile(r"/gradio_api/(?P<kind>queue/join|run|call)(?:/(?P<name>[^/]*))?/?$")
_DATA = re.compile(r"/gradio_api/queue/data/?$")
_CANCEL = re.compile(r"/gradio_api/cancel/?$")


class UIEventGuard:
    def __init__(
        self, app: ASGIApp, events: Events, has_session: Callable[[str], bool] = lambda _: True,
        stream_ok: Callable[[str], object] | None = None,
    ) -> None:
        self.app = app
        self.events = events
        self.has_session = has_session
        # which event streams may open (default: sessions with something queued)
        self.stream_ok = stream_ok or has_session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET" and _DATA.search(scope.get("path", "")):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if not self.stream_ok(query.get("session_hash", [""])[0]):
                await _refuse(send, 404, "no queued event for this session")
                return
        if scope["type"] == "http" and scope.get("method") == "POST" and _CANCEL.search(scope.get("path", "")):
            body, messages = await _read_body(receive)
            try:
                session = json.loads(body or b"{}").get("session_hash", "")
            except (ValueError, AttributeError):
                session = ""
            if not self.has_session(str(session)):  # nothing of this session is queued: nothing to cancel
                await _refuse(send, 404, "no queued event for this session")
                return
            replay = list(messages)

            async def replayed_cancel() -> Message:
                return replay.pop(0) if replay else await receive()

            await self.app(scope, replayed_cancel, send)
            return
        match = _ROUTE.search(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        kind, name = match["kind"], match["name"]
        if kind == "call" or (kind == "run" and name != "predict"):
            await _refuse(send, 404, "the web UI has no programmatic API; use the /v1 API (see /docs)")
            return
        if kind == "queue/join" and name:
            await self.app(scope, receive, send)
            return
        body, messages = await _read_body(receive)
        problem = self._problem(body, queued_route=kind == "queue/join")
        if problem is not None:
            await _refuse(send, *problem)
            return
        replay = list(messages)

        async def replayed() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed, send)

    def _problem(self, body: bytes, queued_route: bool) -> tuple[int, str] | None:
        try:
            payload: Any = json.loads(body)
        except ValueError:
            return None  # Gradio answers malformed JSON itself (422)
        except RecursionError:  # nested thousands deep
            return 400, "malformed JSON body"
        if not isinstance(payload, dict) or not isinstance(payload.get("fn_index"), int) or isinstance(payload.get("fn_index"), bool):
            return None
        event = self.events(payload["fn_index"])
        if event is None:
            return 404, "no such event in the web UI"
        inputs, queued = event
        if queued and not queued_route:
            return 404, "this event runs through the queue (…/queue/join)"
        data = payload.get("data")
        if isinstance(data, list) and len(data) < inputs:
            return 422, f"this event takes {inputs} input values (got {len(data)})"
        return None


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body (already bounded by BodyLimitMiddleware) and the messages to replay."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages
