"""Split one cleaned file into the documents it holds (a gazette carries several)."""

from __future__ import annotations

import re

from index.cleaning import DOC_NUMBER

_TITLE = re.compile(r"^[^。,;]{6,90}(?:通知|方案|措施|意见|办法|规定|决定|细则|公告|通告|决议)$")
_INTERPRETATION_TITLE = re.compile(r"^《[^》]+》(?:的)?(?:政策)?解读$")
_SECTION_DOC = re.compile(r"^【[^】]{2,20}】")
_ISSUER_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,20}(?:人民政府|办公室|办公厅|局|委员会)$")


def split_documents(lines: list[str]) -> list[list[str]]:
    """Cut a file's cleaned lines at each document start; a file with no markers is one document."""
    starts = [i for i in range(len(lines)) if _starts_document(lines, i)]
    if not starts:
        return [lines]
    starts = [_include_issuer_line(lines, i) for i in starts]
    starts[0] = 0  # anything before the first title belongs to the first document
    bounds = starts + [len(lines)]
    return [lines[a:b] for a, b in zip(bounds, bounds[1:]) if lines[a:b]]


def _starts_document(lines: list[str], i: int) -> bool:
    line = lines[i]
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    if _TITLE.match(line) and DOC_NUMBER.fullmatch(nxt):
        return True
    return bool(_INTERPRETATION_TITLE.match(line) or _SECTION_DOC.match(line))


def _include_issuer_line(lines: list[str], i: int) -> int:
    """郑州市人民政府 / 关于印发…的通知: the issuer printed above the title is part of the heading."""
    if i > 0 and lines[i].startswith("关于") and _ISSUER_ONLY.match(lines[i - 1]):
        return i - 1
    return i
