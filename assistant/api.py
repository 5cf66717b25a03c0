"""FastAPI app factory: the HTTP contract of DESIGN.md §6, admin endpoints, limits and request logs.

The lifespan loads the index once (building it first when missing, stale or damaged); every
handler only calls `PolicyAssistant`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import tempfile
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, File, Header, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from assistant import calculator
from assistant.chain import PolicyAssistant, load_assistant
from assistant.errors import AssistantError, InputError, NotFoundError
from assistant.feedback import FeedbackStore, feedback_path
from assistant.ratelimit import RateLimiter, retry_after_header
from assistant.schemas import (
    AskRequest,
    AskResponse,
    CalculateRequest,
    CalculationOut,
    FeedbackRequest,
    FeedbackResponse,
    SearchRequest,
    SearchResponse,
)
from assistant.settings import Settings, get_settings

log = logging.getLogger("assistant.api")
access_log = logging.getLogger("assistant.access")

MAX_BODY_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
RATE_LIMITED = ("/v1/ask", "/v1/search")


def _readable(errors: list[dict]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts) or "invalid request"


def _safe_errors(errors: list[dict]) -> list[dict]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in errors]


def create_app(settings: Settings | None = None, assistant: PolicyAssistant | None = None, mount_ui: bool = True) -> FastAPI:
    settings = settings or get_settings()
    limiter = RateLimiter(settings.rate_limit_per_minute)
    ingest_lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if getattr(app.state, "assistant", None) is None:
            app.state.assistant = await run_in_threadpool(_load_or_rebuild, settings)
        app.state.feedback = FeedbackStore(feedback_path(settings.data_dir))
        if not settings.admin_enabled:
            log.warning("admin endpoints disabled: POLICY_ADMIN_TOKEN is empty, a placeholder or shorter than 16 characters")
        yield

    app = FastAPI(
        title="Policy assistant",
        version="0.1.0",
        description="Cited answers about Chinese AI-industry support policies (杭州 · 嘉兴 · 郑州), with a deterministic subsidy calculator.",
        lifespan=lifespan,
    )
    app.state.assistant = assistant
    app.state.settings = settings

    def get_assistant(request: Request) -> PolicyAssistant:
        found = getattr(request.app.state, "assistant", None)
        if found is None:
            raise HTTPException(503, "the index is loading; try again in a moment")
        return found

    # -- middleware: body size, rate limits, access log ------------------------------------
    @app.middleware("http")
    async def guard(request: Request, call_next):
        started = time.perf_counter()
        client = request.client.host if request.client else "unknown"
        length = request.headers.get("content-length")
        limit = MAX_UPLOAD_BYTES + 64 * 1024 if request.url.path.startswith("/v1/admin/") else MAX_BODY_BYTES
        if length and length.isdigit() and int(length) > limit:
            return _finish(request, JSONResponse({"detail": f"request body too large (limit {limit} bytes)"}, 413), started, client)
        if request.url.path in RATE_LIMITED and request.method == "POST":
            wait = limiter.check(client)
            if wait:
                response = JSONResponse(
                    {"detail": "too many requests; please slow down / 请求过于频繁,请稍后再试"}, 429,
                    headers={"Retry-After": retry_after_header(wait)},
                )
                return _finish(request, response, started, client)
        try:
            response = await call_next(request)
        except Exception:  # last resort: never leak a stack trace
            log.exception("unhandled error on %s", request.url.path)
            response = JSONResponse({"detail": "internal error; the team has been notified"}, 500)
        return _finish(request, response, started, client)

    def _finish(request: Request, response, started: float, client: str):
        access_log.info(json.dumps({
            "method": request.method, "path": request.url.path, "status": response.status_code,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1), "client": client,
        }))
        return response

    # -- errors ----------------------------------------------------------------------------
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _readable(exc.errors()), "errors": _safe_errors(exc.errors())}, 422)

    @app.exception_handler(NotFoundError)
    async def on_not_found(request: Request, exc: NotFoundError):
        status = 422 if isinstance(exc, InputError) else 404
        return JSONResponse({"detail": str(exc)}, status)

    @app.exception_handler(AssistantError)
    async def on_assistant_error(request: Request, exc: AssistantError):
        return JSONResponse({"detail": str(exc)}, 422)

    # -- contract --------------------------------------------------------------------------
    @app.post("/v1/ask", response_model=AskResponse)
    def ask(body: AskRequest, request: Request, bot: PolicyAssistant = Depends(get_assistant)) -> AskResponse:
        response = bot.ask(body)
        question = body.question if settings.log_questions else hashlib.sha256(body.question.encode()).hexdigest()[:12]
        log.info(json.dumps({"event": "ask", "question": question, "refused": response.refused,
                             "citations": [c.id for c in response.citations], "latency_ms": response.latency_ms}, ensure_ascii=False))
        return response

    @app.post("/v1/search", response_model=SearchResponse)
    def search(body: SearchRequest, bot: PolicyAssistant = Depends(get_assistant)) -> SearchResponse:
        return bot.search(body)

    @app.get("/v1/programs")
    def programs() -> dict[str, Any]:
        return {"programs": calculator.programs_schema()}

    @app.post("/v1/calculate", response_model=CalculationOut)
    def calculate(body: CalculateRequest) -> CalculationOut:
        result = calculator.calculate(body.program, body.inputs, lang=body.lang)
        return CalculationOut(**result.to_contract())

    @app.get("/v1/documents")
    def documents(bot: PolicyAssistant = Depends(get_assistant)) -> dict[str, Any]:
        return {"documents": bot.documents()}

    @app.get("/v1/documents/{doc_id}/clauses")
    def document_clauses(doc_id: str, bot: PolicyAssistant = Depends(get_assistant)) -> dict[str, Any]:
        return {"clauses": bot.document_clauses(doc_id)}

    @app.get("/v1/clauses/{clause_id:path}")
    def clause(clause_id: str, bot: PolicyAssistant = Depends(get_assistant)) -> dict[str, Any]:
        return bot.clause(clause_id)

    @app.post("/v1/feedback", response_model=FeedbackResponse)
    def feedback(body: FeedbackRequest, request: Request) -> FeedbackResponse:
        store: FeedbackStore = request.app.state.feedback
        new_id = store.add(body.rating, body.question, body.answer, body.citation_ids, body.comment)
        return FeedbackResponse(id=new_id)

    @app.get("/healthz")
    def healthz(request: Request) -> dict[str, Any]:
        bot = getattr(request.app.state, "assistant", None)
        if bot is None:
            return JSONResponse({"status": "loading"}, 503)
        manifest = bot.index.manifest
        return {
            "status": "ok",
            "documents": len(bot.index.documents),
            "clauses": len(bot.index.clauses),
            "embedder": manifest.get("embedder"),
            "built_at": manifest.get("built_at"),
            "composer": settings.llm,
        }

    # -- admin (token required; absent unless a real token is configured) -----------------
    def require_admin(authorization: str = Header(default=""), x_admin_token: str = Header(default="")) -> None:
        supplied = x_admin_token or authorization.removeprefix("Bearer ").strip()
        expected = settings.admin_token.get_secret_value()
        if not settings.admin_enabled:
            raise HTTPException(403, "admin endpoints are disabled on this server (no admin token configured)")
        if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
            raise HTTPException(401, "admin token missing or wrong", headers={"WWW-Authenticate": "Bearer"})

    @app.post("/v1/admin/documents", dependencies=[Depends(require_admin)])
    async def ingest(request: Request, file: UploadFile = File(...)) -> dict[str, Any]:
        name = _upload_name(file.filename or "")
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"file larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        report = await run_in_threadpool(_ingest, request.app, settings, name, data, ingest_lock)
        return report

    @app.get("/v1/admin/feedback/export", dependencies=[Depends(require_admin)])
    def export_feedback(request: Request, format: str = Query("jsonl", pattern="^(csv|jsonl)$")):
        text = request.app.state.feedback.export(format)
        media = "text/csv" if format == "csv" else "application/x-ndjson"
        return PlainTextResponse(text, media_type=f"{media}; charset=utf-8")

    _document_error_shape(app)
    if mount_ui:
        _mount_ui(app)
    else:
        @app.get("/", include_in_schema=False)
        def root():
            return RedirectResponse("/docs")

    return app


def _document_error_shape(app: FastAPI) -> None:
    """Make the OpenAPI schema describe our readable 422 body (`detail` is a sentence, not a list)."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["HTTPValidationError"] = {
                "title": "HTTPValidationError",
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "detail": {"type": "string", "description": "what is wrong, in plain words"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                },
            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _upload_name(filename: str) -> str:
    """Base name only, safe characters, supported type; anything else is refused (no path traversal)."""
    base = Path(filename.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).lstrip(".")
    suffix = Path(cleaned).suffix.lower()
    if not cleaned or suffix not in UPLOAD_SUFFIXES:
        raise InputError(f"file name {filename!r} is not accepted; upload one of {', '.join(UPLOAD_SUFFIXES)}")
    return cleaned[:120]


