"""Document-level facts read from the text alone: title, issuer, city, 文号, dates, validity."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

from index.cleaning import DATE_LINE, DOC_NUMBER

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,30}(?:人民政府|办公室|办公厅|局|委员会|管委会|委|办|厅)$")
_PRINTED_AS = re.compile(
    r"(?:现将|将|制定了|起草了)《([^》]+)》[^。《]{0,12}?(?:印发|发布)|《([^》]+)》(?:已经|业经).{0,40}?(?:现)?(?:印发|发布)"
)
_NOTICE_TITLE = re.compile(r"^(.{0,30}?)关于(?:印发|转发)(.+?)的通知$")
# 关于《X》公开征求意见的公告: a call for comments carrying the draft X.
_COMMENT_TITLE = re.compile(r"^(.{0,30}?)关于《(.+?)》(?:公开)?征求(?:社会公众)?意见的(?:公告|通知|通告)$")
_ISSUED_SENTENCE = re.compile(r"现印发给你们|现印发你们|印发给你们|印发你们|现予印发")
_ORDER = re.compile(r"^(?P<issuer>[\u4e00-\u9fff]{2,30}人民政府)令(?:\(?第\d+号\)?|〔\d{4}〕第?\d+号)$")
_BASIS_CUE = re.compile(r"(?:根据|依据|按照|贯彻落实|为落实|深入落实|落实)(?=《)")
_BASIS_REF = re.compile(r"\s*[、,和及与]?\s*《(?P<title>[^《》]{4,120})》\s*(?:\((?P<inner>[^()]{0,60})\))?")
_TITLE_LIKE = re.compile(
    r"^[^。;]{4,90}(?:通知|方案|措施|意见|办法|规定|决定|细则|公告|通告|决议|政策|规划|条例|计划|指南|规程|规则)"
    r"(?:\([^)]{1,20}\))?$"
)
_VALIDITY = re.compile(
    r"自(?:(?P<from>\d{4}年\d{1,2}月\d{1,2}日)|(?P<on_issue>公布|印发|发布)之日)起(?:正式)?施行"
    r"[,,]?(?:有效期(?:至(?P<until>\d{4}年\d{1,2}月\d{1,2}日)|(?P<years>\d+|[一二两三四五六七八九十])年))?"
)
_CITY_IN_NAME = re.compile(r"([\u4e00-\u9fff]{2,3}?)市")
_NOT_CITIES = {"全", "本", "我", "城", "超", "上", "各", "都", "省", "县", "门", "股", "入", "夜"}


@dataclass(frozen=True)
class DocumentFacts:
    title: str
    notice_title: str | None
    issuer: str | None
    city: str | None
    doc_number: str | None
    issued_on: str | None
    effective_from: str | None
    effective_until: str | None
    validity_text: str | None
    kind: str
    header_end: int  # index of the first line after the title and 文号
    body_start: int  # index of the first line of the policy body (after its own title)
    basis: tuple[tuple[str, str | None], ...] = ()
    validity_status: str | None = None
    title_printed: bool = True  # the line before body_start is the policy's own title


def iso(text: str | None) -> str | None:
    """2024年8月19日 → 2024-08-19."""
    if not text:
        return None
    m = _DATE.search(text)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat() if m else None


@lru_cache(maxsize=1)
def known_cities() -> frozenset[str]:
    """Prefecture-level and larger city names (without 市), bundled as data."""
    text = resources.files("index").joinpath("data/cities.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0] for line in text.splitlines())  # comments may follow on any line
    return frozenset(w for line in lines for w in line.split())


def detect_city(lines: list[str], issuer: str | None) -> str | None:
    """City from the issuer's name, else the city the text names most often."""
    cities = known_cities()
    if issuer:
        for name in _city_candidates(issuer):
            if name in cities:
                return name
    counts: Counter[str] = Counter()
    text = "\n".join(lines)
    for name in cities:
        n = text.count(name)
        if n:
            counts[name] = n
    if counts:
        return counts.most_common(1)[0][0]
    fallback = Counter(c for c in _city_candidates(text) if c[-1] not in _NOT_CITIES and c[0] not in _NOT_CITIES)
    return fallback.most_common(1)[0][0] if fallback else None


def _city_candidates(text: str) -> list[str]:
    return [m.group(1) for m in _CITY_IN_NAME.finditer(text)]


