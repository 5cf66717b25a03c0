"""Find text garbled by a wrong decoding, repair it when the bytes allow, keep it out of clause text otherwise.

Two kinds of damage reach us in pasted web pages:
- UTF-8 bytes read as GBK (鍏充簬鍗板彂 for 关于印发) or GBK read as UTF-8 (replacement characters), sometimes
  with "锟斤拷"-type runs left by a double conversion;
- characters lost on the way (ASCII "??" where a character or an ideographic space stood).

A run that re-encodes to GBK and decodes cleanly as UTF-8 into common characters is repaired. A run that cannot
be repaired (bytes were replaced) is detected by its share of rare characters — characters outside the 3,755
most common ones (GB2312 level 1) even after Traditional→Simplified — and removed. Every repair and removal is a
warning with the offset and length in the source text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_REPLACEMENT = "\ufffd"
_DOUBLE_CONVERSION = re.compile(r"(?:锟斤拷|烫烫烫|屯屯屯)+")
_LOST = re.compile(r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])\?{2,}|\?{2,}(?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])")
# A run of non-ASCII, non-space characters (the unit a wrong decoding garbles).
_RUN = re.compile(r"[^\x00-\x7f\s]{4,}")
_PRIVATE = re.compile(r"[\ue000-\uf8ff]{2,}")
RARE_SHARE = 0.3  # garbled runs measured on the wild pages: 0.45–0.6; clean policy text: under 0.05


@dataclass(frozen=True)
class TextWarning:
    kind: str  # mojibake_repaired | mojibake_removed | lost_characters
    offset: int  # in the source text as read
    length: int
    sample: str  # the first characters of the span, for the report

    def describe(self) -> str:
        what = {
            "mojibake_repaired": "garbled text repaired",
            "mojibake_removed": "garbled text removed (not repairable)",
            "lost_characters": "lost characters removed",
        }[self.kind]
        return f"{what} at offset {self.offset}, length {self.length}: {self.sample!r}"


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _common(ch: str) -> bool:
    """GB2312 level 1 (the 3,755 most used characters), judged on the Simplified form."""
    if ord(ch) < 0x3400 or not ("\u3400" <= ch <= "\u9fff"):
        return True  # punctuation, symbols and letters are judged elsewhere
    simple = _t2s().convert(ch)
    try:
        code = simple.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return 0xB0 <= code[0] <= 0xD7


def rare_share(text: str) -> float:
    han = [ch for ch in text if "\u3400" <= ch <= "\u9fff" or ch == _REPLACEMENT]
    if not han:
        return 0.0
    return sum(1 for ch in han if ch == _REPLACEMENT or not _common(ch)) / len(han)


def _try_repair(run: str) -> str | None:
    """UTF-8 bytes that were read as GBK: re-encode and decode again, when that gives common text."""
    try:
        fixed = run.encode("gbk").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if fixed == run or rare_share(fixed) >= rare_share(run) or rare_share(fixed) > 0.1:
        return None
    return fixed


def _repairs_in(run: str) -> list[tuple[int, int, str]]:
    """Repairable spans inside a run that may also hold clean text: each stretch of rare characters (gaps of
    up to 3 common ones), widened by up to 2 characters each side until it decodes."""
    rare = [i for i, ch in enumerate(run) if "\u3400" <= ch <= "\u9fff" and not _common(ch)]
    spans: list[list[int]] = []
    for i in rare:
        if spans and i - spans[-1][1] <= 4:
            spans[-1][1] = i + 1
        else:
            spans.append([i, i + 1])
    out: list[tuple[int, int, str]] = []
    for a, b in spans:
        if b - a < 2:
            continue
        for left in (0, 1, 2):
            fixed = next(
                (
                    (a - left, b + right, f)
                    for right in (0, 1, 2)
                    if a - left >= 0 and b + right <= len(run)
                    for f in [_try_repair(run[a - left : b + right])]
                    if f is not None
                ),
                None,
            )
            if fixed:
                out.append(fixed)
                break
    return out


def _garbled(run: str) -> bool:
    han = sum(1 for ch in run if "\u3400" <= ch <= "\u9fff" or ch == _REPLACEMENT)
    return han >= 4 and (rare_share(run) >= RARE_SHARE or run.count(_REPLACEMENT) * 4 >= han)


def repair_mojibake(text: str) -> tuple[str, list[TextWarning]]:
    """The text with garbled spans repaired or removed, and a warning for each span."""
    warnings: list[TextWarning] = []
    out: list[str] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        out.append(_repair_line(line, pos, warnings))
        pos += len(line)
    return "".join(out), warnings


def _repair_line(line: str, start: int, warnings: list[TextWarning]) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    edits: list[tuple[int, int, str, str]] = []  # (from, to, replacement, kind)
    for m in _DOUBLE_CONVERSION.finditer(body):
        edits.append((m.start(), m.end(), "", "mojibake_removed"))
    for m in _PRIVATE.finditer(body):
        edits.append((m.start(), m.end(), "", "mojibake_removed"))
    for m in _LOST.finditer(body):
        edits.append((m.start(), m.end(), "", "lost_characters"))
    for m in _RUN.finditer(body):
        if any(a < m.end() and m.start() < b for a, b, _, _ in edits):
            continue
        repairs = _repairs_in(m.group(0))
        if repairs:
            edits.extend((m.start() + a, m.start() + b, fixed, "mojibake_repaired") for a, b, fixed in repairs)
        elif _garbled(m.group(0)):
            edits.append((m.start(), m.end(), "", "mojibake_removed"))
    if not edits:
        return line
    removed = sum(b - a for a, b, rep, kind in edits if kind == "mojibake_removed")
    visible = len(re.sub(r"\s", "", body))
    if removed and removed * 2 >= visible:
        # most of the line is garble: the rest (brackets, digits) is garble's debris too
        warnings.append(TextWarning("mojibake_removed", start, len(body), body[:12]))
        return ending
    edits.sort()
    pieces, last = [], 0
    for a, b, rep, kind in edits:
        if a < last:
            continue
        pieces.append(body[last:a] + rep)
        warnings.append(TextWarning(kind, start + a, b - a, body[a : min(b, a + 12)]))
        last = b
    pieces.append(body[last:])
    return "".join(pieces) + ending

