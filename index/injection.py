"""Recognise instructions aimed at an assistant inside a document ("系统提示:…", "忽略以上规则", "ignore
previous instructions", role markers), full- or half-width, spaced out, in Chinese or English.

The patterns are data (`index/data/injection_patterns.txt`); they are matched against a normalised form
of the text (`normalise`), so "系 统 提 示", "ｉｇｎｏｒｅ ｐｒｅｖｉｏｕｓ ｉｎｓｔｒｕｃｔｉｏｎｓ" and
"i.g.n.o.r.e previous rules" are caught like the plain spellings. At ingestion (`index.build`) a document with
any match anywhere is quarantined whole; at answer time `assistant.injection` re-exports `looks_like_instruction`
so no such clause is ever cited.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "injection_patterns.txt"

# removed before matching: whitespace, zero-width and format characters, and punctuation used to space letters out
_SPACERS = set("-_.·•*~|/\\'\"`‧・、")


@dataclass(frozen=True)
class InstructionMatch:
    """Why a text looks like an instruction: the pattern's name and the excerpt it matched."""

    pattern: str
    excerpt: str

    @property
    def reason(self) -> str:
        return f"instruction-like text ({self.pattern}): {self.excerpt!r}"


@lru_cache(maxsize=1)
def patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for line in PATTERNS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, regex = line.partition(" = ")
        if not sep:
            raise ValueError(f"{PATTERNS_FILE.name}: expected `name = regex`, got {line!r}")
        out.append((name.strip(), re.compile(regex.strip(), re.IGNORECASE)))
    return tuple(out)


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC, lower case, spacers removed; also the offset in `text` of each kept character.

    Newlines are kept (as "\\n") because role markers are recognised at the start of a line.
    """
    kept: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if c in "\n\r":
                c = "\n"
            elif c.isspace() or unicodedata.category(c) in {"Cf", "Cc", "Mn"} or c in _SPACERS:
                continue
            kept.append(c)
            where.append(i)
    # spacing the period out is not a sentence end; a "." before a letter was dropped above
    return "".join(kept), where


def find_instruction(text: str) -> InstructionMatch | None:
    """The first instruction-like passage in `text`, or None."""
    if not text:
        return None
    flat, where = normalise(text)
    for name, pattern in patterns():
        m = pattern.search(flat)
        if m:
            start = where[m.start()] if m.start() < len(where) else 0
            end = where[m.end() - 1] + 1 if m.end() - 1 < len(where) and m.end() > m.start() else start + 1
            lo, hi = max(0, start - 10), min(len(text), end + 10)
            return InstructionMatch(name, " ".join(text[lo:hi].split()))
    return None


@lru_cache(maxsize=8192)
def looks_like_instruction(text: str) -> bool:
    """Cached: the answer-time filter asks about the same indexed clauses again and again."""
    return find_instruction(text) is not None
