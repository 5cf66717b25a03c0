"""Issue 18 item 6 and the minor items, through the app as `serve` runs it (lifespan, real HTTP stack):
a damaged index is rebuilt with a log line, a read-only or full data dir gives 503 "storage unavailable"
for feedback while questions are answered and /healthz says degraded; admin auth is Bearer only; a long
upload name keeps its type."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sqlite3
import stat

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.feedback import FeedbackStore, feedback_path
from assistant.http.app import create_app
from assistant.http.routers.admin import MAX_NAME, MAX_NAME_BYTES, upload_name
from assistant.settings import Settings
from tests.conftest import SYNTHETIC_CORPUS

ADMIN_TOKEN = "fault-suite-admin-token-0123456789"
QUESTION = {"question": "宁波算力券补贴比例是多少?"}
FEEDBACK = {"rating": "up", "question": "宁波算力券补贴比例是多少?", "answer": "…", "citation_ids": []}


@pytest.fixture()
def data_dir(synthetic_data_dir, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(synthetic_data_dir, target, symlinks=True)
    return target


@pytest.fixture()
def serve_app(data_dir, fake_embedder, monkeypatch):
    """The app exactly as `serve` gets it (services built in the lifespan), with the fake embedder."""
    from assistant import services as services_module
    from assistant.http import app as app_module

    monkeypatch.setattr(app_module, "build_services", functools.partial(services_module.build_services, embedder=fake_embedder))
    settings = Settings(corpus_dir=SYNTHETIC_CORPUS, data_dir=data_dir, rate_limit_per_minute=0, admin_token=SecretStr(ADMIN_TOKEN))
    return create_app(settings)


def _current(data_dir):
    return (data_dir / "index" / "current").resolve()


def _truncate(path):
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])


def _scribble(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 64] = b"\xff\x00garbage\x00" * 6 + b"\xff" * 4
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    ("vectors.faiss", _truncate), ("vectors.faiss", _scribble), ("clauses.jsonl", _truncate), ("clauses.jsonl", _scribble),
    ("documents.json", _truncate), ("bm25_tokens.json", _scribble), ("manifest.json", _truncate),
])
def test_damaged_index_is_rebuilt_under_serve_with_a_log_line(serve_app, data_dir, synthetic_index, damage, caplog):
    name, hurt = damage
    clauses = len(synthetic_index.clauses)
    hurt(_current(data_dir) / name)
    caplog.set_level(logging.INFO)
    with TestClient(serve_app) as client:  # before: IndexLoadError stopped `serve`
        health = client.get("/healthz").json()
        assert health["clauses"] == clauses
        answer = client.post("/v1/ask", json=QUESTION)
        assert answer.status_code == 200 and answer.json()["citations"]
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.services"]
    assert any("rebuil" in line or "building" in line for line in lines), lines


def _make_read_only(monkeypatch, data_dir):
    """Read-only data dir: chmod when it binds us, else SQLite's own read-only mode (root ignores chmod)."""
    if os.geteuid() != 0:
        data_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
        path = feedback_path(data_dir)
        if path.exists():
            path.chmod(stat.S_IRUSR)
        return lambda: (data_dir.chmod(0o755), path.exists() and path.chmod(0o644))

    def read_only(self):
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1, isolation_level=None)

    monkeypatch.setattr(FeedbackStore, "_connect", read_only)
    return lambda: monkeypatch.undo()


def _make_full(monkeypatch, data_dir):
    connect = FeedbackStore._connect

    def full_disk(self):  # SQLite's own SQLITE_FULL: the file may not grow by one page
        conn = connect(self)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")
        return conn

    monkeypatch.setattr(FeedbackStore, "_connect", full_disk)
    return lambda: monkeypatch.undo()


