"""FastAPI app factory for the HTTP contract of DESIGN §6: routers, errors, limits; no UI (see assistant/root.py)."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from assistant.errors import StorageUnavailableError
from assistant.feedback import FeedbackStore, feedback_path
from assistant.http import docs, errors, middleware
from assistant.http.routers import admin, ask, calculator, catalogue, feedback, health, match, openai_compat, stream
from assistant.services import Services, build_services
from assistant.settings import Settings, get_settings

log = logging.getLogger("assistant.api")

DESCRIPTION = (
    "Cited answers about the industry-support policies in the loaded corpus (GET /v1/documents lists them), "
    "with a deterministic subsidy calculator."
)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The API over `services` (built in the lifespan when not given, so the port opens at once)."""
    settings = settings or (services.settings if services else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if getattr(app.state, "services", None) is None:
            app.state.services = await run_in_threadpool(build_services, settings)
        try:
            app.state.feedback = FeedbackStore(feedback_path(settings.data_dir))
        except StorageUnavailableError as exc:  # Q&A keeps serving; feedback answers 503, /healthz says why
            log.error("feedback storage unavailable: %s", exc)
            app.state.feedback = None
        if not settings.admin_enabled:
            log.warning("admin endpoints disabled: POLICY_ADMIN_TOKEN is empty, a placeholder or shorter than 16 characters")
        yield

    app = FastAPI(title="Policy assistant", version="0.2.0", description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.services = services
    app.state.settings = settings
    middleware.install(app, settings)
    errors.install(app)
    routers = (ask, stream, openai_compat, match, catalogue, calculator, feedback, health, admin)
    for module in routers:
        app.include_router(module.router)
    docs.install(app)  # /docs, /redoc and /favicon.ico from the app's own files (works offline)
    _document_error_shape(app)
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
