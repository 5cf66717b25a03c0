"""GET /healthz."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.head("/healthz", include_in_schema=False)
@router.get("/healthz")
def healthz(request: Request) -> Any:
    services = getattr(request.app.state, "services", None)
    if services is None:
        return JSONResponse({"status": "loading"}, 503)
    manifest = services.index.manifest
    store = getattr(request.app.state, "feedback", None)
    reasons = [r for r in (store.degraded_reason if store is not None else "feedback storage not started",) if r]
    return {
        "status": "degraded" if reasons else "ok",
        "reasons": reasons,
        "documents": len(services.catalogue.documents),
        "clauses": len(services.index.clauses),
        "embedder": manifest.get("embedder"),
        "built_at": manifest.get("built_at"),
        "composer": services.settings.llm,
    }
