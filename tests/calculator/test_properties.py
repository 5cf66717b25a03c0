"""Property tests: never above a cap, monotone in the base amount, below threshold → ineligible with a reason."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.calculator import calculate, load_rules
from assistant.calculator.models import ByOption

RULES = load_rules()
BASED = [r for r in RULES.values() if r.base and r.kind in {"rate", "tiered", "interest", "performance_rate", "cost_capped"}]
amounts = st.integers(min_value=0, max_value=5 * 10**9)


def _options(rule, draw) -> dict:
    """Valid values for every non-base input of a rule."""
    inputs = {}
    for spec in rule.inputs:
        if spec.name == rule.base:
            continue
        if spec.type == "choice":
            inputs[spec.name] = draw(st.sampled_from([o.value for o in spec.options]))
        elif spec.type == "bool":
            inputs[spec.name] = draw(st.booleans())
        elif spec.type == "percent":
            inputs[spec.name] = draw(st.decimals(min_value=0, max_value=30, places=2))
        elif spec.type == "amount_yuan" and spec.is_required:
            inputs[spec.name] = draw(amounts)
    return inputs


def _max_cap(rule) -> Decimal | None:
    values = [v for cap in rule.caps for v in (cap.amount.values.values() if isinstance(cap.amount, ByOption) else [cap.amount])]
    return max(values) if values else None


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_never_above_any_cap(data):
    rule = data.draw(st.sampled_from(list(RULES.values())))
    inputs = _options(rule, data.draw)
    if rule.base:
        inputs[rule.base] = data.draw(amounts)
    calc = calculate(rule.program, inputs)
    cap = _max_cap(rule)
    if cap is not None:
        assert Decimal(str(calc.result_yuan)) <= cap
    if rule.tiers:
        assert Decimal(str(calc.result_yuan)) <= max(t.award for t in rule.tiers)
    assert calc.result_yuan >= 0
    assert calc.result_yuan == int(calc.result_yuan)  # exact to the yuan
    if not calc.eligible:
        assert calc.result_yuan == 0 and calc.notes


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_monotone_in_the_base_amount(data):
    rule = data.draw(st.sampled_from(BASED))
    inputs = _options(rule, data.draw)
    low, high = sorted((data.draw(amounts), data.draw(amounts)))
    a = calculate(rule.program, {**inputs, rule.base: low})
    b = calculate(rule.program, {**inputs, rule.base: high})
    if rule.kind == "interest" and "interest_paid_yuan" in inputs:
        return  # with a fixed interest payment the loan amount can only raise the points limit
    assert a.result_yuan <= b.result_yuan, (a.steps, b.steps)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_below_threshold_is_ineligible_with_the_reason(data):
    rule = data.draw(st.sampled_from([r for r in RULES.values() if r.thresholds]))
    inputs = _options(rule, data.draw)
    threshold = data.draw(st.sampled_from(rule.thresholds))
    minimum = threshold.min
    if isinstance(minimum, ByOption):
        minimum = minimum.values[str(inputs[minimum.by]).lower()]
    below = data.draw(st.decimals(min_value=0, max_value=minimum - Decimal("0.01"), places=2))
    if rule.input(threshold.input).type == "amount_yuan":
        below = below.to_integral_value(rounding="ROUND_FLOOR")
        if below >= minimum:
            return
    if rule.base and rule.base != threshold.input:
        inputs[rule.base] = data.draw(amounts)
    inputs[threshold.input] = below
    calc = calculate(rule.program, inputs)
    assert not calc.eligible and calc.result_yuan == 0
    assert any("低于门槛" in note for note in calc.notes)
    assert any("低于门槛" in step for step in calc.steps)
