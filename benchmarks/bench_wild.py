"""Metadata accuracy over the wild corpus (tests/fixtures/wild): per field, exact match against expected.yaml.

    python -m benchmarks.bench_wild            # Markdown table on stdout
Goal (issue 14): ≥ 90% of title/city/issuer/issued_on fields exact; clause labels as expected on every document.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

from index.corpus import parse_sources
from index.sources import read_source

WILD = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "wild"
FIELDS = ("title", "city", "issuer", "doc_number", "issued_on", "effective_from", "effective_until")
HEADLINE = ("title", "city", "issuer", "issued_on")


def run() -> tuple[str, bool]:
    expected = yaml.safe_load((WILD / "expected.yaml").read_text(encoding="utf-8"))
    hits = {f: 0 for f in FIELDS + ("validity", "basis", "labels")}
    misses: list[str] = []
    started = time.perf_counter()
    for name, exp in expected.items():
        corpus = parse_sources([read_source(WILD / name)])
        doc = corpus.documents[0]
        got = {f: getattr(doc, f) for f in FIELDS}
        got["validity"] = getattr(doc, "validity_status", None)
        got["basis"] = [list(b) for b in getattr(doc, "basis", ())]
        got["labels"] = [c.display_label for c in corpus.clauses if c.doc_id == doc.doc_id]
        want = dict(exp, basis=[[b["title"], b["doc_number"]] for b in exp["basis"]])
        for f in hits:
            if got[f] == want[f]:
                hits[f] += 1
            else:
                misses.append(f"{name}: {f} = {got[f]!r}, expected {want[f]!r}")
    seconds = time.perf_counter() - started
    n = len(expected)
    rows = ["| field | exact | share |", "| --- | --- | --- |"]
    rows += [f"| {f} | {hits[f]}/{n} | {hits[f] / n:.0%} |" for f in hits]
    headline = sum(hits[f] for f in HEADLINE) / (n * len(HEADLINE))
    ok = headline >= 0.9 and hits["labels"] == n
    rows.append(f"\n{n} documents from {len({e['city'] for e in expected.values()})} cities, parsed in {seconds:.2f}s; "
                f"title/city/issuer/issued_on exact: {headline:.1%} (goal ≥ 90%); labels as expected on "
                f"{hits['labels']}/{n} documents.")
    if misses:
        rows.append("\nMisses:\n" + "\n".join(f"- {m}" for m in misses))
    return "\n".join(rows), ok


if __name__ == "__main__":
    table, ok = run()
    print(table)
    sys.exit(0 if ok else 1)
