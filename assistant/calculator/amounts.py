"""Money amounts and percentages as people write them: parse, find in free text, format.

`parse_amount` reads one value (``1000万``, ``一千二百万``, ``1.2亿``, ``2,000,000元``,
``20 million yuan``, ``RMB 3 million``, ``3百万``) into yuan as a `Decimal`; anything it cannot
read exactly raises `AmountParseError` — we never guess. `find_amounts` scans free text
(Chinese and English) and only reports numbers that carry a money unit, so ``10家`` or
``2027年`` are never taken for amounts.

Range: no amount above `MAX_AMOUNT_YUAN` (1万亿元 = 10^12 yuan, far above any programme budget in
the corpus) and nothing non-finite (NaN, Infinity) is accepted by `parse_amount`; it raises
`AmountParseError` ("amount out of range") instead of letting `decimal` or `float` overflow later.
`find_amounts` still *reports* such a figure in free text (so ``1e308元`` is never misread as
``308元``) but marks it `Amount.out_of_range`, and the calculator rejects it. Scientific notation
(``1.5e6元``) is read as written. `format_yuan` never raises, whatever Decimal it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import MAX_EMAX, MIN_EMIN, Decimal, InvalidOperation, localcontext

from assistant.errors import AmountParseError

# ---------------------------------------------------------------------------- units

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_MULTIPLIERS = {
    "十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "万": 10_000,
    "千": 1_000, "十亿": 1_000_000_000, "百亿": 10_000_000_000, "千亿": 100_000_000_000, "亿": 100_000_000, "万亿": 10**12,
}
# Words that may follow a bare "30 million" that is still the sum (not "30 million users").
_EN_AFTER_SUM = re.compile(
    r"\s*(?:$|[^\sA-Za-z]|(?:at|and|or|in|for|with|from|to|per|a|an|the|this|last|each|of|instead|not|now|then|so|but"
    r"|yearly|annually|total|invested|spent|received|on|into|over|worth|there|here"
    # a noun the sum is the size of ("a 2 million contract", "a 50 million loan")
    r"|contracts?|loans?|bank|credit|financing|deals?|orders?|budgets?|projects?|investments?|thresholds?|caps?|ceilings?|limits?"
    # an adverb or a verb: the number phrase has ended ("if 30 million actually arrived", "30 million was paid")
    r"|actually|only|already|really|just|finally|eventually|recently|is|was|were|are|be|been|has|had|have|will|would|arrived|came|got|paid|landed|went|counted|counts?|includes?|included)\b)",
    re.I,
)


# "a 3 million domestic compute contract": one or two words describing the thing the sum is the size of
_EN_SUM_NOUN = re.compile(
    r"\s*[A-Za-z-]+(?:\s+[A-Za-z-]+)??\s+(?:contracts?|loans?|financing|deals?|orders?|budgets?|projects?|investments?)\b", re.I
)


def _ends_amount(s: str, end: int) -> bool:
    """A bare "N million" ends the phrase (end of text, punctuation, or a function word follows), or names the size
    of a contract, loan or investment a few words on."""
    return _EN_AFTER_SUM.match(s, end) is not None or _EN_SUM_NOUN.match(s, end) is not None


_EN_MULTIPLIERS = {
    "thousand": 1_000, "k": 1_000, "million": 1_000_000, "mn": 1_000_000, "m": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
}

# one stated maximum: amounts above it (or NaN / Infinity) are "out of range", never computed with
MAX_AMOUNT_YUAN = Decimal(10**12)  # 1万亿元
MAX_PERCENT = Decimal(10_000)  # 10000%: far above any rate, growth or share a policy states
MAX_DECIMALS = 30  # 1e-999999999 would print a billion zeros; nobody writes more than this

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:[eE][+-]?\d+)?"
_CN_MULT = r"万亿|[十百千]?亿|[十百千]?万|千"
_CN_NUMERAL = r"[零〇一二两三四五六七八九十百千万亿点]+"
_CURRENCY_PREFIX = r"(?:RMB|CNY|人民币|¥|¥)\s*"
_YUAN_SUFFIX = r"(?:元人民币|元|块钱|块|yuan|RMB|CNY|人民币)"
# classifiers that show a 万/亿 number counts something other than money: 3万人, 10万平方米
_NOT_MONEY_AFTER = "人家个台名吨平亩户卡次件套项辆座千瓦头只张份篇字条所"

# "2个亿", "一个亿": spoken hundred-millions take a classifier
# "2000来万", "两千多万": about that sum (the round figure is taken)
_ARABIC_CN = re.compile(rf"(?P<num>{_NUM})\s*(?:个(?=亿)|[来多余](?=[万亿]))?(?P<mult>{_CN_MULT})?\s*(?P<yuan>元|块钱|块)?")
# "一千二百万", "两个亿", "两千来万": a sum in Chinese numerals (a classifier or an "about" word before its unit)
_CN_SUM = re.compile(
    r"(?P<cn>[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿点]*?)(?:个(?=亿)|(?<=[十百千])[来多余](?=[万亿]))?"
    r"(?P<big>[万亿])?(?P<yuan>元)?(?![零〇一二两三四五六七八九十百千万亿点])"
)
_ARABIC_EN = re.compile(
    rf"(?P<cur>{_CURRENCY_PREFIX})?(?P<num>{_NUM})\s*(?P<mult>(?:thousand|million|billion|mn|bn|k|m)(?![A-Za-z]))?\s*(?P<yuan>yuan|RMB|CNY)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    """An amount of money found in text: its value in yuan and where it was written."""

    yuan: Decimal
    text: str
    start: int
    end: int

    @property
    def out_of_range(self) -> bool:
        """True for NaN / Infinity or more than `MAX_AMOUNT_YUAN`: reported, never computed with."""
        return not in_range(self.yuan)


@dataclass(frozen=True)
class Percent:
    """A percentage (``30%``) or percentage points (``1.5个百分点``) found in text; value in percent."""

    value: Decimal
    text: str
    start: int
    end: int
    points: bool = False


def in_range(yuan: Decimal, limit: Decimal = MAX_AMOUNT_YUAN) -> bool:
    """Finite, at most `limit` in absolute value and at most `MAX_DECIMALS` digits after the point."""
    return (
        yuan.is_finite()
        and yuan.copy_abs() <= limit  # copy_abs: exact, no context (abs() can overflow)
        and yuan.as_tuple().exponent >= -MAX_DECIMALS
    )


def out_of_range_error(text: object, limit: Decimal = MAX_AMOUNT_YUAN, what: str = "amount") -> AmountParseError:
    shown = repr(text) if len(repr(text)) <= 40 else repr(text)[:37] + "…"
    if what == "amount":
        return AmountParseError(
            f"金额超出范围 / amount out of range: {shown}; the maximum accepted amount is {format_yuan(limit)} ({limit:,.0f} yuan)"
        )
    return AmountParseError(f"百分比超出范围 / percentage out of range: {shown}; at most {format_percent(limit)}")


def _checked(value: Decimal, original: object, limit: Decimal = MAX_AMOUNT_YUAN, what: str = "amount") -> Decimal:
    if not in_range(value, limit):
        raise out_of_range_error(original, limit, what)
    return value


def _scaled(number: Decimal, multiplier: int) -> Decimal:
    """number × multiplier exactly for in-range values; an out-of-range result stays out of range (maybe ±Infinity)."""
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 60, MAX_EMAX, MIN_EMIN
        for signal in list(ctx.traps):
            ctx.traps[signal] = False
        return number * multiplier


def _exact(value: Decimal) -> Decimal:
    """Drop a meaningless fractional part: Decimal('120000000.0') → Decimal('120000000')."""
    if not in_range(value):
        return value  # out-of-range values are reported as they are, never normalised (that could trap)
    with localcontext() as ctx:
        ctx.prec = 60
        return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def _decimal(number: str) -> Decimal:
    try:
        value = Decimal(number.replace(",", ""))
        return Decimal(0) if value.is_zero() else value  # 0e-99999999 is just 0
    except InvalidOperation as exc:
        if re.fullmatch(rf"{_NUM}", number):  # an exponent beyond what Decimal holds (1e99999999999999999999)
            return _huge(number)
        raise AmountParseError(f"not a number: {number!r}") from exc


def _huge(number: str) -> Decimal:
    """A written number too large (or too small) for Decimal: +Infinity, or 0 for a vast negative exponent."""
    return Decimal(0) if re.search(r"[eE]-", number) else Decimal("Infinity")


_FULLWIDTH = {ord(c) + 0xFEE0: ord(c) for c in "0123456789.,%"}


def _ascii(text: str) -> str:
    """Full-width digits and punctuation to ASCII; keeps every offset."""
    return text.translate(_FULLWIDTH)


def _normalise(text: str) -> str:
    return _ascii(text).strip()


def parse_chinese_numeral(text: str) -> Decimal:
    """``一千二百万`` → 12000000, ``一点五亿`` → 150000000, ``十五`` → 15. Raises on anything else."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in _CN_BIG and ch != "点" for ch in text):
        raise AmountParseError(f"不是中文数字 / not a Chinese numeral: {text!r}")
    if "点" in text:  # 一点五亿: digits after 点 are read one by one, then the trailing big unit applies
        head, _, tail = text.partition("点")
        unit = 1
        while tail and tail[-1] in _CN_BIG:
            unit *= _CN_BIG[tail[-1]]
            tail = tail[:-1]
        if not tail or any(ch not in _CN_DIGITS for ch in tail):
            raise AmountParseError(f"不是中文数字 / not a Chinese numeral: {text!r}")
        whole = parse_chinese_numeral(head) if head else Decimal(0)
        fraction = Decimal("0." + "".join(str(_CN_DIGITS[ch]) for ch in tail))
        return (whole + fraction) * unit
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None:  # two digits in a row (一二): not a numeral we read
                raise AmountParseError(f"不是中文数字 / not a Chinese numeral: {text!r}")
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            digit = None
            if ch == "亿":
                total = (total + section) * _CN_BIG[ch]
            else:
                total += section * _CN_BIG[ch]
            section = 0
    if digit is not None:
        section += digit
    return Decimal(total + section)


