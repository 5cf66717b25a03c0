"""Run systems over the gold set, score them, write JSON and Markdown reports, check thresholds."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from tqdm import tqdm

from evals.gold import SPLITS, GoldItem
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


def _by_type(items: Sequence[GoldItem], scores: Sequence[ItemScore]) -> dict[str, dict[str, Any]]:
    by_type: dict[str, dict[str, Any]] = {}
    for qtype in sorted({i.type for i in items}):
        picked = [(s, i.expect_refusal) for s, i in zip(scores, items) if i.type == qtype]
        part = summarize([s for s, _ in picked], [r for _, r in picked])
        by_type[qtype] = {k: part[k] for k in ("questions", "answer_accuracy", "hit@5", "citation_recall")}
    return by_type


def evaluate_system(system: AnsweringSystem, items: Sequence[GoldItem], progress: bool = True) -> dict[str, Any]:
    """Scores over all the items given, and per split (dev / heldout) for items that carry one.

    Held-out items are reported only in aggregate (summary, per-type scores, a failure count): their
    failures and per-item scores are left out so the frozen split cannot be tuned on from the report.
    """
    scores: list[ItemScore] = []
    failures: list[dict[str, Any]] = []
    if items:
        system.answer(items[0])  # warm-up (lazy dictionaries, caches), so latency reflects steady state
    for item in tqdm(items, desc=f"eval {system.name}", unit="q", disable=not progress, leave=False):
        got = system.answer(item)
        score = score_item(item, got)
        scores.append(score)
        if not score.correct and item.split != "heldout":
            failures.append({
                "id": item.id, "type": item.type, "split": item.split, "question": item.question,
                "history": [t.content for t in item.history], "expected": _expected(item), "got": _got(got),
                "problems": score.problems,
            })
    splits: dict[str, dict[str, Any]] = {}
    for name in SPLITS:
        picked = [(i, s) for i, s in zip(items, scores) if i.split == name]
        if not picked:
            continue
        part_items, part_scores = [i for i, _ in picked], [s for _, s in picked]
        splits[name] = {
            "summary": summarize(part_scores, [i.expect_refusal for i in part_items]),
            "by_type": _by_type(part_items, part_scores),
            "failure_count": sum(1 for s in part_scores if not s.correct),
        }
    return {
        "summary": summarize(scores, [i.expect_refusal for i in items]),
        "splits": splits,
        "by_type": _by_type(items, scores),
        "failure_count": sum(1 for s in scores if not s.correct),
        "failures": failures,
        "items": [asdict(s) for s, i in zip(scores, items) if i.split != "heldout"],
    }


def run_eval(
    items: Sequence[GoldItem], systems: Sequence[AnsweringSystem], gold_path: str, progress: bool = True, split: str = "all",
) -> dict[str, Any]:
    started = time.perf_counter()
    results = {system.name: evaluate_system(system, items, progress) for system in systems}
    for name, result in results.items():
        if name != "product":  # baselines: scores only, so committed reports stay small
            result.pop("failures")
            result.pop("items")
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "gold_set": gold_path,
        "questions": len(items),
        "split": split,
        "split_questions": {name: sum(1 for i in items if i.split == name) for name in SPLITS if any(i.split == name for i in items)},
        "seconds": round(time.perf_counter() - started, 1),
        "systems": results,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def _columns(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(system, split) columns: each system's dev and heldout side by side, or the whole run if unsplit."""
    names = list(report["systems"])
    splits = [s for s in SPLITS if s in report.get("split_questions", {})]
    return [(n, s) for n in names for s in splits] if splits else [(n, None) for n in names]


def _summary(report: dict[str, Any], name: str, split: str | None) -> dict[str, Any]:
    result = (report.get("systems") or {}).get(name) or {}
    if split is None:
        return result.get("summary", {})
    return (result.get("splits") or {}).get(split, {}).get("summary", {})