@pytest.mark.parametrize("fault", [_make_read_only, _make_full], ids=["read-only", "disk-full"])
def test_storage_fault_is_503_and_health_degraded_while_questions_are_answered(serve_app, data_dir, monkeypatch, fault):
    with TestClient(serve_app) as client:
        for _ in range(3):
            assert client.post("/v1/feedback", json=FEEDBACK).status_code == 200
        restore = fault(monkeypatch, data_dir)
        try:
            filler = {**FEEDBACK, "comment": "x" * 1900}
            statuses = []
            while len(statuses) < 60 and 503 not in statuses:  # a full disk may still hold a row or two in free pages
                statuses.append(client.post("/v1/feedback", json=filler).status_code)
            assert set(statuses) <= {200, 503} and statuses[-1] == 503, statuses
            refused = [client.post("/v1/feedback", json=filler) for _ in range(2)]
            assert all(r.status_code == 503 for r in refused), [r.text for r in refused]
            assert "storage unavailable" in refused[0].json()["detail"]
            health = client.get("/healthz")
            assert health.status_code == 200 and health.json()["status"] == "degraded"
            assert any("unavailable" in reason for reason in health.json()["reasons"])
            assert client.post("/v1/ask", json=QUESTION).status_code == 200
        finally:
            restore()
        assert client.post("/v1/feedback", json=FEEDBACK).status_code == 200  # the fault cleared: back to normal
        assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions; covered by the simulated case above")
def test_read_only_data_dir_at_start_is_degraded_not_fatal(serve_app, data_dir):
    data_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with TestClient(serve_app) as client:
            assert client.post("/v1/ask", json=QUESTION).status_code == 200
            assert client.post("/v1/feedback", json=FEEDBACK).status_code == 503
            assert client.get("/healthz").json()["status"] == "degraded"
    finally:
        data_dir.chmod(0o755)


# -- admin auth and upload names (issue 18 minor items) ------------------------------------------


@pytest.mark.parametrize("header, status", [
    ({"Authorization": f"Bearer {ADMIN_TOKEN}"}, 200),
    ({"Authorization": f"bearer {ADMIN_TOKEN}"}, 200),  # the scheme is case-insensitive (RFC 7235)
    ({"Authorization": ADMIN_TOKEN}, 401),  # a bare token: refused (before: accepted)
    ({"Authorization": f"Basic {ADMIN_TOKEN}"}, 401),
    ({"Authorization": f"Token {ADMIN_TOKEN}"}, 401),
    ({"X-Admin-Token": ADMIN_TOKEN}, 401),  # DESIGN §6: the Authorization header only
    ({"Authorization": "Bearer "}, 401),
    ({}, 401),
])
def test_admin_accepts_only_a_bearer_token(serve_app, header, status):
    with TestClient(serve_app) as client:
        response = client.get("/v1/admin/feedback/export", headers=header)
        assert response.status_code == status, response.text
        if status == 401:
            assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("suffix", [".txt", ".docx", ".PDF", ".html"])
def test_long_upload_name_keeps_its_suffix(suffix):
    name = upload_name("人工智能产业发展若干政策措施实施细则" * 12 + suffix)
    assert len(name) <= MAX_NAME and len(name.encode()) <= MAX_NAME_BYTES
    assert name.endswith(suffix.lower()) and name.startswith("人工智能")


def test_long_upload_name_is_ingested_not_refused_for_its_type(serve_app, data_dir):
    text = ("苏州市人民政府办公室\n苏州市支持人工智能发展若干措施\n一、支持算力应用。对企业购买智能算力的,按合同金额的15%给予补贴,"
            "最高不超过60万元。(责任单位:市工信局)\n本措施自2024年9月1日起施行,有效期至2026年12月31日。\n")
    with TestClient(serve_app) as client:
        response = client.post("/v1/admin/documents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                               files={"file": ("苏州市支持人工智能发展若干措施的通知" * 10 + ".txt", text.encode(), "text/plain")})
        assert response.status_code == 200, response.text
        assert response.json()["added"].endswith(".txt")
