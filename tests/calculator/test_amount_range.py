"""Out-of-range, non-finite and scientific-notation amounts: a clear error, never a decimal/float exception."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.calculator import calculate, find_amounts, find_percents, format_yuan, format_yuan_en, parse_amount, parse_percent
from assistant.calculator.amounts import MAX_AMOUNT_YUAN, MAX_PERCENT, format_percent, in_range
from assistant.errors import AmountParseError, InputError

ATTACKS = [
    "1e308", 1e308, "Infinity", float("inf"), "-Infinity", float("-inf"), "NaN", float("nan"), "sNaN",
    "1" + "0" * 400, 10**400, "9" * 99 + "万亿", "9" * 32 + "万元", "1e308元", "1e99999999999999999999元",
    Decimal("1e400"), Decimal("NaN"), Decimal("-Infinity"), "1000000000001元", "两万亿元",
    "万亿" * 0 + "一" + "亿" * 300,
]


def test_in_range_means_finite_bounded_and_not_absurdly_precise():
    assert in_range(Decimal("1e12")) and in_range(Decimal("-1e12")) and in_range(Decimal("0.01"))
    assert not in_range(Decimal("1e12") + 1) and not in_range(Decimal("NaN")) and not in_range(Decimal("1e-40"))


def test_the_stated_maximum():
    assert MAX_AMOUNT_YUAN == Decimal(10**12)
    assert parse_amount("1万亿") == MAX_AMOUNT_YUAN  # the maximum itself is accepted
    assert parse_amount("-1万亿") == -MAX_AMOUNT_YUAN


@pytest.mark.parametrize("raw", ATTACKS, ids=lambda r: repr(r)[:30])
def test_out_of_range_amounts_are_refused_with_a_clear_message(raw):
    with pytest.raises(AmountParseError, match="amount out of range") as info:
        parse_amount(raw)
    assert "1,000,000,000,000 yuan" in str(info.value)
    assert len(str(info.value)) < 300  # a 400-digit input is not echoed whole


@pytest.mark.parametrize("raw", [1e308, "Infinity", float("nan"), "1" + "0" * 400, "9" * 99 + "万亿", "9" * 32 + "万元", "1e308元"])
def test_calculator_refuses_them_as_input_errors(raw):
    with pytest.raises(InputError, match="amount out of range"):
        calculate("hangzhou_compute_voucher", {"contract_amount_yuan": raw, "compute_type": "domestic"})


@pytest.mark.parametrize("raw", [float("inf"), float("nan"), 1e300, "1e6%", Decimal("sNaN")])
def test_percent_inputs_are_bounded_too(raw):
    with pytest.raises(AmountParseError, match="percentage out of range"):
        parse_percent(raw)
    assert parse_percent("30%") == 30 and MAX_PERCENT == 10_000


def test_scientific_notation_is_read_as_written():
    assert parse_amount("1.5e6元") == 1_500_000
    assert parse_amount("2E7") == 20_000_000
    found = find_amounts("我的合同1e308元能拿多少?")
    assert [(a.text, a.out_of_range) for a in found] == [("1e308元", True)]  # never "308元"
    assert [a.yuan for a in find_amounts("合同金额1.5e6元")] == [1_500_000]


def test_find_amounts_flags_huge_figures_in_questions():
    question = "算力合同" + "9" * 32 + "万元,杭州补贴多少?另有500万元的项目"
    found = find_amounts(question)
    assert [a.out_of_range for a in found] == [True, False]
    assert found[1].yuan == 5_000_000 and found[0].text == "9" * 32 + "万元"
    assert find_amounts("9" * 99 + "万亿元")[0].out_of_range
    assert not find_amounts("1万亿元")[0].out_of_range


def test_format_never_raises_on_out_of_range_values():
    assert format_yuan(Decimal("NaN")) == "NaN元"
    assert format_yuan(Decimal("Infinity")) == "Infinity元"
    assert format_yuan(Decimal("9" * 32 + "0000")) == "1.000E+36元"
    assert format_yuan(Decimal(3_000_000)) == "300万元" and format_yuan(120_000_000) == "1.2亿元"
    assert format_yuan_en(Decimal("1e400")) == "1E+400 yuan"
    assert format_yuan_en(3_000_000) == "3,000,000 yuan (300万元)"
    assert format_percent(float("inf")) == "Infinity%"


# -- properties ------------------------------------------------------------------------------

any_decimal = st.decimals(allow_nan=True, allow_infinity=True) | st.builds(
    lambda digits, exp: Decimal(f"{digits}e{exp}"), st.integers(-(10**40), 10**40), st.integers(-999_999, 999_999)
)


@settings(max_examples=400, deadline=None)
@given(any_decimal)
def test_formatting_never_raises(value):
    for text in (format_yuan(value), format_yuan_en(value), format_percent(value)):
        assert isinstance(text, str) and text


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.floats(), st.integers(), any_decimal, st.text(max_size=60)))
def test_parse_amount_returns_in_range_or_raises_amount_parse_error(raw):
    try:
        value = parse_amount(raw)
    except AmountParseError:
        return
    assert value.is_finite() and abs(value) <= MAX_AMOUNT_YUAN
    format_yuan(value)


number_text = st.from_regex(r"-?[0-9]{1,120}(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,25})?", fullmatch=True)
unit = st.sampled_from(["", "元", "万", "万元", "亿", "亿元", "万亿", "万亿元", "千万", " million yuan", " billion yuan"])


@settings(max_examples=200, deadline=None)
@given(number_text, unit)
def test_numbers_with_units_never_overflow(number, suffix):
    try:
        value = parse_amount(number + suffix)
    except AmountParseError:
        pass
    else:
        assert abs(value) <= MAX_AMOUNT_YUAN
    for amount in find_amounts(f"合同金额{number}{suffix},能拿多少?RMB {number} million"):
        assert amount.out_of_range == (not in_range(amount.yuan))
        format_yuan(amount.yuan), format_yuan_en(amount.yuan)
    for percent in find_percents(f"补贴{number}%"):
        format_percent(percent.value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,eE+-万亿千百十元一二三四五六七八九零点%人民币RMByuan million ", max_size=80))
def test_find_amounts_never_raises_on_free_text(text):
    for amount in find_amounts(text):
        format_yuan(amount.yuan)
