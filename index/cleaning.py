"""Clean raw policy text: one function per kind of mess, composed by `clean_text`.

Every rule is general (a pattern of reposted web pages, gazettes or OCR'd pages), never a patch
for one file, so a new document with the same kind of mess is cleaned the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A pinyin gloss glued after a Han character: 發(fā)展, 區(qū). A lost character sometimes survives as
# "?" before the gloss (領域?qū)W科). Real Latin parentheses such as (MaaS), (DCMM), (REITs) have capitals
# or no tone marks and are kept.
_PINYIN_GLOSS = re.compile(
    rf"(?<=[{CJK}])\??\((?=[a-zü{_TONE_VOWELS}]*[{_TONE_VOWELS}])[a-zü{_TONE_VOWELS}]{{1,7}}\)"
)

# Line-level web and gazette boilerplate.
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        \d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}(?::\d{2})?.*(?:编辑|来源|作者).*   # reposting header
      | 导读.*                                                          # reposter's teaser
      | 标题\s*:.*
      | (?:原文)?地址\s*:\s*https?://\S+
      | 来源\s*:.*
      | 郑重声明\s*:.*
      | 免责声明\s*:.*
      | (?:猜你喜欢|我要评论|相关阅读|相关推荐|分享到|打印本页|关闭窗口|扫一扫.*|责任编辑\s*:.*)
      | \(此件公开发布\)|\(此件主动公开\)|\(此件不公开\)
      | 《[^》]+》\([^)]{2,6}\)                                          # reposter's title: 《…》(城市名)
      | [A-Z][A-Z'\s]{12,}                                               # English masthead
      | 第\d+期\(总第\d+期\)
      | \d{4}
      | -{3,}[-\s]*
    )$""",
    re.VERBOSE,
)
_TOC_HEADING = re.compile(r"^目\s*录$")
_TOC_ENTRY_END = re.compile(r"\(\d{1,3}\)$")
_DIRECTORY_HEADING = re.compile(r"^.{0,40}目录$")
_GAZETTE_NAME = re.compile(rf"^[{CJK}]{{2,20}}公报$")
_COLOPHON_LINE = re.compile(
    r"^(?:\d{4}年第\d+期.*|\d{4}年\d{1,2}月\d{1,2}日出版|准印证.*|主\s*办\s*:.*|地\s*址\s*:.*|电\s*话\s*:.*|"
    r"邮\s*编\s*:.*|承\s*办\s*:.*|编\s*辑\s*:.*|印\s*刷\s*:.*|发\s*行\s*:.*)$"
)

# Structural markers: a line starting with one never continues the previous line.
STRUCTURE_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|\d{1,2}\.(?!\d)|\(\d{1,2}\)|"
    r"附件|【|第[一二三四五六七八九十百]+[章条节])"
)
DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
ORDER_NUMBER = re.compile(rf"^[{CJK}]{{2,30}}令(?:\(?第\d+号\)?|〔\d{{4}}〕第?\d+号)$")  # 鞍山市人民政府令第16号
DOC_NUMBER = re.compile(rf"[{CJK}]{{1,8}}〔\d{{4}}〕\d{{1,4}}号")
_TITLE_END = re.compile(r"(?:通知|方案|措施|意见|办法|规定|决定|细则|解读|目录|公告|通告|决议)$")
_ISSUER_END = re.compile(r"(?:人民政府|办公室|办公厅|委员会|管委会|局|厅|委|办)$")
_TERMINAL = tuple("。;:!?)]」』”\"》")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# What is left of a glossed character whose bytes were mangled: 領域?qū)W科. The character is lost; it
# becomes U+FFFD so that a cleaner copy of the same document can win when duplicates are merged.
_MANGLED_GLOSS = re.compile(rf"(?<=[{CJK}])\?[a-zü{_TONE_VOWELS}]{{1,7}}\)[A-Z]?(?=[{CJK}])")
LOST_CHAR = "\ufffd"


def strip_pinyin_glosses(text: str) -> str:
    """發(fā)展 → 發展; (MaaS) stays; a mangled gloss becomes LOST_CHAR."""
    text = _PINYIN_GLOSS.sub("", text)
    return _MANGLED_GLOSS.sub(LOST_CHAR, text)