def _cn_multiplier(mult: str | None) -> int:
    return _CN_MULTIPLIERS[mult] if mult else 1


def parse_amount(text: str | int | float | Decimal) -> Decimal:
    """Read one amount of money into yuan. Bare numbers are taken as yuan.

    Accepts ``1000万``, ``1000万元``, ``300 万``, ``3百万``, ``1.2亿``, ``一千二百万``, ``一千万元``,
    ``2,000,000元``, ``20 million yuan``, ``RMB 3 million``, ``RMB 3,000,000``, ``¥500万``, ``1.5e6元``.
    Raises `AmountParseError` for anything else (``5k``, ``很多钱``, ``1000万美元``), and for NaN,
    Infinity or anything above `MAX_AMOUNT_YUAN` in absolute value ("amount out of range").
    """
    return _checked(_parse_amount(text), text)


def _parse_amount(text: str | int | float | Decimal) -> Decimal:
    if isinstance(text, bool):
        raise AmountParseError(f"不是金额 / not an amount: {text!r}")
    if isinstance(text, int):
        return Decimal(text) if abs(text) <= MAX_AMOUNT_YUAN else Decimal("Infinity") * (1 if text > 0 else -1)
    if isinstance(text, Decimal):
        return text
    if isinstance(text, float):
        return _exact(Decimal(repr(text)))
    if not isinstance(text, str):
        raise AmountParseError(f"不是金额 / not an amount: {text!r}")
    s = _normalise(text)
    if not s:
        raise AmountParseError("金额为空 / empty amount")
    if s[0] in "-−" and len(s) > 1:  # read the sign so callers can say "must not be negative"
        return _parse_amount(s[1:]).copy_negate()  # copy_negate: exact, never overflows
    m = re.fullmatch(rf"(?:{_CURRENCY_PREFIX})?(?P<num>{_NUM})\s*(?P<mult>{_CN_MULT})?\s*(?:{_YUAN_SUFFIX})?", s, re.IGNORECASE)
    if m:
        return _exact(_scaled(_decimal(m["num"]), _cn_multiplier(m["mult"])))
    m = re.fullmatch(rf"(?:{_CURRENCY_PREFIX})?(?P<num>{_NUM})\s*(?P<mult>thousand|million|billion|mn|bn)\s*(?:{_YUAN_SUFFIX})?", s, re.IGNORECASE)
    if m:
        return _exact(_scaled(_decimal(m["num"]), _EN_MULTIPLIERS[m["mult"].lower()]))
    m = re.fullmatch(rf"(?:{_CURRENCY_PREFIX})?(?P<cn>{_CN_NUMERAL})\s*(?:{_YUAN_SUFFIX})?", s)
    if m and m["cn"][0] in _CN_DIGITS | _CN_SMALL:
        return _exact(parse_chinese_numeral(m["cn"]))
    if re.fullmatch(r"[+]?(?:nan|s?nan|inf|infinity)", s, re.IGNORECASE):
        raise out_of_range_error(text)
    raise AmountParseError(
        f"无法识别的金额 / cannot read amount: {text!r}; "
        "accepted: 1000万, 1000万元, 一千二百万, 1.2亿, 2,000,000元, 20 million yuan, RMB 3,000,000"
    )


