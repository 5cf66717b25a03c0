"""Latency of POST /v1/match on the bundled corpus: sequential p50 / p95 through the ASGI app (in process).

    python benchmarks/bench_match.py [--requests 300] [--data-dir DIR]

Target (issue 17): p95 ≤ 150 ms. The profiles mix free text and structured facts, with and without a city.
Without --data-dir the index is built once into a temporary directory first (not timed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PROFILES = [
    {"profile_text": "软件企业,今年签了1000万元国产算力合同,大模型刚备案"},
    {"profile_text": "信息服务企业,新建项目投资800万元,营收3500万元,同比增长12%,省级企业技术中心"},
    {"profile_text": "提升改造项目投资5000万元,属于战略性新兴产业,银行贷款6000万元,年利率4%"},
    {"profile_text": "专精特新小巨人,独角兽企业,举办了人工智能论坛,新创建全国重点实验室的牵头单位"},
    {"profile": {"compute_contract_yuan": "3000万", "compute_type": "domestic", "revenue_yuan": "6000万", "revenue_growth": 8}},
    {"profile": {}},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--data-dir", type=Path, help="a data dir holding a built index of the bundled corpus")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from assistant.http.app import create_app
    from assistant.services import build_services
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        settings = Settings(data_dir=data_dir, rate_limit_per_minute=0)
        services = build_services(settings, build_if_needed=args.data_dir is None)
        cities = services.catalogue.cities
        bodies = PROFILES + [dict(p, city=c) for p in PROFILES[:4] for c in cities]
        with TestClient(create_app(settings, services)) as client:
            for body in bodies:  # warm-up
                assert client.post("/v1/match", json=body).status_code == 200
            times = []
            for i in range(args.requests):
                start = time.perf_counter()
                response = client.post("/v1/match", json=bodies[i % len(bodies)])
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print("| endpoint | requests | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- | --- |")
    print(f"| POST /v1/match | {len(times)} | {p50:.1f} | {p95:.1f} | {times[-1]:.1f} |")
    print("target p95 ≤ 150 ms:", "met" if p95 <= 150 else "NOT met")


if __name__ == "__main__":
    main()
