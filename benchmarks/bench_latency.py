"""Latency of /v1/ask on a live server (127.0.0.1), real corpus: sequential p50/p95 and bounded concurrency.

    python benchmarks/bench_latency.py [--requests 1000] [--concurrency 1 4 16]

Target (issue 4): p95 ≤ 100 ms for a single client. Prints a Markdown table; `--json FILE` saves it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.load import run_load  # noqa: E402
from evals.gold import load_gold  # noqa: E402
from tests.live_server import live_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--data-dir", type=Path, help="an existing data dir to copy (default: build a fresh index)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    questions = [item.question for item in load_gold() if not item.history]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        if args.data_dir:
            shutil.copytree(args.data_dir, data_dir, symlinks=True)
        with live_server(data_dir, timeout_s=600, POLICY_LOG_QUESTIONS="false") as (base, _):
            run_load(base, questions, 100, 4)  # warm-up
            results = [run_load(base, questions, args.requests, c) for c in args.concurrency]
    print("| concurrency | requests | errors | p50 ms | p95 ms | req/s |\n|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r.concurrency} | {r.requests} | {r.errors} | {r.p50_ms} | {r.p95_ms} | {r.requests_per_s} |")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