@lru_cache(maxsize=4096)
def money_figures(text: str) -> frozenset[Decimal]:
    """The sums of money a text states, in yuan (figures too large to compute with left out)."""
    return frozenset(a.yuan for a in find_amounts(text) if not a.out_of_range)


def find_amounts(text: str) -> list[Amount]:
    """Every amount of money in free text, in order. Numbers without a money unit are skipped.

    Never raises on a number's size: a figure above `MAX_AMOUNT_YUAN` (``99…9万亿``, ``1e308元``) is
    returned with `Amount.out_of_range` set, so callers can say so instead of computing with it.
    """
    s = _ascii(text)
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, yuan: Decimal) -> None:
        if any(start < e and b < end for b, e in taken):
            return
        taken.append((start, end))
        found.append(Amount(yuan=_exact(yuan), text=text[start:end], start=start, end=end))

    for m in _ARABIC_EN.finditer(s):
        if m["mult"] or m["cur"] or m["yuan"]:
            if not (m["cur"] or m["yuan"] or (m["mult"] and _ends_amount(s, m.end()))):
                continue  # "20 million users" is not money; "the contract is 30 million" and "200 million at 3.5%" are
            if m.start("num") > 0 and re.match(r"[A-Za-z0-9.]", s[m.start("num") - 1]) and not m["cur"]:
                continue
            if m["mult"] and m["mult"].lower() == "m" and not (m["cur"] or m["yuan"]):
                continue  # "12m" is money only as "RMB 12m" or "12m yuan" (not 12 metres, 12 months)
            mult = _EN_MULTIPLIERS[m["mult"].lower()] if m["mult"] else 1
            end = m.end() if m["yuan"] else m.end("mult") if m["mult"] else m.end("num")
            add(m.start(), end, _scaled(_decimal(m["num"]), mult))
    for m in _ARABIC_CN.finditer(s):
        if not (m["mult"] or m["yuan"]) or (m["mult"] == "千" and not m["yuan"]):
            continue
        if m.start() > 0 and (s[m.start() - 1].isdigit() or s[m.start() - 1] == "."):
            continue
        end = m.end()
        if not m["yuan"] and end < len(s) and s[end] in _NOT_MONEY_AFTER:
            continue
        if not m["yuan"] and end < len(s) and re.match(r"(美元|欧元|日元|港元|港币|英镑)", s[end:]):
            continue
        add(m.start(), end, _scaled(_decimal(m["num"]), _cn_multiplier(m["mult"])))
    for m in _CN_SUM.finditer(s):
        cn = m["cn"] + (m["big"] or "")
        if not (m["yuan"] or cn[-1] in _CN_BIG):
            continue
        end = m.end()
        if not m["yuan"] and end < len(s) and s[end] in _NOT_MONEY_AFTER:
            continue
        try:
            add(m.start(), end, parse_chinese_numeral(cn))
        except AmountParseError:
            continue
    for m in _PASSED_UNIT.finditer(s):  # "营收破亿", "过千万": the unit itself, reached
        add(m.start("unit"), m.end("unit"), Decimal(_CN_MULTIPLIERS[m["unit"]]))
    return sorted(found, key=lambda a: a.start)


