"""Which calculator input a stated sum is, by the words said with it ("总投资1亿元,贷款6000万元")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

CUE_WINDOW = 12  # characters before an amount that say what it is
CUE_WINDOW_EN = 40  # the same in English, whose words are longer (about six words)
_LATIN = re.compile(r"[a-z]{2,}")
_PHRASE_END = re.compile(r"[,，;；。!！?？、]")


def cued_inputs(
    text: str, amounts: Sequence[Any], words: dict[str, tuple[str, ...]], same_phrase: bool = False,
    unless_after: Sequence[str] = (),
) -> dict[int, str]:
    """Amount index → input name, for amounts whose preceding words name an input (only words of the amount's own
    phrase, up to the last comma, when `same_phrase`: "建算力中心,贷了3个亿" says no compute sum); a word said right
    after one of `unless_after` names nothing ("not counting land": the sum is net of it, not the land cost)."""

    def said(piece: str, word: str) -> bool:
        return said_unless_after(piece, word, unless_after, last=True)

    low = text.lower()
    found: dict[int, str] = {}
    for index, start, end, previous_end in _placed(amounts):
        english = _LATIN.search(low[max(0, start - CUE_WINDOW):end]) is not None
        context = low[max(previous_end, start - (CUE_WINDOW_EN if english else CUE_WINDOW)):start]
        if english:  # "…300 million total, with a 200 million loan": an English cue stays in its own clause,
            context = re.split(r"[,;]|\d", context)[-1]  # after any figure said before ("grew 8% and spent 30m")
        if same_phrase:
            context = _PHRASE_END.split(context)[-1]
        hits = [(context.rfind(w), name) for name, cues in words.items() for w in cues if said(context, w)]
        if not hits and english:  # "15 million so far": English may say it after the sum, up to the punctuation
            after = re.split(r"[,.;?!]|\d", low[end:end + CUE_WINDOW_EN])[0]  # up to the next figure
            hits = [(-after.find(w), name) for name, cues in words.items() for w in cues if said(after, w)]
        if hits:
            found[index] = max(hits)[1]  # the cue nearest to the amount wins
    return found


def said_unless_after(text: str, word: str, unless_after: Sequence[str], last: bool = False) -> bool:
    """`word` is in `text` (its first occurrence, or its `last`), not right after one of `unless_after` ("不算土地款":
    land not named as a sum of its own)."""
    at = text.rfind(word) if last else text.find(word)
    return at >= 0 and not any(text[:at].rstrip().endswith(u) for u in unless_after)


_YEAR_BEFORE = re.compile(r"((?:19|20)\d{2})\s*年(?!度)")
_YEAR_AFTER_EN = re.compile(r"^\s*(?:yuan|rmb)?\s*(?:in|for|during)\s+(?:fy\s*)?((?:19|20)\d{2})\b")
# years said relative to this one ("去年营收5600万,前年4700万", "56 million last year, 47 million the year before")
_RELATIVE_YEARS = {
    "大前年": -3, "前年": -2, "去年": -1, "上一年": -1, "上年": -1, "今年": 0, "本年": 0,
    "the year before last": -2, "two years ago": -2, "the year before": -2, "last year": -1, "previous year": -1,
    "this year": 0,
}
_RELATIVE = re.compile("|".join(re.escape(w) for w in sorted(_RELATIVE_YEARS, key=len, reverse=True)))
_RELATIVE_AFTER_EN = re.compile(rf"^\s*(?:yuan|rmb)?\s*(?:in\s+|for\s+|during\s+)?({_RELATIVE.pattern})")


def said_years(text: str, amounts: Sequence[Any], this_year: int) -> dict[int, int]:
    """Amount index → the year said with it ("2023年营收4200万", "56 million yuan in 2024", "去年5600万" with
    `this_year` 2025: 2024): the year written in its own phrase before it, or in English right after it."""
    low = text.lower()
    found: dict[int, int] = {}
    for index, start, end, previous_end in _placed(amounts):
        before = _PHRASE_END.split(low[max(previous_end, start - CUE_WINDOW):start])[-1]
        after = low[end:end + CUE_WINDOW_EN]
        if years := _YEAR_BEFORE.findall(before):
            found[index] = int(years[-1])
        elif (calendar := _YEAR_AFTER_EN.match(after)) is not None:
            found[index] = int(calendar.group(1))
        elif relative := _RELATIVE.findall(before):
            found[index] = this_year + _RELATIVE_YEARS[relative[-1]]
        elif (relative_after := _RELATIVE_AFTER_EN.match(after)) is not None:
            found[index] = this_year + _RELATIVE_YEARS[relative_after.group(1)]
    return found


def _placed(amounts: Sequence[Any]) -> Iterator[tuple[int, int, int, int]]:
    """(index, start, end, end of the amount before) for each amount whose place in the text is known."""
    previous_end = 0
    for index, amount in enumerate(amounts):
        start = getattr(amount, "start", None)
        if start is None:
            continue
        end = getattr(amount, "end", None) or start
        yield index, start, end, previous_end
        previous_end = end


def deductions(text: str, amounts: Sequence[Any], lex: Any, names: Sequence[str] | None = None) -> dict[int, str]:
    """Amount index → the input it is taken out of ("其中土地款400万": the investment); a sum said net of it ("不算买地
    的钱一共投了2800万") is none."""
    words = {n: w for n, w in lex.amount_deductions.items() if names is None or n in names}
    return cued_inputs(text, amounts, words, unless_after=lex.cue("excludes"))


def input_of(text: str, said: str, words: dict[str, tuple[str, ...]]) -> str | None:
    """The input a sum said in the text ("80 million") is, by the words said with it, if they name one."""
    start = text.find(said)
    if start < 0:
        return None
    return cued_inputs(text, [_Said(start, start + len(said))], words).get(0)


@dataclass(frozen=True)
class _Said:
    start: int
    end: int
