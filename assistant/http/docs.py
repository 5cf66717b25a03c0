"""/docs (Swagger UI), /redoc and /favicon.ico served by the app itself: no CDN, so the pages work offline.

The Swagger UI and ReDoc bundles come from the `fastapi-offline` package (MIT; it ships the files FastAPI would load
from a CDN); the icon is ours (assistant/http/static/favicon.ico)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/static-docs"
# The pages may load nothing from elsewhere (the ReDoc bundle would fetch its vendor's logo; the browser skips it).
OFFLINE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'self'"
)
FAVICON = Path(__file__).with_name("static") / "favicon.ico"


def assets_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI) -> None:
    """Add /docs, /redoc, /favicon.ico and the static assets they use (create the app with docs_url=None,
    redoc_url=None so FastAPI's CDN-backed pages are not registered)."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")
    oauth_redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _offline(get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} – API docs",
            oauth2_redirect_url=f"{root}{oauth_redirect}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js", swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}/favicon.ico",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from an outside validator
        ))

    @app.get(oauth_redirect, include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _offline(get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} – API reference",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js", redoc_favicon_url=f"{root}/favicon.ico",
            with_google_fonts=False,
        ))

    @app.api_route("/favicon.ico", methods=["GET", "HEAD"], include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = OFFLINE_CSP
    return page