# "破亿" / "过千万" / "超亿": a sum said by the round unit it passed ("营收第一次破亿了")
# ("超亿元项目" names a class of projects, not a sum: only 破/过, and no 元 after)
_PASSED_UNIT = re.compile(r"(?:破|过)(?P<unit>千万|百万|亿)(?![零〇一二两三四五六七八九十百千万亿\d元])")


# ---------------------------------------------------------------------- percentages

_PCT_ARABIC = re.compile(rf"(?P<num>{_NUM})\s*(?:(?P<pct>%|percent\b|per cent\b)|(?P<pts>个百分点|percentage points?\b|pp\b))", re.IGNORECASE)
_PCT_CN = re.compile(r"百分之(?P<cn>[零〇一二两三四五六七八九十百点]+)")
_PTS_CN = re.compile(r"(?P<cn>[一二两三四五六七八九十][零〇一二两三四五六七八九十点]*)个百分点")


def find_percents(text: str) -> list[Percent]:
    """Every percentage (``30%``, ``百分之三十``) and percentage point (``1.5个百分点``) in text."""
    s = _ascii(text)
    found: list[Percent] = []
    for m in _PCT_ARABIC.finditer(s):
        found.append(Percent(_decimal(m["num"]), text[m.start():m.end()], m.start(), m.end(), points=bool(m["pts"])))
    for pattern, points in ((_PCT_CN, False), (_PTS_CN, True)):
        for m in pattern.finditer(s):
            try:
                value = parse_chinese_numeral(m["cn"])
            except AmountParseError:
                continue
            found.append(Percent(value, text[m.start():m.end()], m.start(), m.end(), points=points))
    return sorted(found, key=lambda p: p.start)