def normalize_width(text: str) -> str:
    """Full-width ASCII, digits and punctuation → half-width (NFKC), keeping Chinese 。、《》“”."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\u3000", " ").replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=1)
def protected_terms() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Names t2s must not touch (data/protected_terms.txt): a pattern of every spelling and its canonical form."""
    from importlib import resources

    text = resources.files("index").joinpath("data/protected_terms.txt").read_text(encoding="utf-8")
    canonical: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            for spelling in words:
                canonical[spelling] = words[0]
    if not canonical:
        return None, {}
    spellings = sorted(canonical, key=len, reverse=True)  # the longest phrase wins, as in OpenCC dictionaries
    return re.compile("|".join(map(re.escape, spellings))), canonical


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC t2s), keeping protected names (昇腾 stays 昇腾)."""
    pattern, canonical = protected_terms()
    if pattern is None or not pattern.search(text):
        return _t2s().convert(text)
    pieces, last = [], 0
    for m in pattern.finditer(text):
        pieces.append(_t2s().convert(text[last : m.start()]))
        pieces.append(canonical[m.group(0)])
        last = m.end()
    pieces.append(_t2s().convert(text[last:]))
    return "".join(pieces)


def normalize_doc_numbers(text: str) -> str:
    """文号 brackets: 嘉政发[2024]19号 / 嘉政发〔2024〕19 号 → 嘉政发〔2024〕19号."""
    return re.sub(
        rf"([{CJK}]{{1,8}})\s*[\[〔【]\s*(\d{{4}})\s*[\]〕】]\s*(\d{{1,4}})\s*号", r"\1〔\2〕\3号", text
    )


def collapse_spaces(text: str) -> str:
    """Drop layout spaces between Han characters and digits; keep spaces around Latin words."""
    text = re.sub(r"[ \u00a0]+", " ", text)
    text = re.sub(rf"(?<=[{CJK}\d,。、:;])[ ]+(?=[{CJK}])", "", text)
    text = re.sub(rf"(?<=[{CJK}])[ ]+(?=[\d(《“])", "", text)
    text = re.sub(rf"(?<=\d)[ ]+(?=[{CJK}])", "", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def drop_boilerplate(text: str) -> str:
    """Remove web reposting furniture, a gazette's masthead, table of contents, directories, colophon."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _TOC_HEADING.match(line):
            i = _end_of_toc(lines, i)
            continue
        is_attachment = bool(kept) and kept[-1].startswith("附件")
        if (
            _DIRECTORY_HEADING.match(line)
            and not is_attachment
            and i + 1 < len(lines)
            and _is_directory_entry(lines[i + 1])
        ):
            i += 1
            while i < len(lines) and _is_directory_entry(lines[i]):
                i += 1
            continue
        if _GAZETTE_NAME.match(line):
            i += 1
            while i < len(lines) and (_COLOPHON_LINE.match(lines[i]) or _BOILERPLATE_LINE.match(lines[i])):
                i += 1
            continue
        if not _BOILERPLATE_LINE.match(line) and not _COLOPHON_LINE.match(line):
            kept.append(line)
        i += 1
    return "\n".join(kept)


def _end_of_toc(lines: list[str], start: int) -> int:
    """Index just past the last line of a table of contents (its entries end with a page number)."""
    last = start
    for j in range(start + 1, min(len(lines), start + 80)):
        if _TOC_ENTRY_END.search(lines[j]):
            last = j
        elif lines[j].endswith("。"):
            break
    return last + 1


def _is_directory_entry(line: str) -> bool:
    """A row of a 发文目录 / 政策解读目录: 文号 + title, a rule line, or a bare quoted title."""
    return bool(
        "\t" in line
        or DOC_NUMBER.match(line)
        or re.fullmatch(r"-{3,}[-\s]*", line)
        or (line.startswith("《") and _TITLE_END.search(line) and "。" not in line)
        or (_DIRECTORY_HEADING.match(line))
    )


def _is_heading_line(line: str) -> bool:
    return bool(STRUCTURE_START.match(line)) and len(line) <= 40 and "。" not in line[:-1] and not line.endswith(",")


def _breaks_here(line: str, nxt: str) -> bool:
    """True when `line` ends a paragraph, i.e. `nxt` must not be glued to it."""
    if line.endswith(_TERMINAL) or "\t" in line or "\t" in nxt:
        return True
    if STRUCTURE_START.match(nxt) or DATE_LINE.match(nxt) or DOC_NUMBER.fullmatch(nxt) or nxt.startswith("【"):
        return True
    if DATE_LINE.match(line) or DOC_NUMBER.fullmatch(line) or ORDER_NUMBER.match(line):
        return True
    if _TITLE_END.search(line) and len(line) <= 80:
        return True
    if _ISSUER_END.search(line) and len(line) <= 20:
        return True
    if _is_heading_line(line) and not line.endswith((",", "、")):
        return True
    return False


def rejoin_broken_lines(text: str) -> str:
    """Glue words and sentences broken across page or line breaks (发\\n\\n挥 → 发挥)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    out: list[str] = []
    for i, line in enumerate(lines):
        heads_a_list = i + 1 < len(lines) and _FIRST_ITEM.match(lines[i + 1]) and _is_short_heading(line)
        if out and not heads_a_list and not _breaks_here(out[-1], line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


# The first item of a numbered list: a short unpunctuated line right above it is that list's heading.
_FIRST_ITEM = re.compile(r"^(?:一、|\(一\)|1\.(?!\d)|第一[条节])")


def _is_short_heading(line: str) -> bool:
    return len(line) <= 20 and not line.endswith(_TERMINAL + (",", "、")) and not STRUCTURE_START.match(line)


def clean_text(raw: str) -> str:
    """The whole cleaning pass, in the order the rules depend on each other."""
    return finish_cleaning(prepare_text(raw))


def prepare_text(raw: str) -> str:
    """Character-level cleaning and line-level boilerplate, before broken lines are rejoined."""
    text = normalize_width(raw)
    text = strip_pinyin_glosses(text)
    text = to_simplified(text)
    text = normalize_doc_numbers(text)
    text = collapse_spaces(text)
    return drop_boilerplate(text)


def finish_cleaning(text: str) -> str:
    """Rejoin lines broken by page layout (after page noise is gone, so no header is glued to a title)."""
    text = rejoin_broken_lines(text)
    return text.replace("\t", " ")
