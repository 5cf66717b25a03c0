"""The composition root: the only module that wires the API, the web UI and the evals together.

`serve` and the CLI come through here; `assistant/` below it imports neither `ui/` nor `evals/`.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import typer
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from assistant.http.app import create_app
from assistant.services import Services
from assistant.settings import Settings

log = logging.getLogger("assistant.root")


def web_app(settings: Settings | None = None, services: Services | None = None, with_ui: bool = True) -> FastAPI:
    """API and (unless `with_ui` is false) the Gradio UI at /ui, on one app."""
    app = create_app(settings, services)
    if with_ui and _mount_ui(app):
        target = "/ui"
    else:
        target = "/docs"

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse(target)

    return app


def ui_upload_dir(settings: Settings) -> Path:
    path = Path(settings.data_dir) / "uploads" / "ui"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _mount_ui(app: FastAPI) -> bool:
    try:
        import gradio as gr

        from ui.app import FAVICON_LINK, build_ui
        from ui.cards import CSS
    except ImportError as exc:  # the API works without the UI package
        log.warning("UI not mounted: %s", exc)
        return False
    # Files uploaded through the UI (the 管理 tab) stay inside the data dir, never in a shared /tmp folder.
    os.environ["GRADIO_TEMP_DIR"] = str(ui_upload_dir(app.state.settings))
    # No footer links or run history: the public UI should not advertise Gradio's API or settings pages.
    blocks = build_ui(lambda: app.state.services, lambda: getattr(app.state, "feedback", None))
    gr.mount_gradio_app(
        app,
        blocks,
        path="/ui",
        css=CSS,
        footer_links=[],
        run_history=False,
        head=FAVICON_LINK,  # mount_gradio_app ignores favicon_path below "/"; the API serves /favicon.ico
    )
    _client_errors_are_400(app, "/ui")
    _guard_events(app, "/ui", blocks)
    return True


_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Gradio's pages send as session_hash


def _guard_events(app: FastAPI, path: str, blocks) -> None:
    """Event calls checked against the page's own events before Gradio runs them (assistant/http/uiguard.py)."""
    from starlette.routing import Mount

    from assistant.http.uiguard import UIEventGuard

    def events(fn_index: int):
        fn = blocks.fns.get(fn_index)
        return None if fn is None or fn.fn is None else (len(fn.inputs), bool(fn.queue))

    for route in app.routes:
        if isinstance(route, Mount) and route.path == path:
            # A cancel is checked against Gradio's private session table (tests/assistant/test_body_limits.py); an
            # event stream only needs a well-formed session id: a page's stream can open before its messages are
            # queued, and refusing it there lost answers under load.
            sessions = blocks._queue.pending_messages_per_session
            route.app = UIEventGuard(route.app, events, lambda h: h in sessions, stream_ok=_SESSION_ID.fullmatch)


def _client_errors_are_400(app: FastAPI, path: str) -> None:
    """Gradio's routes index its tables with what the client sent (an unknown `fn_index` is a KeyError → 500):
    under the UI mount such lookup and value errors are the client's fault, answered 400. Our own handlers run
    in Gradio's queue worker, never inside these routes, so no bug of ours is hidden by this."""
    from fastapi.responses import JSONResponse
    from starlette.routing import Mount

    async def bad_request(request, exc: Exception):
        log.warning("malformed web-UI request on %s: %s", request.url.path, type(exc).__name__)
        return JSONResponse({"detail": "malformed request to the web UI"}, 400)

    for route in app.routes:
        if isinstance(route, Mount) and route.path == path:
            for cls in (LookupError, ValueError, TypeError):
                route.app.add_exception_handler(cls, bad_request)


def register_cli_extras(cli: typer.Typer) -> None:
    """Commands that live outside `assistant/` (the eval suite)."""
    from evals.cli import register

    register(cli)
