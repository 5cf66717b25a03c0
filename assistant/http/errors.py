"""Every error class mapped to an HTTP status in one place; the body is always a readable `detail`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.errors import IndexUnavailableError, InputError, NotFoundError, StorageUnavailableError
from index.errors import PolicyError
from index.sources import SourceError
from index.store import IndexLoadError

# Most specific first: UnknownProgramError is both NotFound and Input, and is a 422 for the calculator.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (InputError, 422),
    (NotFoundError, 404),
    (SourceError, 422),
    (IndexLoadError, 503),
    (IndexUnavailableError, 503),
    (StorageUnavailableError, 503),
    (PolicyError, 422),
)


def status_for(exc: Exception) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 500)


def readable(errors: list[dict]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts) or "invalid request"


def _safe_errors(errors: list[dict]) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in errors]


OPENAI_PATHS = ("/v1/chat/", "/v1/models")


def with_openai_error(request: Request, body: dict[str, Any], status: int) -> dict[str, Any]:
    """On the OpenAI-compatible routes the body also carries OpenAI's `error` object, which their clients show."""
    if request.url.path.startswith(OPENAI_PATHS):
        kind = "invalid_request_error" if status < 500 else "server_error"
        body["error"] = {"message": body["detail"], "type": kind, "param": None, "code": None}
    return body


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError):
        body = {"detail": readable(exc.errors()), "errors": _safe_errors(exc.errors())}
        return JSONResponse(with_openai_error(request, body, 422), 422)

    @app.exception_handler(PolicyError)
    async def on_policy_error(request: Request, exc: PolicyError):
        status = status_for(exc)
        return JSONResponse(with_openai_error(request, {"detail": str(exc)}, status), status)