def parse_percent(text: str | int | float | Decimal) -> Decimal:
    """Read one percentage into percent units: ``30%`` → 30, ``百分之三十`` → 30, ``1.5个百分点`` → 1.5.

    Bare numbers are taken as percent (``3.5`` → 3.5). Raises `AmountParseError` otherwise, and for
    NaN, Infinity or more than `MAX_PERCENT`.
    """
    return _checked(_parse_percent(text), text, MAX_PERCENT, "percent")


def _parse_percent(text: str | int | float | Decimal) -> Decimal:
    if isinstance(text, bool):
        raise AmountParseError(f"不是百分比 / not a percentage: {text!r}")
    if isinstance(text, int):
        return Decimal(text) if abs(text) <= MAX_PERCENT else Decimal("Infinity")
    if isinstance(text, Decimal):
        return text
    if isinstance(text, float):
        return Decimal(repr(text))
    if not isinstance(text, str):
        raise AmountParseError(f"不是百分比 / not a percentage: {text!r}")
    s = _normalise(text)
    if s[:1] in ("-", "−") and len(s) > 1:
        return _parse_percent(s[1:]).copy_negate()
    if re.fullmatch(_NUM, s):
        return _decimal(s)
    found = find_percents(s)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(s):
        return found[0].value
    raise AmountParseError(f"无法识别的百分比 / cannot read percentage: {text!r}; accepted: 30%, 3.5%, 百分之三十, 1.5个百分点")


# ----------------------------------------------------------------------- formatting


def _trim(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _as_decimal(value: Decimal | int | float) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _display_only(value: Decimal) -> str:
    """An out-of-range or non-finite value, shown without arithmetic (``1.0E+36``, ``NaN``)."""
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "Infinity" if value > 0 else "-Infinity"
    digits = value.as_tuple().digits
    return f"{value:.3E}" if len(digits) > 4 else f"{value:E}"


def format_yuan(yuan: Decimal | int | float) -> str:
    """Chinese style: 3000000 → ``300万元``, 120000000 → ``1.2亿元``, 15000 → ``15000元``.

    Never raises: a value beyond `MAX_AMOUNT_YUAN` or a non-finite one is shown as ``1.000E+36元`` /
    ``NaN元`` (it is never computed with; see `Amount.out_of_range`).
    """
    value = _as_decimal(yuan)
    if not in_range(value):
        return f"{_display_only(value)}元"
    with localcontext() as ctx:
        ctx.prec = 60
        sign, value = ("-", -value) if value < 0 else ("", value)
        if value >= 100_000_000 and value % 1_000_000 == 0:
            return f"{sign}{_trim(value / 100_000_000)}亿元"
        if value >= 10_000 and value % 10_000 == 0:
            return f"{sign}{_trim(value / 10_000)}万元"
        return f"{sign}{_trim(value)}元"


def format_yuan_en(yuan: Decimal | int | float) -> str:
    """English style with the Chinese form alongside: ``3,000,000 yuan (300万元)``. Never raises."""
    value = _as_decimal(yuan)
    if not in_range(value):
        return f"{_display_only(value)} yuan"
    with localcontext() as ctx:
        ctx.prec = 60
        whole = value == value.to_integral_value()
        number = f"{int(value):,}" if whole else f"{value:,.2f}"
    return f"{number} yuan ({format_yuan(value)})"


def format_percent(value: Decimal | int | float) -> str:
    """30 → ``30%``, Decimal('1.5') → ``1.5%``. Never raises."""
    value = _as_decimal(value)
    if not in_range(value, MAX_PERCENT):
        return f"{_display_only(value)}%"
    return f"{_trim(value)}%"


YES = frozenset({"true", "1", "yes", "y", "是", "对", "有", "t"})
NO = frozenset({"false", "0", "no", "n", "否", "不是", "无", "没有", "f"})


def parse_yes_no(raw: object, yes: frozenset[str] = YES, no: frozenset[str] = NO) -> bool | None:
    """A yes/no answer (a bool, or one of the words) as a bool; None when it is neither — the caller says why."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    return True if text in yes else False if text in no else None
