"""The rule extractor on the wild corpus: every clause that states an amount, what was extracted, the hand-checked verdict.

Each page of tests/fixtures/wild is parsed (index.corpus.parse_sources / index.sources.read_source) and the extractor
runs on its clauses as in the index build (`extract_rules(documents, clauses)`). The verdicts and the correct readings
are in tests/fixtures/wild/rules_expected.yaml (checked by hand); this prints the table and the share of money clauses
read correctly (correct + correctly skipped), and re-checks every verdict against the extractor's output now.

    python -m benchmarks.bench_wild_rules            # Markdown table on stdout; exit 1 if a verdict no longer holds
"""

from __future__ import annotations

import re
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from index.corpus import parse_sources
from index.models import Clause
from index.rule_extraction import ExtractionReport, extract_rules, rule_numbers
from index.sources import read_source

WILD = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "wild"
EXPECTED = WILD / "rules_expected.yaml"
# a clause "states an amount": a yuan amount or a percentage, in digits or in Chinese numerals ("五百万元", "百分之三十")
STATES_AN_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:亿|万)?元|\d+(?:\.\d+)?\s*[%%]|[一二三四五六七八九十百千两]+(?:亿|万)元|百分之")
GOOD = ("correct", "correctly skipped")


def expectations() -> list[dict[str, Any]]:
    return yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))["clauses"]


def wild_pages() -> dict[str, tuple[list[Clause], ExtractionReport]]:
    """Per page file: its clauses and the extraction over its documents (one page at a time, as `index add` would)."""
    out = {}
    for path in sorted(WILD.glob("*.txt")):
        corpus = parse_sources([read_source(path)])
        out[path.name] = (list(corpus.clauses), extract_rules(corpus.documents, corpus.clauses))
    return out


def money_clauses(pages) -> list[str]:
    return [c.clause_id for clauses, _ in pages.values() for c in clauses if STATES_AN_AMOUNT.search(c.text)]


def _values(spec: Any) -> list[float]:
    if spec is None:
        return []
    if isinstance(spec, dict):
        return sorted(float(v) for v in spec["values"].values())
    return [float(spec)]


def summary(rule: dict[str, Any]) -> dict[str, Any]:
    """What decides an amount, in the vocabulary of `expect`."""
    inputs = {i["name"]: i for i in rule.get("inputs", [])}
    base = inputs.get(rule.get("base", ""), {}).get("description", {}).get("zh")
    rate = rule.get("rate")
    return {
        "kind": rule["kind"],
        "rate": rate if isinstance(rate, dict) else (None if rate is None else float(rate)),
        "base": base,
        "caps": sorted(v for cap in rule.get("caps", []) for v in _values(cap["amount"])),
        "thresholds": sorted(v for t in rule.get("thresholds", []) for v in _values(t["min"])),
        "awards": {a["zh"]: (a.get("amount") if "amount" in a else [c["amount"] for c in a["components"]]) for a in rule.get("awards", [])},
        "up_to": bool(rule.get("up_to")),
        "computable": rule.get("computable", True),
    }


def rule_for(anchor: str, rules: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((r for r in rules if any(anchor in q for q in r.get("quotes", []))), None)


def check(statement: dict[str, Any], rules: list[dict[str, Any]], skipped: list[dict[str, str]]) -> list[str]:
    """Where the extractor's output differs from the statement's correct reading (empty: it agrees)."""
    expect = statement["expect"]
    if expect.get("none"):
        numbers = {(u, v.normalize()) for r in rules for u, v in rule_numbers(r)}
        bad = [f"{a} yuan is a number of a rule" for a in expect.get("amounts", []) if ("yuan", Decimal(a).normalize()) in numbers]
        bad += [f"{p}% is a number of a rule" for p in expect.get("percents", []) if ("percent", Decimal(p).normalize()) in numbers]
        if expect.get("skip_reason") and not any(expect["skip_reason"] in s["reason"] for s in skipped):
            bad.append(f"no skip with reason {expect['skip_reason']!r}")
        return bad
    rule = rule_for(statement["anchor"], rules)
    if rule is None:
        return [f"no rule quotes {statement['anchor']!r}"]
    got = summary(rule)
    bad = []
    for key, want in expect.items():
        if key == "awards":
            labels = list(got["awards"])
            for label, amount in want.items():
                hit = [lab for lab in labels if label in lab and got["awards"][lab] == amount]
                if not hit:
                    bad.append(f"award {label} {amount}: got {got['awards']}")
            if len(want) != len(labels):
                bad.append(f"{len(labels)} awards, expected {len(want)}: {got['awards']}")
        elif key in ("caps", "thresholds"):
            if got[key] != sorted(float(v) for v in want):
                bad.append(f"{key} {got[key]}, expected {want}")
        elif key == "rate":
            if got["rate"] != (want if isinstance(want, dict) else float(want)):
                bad.append(f"rate {got['rate']}, expected {want}")
        elif got[key] != want:
            bad.append(f"{key} {got[key]!r}, expected {want!r}")
    return bad


def run() -> tuple[str, bool]:
    started = time.perf_counter()
    pages = wild_pages()
    seconds = time.perf_counter() - started
    entries = expectations()
    rows = ["| clause | sentence | extracted | verdict |", "| --- | --- | --- | --- |"]
    problems: list[str] = []
    listed = {e["clause_id"] for e in entries}
    for cid in money_clauses(pages):
        if cid not in listed:
            problems.append(f"{cid}: states an amount but is not in rules_expected.yaml")
    clause_ok: dict[str, bool] = {}
    money: dict[str, bool] = {}
    statements = good_statements = 0
    for entry in entries:
        clauses, report = pages[entry["file"]]
        rules = [r for r in report.rules if r["clause_id"] == entry["clause_id"]]
        skipped = [s for s in report.skipped if s["clause_id"] == entry["clause_id"]]
        money[entry["clause_id"]] = entry.get("money", True)
        ok = True
        for st in entry["statements"]:
            agrees = not check(st, rules, skipped)
            good = st["verdict"] in GOOD
            if agrees != good:
                problems.append(f"{entry['clause_id']} / {st['sentence']}: verdict {st['verdict']!r} no longer holds")
            ok &= good
            if money[entry["clause_id"]]:
                statements += 1
                good_statements += good
            verdict = st["verdict"] + ("" if good else f": should be {_reading(st['expect'])}")
            rows.append(f"| {entry['clause_id']} | {st['sentence']} | {st['extracted']} | {verdict} |")
        clause_ok[entry["clause_id"]] = ok
    money_ids = [c for c in clause_ok if money[c]]
    good_money = sum(clause_ok[c] for c in money_ids)
    figure = good_money / len(money_ids) if money_ids else 0.0
    rows.append("")
    rows.append(f"{len(pages)} pages parsed and extracted in {seconds:.2f}s; {len(clause_ok)} clauses state an amount or a "
                f"percentage, {len(money_ids)} of them money. Money clauses read correctly (correct + correctly skipped): "
                f"{good_money}/{len(money_ids)} = {figure:.1%}; all listed clauses: {sum(clause_ok.values())}/{len(clause_ok)}; "
                f"money statements: {good_statements}/{statements} = {good_statements / statements:.1%}.")
    if problems:
        rows.append("\nProblems:\n" + "\n".join(f"- {p}" for p in problems))
    return "\n".join(rows), not problems


def _reading(expect: dict[str, Any]) -> str:
    parts = [f"{k} {v}" for k, v in expect.items()]
    return ", ".join(parts)


if __name__ == "__main__":
    table, ok = run()
    print(table)
    sys.exit(0 if ok else 1)
