"""Cost of one question by length: a normal question against a 2,000-character one (issue 18 item 3).

    POLICY_DATA_DIR=/tmp/data python benchmarks/bench_question_cost.py [--runs 5]

In process, real corpus and embedder, the query-vector cache cleared before every call (each question is
paid in full). Prints CPU seconds (process time) and wall milliseconds — the minimum over the runs, the
least disturbed by other work on a shared machine — and the ratio; the last row switches the query bounds
of assistant/retriever.py off (the cost before issue 18).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant import retriever  # noqa: E402
from assistant.services import build_services  # noqa: E402
from assistant.settings import get_settings  # noqa: E402
from evals.gold import load_gold  # noqa: E402

# A long paste: an enterprise describing itself before asking (the 2,000-character question).
PREAMBLE = "我们是一家从事大模型训练和行业应用开发的科技企业,去年营收增长较快,今年计划扩大算力采购规模,签订了多份智能算力服务合同,"


def questions(count: int = 8) -> tuple[list[str], str]:
    """`count` gold questions spread over the set, and a ~2,000-character paste ending in the first one."""
    gold = [item.question for item in load_gold() if not item.history]
    normal = gold[:: max(1, len(gold) // count)][:count]
    return normal, (PREAMBLE * 40)[: 2000 - len(normal[0])] + normal[0]


def _measure(services, question: str, runs: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(runs):
        services.assistant.retriever.searcher._vectors.clear()  # pay the embedding every time
        c0, w0 = time.process_time(), time.perf_counter()
        services.assistant.ask(question)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    NORMAL, LONG = questions()
    bounded = retriever.bounded_query
    services = build_services(get_settings(), build_if_needed=True)
    services.assistant.ask(NORMAL[0])  # warm-up (model load, jieba)
    normal = [_measure(services, q, args.runs) for q in NORMAL]
    normal_cpu = statistics.median(c for c, _ in normal)
    normal_wall = statistics.median(w for _, w in normal)
    long_cpu, long_wall = _measure(services, LONG, args.runs)
    retriever.bounded_query = lambda text, limit=0: text  # the cost before the bounds
    try:
        raw_cpu, raw_wall = _measure(services, LONG, max(1, args.runs // 2))
    finally:
        retriever.bounded_query = bounded
    print(f"| question | characters | CPU s (min of {args.runs}) | wall ms | × normal (CPU) |")
    print("|---|---|---|---|---|")
    print(f"| normal (median of {len(NORMAL)}) | {round(statistics.median(len(q) for q in NORMAL))} | {normal_cpu:.3f} | {normal_wall:.0f} | 1.0 |")
    print(f"| long paste | {len(LONG)} | {long_cpu:.3f} | {long_wall:.0f} | {long_cpu / max(normal_cpu, 1e-6):.1f} |")
    print(f"| long paste, bounds off | {len(LONG)} | {raw_cpu:.3f} | {raw_wall:.0f} | {raw_cpu / max(normal_cpu, 1e-6):.1f} |")


if __name__ == "__main__":
    main()
