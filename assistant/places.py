"""Place names: the English (pinyin) names of any city, so an English question can name a city ingested today.

Names come from the lexicon when it lists them (for spellings pinyin does not give) and otherwise from
`pypinyin`, a maintained pinyin library: 宁波 → "ningbo", "ning bo"; 西安 → "xian", "xi'an", "xi an".
"""

from __future__ import annotations

from functools import lru_cache

from assistant.lexicon import load_lexicon


@lru_cache(maxsize=4096)
def english_names(city: str) -> tuple[str, ...]:
    """Lower-case English spellings of a Chinese city name, longest first."""
    names = set(load_lexicon().city_en.get(city, ()))
    syllables = _pinyin(city.removesuffix("市"))
    if syllables:
        names.add("".join(syllables))
        names.add(" ".join(syllables))
        joined = syllables[0] + "".join(("'" + s) if s[:1] in "aeo" else s for s in syllables[1:])
        names.add(joined)
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


def display_name_en(city: str | None) -> str:
    """How an English answer writes the city: "Ningbo"."""
    if not city:
        return ""
    listed = load_lexicon().city_en.get(city, ())
    if listed:
        return listed[-1].title()
    syllables = _pinyin(city.removesuffix("市"))
    return "".join(syllables).title() if syllables else city


def _pinyin(text: str) -> list[str]:
    if not text or not all("\u4e00" <= ch <= "\u9fff" for ch in text):
        return []
    from pypinyin import lazy_pinyin

    return [s.lower() for s in lazy_pinyin(text)]