def summary_table(report: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    """Markdown table: one row per metric, one column per system and split (+ product change vs a previous report)."""
    columns = _columns(report)
    product_columns = [(n, s) for n, s in columns if n == "product"]
    header = ["metric"] + [f"{n} · {s}" if s else n for n, s in columns]
    if previous:
        header += [f"Δ product{' · ' + s if s else ''} vs baseline report" for _, s in product_columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for metric in HEADLINE:
        row = [metric] + [_fmt(_summary(report, n, s).get(metric)) for n, s in columns]
        if previous:
            for _, s in product_columns:
                now, old = _summary(report, "product", s).get(metric), _summary(previous, "product", s).get(metric)
                row.append(f"{now - old:+.3f}" if isinstance(now, (int, float)) and isinstance(old, (int, float)) else "–")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def markdown_report(report: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    product = report["systems"].get("product") or next(iter(report["systems"].values()))
    counts = report.get("split_questions") or {}
    split_note = (
        " Splits: " + ", ".join(f"{name} {n}" for name, n in counts.items())
        + " (held-out: frozen, scores only; its failures are not listed)." if counts else ""
    )
    parts = [
        "# Eval report",
        f"{report['questions']} gold questions from `{report['gold_set']}` (split: {report.get('split', 'all')}), "
        f"generated {report['generated_at']} in {report['seconds']} s. Product and baselines answered the same "
        f"questions in the same run.{split_note}",
        "## Summary", summary_table(report, previous),
        "## Product by question type",
    ]
    splits = [s for s in SPLITS if s in product.get("splits", {})]
    head = ["type", "questions", "answer accuracy", *(f"{s} accuracy ({s} n)" for s in splits), "hit@5", "citation recall"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for qtype, row in product["by_type"].items():
        per_split = []
        for s in splits:
            part = product["splits"][s]["by_type"].get(qtype)
            per_split.append(f"{_fmt(part['answer_accuracy'])} ({part['questions']})" if part else "–")
        rows.append("| " + " | ".join([qtype, str(row["questions"]), _fmt(row["answer_accuracy"]), *per_split,
                                        _fmt(row["hit@5"]), _fmt(row["citation_recall"])]) + " |")
    parts.append("\n".join(rows))
    hidden = product.get("splits", {}).get("heldout", {}).get("failure_count")
    listed = "dev" if splits else "all"
    parts.append(f"## Product failures ({len(product['failures'])} {listed}" + (f"; held-out: {hidden}, not listed" if hidden is not None else "") + ")")
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


def _floors_by_split(thresholds: dict[str, Any], report: dict[str, Any]) -> dict[str | None, dict[str, float]]:
    """{split: floors}: a flat {metric: floor} applies to every split in the report (or the whole run if
    it has none); {"dev": {...}, "heldout": {...}} applies each to its split, when the run holds it."""
    present = [s for s in SPLITS if s in report.get("split_questions", {})]
    flat = {k: float(v) for k, v in thresholds.items() if not isinstance(v, dict)}
    nested = {k: v for k, v in thresholds.items() if isinstance(v, dict)}
    unknown = set(nested) - set(SPLITS)
    if unknown:
        raise ValueError(f"thresholds for unknown split(s) {sorted(unknown)}: use {', '.join(SPLITS)}")
    out: dict[str | None, dict[str, float]] = {}
    for split in present or [None]:
        floors = {**{k: float(v) for k, v in nested.get(split, {}).items()}, **flat} if split else dict(flat)
        if floors:
            out[split] = floors
    return out


def threshold_failures(report: dict[str, Any], thresholds: dict[str, Any], require_beating_baselines: bool = False) -> list[str]:
    """Every way the product falls short, per split: a metric under its floor, a baseline better on a checked metric,
    or a baseline at least as good on dev answer accuracy (a tie elsewhere is allowed: both can reach hit@5 1.000, and
    the BM25-only baseline shares the product's understanding, planner and calculator)."""
    problems = []
    for split, floors in _floors_by_split(thresholds, report).items():
        product = _summary(report, "product", split)
        where = f"[{split}] " if split else ""
        for metric, floor in floors.items():
            value = product.get(metric)
            if value is None or value < floor:
                problems.append(f"{where}{metric} = {_fmt(value)} < {floor}")
    if require_beating_baselines:
        for split in [s for s in SPLITS if s in report.get("split_questions", {})] or [None]:
            product = _summary(report, "product", split)
            where = f"[{split}] " if split else ""
            for name in report["systems"]:
                if name == "product":
                    continue
                theirs_all = _summary(report, name, split)
                for metric in ("hit@5", "answer_accuracy"):
                    theirs, ours = theirs_all.get(metric) or 0.0, product.get(metric) or 0.0
                    must_beat = metric == "answer_accuracy" and split in ("dev", None)
                    if ours < theirs or (must_beat and ours <= theirs):
                        problems.append(f"{where}{metric}: product {_fmt(product.get(metric))} does not beat {name} {_fmt(theirs)}")
    return problems
