"""Issue 18 item 2: request bodies bounded by the bytes actually read and by time, on every route.

A real uvicorn server (in a thread, on the synthetic index with the fake embedder) and raw sockets: the
attacks need chunked encoding and a body shorter than its Content-Length, which an HTTP client library
will not send.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time

import pytest
import uvicorn

from assistant.http.bodylimit import BodyLimitMiddleware
from tests.conftest import SYNTHETIC_CORPUS
from tests.live_server import free_port

BODY_TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def server(synthetic_data_dir, fake_embedder, tmp_path_factory):
    from assistant.root import web_app
    from assistant.services import build_services
    from assistant.settings import Settings

    data_dir = tmp_path_factory.mktemp("bodies") / "data"
    shutil.copytree(synthetic_data_dir, data_dir, symlinks=True)
    settings = Settings(corpus_dir=SYNTHETIC_CORPUS, data_dir=data_dir, rate_limit_per_minute=0, body_timeout_s=BODY_TIMEOUT_S)
    services = build_services(settings, build_if_needed=False, embedder=fake_embedder)
    port = free_port()
    config = uvicorn.Config(web_app(settings, services), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not srv.started:
        assert time.time() < deadline, "server did not start"
        time.sleep(0.05)
    yield port
    srv.should_exit = True
    thread.join(10)


def _request(port: int, head: str, chunks=(), pause: float = 0.0, timeout: float = 10.0) -> tuple[int, dict, float]:
    """Send a raw request; return (status, JSON body or {}, seconds until the answer)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode())
        try:
            for chunk in chunks:
                s.sendall(chunk)
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: the rest is never read
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected(data):
            try:
                part = s.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            data += part
    elapsed = time.perf_counter() - started
    head_part, _, body = data.partition(b"\r\n\r\n")
    status = int(head_part.split(b" ", 2)[1])
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    return status, parsed, elapsed


def _expected(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + 4 + int(line.split(b":")[1])
    return len(data)


def _chunked(total: int, size: int = 16 * 1024):
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield f"{n:x}\r\n".encode() + b"a" * n + b"\r\n"
        sent += n
    yield b"0\r\n\r\n"


def test_normal_requests_still_pass(server):
    body = json.dumps({"question": "宁波算力券补贴多少?"}).encode()
    status, answer, _ = _request(server, f"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n", [body])
    assert status == 200 and answer["answer"]


def test_chunked_body_over_the_limit_is_refused_without_reading_it_all(server):
    """Before: no Content-Length, so the whole chunked body was read (4 × 200 MB → 1.7 GB RSS)."""
    status, body, _ = _request(
        server, "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        _chunked(4 * 1024 * 1024),
    )
    assert status == 413 and "65536" in body["detail"]


def test_chunked_feedback_body_over_the_limit_is_refused(server):
    payload = json.dumps({"rating": "down", "question": "q", "citation_ids": ["x" * 40] * 5000}).encode()
    status, body, _ = _request(
        server, "POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        [f"{len(payload):x}\r\n".encode() + payload + b"\r\n", b"0\r\n\r\n"],
    )
    assert status == 413, body


def test_gradio_upload_route_is_bounded_and_stores_inside_the_data_dir(server):
    """Before: anonymous chunked uploads of any size to Gradio's upload route were stored outside the data dir."""
    import os

    assert "uploads" in os.environ["GRADIO_TEMP_DIR"] and "bodies" in os.environ["GRADIO_TEMP_DIR"]
    boundary = "XyZ"
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode() + b"b" * 6_000_000 + f"\r\n--{boundary}--\r\n".encode()
    status, body, _ = _request(
        server, f"POST /ui/gradio_api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        [f"{len(part):x}\r\n".encode() + part + b"\r\n", b"0\r\n\r\n"],
    )
    assert status == 413, body


def test_declared_length_over_the_limit_is_refused_before_reading(server):
    status, body, elapsed = _request(server, "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n")
    assert status == 413 and elapsed < BODY_TIMEOUT_S


def test_body_shorter_than_its_length_does_not_hang(server):
    """Before: the worker waited for the missing bytes for ever."""
    status, body, elapsed = _request(
        server, "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
        [b'{"question": "'], timeout=BODY_TIMEOUT_S + 8,
    )
    assert status == 408 and "not received" in body["detail"]
    assert BODY_TIMEOUT_S * 0.9 <= elapsed < BODY_TIMEOUT_S + 3


def test_trickling_body_is_cut_at_the_deadline(server):
    """A byte every 0.3 s keeps a per-read timeout happy; the deadline counts the whole body."""
    status, _, elapsed = _request(
        server, "POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n",
        [b"{"] + [b" "] * 30, pause=0.3, timeout=BODY_TIMEOUT_S + 12,
    )
    assert status == 408 and elapsed < BODY_TIMEOUT_S + 3


def test_gradio_event_call_with_a_long_chat_history_passes(server):
    """The /ui prefix allows a session's chat history (1 MB), more than the API's 64 KB."""
    body = json.dumps({"data": ["x" * 200_000], "fn_index": 9999, "session_hash": "abc"}).encode()
    status, _, _ = _request(server, f"POST /ui/gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n", [body])
    assert status != 413 and status < 500


async def _run_asgi(app, messages):
    sent = []
    queue = list(messages)

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "path": "/v1/ask", "headers": []}, receive, send)
    return sent


