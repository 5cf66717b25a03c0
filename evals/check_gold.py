"""Check the gold set against the built index and the calculator (never against the answering system).

    POLICY_DATA_DIR=... python -m evals.check_gold [--set evals/data/gold.jsonl]

For every item: expected clause ids exist and belong to the expected documents; every required term and
percentage occurs in the expected clauses' text (or the document's title / 文号); every required amount
occurs there or is the calculation result (or is listed as hand-computed in the notes, marked "=");
`calc:` inputs in the notes reproduce `expected_result_yuan`. Vague items name the covered cities. Prints
every problem; calculator disagreements are listed separately (they belong in DISAGREEMENTS.md).
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

from evals.gold import DEFAULT_GOLD, load_gold
from evals.metrics import _norm, amounts_in, percents_in


def _calc_inputs(notes: str) -> dict[str, str] | None:
    if "calc:" not in notes:
        return None
    return dict(pair.split("=", 1) for pair in notes.split("calc:", 1)[1].split() if "=" in pair)


def check(gold: Path = DEFAULT_GOLD) -> tuple[list[str], list[str]]:
    from assistant import calculator
    from assistant.settings import get_settings
    from index.store import load_index

    loaded = load_index(get_settings().data_dir)
    clauses = {c.clause_id: c for c in loaded.clauses}
    docs = loaded.documents
    cities = {d.city for d in docs.values() if d.city}
    programs = calculator.load_rules()
    problems: list[str] = []
    disagreements: list[str] = []
    for item in load_gold(gold):
        where = item.id
        missing = [c for c in item.expected_clause_ids if c not in clauses]
        if missing:
            problems.append(f"{where}: unknown clauses {missing}")
            continue
        doc_ids = list(dict.fromkeys(clauses[c].doc_id for c in item.expected_clause_ids))
        if doc_ids != item.expected_doc_ids:
            problems.append(f"{where}: expected_doc_ids {item.expected_doc_ids} != {doc_ids}")
        texts = [clauses[c].text for c in item.expected_clause_ids]
        for doc_id in doc_ids:
            texts += [docs[doc_id].title, docs[doc_id].doc_number or ""]
        evidence = "\n".join(texts)
        if item.type == "vague":
            named = {t for t in item.required_terms}
            if item.lang != "en" and named != cities:
                problems.append(f"{where}: a vague item must name every covered city {sorted(cities)}")
            continue
        for term in item.required_terms:
            if _norm(term) not in _norm(evidence):
                problems.append(f"{where}: term {term!r} not in the expected clauses")
        found_pct = percents_in(evidence)
        for pct in item.required_percents:
            if Decimal(str(pct)).normalize() not in found_pct:
                problems.append(f"{where}: percent {pct} not in the expected clauses")
        found_amounts = amounts_in(evidence)
        for yuan in item.required_amounts_yuan:
            hand = re.search(r"=\s*" + re.escape(_wan(yuan)), item.notes) is not None
            if Decimal(yuan) not in found_amounts and yuan != item.expected_result_yuan and not hand:
                problems.append(f"{where}: amount {yuan} neither in the clauses nor a computed result")
        if item.expected_program is not None:
            rule = programs.get(item.expected_program)
            if rule is None:
                problems.append(f"{where}: unknown program {item.expected_program}")
                continue
            if rule.clause_id not in item.expected_clause_ids:
                problems.append(f"{where}: program {item.expected_program} cites {rule.clause_id}, not an expected clause")
            inputs = _calc_inputs(item.notes) or {}
            try:
                got = calculator.calculate(item.expected_program, inputs).result_yuan
            except Exception as exc:  # a malformed calc line is a gold problem, not a crash
                problems.append(f"{where}: calculate({item.expected_program}, {inputs}) failed: {exc}")
                continue
            if item.expected_result_yuan is None or Decimal(str(got)) != Decimal(item.expected_result_yuan):
                disagreements.append(f"{where}: text {item.expected_result_yuan} vs calculator {got} ({inputs})")
    return problems, disagreements


def _wan(yuan: int) -> str:
    """800000 → '80万' (how notes write hand-computed results)."""
    wan = Decimal(yuan) / 10000
    return f"{wan.normalize():f}万"


def main(argv: list[str]) -> int:
    gold = Path(argv[argv.index("--set") + 1]) if "--set" in argv else DEFAULT_GOLD
    problems, disagreements = check(gold)
    for line in problems:
        print("PROBLEM", line)
    for line in disagreements:
        print("DISAGREES", line)
    print(f"{len(problems)} problem(s), {len(disagreements)} calculator disagreement(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
