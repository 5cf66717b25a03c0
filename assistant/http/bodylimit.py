"""Request bodies bounded by the bytes actually read, and by time (a pure ASGI middleware).

The Content-Length header is only a claim: a chunked body has none, and a body shorter than its
Content-Length never ends. So the limit is enforced on the `http.request` messages the app receives,
on every route (the API, the admin upload and Gradio's routes under /ui alike):

- a declared Content-Length over the limit → 413 before a byte is read;
- the bytes received so far over the limit → 413 at once (the rest is never read);
- the body not complete `timeout_s` after the request started → 408 (a stalled or trickling client
  never holds a worker for long).

Once a body is refused, whatever the app tries to answer is replaced by the refusal (an app may turn the
interrupted read into its own 400 or 500), and the connection is closed.

Limits by path prefix, longest first (`BODY_LIMITS`): admin uploads carry a file (5 MB + the multipart
envelope); the Gradio event calls carry the chat history of a web-UI session; the web UI has no file
input, so Gradio's upload route accepts no bytes at all (its files would land outside the data dir).
Everything else is JSON of a question or a calculation: 64 KB.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Awaitable, Callable, Mapping

log = logging.getLogger("assistant.api")

Scope = Mapping[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_BODY_BYTES = 64 * 1024
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/ui/gradio_api/upload", 5 * 1024 * 1024 + 64 * 1024),  # the 管理 tab's document upload (token checked on use)
    ("/v1/admin/", 5 * 1024 * 1024 + 64 * 1024),  # MAX_UPLOAD_BYTES + multipart envelope
    ("/ui/", 1024 * 1024),  # Gradio event calls post the session's chat history
    ("/v1/chat/completions", 1024 * 1024),  # chat clients resend the whole conversation (trimmed on arrival)
)
BODY_TIMEOUT_S = 30.0
# uvicorn settings for `serve`: at most 256 connections and requests at once (beyond, uvicorn answers 503 at
# once instead of queueing — an office of ~50 browsers keeps ~100 open), idle keep-alive connections closed
# after 5 s, at most 32 KB of an incomplete request head buffered. Trickling bodies end at BODY_TIMEOUT_S.
SERVER_LIMITS: Mapping[str, int] = {"limit_concurrency": 256, "timeout_keep_alive": 5, "h11_max_incomplete_event_size": 32 * 1024}


class BodyRefused(Exception):
    """Raised from `receive` into the app once the body is refused; the middleware answers instead."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def limit_for(path: str, limits: tuple[tuple[str, int], ...] = BODY_LIMITS, default: int = DEFAULT_BODY_BYTES) -> int:
    for prefix, limit in sorted(limits, key=lambda item: -len(item[0])):
        if path.startswith(prefix):
            return limit
    return default


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, limits: tuple[tuple[str, int], ...] = BODY_LIMITS,
        default: int = DEFAULT_BODY_BYTES, timeout_s: float = BODY_TIMEOUT_S,
    ) -> None:
        self.app = app
        self.limits = limits
        self.default = default
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""), self.limits, self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, 413, _too_large(limit))
            return
        deadline = time.monotonic() + self.timeout_s
        state = {"read": 0, "done": False, "refused": None, "started": False}

        async def guarded_receive() -> Message:
            if state["refused"] is not None:
                raise state["refused"]
            if state["done"]:  # after the body: disconnect notices, no deadline
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
            except asyncio.TimeoutError:
                state["refused"] = BodyRefused(408, f"request body not received within {self.timeout_s:g} s")
                raise state["refused"] from None
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["refused"] = BodyRefused(413, _too_large(limit))
                    raise state["refused"]
                state["done"] = not message.get("more_body", False)
            else:  # http.disconnect
                state["done"] = True
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"] is not None:
                if not state["started"]:  # the app answered the interrupted read: answer the refusal instead
                    state["started"] = True
                    await _refuse(send, state["refused"].status, state["refused"].detail)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except BodyRefused:
            pass
        except Exception:
            if state["refused"] is None:
                raise
        refused = state["refused"]
        if refused is not None:
            log.warning("request body refused on %s: %s (%d bytes read)", scope.get("path"), refused.detail, state["read"])
            if not state["started"]:
                state["started"] = True
                await _refuse(send, refused.status, refused.detail)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(limit: int) -> str:
    if limit == 0:
        return "this route accepts no request body"
    return f"request body too large (limit {limit} bytes)"


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")],
    })
    await send({"type": "http.response.body", "body": body})
