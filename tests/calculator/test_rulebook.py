"""The rule book: reviewed YAML wins over extracted rules; extracted rules validate and compute, and say so.

Property tests run on the rules the extractor reads from the real corpus: never above a cap, monotone in the
base, below a threshold → not eligible with the reason, every number in the quotes.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.calculator import RuleBook, calculate, load_rules
from assistant.calculator.engine import UNREVIEWED_NOTE
from assistant.calculator.models import ByOption
from assistant.errors import InputError, UnknownProgramError
from index.corpus import parse_corpus
from index.rule_extraction import extract_rules, grounding_errors
from tests.conftest import CORPUS

EXTRACTED = list(extract_rules(*(lambda c: (c.documents, c.clauses))(parse_corpus(CORPUS))).rules)
ONLY = RuleBook({}, EXTRACTED)
RULES = [r for r in ONLY if r.computable]
amounts = st.integers(min_value=0, max_value=5 * 10**9)


def test_extracted_rules_validate_and_reviewed_rules_win():
    assert not ONLY.rejected and len(ONLY) == len(EXTRACTED)
    book = RuleBook(load_rules(), EXTRACTED)
    assert book.counts()["reviewed"] == 32 and book.counts()["extracted"] == 0  # every clause has a reviewed rule
    assert len(book.dropped) == len(EXTRACTED)
    assert all(s["reviewed"] for s in book.programs_schema())
    assert [r.program for r in book.by_clause("jiaxing-ai-plan#三.(四)")] == ["jiaxing_innovation_center_award", "jiaxing_tech_center_award"]


def test_extracted_rule_is_used_where_no_reviewed_one_exists():
    reviewed = {k: v for k, v in load_rules().items() if v.clause_id != "jiaxing-ai-plan#三.(六)"}
    book = RuleBook(reviewed, EXTRACTED)
    (rule,) = book.by_clause("jiaxing-ai-plan#三.(六)")
    assert not rule.reviewed
    schema = {s["program"]: s for s in book.programs_schema()}
    assert schema[rule.program]["reviewed"] is False and schema["hangzhou_compute_voucher"]["reviewed"] is True
    calc = book.calculate(rule.program, {"amount_yuan": "2000万", "condition_1": "是"})
    assert calc.result_yuan == 5_000_000 and calc.cap_applied
    assert calc.to_contract()["reviewed"] is False and UNREVIEWED_NOTE in calc.notes
    en = book.calculate(rule.program, {"amount_yuan": "100万"}, lang="en")
    assert en.result_yuan == 500_000 and any("competent department" in n for n in en.notes)
    reviewed_calc = calculate("jiaxing_compute_subsidy", {"actual_usage_yuan": "2000万", "new_model_filing": True})
    assert reviewed_calc.result_yuan == calc.result_yuan and reviewed_calc.to_contract()["reviewed"] is True


def test_default_book_matches_the_module_functions_and_errors_are_clear():
    book = RuleBook.default()
    assert book.calculate("zhengzhou_compute_voucher", {"contract_amount_yuan": "300万"}) == calculate(
        "zhengzhou_compute_voucher", {"contract_amount_yuan": "300万"}
    )
    with pytest.raises(UnknownProgramError, match="accepted programs"):
        book.get("nope")
    bad = dict(EXTRACTED[0], kind="teleport", program="bad")
    assert RuleBook({}, [bad]).rejected[0][0] == "bad"
    text_rule = dict(EXTRACTED[0], program="x", clause_id="x#1", computable=False, reason="比例按绩效分档,原文未公布")
    with pytest.raises(InputError, match="原文未公布"):
        RuleBook({}, [text_rule]).calculate("x", {"amount_yuan": 1})


def _inputs(rule, draw) -> dict:
    out = {}
    for spec in rule.inputs:
        if spec.name == rule.base:
            continue
        if spec.type == "choice":
            out[spec.name] = draw(st.sampled_from([o.value for o in spec.options]))
        elif spec.type == "bool":
            out[spec.name] = draw(st.booleans())
        elif spec.type == "percent" and (spec.is_required or draw(st.booleans())):
            out[spec.name] = draw(st.decimals(min_value=0, max_value=30, places=2))
        elif spec.type == "amount_yuan" and spec.is_required:
            out[spec.name] = draw(amounts)
    return out


def _caps(rule) -> list[Decimal]:
    return [v for c in rule.caps for v in (c.amount.values.values() if isinstance(c.amount, ByOption) else [c.amount])]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_extracted_never_above_a_cap(data):
    rule = data.draw(st.sampled_from(RULES))
    inputs = _inputs(rule, data.draw)
    if rule.base:
        inputs[rule.base] = data.draw(amounts)
    calc = ONLY.calculate(rule.program, inputs)
    result = Decimal(str(calc.result_yuan))
    if rule.caps:
        assert result <= max(_caps(rule))
    if rule.tiers:
        assert result <= max(t.award for t in rule.tiers)
    if rule.awards:
        assert result <= max(a.total for a in rule.awards)
    assert result >= 0 and not calc.reviewed
    if not calc.eligible:
        assert result == 0 and calc.notes


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_extracted_monotone_in_the_base(data):
    rule = data.draw(st.sampled_from([r for r in RULES if r.base]))
    inputs = _inputs(rule, data.draw)
    if rule.paid_input:
        inputs.pop(rule.paid_input, None)
    low, high = sorted((data.draw(amounts), data.draw(amounts)))
    a = ONLY.calculate(rule.program, {**inputs, rule.base: low})
    b = ONLY.calculate(rule.program, {**inputs, rule.base: high})
    assert a.result_yuan <= b.result_yuan, (a.steps, b.steps)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_extracted_below_threshold_is_ineligible_with_the_reason(data):
    rule = data.draw(st.sampled_from([r for r in RULES if r.thresholds]))
    inputs = _inputs(rule, data.draw)
    threshold = data.draw(st.sampled_from(rule.thresholds))
    minimum = threshold.min
    if isinstance(minimum, ByOption):
        minimum = minimum.values[str(inputs[minimum.by]).lower()]
    below = data.draw(st.decimals(min_value=0, max_value=minimum - Decimal("0.01"), places=2))
    if rule.input(threshold.input).type == "amount_yuan":
        below = below.to_integral_value(rounding="ROUND_FLOOR")
    if rule.base and rule.base != threshold.input:
        inputs[rule.base] = data.draw(amounts)
    inputs[threshold.input] = below
    calc = ONLY.calculate(rule.program, inputs)
    assert not calc.eligible and calc.result_yuan == 0
    assert any("低于门槛" in n for n in calc.notes) and any("低于门槛" in s for s in calc.steps)


@pytest.mark.parametrize("rule", EXTRACTED, ids=[r["program"] for r in EXTRACTED])
def test_every_number_of_every_extracted_rule_is_in_its_quotes(rule, corpus):
    text = corpus.clause(rule["clause_id"]).text
    assert not grounding_errors(rule, text)