def _ingest(app: FastAPI, settings: Settings, name: str, data: bytes, lock: threading.Lock) -> dict[str, Any]:
    from index.build import add_files
    from index.embedders import make_embedder
    from index.sources import SourceError
    from index.store import load_index

    with lock, tempfile.TemporaryDirectory(dir=_tmp_root(settings)) as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        embedder = make_embedder(settings.embedder, settings.embed_model)
        try:
            report = add_files([path], settings.corpus_dir, settings.data_dir, embedder, show_progress=False)
        except SourceError as exc:
            raise InputError(f"{exc} (nothing was added)") from exc
        index = load_index(settings.data_dir, expected_embedder=embedder.name)
        old: PolicyAssistant = app.state.assistant
        app.state.assistant = PolicyAssistant(index, embedder, settings, composer=old.composer if old else None)
    return {"added": name, "documents": report.documents, "clauses": report.clauses, "embedded": report.embedded}


def _tmp_root(settings: Settings) -> Path:
    root = Path(settings.data_dir) / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _load_or_rebuild(settings: Settings) -> PolicyAssistant:
    """Load the index; a damaged one (checksum, missing file) is rebuilt once, loudly."""
    from index.store import IndexLoadError

    try:
        return load_assistant(settings, build_if_needed=True)
    except IndexLoadError as exc:
        log.warning("index unusable (%s); rebuilding from %s", exc, settings.corpus_dir)
        from index.build import build_index
        from index.embedders import make_embedder

        build_index(settings.corpus_dir, settings.data_dir, make_embedder(settings.embedder, settings.embed_model), show_progress=False)
        return load_assistant(settings, build_if_needed=False)


def _mount_ui(app: FastAPI) -> None:
    try:
        import gradio as gr

        from ui.app import build_ui
        from ui.cards import CSS
    except ImportError as exc:  # the API works without the UI package
        log.warning("UI not mounted: %s", exc)
        return
    # No footer links or run history: the public UI should not advertise Gradio's API or settings pages.
    gr.mount_gradio_app(
        app,
        build_ui(lambda: app.state.assistant, lambda: app.state.feedback),
        path="/ui",
        css=CSS,
        footer_links=[],
        run_history=False,
    )

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui")