def test_an_app_that_swallows_the_refusal_still_answers_413():
    """Gradio or FastAPI may turn the interrupted read into their own 400/500: the refusal wins."""
    import asyncio

    async def swallowing_app(scope, receive, send):
        try:
            while (await receive()).get("more_body"):
                pass
        except Exception:
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b"boom"})

    app = BodyLimitMiddleware(swallowing_app, limits=(), default=10)
    sent = asyncio.run(_run_asgi(app, [{"type": "http.request", "body": b"x" * 8, "more_body": True},
                                       {"type": "http.request", "body": b"x" * 8, "more_body": False}]))
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [413]
    assert b"too large" in sent[-1]["body"]


def test_serve_caps_connections_and_idle_keep_alive(monkeypatch):
    """`serve` hands uvicorn a cap on concurrent connections and short keep-alive/header limits."""
    from typer.testing import CliRunner

    import assistant.cli as cli
    from assistant.http.bodylimit import SERVER_LIMITS

    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw))
    monkeypatch.setattr(cli, "_services", lambda settings: type("S", (), {"catalogue": type("C", (), {"documents": []})(), "index": type("I", (), {"clauses": []})()})())
    monkeypatch.setattr("assistant.root.web_app", lambda settings, services: object())
    result = CliRunner().invoke(cli.app, ["serve", "--port", "8999"])
    assert result.exit_code == 0, result.output
    assert seen["limit_concurrency"] == SERVER_LIMITS["limit_concurrency"] <= 512
    assert seen["timeout_keep_alive"] <= 10 and seen["h11_max_incomplete_event_size"] <= 64 * 1024


# -- Gradio's event routes: the page's own events only (assistant/http/uiguard.py) -----------------


def _ui_events(port):
    import httpx

    config = httpx.get(f"http://127.0.0.1:{port}/ui/config", timeout=10).json()
    return {d["id"]: d for d in config["dependencies"]}


def _post(port, path, payload):
    import httpx

    return httpx.post(f"http://127.0.0.1:{port}{path}", json=payload, timeout=20)


def test_gradio_programmatic_api_routes_are_closed(server):
    """Before: /ui/gradio_api/run/respond with two values was a 500 ("needed: 4, got: 2")."""
    for path in ("/ui/gradio_api/run/respond", "/ui/gradio_api/call/respond", "/ui/gradio_api/run/respond_1"):
        response = _post(server, path, {"data": ["宁波算力券", []]})
        assert response.status_code == 404 and "/v1" in response.json()["detail"], (path, response.text)


def test_gradio_event_calls_are_checked_against_the_page(server):
    events = _ui_events(server)
    queued = next(i for i, d in events.items() if d.get("queue", True) is not False and len(d.get("inputs", [])) >= 2)
    unqueued = next(i for i, d in events.items() if d.get("queue") is False)
    unknown = _post(server, "/ui/gradio_api/queue/join", {"data": [], "fn_index": 99999, "session_hash": "s1"})
    assert unknown.status_code == 404  # before: KeyError → 500
    short = _post(server, "/ui/gradio_api/queue/join", {"data": ["x"], "fn_index": queued, "session_hash": "s1"})
    assert short.status_code == 422 and "input values" in short.json()["detail"]
    queued_by_run = _post(server, "/ui/gradio_api/run/predict", {"data": ["x"] * 8, "fn_index": queued, "session_hash": "s1"})
    assert queued_by_run.status_code == 404
    # what the page itself sends still works
    inputs = len(events[unqueued].get("inputs", []))
    ok = _post(server, "/ui/gradio_api/run/predict", {"data": ["宁波算力券"] * inputs, "fn_index": unqueued, "session_hash": "s1", "trigger_id": None})
    assert ok.status_code == 200, ok.text
    joined = _post(server, "/ui/gradio_api/queue/join", {"data": [None] * len(events[queued]["inputs"]), "fn_index": queued, "session_hash": "s2"})
    assert joined.status_code == 200 and "event_id" in joined.json()
    import httpx

    with httpx.stream("GET", f"http://127.0.0.1:{server}/ui/gradio_api/queue/data", params={"session_hash": "s2"}, timeout=20) as stream:
        assert stream.status_code == 200
        first = next(stream.iter_lines())
        assert first.startswith("data:"), first


def test_gradio_event_stream_needs_a_well_formed_session(server):
    """A malformed session id is refused plainly; a well-formed one may open its stream before its messages are
    queued (refusing it there lost answers under load)."""
    import httpx

    response = httpx.get(f"http://127.0.0.1:{server}/ui/gradio_api/queue/data", params={"session_hash": "\x00" * 100}, timeout=10)
    assert response.status_code == 404


def test_deeply_nested_event_body_is_a_400(server):
    import httpx

    body = b'{"data": ' + b"[" * 20000 + b"]" * 20000 + b', "fn_index": 0}'
    response = httpx.post(f"http://127.0.0.1:{server}/ui/gradio_api/queue/join", content=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
