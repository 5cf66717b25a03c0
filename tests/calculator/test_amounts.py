"""Amount and percentage parsing, finding and formatting."""

from decimal import Decimal

import pytest

from assistant.calculator.amounts import (
    find_amounts,
    find_percents,
    format_yuan,
    format_yuan_en,
    parse_amount,
    parse_percent,
)
from assistant.errors import AmountParseError, InputError


@pytest.mark.parametrize(
    "text, yuan",
    [
        ("1000万", 10_000_000),
        ("1000万元", 10_000_000),
        ("300 万", 3_000_000),
        ("3百万", 3_000_000),
        ("1.2亿", 120_000_000),
        ("1.2亿元", 120_000_000),
        ("一千二百万", 12_000_000),
        ("一千万", 10_000_000),
        ("一千万元", 10_000_000),
        ("两百万元", 2_000_000),
        ("五十万", 500_000),
        ("一亿二千万", 120_000_000),
        ("一点五亿", 150_000_000),
        ("2,000,000元", 2_000_000),
        ("20 million yuan", 20_000_000),
        ("RMB 3 million", 3_000_000),
        ("RMB 3,000,000", 3_000_000),
        ("CNY 1.5 million", 1_500_000),
        ("¥500万", 5_000_000),
        ("1000万元人民币", 10_000_000),
        ("5千元", 5_000),
        ("1千万", 10_000_000),
        ("10000000", 10_000_000),
        (2_000_000, 2_000_000),
        (1.5, Decimal("1.5")),
    ],
)
def test_parse_amount_formats(text, yuan):
    assert parse_amount(text) == Decimal(yuan)


@pytest.mark.parametrize("garbage", ["", "   ", "5k", "很多钱", "abc", "1000万美元", "一二三", "万", "1000 apples", None, True, [1]])
def test_parse_amount_refuses_garbage(garbage):
    with pytest.raises(AmountParseError) as info:
        parse_amount(garbage)
    assert isinstance(info.value, InputError)


def test_parse_amount_reads_the_sign():
    assert parse_amount("-5万") == Decimal(-50_000)


def test_find_amounts_in_chinese_and_english_text():
    text = "单家企业每年不超过800万元,合同300万,投资1亿元,支付2,000,000元或20 million yuan,以及一千二百万元。"
    found = find_amounts(text)
    assert [a.yuan for a in found] == [Decimal(v) for v in (8_000_000, 3_000_000, 100_000_000, 2_000_000, 20_000_000, 12_000_000)]
    for amount in found:
        assert text[amount.start:amount.end] == amount.text


@pytest.mark.parametrize("text", ["培育链主企业10家", "到2027年", "新增就业3万人", "万卡级算力集群", "20 million users", "1000万美元", "招聘5千人"])
def test_find_amounts_skips_numbers_without_money_units(text):
    assert find_amounts(text) == []


def test_find_amounts_range():
    assert [a.yuan for a in find_amounts("每家20万元—100万元分档奖励")] == [Decimal(200_000), Decimal(1_000_000)]


@pytest.mark.parametrize(
    "text, value",
    [("30%", 30), ("3.5%", Decimal("3.5")), ("百分之三十", 30), ("百分之五十", 50), ("1.5个百分点", Decimal("1.5")), ("3.5", Decimal("3.5")), (15, 15)],
)
def test_parse_percent(text, value):
    assert parse_percent(text) == Decimal(value)


@pytest.mark.parametrize("garbage", ["", "三十", "30%%", "abc", "30% and 20%"])
def test_parse_percent_refuses_garbage(garbage):
    with pytest.raises(AmountParseError):
        parse_percent(garbage)


def test_find_percents_marks_points():
    found = find_percents("补贴30%,不超过1.5个百分点,增速10%(含)以上,百分之二十")
    assert [(p.value, p.points) for p in found] == [(30, False), (Decimal("1.5"), True), (10, False), (20, False)]


@pytest.mark.parametrize(
    "yuan, text",
    [(3_000_000, "300万元"), (120_000_000, "1.2亿元"), (15000, "15000元"), (1_000_000_000, "10亿元"), (8_000_000, "800万元"), (0, "0元"), (1_500_000, "150万元")],
)
def test_format_yuan(yuan, text):
    assert format_yuan(Decimal(yuan)) == text


def test_format_yuan_en():
    assert format_yuan_en(Decimal(3_000_000)) == "3,000,000 yuan (300万元)"


@pytest.mark.parametrize("yuan", [200_000, 3_000_000, 8_000_000, 15_000_000, 120_000_000, 1_000_000_000, 15000, 1234567])
def test_format_then_find_round_trips(yuan):
    assert [a.yuan for a in find_amounts(f"补助{format_yuan(Decimal(yuan))}。")] == [Decimal(yuan)]


@pytest.mark.parametrize("text, yuan", [
    ("跟合作银行贷了2个亿,利率3.5%", 200_000_000),  # spoken hundred-millions take a classifier
    ("贷款一个亿", 100_000_000),
    ("两个亿的项目", 200_000_000),
    ("营收第一次破亿了", 100_000_000),  # a sum said by the round unit it passed
    ("营收刚过千万", 10_000_000),
    ("前后花了大概两千来万", 20_000_000),  # about a round sum: the round sum
    ("投了1000多万", 10_000_000),
    ("we've spent 9 million on compute", 9_000_000),  # a sum spent on something, no "yuan"
    ("a 2 million contract", 2_000_000),
    ("Still 400k?", 400_000),
    ("is the 20 million counted with the building?", 20_000_000),  # a verb ends the number phrase
    ("above the 50 million threshold", 50_000_000),
    ("total investment is 40 million not 80", 40_000_000),  # a correction: "not" ends the number phrase
    ("with a 200 million bank loan at 4%", 200_000_000),
    ("for a 3 million domestic compute contract", 3_000_000),  # the thing the sum is the size of, two words on
    ("signed a compute contract worth RMB 12m", 12_000_000),
    ("about 1.5m yuan", 1_500_000),
])
def test_find_amounts_as_people_say_them(text, yuan):
    assert [a.yuan for a in find_amounts(text)] == [Decimal(yuan)]


@pytest.mark.parametrize("text", [
    "三个项目", "5k users", "10k employees", "3 million users", "30 million users signed a contract", "a 12m building",
    "we trained for 12m steps",
])
def test_find_amounts_leaves_counts_alone(text):
    assert find_amounts(text) == []
