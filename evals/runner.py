"""Run systems over the gold set, score them, write JSON and Markdown reports, check thresholds."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from tqdm import tqdm

from evals.gold import GoldItem
from evals.metrics import ItemScore, SystemAnswer, score_item, summarize
from evals.systems import AnsweringSystem

REPORT_DIR = Path(__file__).resolve().parent / "reports"
HEADLINE = (
    "answer_accuracy", "hit@1", "hit@3", "hit@5", "mrr", "citation_precision", "citation_recall",
    "numeric_exact_match", "calculation_exact_match", "key_fact_accuracy", "refusal_precision",
    "refusal_recall", "latency_p50_ms", "latency_p95_ms",
)


def _expected(item: GoldItem) -> dict[str, Any]:
    return {
        k: v for k, v in item.model_dump(
            include={"expected_clause_ids", "required_amounts_yuan", "required_percents", "required_terms",
                     "expected_program", "expected_result_yuan", "expect_refusal"}
        ).items() if v not in (None, [], False)
    }


def _got(answer: SystemAnswer) -> dict[str, Any]:
    got: dict[str, Any] = {"answer": answer.answer[:600], "cited": list(answer.cited_ids), "refused": answer.refused}
    if answer.program:
        got["calculation"] = {"program": answer.program, "result_yuan": answer.result_yuan}
    if answer.error:
        got["error"] = answer.error
    return got


def evaluate_system(system: AnsweringSystem, items: Sequence[GoldItem], progress: bool = True) -> dict[str, Any]:
    scores: list[ItemScore] = []
    failures: list[dict[str, Any]] = []
    if items:
        system.answer(items[0])  # warm-up (lazy dictionaries, caches), so latency reflects steady state
    for item in tqdm(items, desc=f"eval {system.name}", unit="q", disable=not progress, leave=False):
        got = system.answer(item)
        score = score_item(item, got)
        scores.append(score)
        if not score.correct:
            failures.append({
                "id": item.id, "type": item.type, "question": item.question,
                "history": [t.content for t in item.history], "expected": _expected(item), "got": _got(got),
                "problems": score.problems,
            })
    refusals = [i.expect_refusal for i in items]
    by_type: dict[str, dict[str, Any]] = {}
    for qtype in sorted({i.type for i in items}):
        picked = [(s, r) for s, r, i in zip(scores, refusals, items) if i.type == qtype]
        part = summarize([s for s, _ in picked], [r for _, r in picked])
        by_type[qtype] = {k: part[k] for k in ("questions", "answer_accuracy", "hit@5", "citation_recall")}
    return {
        "summary": summarize(scores, refusals),
        "by_type": by_type,
        "failures": failures,
        "items": [asdict(s) for s in scores],
    }


def run_eval(items: Sequence[GoldItem], systems: Sequence[AnsweringSystem], gold_path: str, progress: bool = True) -> dict[str, Any]:
    started = time.perf_counter()
    results = {system.name: evaluate_system(system, items, progress) for system in systems}
    for name, result in results.items():
        if name != "product":  # baselines: scores only, so committed reports stay small
            result["failure_count"] = len(result.pop("failures"))
            result.pop("items")
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "gold_set": gold_path,
        "questions": len(items),
        "seconds": round(time.perf_counter() - started, 1),
        "systems": results,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def summary_table(report: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    """Markdown table: one row per metric, one column per system (+ change against a previous report)."""
    names = list(report["systems"])
    header = ["metric", *names] + (["Δ product vs baseline report"] if previous else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    before = (previous or {}).get("systems", {}).get("product", {}).get("summary", {})
    for metric in HEADLINE:
        row = [metric] + [_fmt(report["systems"][n]["summary"].get(metric)) for n in names]
        if previous:
            now, old = report["systems"].get("product", {}).get("summary", {}).get(metric), before.get(metric)
            row.append(f"{now - old:+.3f}" if isinstance(now, (int, float)) and isinstance(old, (int, float)) else "–")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def markdown_report(report: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    product = report["systems"].get("product") or next(iter(report["systems"].values()))
    parts = [
        "# Eval report",
        f"{report['questions']} gold questions from `{report['gold_set']}`, generated {report['generated_at']} "
        f"in {report['seconds']} s. Product and baselines answered the same questions in the same run.",
        "## Summary", summary_table(report, previous),
        "## Product by question type",
    ]
    rows = ["| type | questions | answer accuracy | hit@5 | citation recall |", "|---|---|---|---|---|"]
    for qtype, row in product["by_type"].items():
        rows.append(f"| {qtype} | {row['questions']} | {_fmt(row['answer_accuracy'])} | {_fmt(row['hit@5'])} | {_fmt(row['citation_recall'])} |")
    parts.append("\n".join(rows))
    parts.append(f"## Product failures ({len(product['failures'])})")
    if not product["failures"]:
        parts.append("None.")
    for f in product["failures"]:
        history = f" (after: {' / '.join(f['history'])})" if f["history"] else ""
        parts.append("\n".join([
            f"### {f['id']} · {f['type']}",
            "",
            f"- question: {f['question']}{history}",
            f"- expected: `{json.dumps(f['expected'], ensure_ascii=False)}`",
            f"- got: {f['got']['answer'][:300]!r} · cited {f['got']['cited']}"
            + (f" · calculation {f['got']['calculation']}" if "calculation" in f["got"] else ""),
            f"- problems: {'; '.join(f['problems'])}",
        ]))
    return "\n\n".join(parts) + "\n"


def write_reports(report: dict[str, Any], report_dir: Path, previous: dict[str, Any] | None = None, stem: str = "latest") -> tuple[Path, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = report_dir / f"{stem}.json", report_dir / f"{stem}.md"
    for path, text in ((json_path, json.dumps(report, ensure_ascii=False, indent=1)), (md_path, markdown_report(report, previous))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return json_path, md_path


def threshold_failures(report: dict[str, Any], thresholds: dict[str, float], require_beating_baselines: bool = False) -> list[str]:
    """Every way the product falls short: a metric under its floor, or a baseline at least as good."""
    product = report["systems"]["product"]["summary"]
    problems = []
    for metric, floor in thresholds.items():
        value = product.get(metric)
        if value is None or value < floor:
            problems.append(f"{metric} = {_fmt(value)} < {floor}")
    if require_beating_baselines:
        for name, result in report["systems"].items():
            if name == "product":
                continue
            for metric in ("hit@5", "answer_accuracy"):
                theirs = result["summary"].get(metric) or 0.0
                if (product.get(metric) or 0.0) <= theirs:
                    problems.append(f"{metric}: product {_fmt(product.get(metric))} does not beat {name} {_fmt(theirs)}")
    return problems
