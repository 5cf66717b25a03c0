"""Agreement of the rule extractor with the reviewed rules, programme by programme.

The extractor runs alone on the bundled corpus (no reviewed rule is consulted); each reviewed programme is then
compared with the extracted rules of its clause on what decides an amount: kind, rates (by option), caps,
thresholds, number of options, fixed amounts (with components), tiers, range, interest points / share, uplift,
up-to / floor, and inputs (their types and option counts). A programme is reproduced exactly when one extracted
rule of its clause agrees on all of them.

    python -m benchmarks.bench_rule_agreement            # prints the table and the agreement figure
"""

from __future__ import annotations

import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.calculator.models import ByOption, Rule
from assistant.calculator.rulebook import RuleBook
from assistant.calculator.rules import RULES_DIR, load_rules_from
from index.corpus import parse_corpus
from index.rule_extraction import extract_rules

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FIELDS = ("kind", "rates", "caps", "thresholds", "options", "fixed", "tiers", "range", "interest", "uplift", "bounds", "inputs")


def _values(spec: Any) -> tuple[Decimal, ...]:
    if spec is None:
        return ()
    if isinstance(spec, ByOption):
        return tuple(sorted(spec.values.values()))
    return (spec,)


def signature(rule: Rule) -> dict[str, Any]:
    """What decides an amount, independent of input names, option slugs and labels."""
    awards = sorted(
        (a.total, tuple(c.amount for c in a.components)) for a in rule.awards
    )
    return {
        "kind": rule.kind,
        "rates": _values(rule.rate),
        "caps": tuple(sorted(_values(c.amount) for c in rule.caps)),
        "thresholds": tuple(sorted(_values(t.min) for t in rule.thresholds)),
        "options": tuple(sorted(len(i.options) for i in rule.inputs if i.type == "choice")),
        "fixed": tuple(awards),
        "tiers": tuple((t.min, t.award) for t in rule.tiers),
        "range": (rule.range.min, rule.range.max) if rule.range else None,
        "interest": (rule.max_points, rule.interest_share),
        "uplift": rule.uplift,
        "bounds": (rule.up_to, rule.floor),
        "inputs": tuple(sorted(Counter(i.type for i in rule.inputs).items())),
    }


def compare(reviewed: Rule, candidates: list[Rule]) -> tuple[Rule | None, list[str]]:
    """The closest extracted rule and the fields where it differs ([] = reproduced exactly)."""
    want = signature(reviewed)
    best, best_diff = None, list(FIELDS)
    for rule in candidates:
        got = signature(rule)
        diff = [f for f in FIELDS if got[f] != want[f]]
        if len(diff) < len(best_diff):
            best, best_diff = rule, diff
    return best, best_diff


def run() -> tuple[list[tuple[Rule, Rule | None, list[str]]], RuleBook]:
    corpus = parse_corpus(CORPUS)
    report = extract_rules(corpus.documents, corpus.clauses)
    book = RuleBook({}, report.rules)  # extracted rules only, validated by the calculator's model
    if book.rejected:
        raise SystemExit(f"extracted rules fail validation: {book.rejected}")
    rows = []
    used: set[str] = set()
    for reviewed in load_rules_from(RULES_DIR).values():
        candidates = [r for r in book.by_clause(reviewed.clause_id) if r.program not in used]
        match, diff = compare(reviewed, candidates)
        if match is not None and not diff:
            used.add(match.program)
        rows.append((reviewed, match, diff))
    return rows, book


def main() -> int:
    rows, book = run()
    exact = sum(1 for _, _, diff in rows if not diff)
    print(f"{'reviewed programme':38} {'clause':34} {'extracted rule':38} agreement")
    for reviewed, match, diff in rows:
        verdict = "exact" if not diff else "differs: " + ", ".join(diff)
        print(f"{reviewed.program:38} {reviewed.clause_id:34} {(match.program if match else '-'):38} {verdict}")
    matched = {m.program for _, m, d in rows if m is not None and not d}
    extra = [r.program for r in book if r.program not in matched]
    print(f"\nreproduced exactly: {exact}/{len(rows)} = {exact / len(rows):.1%}")
    print(f"extracted rules: {len(book)}; not matched to a reviewed programme: {len(extra)} {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
