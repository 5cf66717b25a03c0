"""The composition root: the only module that wires the API, the web UI and the evals together.

`serve` and the CLI come through here; `assistant/` below it imports neither `ui/` nor `evals/`.
"""

from __future__ import annotations

import logging

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


def _mount_ui(app: FastAPI) -> bool:
    try:
        import gradio as gr

        from ui.app import FAVICON_LINK, build_ui
        from ui.cards import CSS
    except ImportError as exc:  # the API works without the UI package
        log.warning("UI not mounted: %s", exc)
        return False
    # No footer links or run history: the public UI should not advertise Gradio's API or settings pages.
    gr.mount_gradio_app(
        app,
        build_ui(lambda: app.state.services, lambda: getattr(app.state, "feedback", None)),
        path="/ui",
        css=CSS,
        footer_links=[],
        run_history=False,
        head=FAVICON_LINK,  # mount_gradio_app ignores favicon_path below "/"; the API serves /favicon.ico
    )
    return True


def register_cli_extras(cli: typer.Typer) -> None:
    """Commands that live outside `assistant/` (the eval suite)."""
    from evals.cli import register

    register(cli)