def find_signature(lines: list[str]) -> tuple[str | None, str | None, int | None]:
    """The first issuer line directly followed by a date line: (issuer, iso date, index).

    Joint issuers sign on consecutive lines above the one date: they are joined with 、 in printed order.
    """
    for i in range(len(lines) - 1):
        if _ISSUER_LINE.match(lines[i]) and DATE_LINE.match(lines[i + 1]):
            first = i
            while first > 0 and _ISSUER_LINE.match(lines[first - 1]) and _is_joint_signer(lines, first - 1):
                first -= 1
            return "、".join(lines[first : i + 1]), iso(lines[i + 1]), first
    return None, None, None


def _is_joint_signer(lines: list[str], i: int) -> bool:
    """An issuer line above another in a signature block (not a heading line above 关于…)."""
    return i > 0 and not lines[i + 1].startswith("关于") and lines[i - 1].endswith(("。", ")", ":"))


def validity(text: str, issued_on: str | None) -> tuple[str | None, str | None, str | None]:
    """(effective_from, effective_until, the sentence) from 自…起施行,有效期… ."""
    m = _VALIDITY.search(text)
    if not m:
        return None, None, None
    start = iso(m.group("from")) if m.group("from") else issued_on
    until = iso(m.group("until"))
    if until is None and m.group("years") and start:
        years = m.group("years")
        n = int(years) if years.isdigit() else _CN_DIGITS[years]
        begin = date.fromisoformat(start)
        try:
            end = begin.replace(year=begin.year + n)
        except ValueError:  # from 29 February into a year without one: the period ends on 28 February
            end = date(begin.year + n, 3, 1)
        until = (end - timedelta(days=1)).isoformat()
    sentence_end = text.find("。", m.end())
    sentence = text[m.start() - 8 if m.start() >= 8 else 0 : sentence_end + 1 if sentence_end >= 0 else m.end()]
    sentence = sentence[sentence.find("本") :] if "本" in sentence else sentence
    return start, until, sentence


def extract_facts(lines: list[str], page=None) -> DocumentFacts:
    """Read a document's metadata and where its body starts; `page` holds what the page printed around it."""
    facts = _extract_facts(lines)
    if page is None:
        return facts
    return _with_page_fields(facts, lines, page)


def _with_page_fields(facts: DocumentFacts, lines: list[str], page) -> DocumentFacts:
    """Fill what the text leaves open from portal fields and a news lead; the text itself wins."""
    from dataclasses import replace

    changes: dict = {}
    first = lines[0]
    if page.title_hint and not _TITLE_LIKE.match(facts.title) and not facts.notice_title:
        changes.update(title=page.title_hint, header_end=0, body_start=0)
        if _squash(first) == _squash(page.title_hint):
            changes.update(header_end=1, body_start=1)
    issuer = facts.issuer or page.issuer or page.issuer_hint
    if facts.issuer is None and issuer:
        changes["issuer"] = issuer
        changes["city"] = detect_city(lines, issuer)
    if facts.doc_number is None and page.doc_number:
        changes["doc_number"] = page.doc_number
    if page.written_on:
        changes["issued_on"] = page.written_on
    elif facts.issued_on is None and page.posted_on:
        changes["issued_on"] = page.posted_on
    if page.validity:
        changes["validity_status"] = page.validity
    if facts.effective_from is None and page.effective_on:
        changes["effective_from"] = page.effective_on
    return replace(facts, **changes) if changes else facts


def _squash(text: str) -> str:
    return re.sub(r"[\s《》<>]", "", text)


def find_basis(lines: list[str], start: int, end: int) -> tuple[tuple[str, str | None], ...]:
    """Documents a preamble or covering notice (and a first article) says this one implements.

    根据《…》(…〔2018〕151号)、《…》(…号)和《…》… : each title with the 文号 printed after it, or None.
    """
    scope = [ln for ln in lines[start:end]]
    first_article = next((ln for ln in lines[end:] if re.match(r"^第[一二三四五六七八九十百]+条", ln)), None)
    if first_article is not None and lines[end : end + 3] and any(
        re.match(r"^第[一二三四五六七八九十百]+[章条]", ln) for ln in lines[end : end + 3]
    ):
        scope.append(first_article)
    found: list[tuple[str, str | None]] = []
    for line in scope:
        for cue in _BASIS_CUE.finditer(line):
            pos = cue.end()
            while True:
                m = _BASIS_REF.match(line, pos)
                if not m:
                    break
                inner = m.group("inner") or ""
                number = DOC_NUMBER.search(inner)
                ref = (m.group("title"), number.group(0) if number else None)
                if ref not in found:
                    found.append(ref)
                pos = m.end()
    return tuple(found)


