"""Bounded concurrent load against a live server on 127.0.0.1, shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

import httpx


@dataclass(frozen=True)
class LoadResult:
    requests: int
    concurrency: int
    errors: int
    p50_ms: float
    p95_ms: float
    requests_per_s: float

    def line(self) -> str:
        return (f"{self.requests} requests at concurrency {self.concurrency}: {self.errors} errors, "
                f"p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, {self.requests_per_s:.0f} req/s")


def run_load(base_url: str, questions: Sequence[str], total: int, concurrency: int, path: str = "/v1/ask") -> LoadResult:
    """POST `total` questions (cycled) with at most `concurrency` in flight; latency per request."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base_url, timeout=60, limits=limits) as client:

        def one(i: int) -> None:
            nonlocal errors
            body = {"question": questions[i % len(questions)]} if path == "/v1/ask" else {"query": questions[i % len(questions)], "k": 5}
            started = time.perf_counter()
            try:
                ok = client.post(path, json=body).status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            if not ok:
                errors += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(total)))
        seconds = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return LoadResult(total, concurrency, errors, round(q[49], 1), round(q[94], 1), round(total / seconds, 1))
