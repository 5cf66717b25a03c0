"""Start the real server (`python -m assistant.cli serve`) as a subprocess on a free local port.

Shared by the tests that need a live HTTP server (browser end-to-end tests, load tests). The
server's output goes to a log file next to the data dir, so a chatty server can never block on a
full pipe, and the log tail is included when start-up fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(
    data_dir: Path, timeout_s: float = 180, *, command: list[str] | None = None, cwd: Path = REPO, **env: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Yield (base URL, process) once /healthz answers 200; stop the server afterwards.

    `command` replaces `python -m assistant.cli` (e.g. an installed `policy-assistant` script);
    `serve --host … --port …` is appended to it.
    """
    port = free_port()
    log_path = Path(data_dir).parent / f"server-{port}.log"
    full_env = dict(
        os.environ,
        POLICY_HOST="127.0.0.1",
        POLICY_PORT=str(port),
        POLICY_DATA_DIR=str(data_dir),
        POLICY_RATE_LIMIT_PER_MINUTE="0",
        GRADIO_ANALYTICS_ENABLED="False",
        **env,
    )
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*(command or [sys.executable, "-m", "assistant.cli"]), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=full_env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def tail() -> str:
        return log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""

    try:
        deadline = time.time() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{tail()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"server did not become healthy in {timeout_s:.0f} s:\n{tail()}")
            time.sleep(0.3)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
