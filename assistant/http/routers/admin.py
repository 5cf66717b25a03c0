"""Admin endpoints (Bearer token): document upload (ingestion) and feedback export."""

from __future__ import annotations

import hmac
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from assistant.errors import InputError
from assistant.http.deps import FeedbackDep, ServicesDep, SettingsDep
from assistant.services import Services

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_NAME = 120  # characters of a stored upload's name…
MAX_NAME_BYTES = 200  # …and UTF-8 bytes (file systems allow 255; 120 Chinese characters are 360)
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
_ingest_lock = threading.Lock()


def require_admin(settings: SettingsDep, authorization: str = Header(default="")) -> None:
    """Only `Authorization: Bearer <token>` (DESIGN §6); a bare token or another header is refused."""
    scheme, _, token = authorization.strip().partition(" ")
    supplied = token.strip() if scheme.lower() == "bearer" else ""
    expected = settings.admin_token.get_secret_value()
    if not settings.admin_enabled:
        raise HTTPException(403, "admin endpoints are disabled on this server (no admin token configured)")
    if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise HTTPException(401, "admin token missing or wrong", headers={"WWW-Authenticate": "Bearer"})


router = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])


@router.post("/v1/admin/documents")
async def ingest(services: ServicesDep, file: UploadFile = File(...)) -> dict[str, Any]:
    name = upload_name(file.filename or "")
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"file larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    return await run_in_threadpool(ingest_bytes, services, name, data)


@router.get("/v1/admin/feedback/export")
def export_feedback(store: FeedbackDep, format: str = Query("jsonl", pattern="^(csv|jsonl)$")):
    text = store.export(format)
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return PlainTextResponse(text, media_type=f"{media}; charset=utf-8")


def upload_name(filename: str) -> str:
    """Base name only, safe characters, supported type; anything else is refused (no path traversal)."""
    base = Path(filename.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).lstrip(".")
    suffix = Path(cleaned).suffix.lower()
    if not cleaned or suffix not in UPLOAD_SUFFIXES:
        raise InputError(f"file name {filename!r} is not accepted; upload one of {', '.join(UPLOAD_SUFFIXES)}")
    stem = cleaned[: len(cleaned) - len(suffix)][: MAX_NAME - len(suffix)]  # a long stem is cut, never the type
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def ingest_bytes(services: Services, name: str, data: bytes) -> dict[str, Any]:
    """Add one uploaded file to the index and reload the services; nothing is added on a parse error."""
    from index.build import add_files
    from index.sources import SourceError

    settings = services.settings
    root = Path(settings.data_dir) / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    with _ingest_lock, tempfile.TemporaryDirectory(dir=root) as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            report = add_files([path], settings.corpus_dir, settings.data_dir, services.embedder, show_progress=False)
        except SourceError as exc:
            raise InputError(f"{exc} (nothing was added)") from exc
        services.reload()
    return {
        "added": name, "documents": report.documents, "clauses": report.clauses, "embedded": report.embedded,
        "rules": report.rules, "skipped_rules": list(report.skipped),
        "quarantined": [{"file": f, "reason": r} for f, r in report.quarantined],
        "flagged": [{"file": f, "reason": r} for f, r in report.flagged],
        "warnings": services.index.manifest.get("warnings", []),
    }
