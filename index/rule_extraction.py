"""Calculator rules read from clause text.

A clause is split into segments (sentences and ";"-items) and each segment into comma pieces; the sentence forms
of Chinese support clauses are recognised in them (vocabulary: `index/data/rule_vocabulary.yaml`):

- a rate of a named base with caps: "按照项目实际投资额(不含土地款)的5%给予一次性补助,…最高不超过300万元";
- several rates chosen by a condition: "其中,A的企业补贴比例不超过…的30%,B的企业…20%";
- thresholds and conditional thresholds / caps: "对新建项目投资额达到1000万元(含)以上、提升改造项目…500万元(含)以上",
  "其中对新获得…备案的企业…不超过500万元";
- milestone tiers: "营业收入首次达到2000万元、3000万元…的,…分别给予20万元、50万元…奖励";
- fixed and levelled awards: "分别给予300万元、150万元一次性奖励" over the categories listed before them, "up to"
  and "not less than" awards, components ("给予500万元…,5年内…给予1000万元…") and follow-up levels ("通过验收后再给予");
- ranges ("20万元—100万元分档奖励"), cost-capped awards ("依据其…费用,给予不超过50万元"),
  interest subsidies in percentage points with a share cap, unpublished performance rates with an uplift;
- budget totals ("每年算力券总额2.5亿元") are notes, never an award; "(X除外)" is an exclusion.

The output is plain dicts in the schema of the reviewed rules (`assistant/rules/*.yaml`) plus `reviewed: false`,
`computable` (+ `reason`) — `index/` does not import the calculator. Every number of every rule is checked to occur
in the rule's quotes (`grounding_errors`); a clause that cannot be read with confidence gives no rule and a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from index.models import Clause, Document

VOCABULARY = Path(__file__).resolve().parent / "data" / "rule_vocabulary.yaml"
MAX_YUAN = Decimal(10) ** 12  # a support amount above 1 trillion yuan is a misreading
_OPEN = "((“‘《〔["
_CLOSE = "))”’》〕]"
_NUM = r"\d+(?:\.\d+)?"
_AMOUNT = re.compile(rf"({_NUM})\s*(亿|万)?元")
_PERCENT = re.compile(rf"({_NUM})\s*[%%]")
_POINTS = re.compile(rf"({_NUM})\s*个百分点")
_YEARS = re.compile(r"([1-9]\d*|[一二三四五六七八九十])个?年")
_HAN_DIGITS = {d: i for i, d in enumerate("一二三四五六七八九十", start=1)}
_RANGE = re.compile(rf"({_NUM})\s*(亿|万)?元?\s*[—–\~~至到-]+\s*({_NUM})\s*(亿|万)?元")
_MULT = {None: Decimal(1), "": Decimal(1), "万": Decimal(10_000), "亿": Decimal(100_000_000)}
_RESPONSIBLE = re.compile(r"[((]责任单位[::].*?[))]\s*$")
_HAN = "\u4e00-\u9fff"


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    return yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- small text tools


@dataclass(frozen=True)
class Span:
    """A piece of the clause text and where it starts in it (so quotes are exact substrings)."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def split_top(span: Span, seps: str) -> list[Span]:
    """Split at separators outside brackets and quotes; empty pieces are dropped."""
    out, depth, begin = [], 0, 0
    for i, ch in enumerate(span.text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            out.append(Span(span.text[begin:i], span.start + begin))
            begin = i + 1
    out.append(Span(span.text[begin:], span.start + begin))
    return [s for s in out if s.text.strip()]


def _yuan(number: str, mult: str | None) -> Decimal | None:
    try:
        value = Decimal(number) * _MULT[mult]
    except (InvalidOperation, KeyError):
        return None
    if value <= 0 or value >= MAX_YUAN or value != value.to_integral_value():
        return None
    return value.to_integral_value()


def _num(value: Decimal) -> int | float:
    """A JSON/YAML number: int when whole (yuan, most rates), else float (1.5 points)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _strip_brackets(text: str) -> str:
    return re.sub(r"[((][^()()]*[))]", "", text)


def _unclosed_tail(text: str) -> str:
    """The text after the last unclosed opening bracket ("…项目(总投资规模" → "总投资规模")."""
    depth, cut = 0, 0
    for i, ch in enumerate(text):
        if ch in "((":
            depth += 1
            if depth == 1:
                cut = i + 1
        elif ch in "))":
            depth = max(0, depth - 1)
    return text[cut:] if depth else text


def _trim(text: str) -> str:
    return text.strip(" ,,、;;:。的且及和并其")


def _ends_with_any(text: str, words: Sequence[str]) -> str | None:
    bare = _strip_brackets(text).rstrip("的")
    return next((w for w in sorted(words, key=len, reverse=True) if bare.endswith(w)), None)


def _core(label: str) -> str:
    """A base label without qualifiers and brackets, to tell whether two labels name one amount."""
    core = _strip_brackets(label)
    for word in vocabulary()["base_qualifiers"]:
        core = core.replace(word, "")
    return core


# ----------------------------------------------------------------------------- what a segment states


@dataclass
class Found:
    """Numbers found in one segment, each with its role and the exact piece it was read from."""

    quote: Span
    value: Decimal
    label: str = ""
    condition: str | None = None
    condition_kind: str | None = None  # "choice" (one of listed categories) | "bool" ("其中对…的企业")
    unit: str = "yuan"  # yuan | percent


@dataclass
class Segment:
    span: Span
    kind: str | None = None  # rate | interest | tiered | fixed | range | cost_capped | performance_rate | None
    rates: list[Found] = field(default_factory=list)
    caps: list[Found] = field(default_factory=list)
    thresholds: list[Found] = field(default_factory=list)
    budgets: list[Found] = field(default_factory=list)
    exclusions: list[Found] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)
    award_quotes: list[Span] = field(default_factory=list)
    subject: str = ""
    items: list[str] = field(default_factory=list)
    continuation: bool = False
    tiers: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    tier_label: str = ""
    first_time: bool = False
    range: tuple[Decimal, Decimal] | None = None
    points: Found | None = None
    share: Found | None = None
    uplift: Found | None = None
    base_label: str = ""
    up_to: bool = False
    floor: bool = False
    open_questions: list[dict[str, str]] = field(default_factory=list)
    problem: str | None = None  # why this segment's award cannot be read with confidence


def _amounts(span: Span) -> list[tuple[re.Match, Decimal | None]]:
    return [(m, _yuan(m.group(1), m.group(2))) for m in _AMOUNT.finditer(span.text)]


def _sub(span: Span, m: re.Match) -> Span:
    return Span(m.group(0), span.start + m.start())


def _piece_of(pieces: list[Span], pos: int) -> Span:
    return next(p for p in pieces if p.start <= pos < p.end)


def _scope_en(prefix: str) -> str:
    parts = []
    for cue, en in vocabulary()["scope_cues"].items():
        if cue in prefix and en not in parts:
            parts.append(en)
    return ", ".join(parts) or "cap"


def analyse(span: Span) -> Segment:
    """Everything one segment (sentence or ;-item) states about money."""
    voc = vocabulary()
    seg = Segment(span)
    text = span.text
    pieces = split_top(span, ",,")
    used: set[int] = set()  # start offsets (in the clause) of amounts / percents already given a role

    for cue, question in voc["open_question_cues"].items():
        if cue in text:
            seg.open_questions.append(question)
    for m in re.finditer(voc["exclusion_pattern"], text):
        seg.exclusions.append(Found(_sub(span, m), Decimal(0), label=m.group(1)))

    # budgets: totals and pools, never an award
    for piece in pieces:
        for m, value in _amounts(piece):
            if any(cue in piece.text[: m.start()] for cue in voc["budget_cues"]):
                used.add(piece.start + m.start())
                if value is not None:
                    seg.budgets.append(Found(piece, value))
        for m in _PERCENT.finditer(piece.text):
            if any(cue in piece.text[: m.start()] for cue in voc["budget_cues"]):
                used.add(piece.start + m.start())

    # ranges: "20万元—100万元"
    for m in _RANGE.finditer(text):
        low, high = _yuan(m.group(1), m.group(2) or m.group(4)), _yuan(m.group(3), m.group(4))
        if low and high and low < high:
            seg.range = (low, high)
            seg.award_quotes.append(_sub(span, m))
            used.update({span.start + m.start(), span.start + m.start(3)})
            used.update(span.start + a.start() for a in _AMOUNT.finditer(text) if m.start() <= a.start() < m.end())

    # interest subsidy in percentage points, with a share of the interest paid
    for m in _POINTS.finditer(text):
        seg.points = Found(_piece_of(pieces, span.start + m.start()), Decimal(m.group(1)))
    if seg.points:
        for piece in pieces:
            for m in _PERCENT.finditer(piece.text):
                before = piece.text[: m.start()]
                if "利息" in before and not any(w in before[-3:] for w in voc["not_rate_before"]):
                    marker = max((before.rfind(w) + len(w) for w in voc["rate_markers"] if w in before), default=0)
                    seg.share = Found(piece, Decimal(m.group(1)), label=_trim(before[marker:]))
                    used.add(piece.start + m.start())

    # milestone tiers: "首次达到2000万元、3000万元…的 … 分别给予20万元、50万元…"
    for piece in pieces:
        cue = next((c for c in ("首次达到", "首次突破", "达到", "突破") if c in piece.text), None)
        if not cue:
            continue
        after = piece.text[piece.text.index(cue) + len(cue):]
        levels = [_yuan(m.group(1), m.group(2)) for m in _AMOUNT.finditer(after)]
        if len(levels) < 2 or "、" not in after:
            continue
        grant = next((p for p in pieces if "分别给予" in p.text and p.start > piece.start), None)
        if not grant:
            continue
        awards = [_yuan(m.group(1), m.group(2)) for m in _AMOUNT.finditer(grant.text.split("分别给予", 1)[1])]
        if len(awards) == len(levels) and None not in levels + awards and levels == sorted(levels):
            seg.tiers = list(zip(levels, awards))
            seg.tier_label = _trim(re.sub(r"^对", "", piece.text[: piece.text.index(cue)]))
            seg.first_time = cue.startswith("首次")
            seg.award_quotes += [piece, grant]
            used.update(piece.start + m.start() for m in _AMOUNT.finditer(piece.text))
            used.update(grant.start + m.start() for m in _AMOUNT.finditer(grant.text))
        break

    # the performance rate that is not published, with an uplift ("战略性新兴产业补助标准上浮5%")
    for piece in pieces:
        m = re.search(rf"{voc['uplift_cue']}({_NUM})[%%]", piece.text)
        if m:
            condition = _trim(piece.text[: m.start()])
            condition = re.sub(r"(补助|补贴|资助|奖励)?(标准|比例)$", "", condition)
            seg.uplift = Found(piece, Decimal(m.group(1)), label=_trim(condition))
            used.add(piece.start + m.start(1) - 0)
            used.update(piece.start + p.start() for p in _PERCENT.finditer(piece.text) if p.start() > m.start())

    # thresholds: "投资额达到1000万元(含)以上", "(总投资规模不低于5000万元)", "不少于1000万元投入的", "增速在10%(含)以上"
    for piece in pieces:
        for sub in split_top(piece, "、"):
            numbers = [(m, _yuan(m.group(1), m.group(2)), "yuan") for m in _AMOUNT.finditer(sub.text)]
            numbers += [(m, Decimal(m.group(1)), "percent") for m in _PERCENT.finditer(sub.text)]
            for m, value, unit in numbers:
                if sub.start + m.start() in used or value is None:
                    continue
                before = _unclosed_tail(sub.text[: m.start()])
                after = sub.text[m.end():]
                cue = next((c for c in sorted(voc["threshold_cues"] + voc["floor_cues"], key=len, reverse=True) if before.endswith(c)), None)
                after_cue = any(after.startswith(a) for a in voc["threshold_after"])
                if not cue and not after_cue:
                    continue
                if cue == "在" and not after_cue:
                    continue
                head = before[: len(before) - len(cue)] if cue else before
                if cue in voc["floor_cues"] and re.search(r"(资金|奖励|补助|补贴|资助|奖补|支持)(金额)?$", head):
                    continue  # "财政支持资金不低于1000万元": an award floor
                if cue in ("超过",) and not after_cue:
                    continue
                label = _trim(re.sub(r"^(对|其中|且|并且)", "", _trim(head)))
                if not _ends_with_any(label, voc["base_nouns"] + ["增速", "增长率", "规模", "收入"]):
                    noun = re.match(rf"([{_HAN}]{{1,8}}?)的", after)
                    if noun and _ends_with_any(noun.group(1), voc["base_nouns"]):
                        label = noun.group(1)
                    elif not label:
                        continue
                condition = None
                base_noun = _ends_with_any(label, voc["base_nouns"])
                if base_noun and unit == "yuan":
                    core = _strip_brackets(label)
                    prefix = core[: core.rfind(base_noun)] if base_noun in core else ""
                    if prefix:
                        condition = prefix
                seg.thresholds.append(Found(sub, value, label=label, condition=condition, unit=unit))
                used.add(sub.start + m.start())

    # rates of a named base: "按照项目实际投资额(不含土地款)的5%", "不超过单个合同额20%"
    for piece in pieces:
        for m in _PERCENT.finditer(piece.text):
            if piece.start + m.start() in used:
                continue
            before = piece.text[: m.start()]
            if any(before.endswith(w) or before[-4:].find(w) >= 0 for w in voc["not_rate_before"]):
                continue
            body = before[:-1] if before.endswith("的") else before
            marks = [(body.rfind(w), w) for w in voc["rate_markers"] if w in body]
            if not marks:
                continue
            pos, mark = max(marks, key=lambda t: (t[0], len(t[1])))
            base = _trim(body[pos + len(mark):])
            if not base or not _ends_with_any(base, voc["base_nouns"]):
                seg.problem = seg.problem or f"比例{m.group(0)}的计算基数未能识别"
                continue
            # a rate for some recipients only: "其中,使用其他算力设施的企业补贴比例不超过…"
            prefix = _trim(re.sub(r"^(其中|对)", "", _trim(body[:pos])))
            recipient = re.search(r"的(企业|单位|项目|用户|机构)?(补贴|补助|资助|奖励)?(比例|标准)$|的(企业|单位|项目|用户|机构)$", prefix)
            condition = _trim(prefix[: recipient.start()]) if recipient else None
            seg.rates.append(Found(piece, Decimal(m.group(1)), label=base, condition=condition or None, unit="percent"))
            used.add(piece.start + m.start())

    # caps and up-to amounts: "不超过500万元", "最高不超过300万元", "其中对…的企业…不超过500万元"
    cue_pattern = "|".join(sorted(map(re.escape, voc["cap_cues"]), key=len, reverse=True))
    for piece in pieces:
        in_which = piece.text.startswith("其中")
        for sub in split_top(piece, "、"):
            for m, value in _amounts(sub):
                if sub.start + m.start() in used or value is None:
                    continue
                before = sub.text[: m.start()]
                cue = re.search(rf"(?:{cue_pattern})\s*$", before)
                if not cue:
                    continue
                prefix = _trim(before[: cue.start()])
                if "给予" in prefix:
                    prefix = _trim(prefix[prefix.rindex("给予") + 2:])
                found = Found(sub, value, label=prefix)
                if in_which:
                    cond = re.match(r"其中[,,]?对?(.+?)的(企业|单位|项目)", piece.text)
                    if cond:
                        found.condition, found.condition_kind = _trim(cond.group(1)), "bool"
                found.unit = "yuan"
                seg.caps.append(found)
                used.add(sub.start + m.start())

    _read_awards(seg, pieces, used)
    _decide_kind(seg, pieces)
    return seg


def _subject(seg: Segment, pieces: list[Span], grant_at: int) -> None:
    """The recipients before the grant: "对新认定的国家级、省级制造业创新中心," → items; no "对" → a continuation."""
    text = seg.span.text[: grant_at - seg.span.start]
    idx = text.rfind("对")
    while idx > 0 and text[idx - 1] in "针相面绝":
        idx = text[:idx].rfind("对")
    if idx >= 0:
        subject = text[idx + 1:]
    else:
        last = split_top(Span(text, 0), ",,")
        subject = last[-1].text if last and last[-1].text.rstrip().endswith("的") else ""
        seg.continuation = bool(subject)
    subject = _trim(re.sub(r"(,|,)?(分别|均|每家|一次性)?$", "", subject.strip()))
    subject = re.sub(r"的$", "", subject)
    seg.subject = subject
    seg.items = [i.text for i in split_top(Span(subject, 0), "、")] if subject else []


def _labels(items: list[str]) -> list[str]:
    """Distribute the shared tail of an enumeration ("国家级、省级、市级企业技术中心") over its items."""
    voc = vocabulary()
    prefixes = sorted(voc["subject_prefixes"], key=len, reverse=True)

    def clean(item: str) -> str:
        for p in prefixes:
            if item.startswith(p) and len(item) > len(p):
                return item[len(p):]
        return item

    items = [clean(_trim(i)) for i in items]
    if len(items) < 2:
        return items
    last = items[-1]
    head = next((w for w in sorted(voc["level_words"], key=len, reverse=True) if last.startswith(w) and len(last) > len(w)), None)
    if head is None:
        m = re.match(rf"[{_HAN}]{{1,{voc['named_level_max_chars']}}}?[省市]", last)
        head = m.group(0) if m and len(last) > len(m.group(0)) else None
    short = all(len(i) <= 6 for i in items[:-1])
    if head is None or not short:
        return items
    tail = last[len(head):]
    return [i + tail for i in items[:-1]] + [last]


def _read_awards(seg: Segment, pieces: list[Span], used: set[int]) -> None:
    """Fixed awards: "分别给予A、B", "给予一次性X万元", "给予最高X万元", "…资金不低于X万元", "再给予"."""
    if seg.tiers or seg.range:
        grant = next((p for p in pieces if "给予" in p.text), None)
        if grant:
            _subject(seg, pieces, grant.start + grant.text.index("给予"))
        return
    grants: list[tuple[Span, list[tuple[re.Match, Decimal]]]] = []
    for piece in pieces:
        if "给予" not in piece.text and not re.search(r"(资金|奖励|补助|补贴|资助|奖补|支持)(金额)?(不低于|不少于)", piece.text):
            continue
        start = piece.text.find("给予") if "给予" in piece.text else 0
        found = [(m, v) for m, v in _amounts(Span(piece.text[start:], piece.start + start)) if v is not None]
        found = [(m, v) for m, v in found if piece.start + start + m.start() not in used]
        if found:
            grants.append((Span(piece.text, piece.start), [(m, v) for m, v in found]))
    cap_awards = [c for c in seg.caps if re.search(r"(给予|奖励金额|补助金额|资助金额|奖补金额|补贴金额)$", c.label) or c.label == ""]
    if not grants and not seg.rates and not seg.points and cap_awards and any(w in seg.span.text for w in ("给予", "予以")):
        # "给予不超过30万元的资金补助", "给予奖励,奖励金额不超过500万元": an up-to award
        cap = cap_awards[0]
        seg.caps.remove(cap)
        seg.up_to = True
        grant_at = seg.span.start + seg.span.text.find("给予") if "给予" in seg.span.text else cap.quote.start
        _subject(seg, pieces, grant_at)
        seg.awards.append({"amounts": [cap.value], "component_label": ""})
        seg.award_quotes.append(cap.quote)
        return
    if not grants or seg.rates or seg.points:
        return
    first_piece, first = grants[0]
    text = first_piece.text
    grant_word = "分别给予" if "分别给予" in text else ("给予" if "给予" in text else "")
    grant_at = first_piece.start + (text.index(grant_word) if grant_word else 0)
    _subject(seg, pieces, grant_at)
    if not grant_word:  # "…资金不低于1000万元"
        seg.floor = True
        floor = re.search(r"对(.+?)(财政)?(支持)?(资金|奖励|补助|补贴|资助|奖补)(金额)?(不低于|不少于)", text)
        seg.subject = _trim(floor.group(1)) if floor else ""
        seg.continuation = False
        seg.items = [seg.subject] if seg.subject else []
    else:
        recipient = re.match(rf"(?:一次性)?([{_HAN}]{{2,6}}?)(?:一次性)?\d", text[text.index(grant_word) + len(grant_word):])
        if recipient and recipient.group(1) not in ("一次性", "最高", "不超过") and len(seg.items) == 1:
            seg.items = [seg.items[0] + recipient.group(1)]
    seg.award_quotes.append(first_piece)
    amounts = [v for _, v in first]
    for piece, found in grants[1:]:
        seg.award_quotes.append(piece)
        value = found[0][1]
        if "再给予" in piece.text and len(amounts) == 1:
            condition = _trim(piece.text[: piece.text.index("再给予")])
            seg.awards.append({"extra": condition, "amount": value})
        elif len(amounts) == 1:
            seg.awards.append({"component": _trim(piece.text[found[0][0].end() + piece.text.index("给予"):]), "amount": value})
    seg.awards.insert(0, {"amounts": amounts, "component_label": _component_label(text, grant_word)})
    if grant_word:
        before_amount = text[text.index(grant_word) + len(grant_word):]
        if re.match(r"(一次性)?(不超过|最高)", before_amount):
            seg.up_to = True
    for piece, found in grants:
        used.update(piece.start + m.start() for m, _ in found)


def _component_label(text: str, grant_word: str) -> str:
    m = _AMOUNT.search(text, text.index(grant_word) if grant_word else 0)
    return _trim(text[m.end():]) if m else ""


def _decide_kind(seg: Segment, pieces: list[Span]) -> None:
    voc = vocabulary()
    text = seg.span.text
    gives = any(v in text for v in voc["award_verbs"])
    if seg.problem:
        return  # a percentage whose base cannot be read: never guess the amount from the rest
    if seg.points and gives:
        seg.kind = "interest"
    elif seg.tiers:
        seg.kind = "tiered"
    elif seg.range and gives:
        seg.kind = "range"
    elif seg.rates and gives:
        seg.kind = "rate"
    elif any(c in text for c in voc["unpublished_rate_cues"]) and gives and not seg.awards:
        seg.kind = "performance_rate"
    elif seg.awards or seg.up_to:
        cost = re.search(r"(依据|根据)其?([^,,。;]{1,20}?(费用|投入|支出))", text)
        if seg.up_to and cost and len(seg.awards) == 1:
            seg.kind = "cost_capped"
            seg.base_label = cost.group(2)
        else:
            seg.kind = "fixed"


# ----------------------------------------------------------------------------- rules from segments


@dataclass
class ClauseExtraction:
    rules: list[dict[str, Any]]
    skipped: list[dict[str, str]]  # {"clause_id", "reason", "quote"}


def _text(zh: str, en: str | None = None) -> dict[str, str]:
    return {"zh": zh, "en": en or zh}


def _input(name: str, type_: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "description": _text(zh, en), **extra}


def _quotes(spans: Iterable[Span]) -> list[str]:
    out: list[str] = []
    for s in spans:
        q = s.text.strip(" \n\t,,;;。")
        if q and q not in out:
            out.append(q)
    return out


class _Unreadable(Exception):
    pass


def extract_clause(clause: Clause, document: Document | None = None, stacking: dict[str, Any] | None = None) -> ClauseExtraction:
    """The rules one clause states (possibly none), and why a money sentence gave no rule."""
    voc = vocabulary()
    if clause.kind not in voc["measure_clause_kinds"]:
        return ClauseExtraction([], [])
    text = _RESPONSIBLE.sub("", clause.text)
    segments = [analyse(s) for s in split_top(Span(text, 0), "。;;")]
    skipped: list[dict[str, str]] = []
    groups: list[list[Segment]] = []
    pending: list[Segment] = []  # segments without an award: caps / thresholds / budgets for a neighbour
    for seg in segments:
        if seg.kind is None:
            if seg.problem:
                skipped.append({"clause_id": clause.clause_id, "reason": seg.problem, "quote": seg.span.text.strip()})
            if groups:
                groups[-1].append(seg)
            else:
                pending.append(seg)
            continue
        previous = next((s for s in groups[-1] if s.kind), None) if groups else None
        merge = (
            previous is not None
            and previous.kind == "fixed"
            and seg.kind == "fixed"
            and not previous.floor
            and not seg.floor
            and previous.up_to == seg.up_to
            and len(previous.items) <= 1
            and (seg.continuation or len(seg.items) == 1)
            and all(len(s.items) <= 1 for s in groups[-1] if s.kind)
        )
        if merge:
            groups[-1].append(seg)
        else:
            groups.append(pending + [seg])
            pending = []
    rules: list[dict[str, Any]] = []
    for n, group in enumerate(groups, start=1):
        try:
            rule = _build(clause, document, group, n, stacking)
        except _Unreadable as exc:
            main = next(s for s in group if s.kind)
            skipped.append({"clause_id": clause.clause_id, "reason": str(exc), "quote": main.span.text.strip()})
            continue
        errors = grounding_errors(rule)
        if errors:
            skipped.append({"clause_id": clause.clause_id, "reason": "数字未见于引文: " + "; ".join(errors), "quote": ""})
            continue
        rules.append(rule)
    if len(rules) == 1 and len(groups) == 1:
        rules[0]["program"] = rules[0]["program"].rsplit(":", 1)[0]
    return ClauseExtraction(rules, skipped)


def _build(clause: Clause, document: Document | None, group: list[Segment], n: int, stacking: dict[str, Any] | None) -> dict[str, Any]:
    main = next(s for s in group if s.kind)
    city = (document.city if document else None) or ""
    rule: dict[str, Any] = {
        "program": f"{clause.clause_id}:{n}",
        "city": city,
        "city_en": city,
        "title": clause.heading or clause.display_label,
        "title_en": f"{clause.heading or clause.display_label} (rule read from the text)",
        "clause_id": clause.clause_id,
        "kind": main.kind,
        "inputs": [],
        "reviewed": False,
        "computable": True,
    }
    quotes: list[Span] = []
    inputs: list[dict[str, Any]] = rule["inputs"]
    notes = [_text(f"资金总额:{b.quote.text.strip(' ,,')}(为资金总额,非单个企业补助)", "budget total of the programme, not an award") for s in group for b in s.budgets]
    quotes += [b.quote for s in group for b in s.budgets]
    open_questions: list[dict[str, str]] = []
    for s in group:
        for q in s.open_questions:
            if q not in open_questions:
                open_questions.append(q)
    thresholds = [t for s in group for t in s.thresholds]
    caps = [c for s in group for c in s.caps]
    exclusions = [e for s in group for e in s.exclusions]

    if main.kind in ("rate", "interest", "performance_rate", "cost_capped"):
        _money_rule(rule, main, group, thresholds, caps, quotes)
    elif main.kind == "tiered":
        _tiered_rule(rule, main, thresholds, quotes)
    elif main.kind == "range":
        rule["range"] = {"min": _num(main.range[0]), "max": _num(main.range[1])}
        quotes += main.award_quotes
        if main.subject:
            notes.append(_text(f"对象:{main.subject}", "recipients as stated in the clause"))
    else:
        _fixed_rule(rule, group, quotes)
        if thresholds:
            notes += [_text(f"条件:{t.quote.text.strip()}", "condition stated in the clause") for t in thresholds]
            quotes += [t.quote for t in thresholds]
        if caps:
            notes += [_text(f"上限:{c.quote.text.strip()}", "limit stated in the clause") for c in caps]
            quotes += [c.quote for c in caps]

    if rule.get("caps") and (years := _support_years(group)) is not None:
        rule["years"], quote = years
        quotes.append(quote)
    for i, exclusion in enumerate(exclusions, start=1):
        name = f"excluded_{i}"
        inputs.append(_input(name, "bool", f"是否{exclusion.label}", f"is it '{exclusion.label}' (excluded by the text)", default=False))
        rule.setdefault("exclusions", []).append({"input": name, "when": True, "reason": _text(f"{exclusion.label}除外", f"'{exclusion.label}' is excluded by the text")})
        quotes.append(exclusion.quote)
    if notes:
        rule["notes"] = notes
    if open_questions:
        rule["open_questions"] = open_questions
    if stacking:
        rule["stacking"] = stacking
    rule["quotes"] = _quotes(quotes)
    if not rule["inputs"]:
        rule["inputs"] = []
    return rule


def _year_count(digits: str) -> int:
    return int(digits) if digits.isdigit() else _HAN_DIGITS[digits]


def _support_years(group: list[Segment]) -> tuple[int, Span] | None:
    """"政策有效期内资助不超过3年" in a clause that pays per year: how many years, and the words saying so."""
    voc = vocabulary()
    yearly = [cue for cue, scope in voc["scope_cues"].items() if scope == "per year"]
    if not any(cue in seg.span.text for seg in group for cue in yearly):
        return None
    for seg in group:
        if (m := re.search(voc["support_years_pattern"], seg.span.text)) is not None:
            return _year_count(m.group(1) or m.group(2)), _sub(seg.span, m)
    return None


def _choice(rule: dict[str, Any], conditions: list[str], label: str = "类别") -> str:
    """One choice input over the conditions the text lists ("新建项目", "提升改造项目")."""
    name = "category"
    if not any(i["name"] == name for i in rule["inputs"]):
        options = [{"value": c, "zh": c, "en": c} for c in conditions]
        rule["inputs"].insert(0, _input(name, "choice", label, "category stated in the clause", options=options))
    return name


def _money_rule(rule, main: Segment, group, thresholds: list[Found], caps: list[Found], quotes: list[Span]) -> None:
    inputs = rule["inputs"]
    kind = main.kind
    base_label = main.base_label
    if kind == "rate":
        conditional = [r for r in main.rates if r.condition]
        rates = conditional if len(conditional) >= 2 else [r for r in main.rates if not r.condition] or main.rates[:1]
        if len({r.label for r in rates}) > 1 and len({_core(r.label) for r in rates}) > 1:
            raise _Unreadable("同一条款中的比例基数不一致,无法确定计算基数")
        base_label = rates[0].label
        quotes += [r.quote for r in rates]
        if len(rates) >= 2:
            name = _choice(rule, [r.condition for r in rates], "适用情形")
            rule["rate"] = {"by": name, "values": {r.condition: _num(r.value) for r in rates}}
        else:
            rule["rate"] = _num(rates[0].value)
    elif kind == "performance_rate":
        if not thresholds:
            raise _Unreadable("比例按绩效分档,原文未公布,且未写明计算基数")
        base_label = thresholds[0].label
    elif kind == "interest":
        base_label = "贷款本金"
    inputs.append(_input("amount_yuan", "amount_yuan", base_label, "base amount as named in the clause"))
    rule["base"] = "amount_yuan"

    if kind == "interest":
        inputs.append(_input("interest_rate", "percent", "贷款年利率", "annual loan interest rate"))
        rule["rate_input"] = "interest_rate"
        rule["max_points"] = _num(main.points.value)
        quotes.append(main.points.quote)
        if main.share:
            inputs.append(_input("interest_paid_yuan", "amount_yuan", f"{main.share.label}(缺省按本金×利率计)", "interest actually paid (default: principal × rate)", required=False))
            rule["paid_input"] = "interest_paid_yuan"
            rule["interest_share"] = _num(main.share.value)
            quotes.append(main.share.quote)
        else:
            rule["interest_share"] = 100
    if kind == "performance_rate":
        inputs.append(_input("base_rate", "percent", "按绩效评价确定的补助比例(原文未公布,已知时填写)", "rate from the evaluation (not published; give it if known)", required=False))
        rule["rate_input"] = "base_rate"
        if main.uplift:
            inputs.append(_input("uplift_applies", "bool", f"是否属于{main.uplift.label}", f"belongs to: {main.uplift.label}", default=False))
            rule["uplift"] = _num(main.uplift.value)
            rule["uplift_input"] = "uplift_applies"
            quotes.append(main.uplift.quote)
        else:
            rule["computable"] = False
            rule["reason"] = "比例按绩效分档,原文未公布"
        rule.setdefault("open_questions", []).append(_text("补助比例按绩效评价分档确定,原文未公布", "the base rate depends on an evaluation and is not published"))
    if kind == "cost_capped":
        inputs[-1]["required"] = False
        inputs[-1]["description"] = _text(f"{base_label}(缺省时给出最高额)", "costs as named in the clause (omit for the maximum)")

    # conditions listed for thresholds / caps ("新建项目…、提升改造项目…") → one choice input
    choice_conditions: list[str] = []
    for found in thresholds + [c for c in caps if c.condition_kind != "bool"]:
        if found.condition and found.condition not in choice_conditions and found.unit == "yuan":
            choice_conditions.append(found.condition)
    for c in caps:
        if c.condition_kind is None:
            hit = next((cond for cond in choice_conditions if c.label.startswith(cond)), None)
            if hit:
                c.condition, c.condition_kind = hit, "choice"
    chosen = [c for c in choice_conditions if sum(1 for t in thresholds + caps if t.condition == c) >= 1]
    if len(chosen) >= 2 and "category" not in {i["name"] for i in inputs}:
        _choice(rule, chosen, "项目类型")
    elif len(chosen) < 2:
        for t in thresholds:
            t.condition = None
        for c in caps:
            if c.condition_kind == "choice":
                c.condition = c.condition_kind = None

    # thresholds: on the base when they name the same amount, else on an input of their own (optional)
    extra_inputs: dict[str, str] = {}
    grouped: dict[tuple[str, str], list[Found]] = {}
    for t in thresholds:
        grouped.setdefault((t.label if t.condition is None else _strip_brackets(t.label)[len(t.condition):], t.unit), []).append(t)
    for (label, unit), items in grouped.items():
        if unit == "yuan" and (_core(label) == _core(base_label) or (kind == "performance_rate" and label == base_label)):
            name = "amount_yuan"
        else:
            name = extra_inputs.get(label)
            if name is None:
                suffix = "yuan" if unit == "yuan" else "percent"
                name = f"threshold_{len(extra_inputs) + 1}_{suffix}"
                extra_inputs[label] = name
                required = unit == "percent"
                description = label if unit == "yuan" else label
                spec = _input(name, "amount_yuan" if unit == "yuan" else "percent", description, "amount the threshold is stated on" if unit == "yuan" else "percentage the threshold is stated on")
                if not required:
                    spec["required"] = False
                if unit == "percent":
                    spec["allow_negative"] = True
                inputs.append(spec)
        if len(items) > 1 and all(i.condition for i in items):
            minimum: Any = {"by": "category", "values": {i.condition: _num(i.value) for i in items}}
        else:
            minimum = _num(items[0].value)
        rule.setdefault("thresholds", []).append({"input": name, "min": minimum})
        quotes += [i.quote for i in items]

    # caps: plain, by a listed category, or raised for a condition ("其中对…的企业…不超过500万元")
    plain = [c for c in caps if c.condition_kind is None]
    by_choice = [c for c in caps if c.condition_kind == "choice"]
    by_bool = [c for c in caps if c.condition_kind == "bool"]
    out_caps = []
    if by_choice:
        out_caps.append({"amount": {"by": "category", "values": {c.condition: _num(c.value) for c in by_choice}}, "scope": _text("", "by category")})
        quotes += [c.quote for c in by_choice]
    for i, bool_cap in enumerate(by_bool, start=1):
        general = plain.pop(0) if plain else None
        if general is None:
            raise _Unreadable("条件上限没有对应的一般上限")
        name = f"condition_{i}"
        inputs.append(_input(name, "bool", f"是否{bool_cap.condition}", f"meets: {bool_cap.condition}", default=False))
        out_caps.append({"amount": {"by": name, "values": {"false": _num(general.value), "true": _num(bool_cap.value)}}, "scope": _text(general.label, _scope_en(general.label))})
        quotes += [general.quote, bool_cap.quote]
    for c in plain:
        out_caps.append({"amount": _num(c.value), "scope": _text(c.label, _scope_en(c.label))})
        quotes.append(c.quote)
    if kind == "cost_capped":
        award = main.awards[0]["amounts"][0] if main.awards else None
        if award is None:
            raise _Unreadable("费用补助未写明上限")
        scope = re.search(r"(一次性)?(奖励|补助|补贴|资助|奖补)", main.span.text[main.span.text.find("给予"):])
        out_caps.insert(0, {"amount": _num(award), "scope": _text(scope.group(0) if scope else "", "one-off" if scope and scope.group(1) else "cap")})
        quotes += main.award_quotes
    if out_caps:
        rule["caps"] = out_caps
    if kind == "rate" and not out_caps:
        rule.setdefault("open_questions", []).append(_text("原文未写明上限", "the text states no cap"))


def _tiered_rule(rule, main: Segment, thresholds: list[Found], quotes: list[Span]) -> None:
    inputs = rule["inputs"]
    inputs.append(_input("amount_yuan", "amount_yuan", main.tier_label or "金额", "amount the milestones are stated on"))
    rule["base"] = "amount_yuan"
    rule["tiers"] = [{"min": _num(a), "award": _num(b)} for a, b in main.tiers]
    quotes += main.award_quotes
    for i, t in enumerate(thresholds, start=1):
        name = f"threshold_{i}_{'percent' if t.unit == 'percent' else 'yuan'}"
        spec = _input(name, "percent" if t.unit == "percent" else "amount_yuan", t.label, "value the threshold is stated on")
        if t.unit == "percent":
            spec["allow_negative"] = True
        inputs.append(spec)
        rule.setdefault("thresholds", []).append({"input": name, "min": _num(t.value)})
        quotes.append(t.quote)
    if main.first_time:
        inputs.append(_input("first_time", "bool", "是否首次达到该档位", "reached for the first time", default=True))
        rule["exclusions"] = [{"input": "first_time", "when": False, "reason": _text("奖励仅针对首次达到相应档位", "only for reaching a milestone for the first time")}]


def _fixed_rule(rule, group: list[Segment], quotes: list[Span]) -> None:
    awards: list[dict[str, Any]] = []
    main = group[0] if group[0].kind else next(s for s in group if s.kind)
    for seg in [s for s in group if s.kind == "fixed"]:
        head = seg.awards[0]
        amounts = head["amounts"]
        labels = _labels(seg.items) if seg.items else []
        if not labels:
            labels = [seg.subject or rule["title"]]
        if len(amounts) == 1 and len(labels) >= 1:
            amounts = amounts * len(labels)
        if len(amounts) != len(labels):
            alt = [x for i in seg.items for x in re.split(r"和|及", i) if x]
            labels = _labels(alt)
            if len(amounts) != len(labels):
                raise _Unreadable(f"列出{len(labels)}个类别,却有{len(amounts)}个金额,无法对应")
        comps = [a for a in seg.awards[1:] if "component" in a]
        extras = [a for a in seg.awards[1:] if "extra" in a]
        for label, amount in zip(labels, amounts):
            award: dict[str, Any] = {"value": label, "zh": label, "en": label}
            if comps and len(labels) == 1:
                award["components"] = [{"zh": head["component_label"] or "一次性", "en": "first part", "amount": _num(amount)}]
                award["components"] += [{"zh": c["component"], "en": "further part", "amount": _num(c["amount"])} for c in comps]
            else:
                award["amount"] = _num(amount)
            awards.append(award)
            for extra in extras:
                name = f"{label}({extra['extra']})"
                awards.append({"value": name, "zh": name, "en": name, "components": [
                    {"zh": label, "en": "first part", "amount": _num(amount)},
                    {"zh": extra["extra"], "en": "further part", "amount": _num(extra["amount"])},
                ]})
        quotes += seg.award_quotes
    values = [a["value"] for a in awards]
    if len(set(values)) != len(values):
        for i, a in enumerate(awards, start=1):
            a["value"] = f"{i}.{a['value']}"
    rule["awards"] = awards
    if main.up_to:
        rule["up_to"] = True
        rule.setdefault("open_questions", []).append(_text("金额为最高额,实际金额原文未规定", "the amount is a maximum; the actual amount is not stated"))
    if main.floor:
        rule["floor"] = True


# ----------------------------------------------------------------------------- grounding


def rule_numbers(rule: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """Every number of a rule with its unit: ("yuan" | "percent" | "points", value)."""

    def values(spec: Any) -> list[Decimal]:
        if spec is None:
            return []
        if isinstance(spec, dict):
            return [Decimal(str(v)) for v in spec["values"].values()]
        return [Decimal(str(spec))]

    inputs = {i["name"]: i for i in rule.get("inputs", [])}
    out = [("percent", v) for v in values(rule.get("rate"))]
    out += [("yuan", v) for cap in rule.get("caps", []) for v in values(cap["amount"])]
    for t in rule.get("thresholds", []):
        unit = "percent" if inputs.get(t["input"], {}).get("type") == "percent" else "yuan"
        out += [(unit, v) for v in values(t["min"])]
    out += [("yuan", Decimal(str(t[k]))) for t in rule.get("tiers", []) for k in ("min", "award")]
    for award in rule.get("awards", []):
        parts = award.get("components") or [award]
        out += [("yuan", Decimal(str(p["amount"]))) for p in parts]
    if rule.get("range"):
        out += [("yuan", Decimal(str(rule["range"]["min"]))), ("yuan", Decimal(str(rule["range"]["max"])))]
    if rule.get("max_points") is not None:
        out.append(("points", Decimal(str(rule["max_points"]))))
    if rule.get("interest_share") is not None and rule.get("paid_input", True):
        out.append(("percent", Decimal(str(rule["interest_share"]))))
    if rule.get("uplift") is not None:
        out.append(("percent", Decimal(str(rule["uplift"]))))
    if rule.get("years") is not None:
        out.append(("years", Decimal(rule["years"])))
    return out


def quoted_numbers(quotes: Iterable[str]) -> set[tuple[str, Decimal]]:
    """Every amount (yuan), percentage and percentage-point figure written in the quotes."""
    found: set[tuple[str, Decimal]] = set()
    for quote in quotes:
        for m in _RANGE.finditer(quote):
            low = _yuan(m.group(1), m.group(2) or m.group(4))
            if low is not None:
                found.add(("yuan", low))
        for m in _AMOUNT.finditer(quote):
            value = _yuan(m.group(1), m.group(2))
            if value is not None:
                found.add(("yuan", value))
        for m in _POINTS.finditer(quote):
            found.add(("points", Decimal(m.group(1))))
        for m in _PERCENT.finditer(quote):
            found.add(("percent", Decimal(m.group(1))))
        for m in _YEARS.finditer(quote):
            found.add(("years", Decimal(_year_count(m.group(1)))))
    return found


def grounding_errors(rule: dict[str, Any], clause_text: str | None = None) -> list[str]:
    """Numbers of the rule that its quotes do not state (and quotes not in the clause text, when given)."""
    quotes = rule.get("quotes", [])
    errors = [f"quote not in clause: {q!r}" for q in quotes if clause_text is not None and q not in clause_text]
    written = {(u, v.normalize()) for u, v in quoted_numbers(quotes)}
    for unit, value in rule_numbers(rule):
        if (unit, value.normalize()) not in written:
            errors.append(f"{value.normalize():f} ({unit}) not in quotes")
    return errors


# ----------------------------------------------------------------------------- documents


def stacking_for(clauses: Sequence[Clause]) -> dict[str, dict[str, Any]]:
    """A document's stacking principle ("就高不重复") from its closing provisions, by doc id."""
    out: dict[str, dict[str, Any]] = {}
    principles = vocabulary()["stacking_principles"]
    for clause in clauses:
        if clause.kind != "closing" or clause.doc_id in out:
            continue
        for p in principles:
            if p["zh"] in clause.text:
                out[clause.doc_id] = {"principle": p["zh"], "principle_en": p["en"], "clause_id": clause.clause_id, "quotes": [p["zh"]]}
                break
    return out


@dataclass(frozen=True)
class ExtractionReport:
    rules: tuple[dict[str, Any], ...]
    skipped: tuple[dict[str, str], ...]

    def counts(self) -> dict[str, Any]:
        return {
            "rules": len(self.rules),
            "computable": sum(1 for r in self.rules if r.get("computable", True)),
            "clauses_with_rules": len({r["clause_id"] for r in self.rules}),
            "skipped": len(self.skipped),
            "by_kind": {k: sum(1 for r in self.rules if r["kind"] == k) for k in sorted({r["kind"] for r in self.rules})},
        }


def extract_rules(documents: Sequence[Document], clauses: Sequence[Clause]) -> ExtractionReport:
    """Run the extractor on every clause of a corpus."""
    docs = {d.doc_id: d for d in documents}
    stacking = stacking_for(clauses)
    rules: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for clause in clauses:
        result = extract_clause(clause, docs.get(clause.doc_id), stacking.get(clause.doc_id))
        rules += result.rules
        skipped += result.skipped
    return ExtractionReport(tuple(rules), tuple(skipped))
