"""Bounded load on a live server (127.0.0.1): zero errors under concurrency, memory flat over 10,000 requests."""

from __future__ import annotations

import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.live_server import live_server

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

QUESTIONS = [
    "杭州单家企业每年最多能申领多少算力券?",
    "我们在杭州用国产算力训练模型,合同1000万元,能拿多少算力券?",
    "嘉兴一家企业使用智算算力,实际使用300万元,能补贴多少?",
    "郑州算力券,单个合同800万元,能申请多少?",
    "郑州小巨人企业奖励多少?",
    "嘉兴人工智能实施方案的文号是什么?",
    "What is the maximum compute voucher per company per year in Hangzhou?",
    "上海的算力券政策是什么?",
]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.fixture(scope="module")
def server(built_data_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("live") / "data"
    shutil.copytree(built_data_dir, data_dir, symlinks=True)
    with live_server(data_dir, POLICY_LOG_QUESTIONS="false") as running:
        yield running


def _hammer(base: str, total: int, concurrency: int) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base, timeout=30, limits=limits) as http:

        def one(i: int) -> None:
            started = time.perf_counter()
            try:
                r = http.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                if r.status_code != 200 or "answer" not in r.json():
                    errors.append(f"{r.status_code}: {r.text[:200]}")
            except httpx.HTTPError as exc:
                errors.append(repr(exc))
            latencies.append((time.perf_counter() - started) * 1000)

        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(total)))
    return latencies, errors


def test_load_2000_requests_concurrency_16_zero_errors_and_flat_memory(server):
    base, proc = server
    _hammer(base, 200, 16)  # warm-up: models, caches, thread pool
    rss_start = _rss_mb(proc.pid)
    started = time.perf_counter()
    latencies, errors = _hammer(base, 2000, 16)
    seconds = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    rss_2k = _rss_mb(proc.pid)
    print(f"\nload: 2000 requests, concurrency 16, {len(errors)} errors, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, "
          f"{2000 / seconds:.0f} req/s, RSS {rss_start:.0f} → {rss_2k:.0f} MB")
    assert errors == []
    more, more_errors = _hammer(base, 8000, 16)
    rss_10k = _rss_mb(proc.pid)
    print(f"memory: RSS after warm-up {rss_start:.0f} MB, after 2,000 {rss_2k:.0f} MB, after 10,000 {rss_10k:.0f} MB")
    assert more_errors == []
    assert rss_10k - rss_2k < 40, "server memory grows with requests"
