"""/docs and /redoc render in a real browser with every request off 127.0.0.1 blocked (the assets are the app's own)."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest

from tests.live_server import live_server
from tests.ui.test_browser_e2e import TIMEOUT_MS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base(built_data_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("docs-live") / "data"
    shutil.copytree(built_data_dir, data_dir, symlinks=True)
    with live_server(data_dir) as (url, _proc):
        yield url


@pytest.fixture()
def offline_page(browser):
    """A page whose requests to anywhere but 127.0.0.1 are aborted (and recorded)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def gate(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", gate)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page, blocked
    finally:
        context.close()


def test_swagger_ui_renders_offline(base, offline_page):
    page, blocked = offline_page
    page.goto(f"{base}/docs", wait_until="domcontentloaded")
    page.locator(".opblock").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/v1/ask", "/v1/ask/stream", "/v1/chat/completions", "/v1/models"} <= {p.strip().replace("\u200b", "") for p in paths}
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Policy assistant")
    assert blocked == []
    icon = page.request.get(f"{base}/favicon.ico")
    assert icon.ok and icon.headers["content-type"] == "image/x-icon"


def test_redoc_renders_offline(base, offline_page):
    page, blocked = offline_page
    page.goto(f"{base}/redoc", wait_until="domcontentloaded")
    page.locator("h2", has_text="Chat Completions").first.wait_for()  # an operation of the rendered reference
    assert page.locator("h2", has_text="Ask Stream").count() >= 1
    assert blocked == []
