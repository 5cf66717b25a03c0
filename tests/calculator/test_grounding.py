"""Grounding: every rule's clause exists in the real corpus and states the rule's numbers as written.

A rule can therefore never drift from the policy text: change a rate, cap, threshold, tier or
award in the YAML and this test fails unless the cited clause says the same.
"""

from decimal import Decimal

import pytest

from assistant.calculator.amounts import format_percent, format_yuan
from assistant.calculator.models import ByOption, Rule
from assistant.calculator.rules import load_rules

RULES = list(load_rules().values())


def _values(spec) -> list[Decimal]:
    if spec is None:
        return []
    return list(spec.values.values()) if isinstance(spec, ByOption) else [spec]


def expected_numbers(rule: Rule) -> list[str]:
    """The rule's numeric fields written the way the policy text writes them."""
    out = [format_percent(v) for v in _values(rule.rate)]
    out += [format_yuan(v) for cap in rule.caps for v in _values(cap.amount)]
    for threshold in rule.thresholds:
        kind = rule.input(threshold.input).type
        out += [format_percent(v) if kind == "percent" else format_yuan(v) for v in _values(threshold.min)]
    out += [format_yuan(t.min) for t in rule.tiers] + [format_yuan(t.award) for t in rule.tiers]
    for award in rule.awards:
        out += [format_yuan(c.amount) for c in award.components] if award.components else [format_yuan(award.total)]
    if rule.range:
        out += [format_yuan(rule.range.min), format_yuan(rule.range.max)]
    if rule.max_points is not None:
        out.append(f"{rule.max_points.normalize():f}个百分点")
    if rule.interest_share is not None:
        out.append(format_percent(rule.interest_share))
    if rule.uplift is not None:
        out.append(f"上浮{format_percent(rule.uplift)}")
    if rule.years is not None:
        out.append(f"{rule.years}年")
    return out


@pytest.fixture(scope="module")
def clause_text(corpus):
    return {c.clause_id: c.text for c in corpus.clauses}


@pytest.mark.parametrize("rule", RULES, ids=[r.program for r in RULES])
def test_rule_quotes_its_clause(rule, clause_text):
    assert rule.clause_id in clause_text, f"{rule.program}: clause {rule.clause_id} not in the corpus"
    text = clause_text[rule.clause_id]
    assert rule.quotes, f"{rule.program}: no quotes"
    for quote in rule.quotes:
        assert quote in text, f"{rule.program}: {quote!r} not in {rule.clause_id}"


@pytest.mark.parametrize("rule", RULES, ids=[r.program for r in RULES])
def test_rule_numbers_appear_in_its_clause(rule, clause_text):
    text = clause_text[rule.clause_id]
    numbers = expected_numbers(rule)
    assert numbers, f"{rule.program}: no numeric fields"
    for number in numbers:
        assert number in text, f"{rule.program}: {number!r} not written in {rule.clause_id}"


def test_stacking_principles_are_quoted(clause_text):
    seen = {r.stacking for r in RULES if r.stacking}
    assert {s.principle for s in seen} == {"从优、就高、不重复", "就高不重复"}
    for stacking in seen:
        assert stacking.principle in clause_text[stacking.clause_id]
        for quote in stacking.quotes:
            assert quote in clause_text[stacking.clause_id]


def test_rule_city_matches_the_clause_document(corpus):
    docs = {d.doc_id: d for d in corpus.documents}
    clauses = {c.clause_id: c for c in corpus.clauses}
    for rule in RULES:
        assert docs[clauses[rule.clause_id].doc_id].city == rule.city, rule.program