def _extract_facts(lines: list[str]) -> DocumentFacts:
    head = lines[:8]
    doc_number = next((ln for ln in head if DOC_NUMBER.fullmatch(ln)), None)
    order = next((m for m in (_ORDER.match(ln) for ln in head) if m), None)
    if doc_number is None and order is not None:
        doc_number = order.group(0)
    first = lines[0]
    kind = "policy"
    notice_title = None
    title = first
    issuer, issued_on, _ = find_signature(lines)
    body_start = 1
    title_printed = True

    if first.startswith("《") and first.endswith("解读"):
        kind = "interpretation"
        issuer = issuer or _labelled(lines, "解读机关")
    elif first.startswith("【"):
        kind = "other"
        title = first.strip("【】").replace("】", "")
    else:
        header = first
        if len(lines) > 1 and lines[1].startswith("关于") and not first.startswith("关于"):
            header = first + lines[1]  # issuer printed on its own line above 关于…
        printed_as = _printed_title(lines)
        wrapper = _NOTICE_TITLE.match(header) or _COMMENT_TITLE.match(header)
        if wrapper or printed_as:
            notice_title = header if wrapper else None
            title = printed_as or wrapper.group(2).strip("《》")
            body_start = _line_index(lines, title, start=1)
            if body_start is None:
                body_start = 1
                # the policy's title is not printed again: the covering notice ends with its 印发 sentence
                issued_at = next(
                    (i for i in range(1, min(len(lines), 6)) if _ISSUED_SENTENCE.search(lines[i]) and "《" in lines[i]),
                    None,
                )
                if wrapper and issued_at is not None:
                    body_start, title_printed = issued_at + 1, False
            else:
                body_start += 1
            kind = "policy"
        else:
            title = header
            body_start = 2 if header != first else 1
        if notice_title is None and not DOC_NUMBER.fullmatch(lines[min(1, len(lines) - 1)]):
            kind = "policy"
        elif notice_title is None and not printed_as and header.endswith("通知"):
            kind = "notice"
    if issuer is None:
        issuer = _issuer_from_title(notice_title or title)
    if issuer is None and order is not None:
        issuer = order.group("issuer")
    header_end = _header_end(lines)
    if notice_title is None and not printed_as_found(lines):
        body_start = header_end
    body_start = max(body_start, header_end)
    if issued_on is None:
        # a date printed in the heading or under the covering notice (the signature may be a person: 市长:…)
        issued_on = next((iso(ln) for ln in lines[:body_start] if DATE_LINE.match(ln)), None)
    full_text = "\n".join(lines)
    eff_from, eff_until, sentence = validity(full_text, issued_on)
    city = detect_city(lines, issuer or _issuer_from_title(notice_title or title))
    first_marker = next(
        (i for i in range(body_start, len(lines)) if re.match(r"^(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|\d{1,2}\.(?!\d)|第[一二三四五六七八九十百]+[章节条])", lines[i])),
        len(lines),
    )
    basis = find_basis(lines, min(header_end, body_start), first_marker)
    return DocumentFacts(
        title=title,
        notice_title=notice_title,
        issuer=issuer,
        city=city,
        doc_number=doc_number,
        issued_on=issued_on,
        effective_from=eff_from,
        effective_until=eff_until,
        validity_text=sentence,
        kind=kind,
        header_end=header_end,
        body_start=body_start,
        basis=basis,
        title_printed=title_printed,
    )


def printed_as_found(lines: list[str]) -> bool:
    return _printed_title(lines) is not None


def _header_end(lines: list[str]) -> int:
    """Skip the title lines (an issuer line above 关于…) and the 文号 line."""
    if lines[0].endswith(":"):
        return 0
    i = 1
    if len(lines) > 1 and lines[1].startswith("关于"):
        i = 2
    if i < len(lines) and DOC_NUMBER.fullmatch(lines[i]):
        i += 1
    return i


def _printed_title(lines: list[str]) -> str | None:
    """The policy a 印发 notice carries, when its title is printed again as a line of its own."""
    for ln in lines[:12]:
        m = _PRINTED_AS.search(ln)
        if m:
            name = m.group(1) or m.group(2)
            if _line_index(lines, name, start=0) is not None:
                return name
    return None


def _line_index(lines: list[str], text: str, start: int) -> int | None:
    for i in range(start, len(lines)):
        if lines[i] == text:
            return i
    return None


def _labelled(lines: list[str], label: str) -> str | None:
    for ln in lines:
        m = re.search(label + r"\s*:\s*([^。;,]+)", ln)
        if m:
            return m.group(1)
    return None


def _issuer_from_title(title: str | None) -> str | None:
    if not title:
        return None
    m = re.match(r"^(.{2,30}?(?:人民政府办公室|人民政府办公厅|人民政府|局|委员会))关于", title)
    return m.group(1) if m else None
