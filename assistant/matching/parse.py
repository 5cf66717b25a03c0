"""A profile from free text ("我们是…的软件企业,今年签了1000万元国产算力合同,大模型刚备案").

The same understanding code as questions: the `QueryParser` finds the cities, the calculator options and
the amounts (the calculator's one amount parser); each amount / percentage goes to the fact whose cue words
(`profile_facts.yaml`) stand nearest to it in the same phrase, before or after it. Yes/no facts are read from
their words unless a negation stands right before; titles (certifications, labs and centres, projects) from
their words with the level and role written in the same phrase. Out-of-range or negative figures are refused
with a message naming the fact, never computed with.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.calculator.amounts import find_percents
from assistant.errors import InputError
from assistant.matching.profile import Held, Profile, Vocabulary, check_consistency, load_vocabulary
from assistant.understanding import QueryParser

_PHRASE = re.compile(r"[,,。;;!!??\n]")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
_MINUS = ("-", "−", "负")
_DECLINE = ("下降", "减少", "下滑")
LEVEL_WINDOW = 8  # characters before a title's word that may name its level ("省级企业技术中心", "国家级专精特新小巨人")
NEGATION_WINDOW = 4


def _phrases(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _PHRASE.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _phrase_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return next((s for s in spans if s[0] <= pos <= s[1]), (0, 0))


def _negated(text: str, pos: int, vocab: Vocabulary) -> bool:
    before = text[max(0, pos - NEGATION_WINDOW):pos]
    return any(before.endswith(n) or (n in before and len(n) >= 2) for n in vocab.negations)


def _nearest_fact(text: str, start: int, end: int, phrase: tuple[int, int], kinds: set[str], vocab: Vocabulary,
                  taken_spans: list[tuple[int, int]]) -> str | None:
    """The fact whose cue word is nearest to text[start:end] within its phrase (longest cue on ties)."""
    best: tuple[int, int, str] | None = None
    for name, fact in vocab.facts.items():
        if fact.type not in kinds:
            continue
        for cue in fact.cues:
            for m in re.finditer(re.escape(cue), text[phrase[0]:phrase[1]]):
                cs, ce = m.start() + phrase[0], m.end() + phrase[0]
                if any(a <= cs < b for a, b in taken_spans):
                    continue
                distance = start - ce if ce <= start else (cs - end if cs >= end else 0)
                if distance < 0:
                    continue
                key = (distance, -len(cue), name)
                if best is None or key < best:
                    best = key
    return best[2] if best else None


def parse_profile(text: str, parser: QueryParser) -> tuple[Profile, tuple[str, ...]]:
    """(profile, places named outside the corpus). Raises `InputError` naming each unreadable figure."""
    vocab = load_vocabulary()
    query = parser.parse(text)
    low = query.text.lower().translate(_QUOTES)
    spans = _phrases(low)
    facts: dict[str, Any] = {}
    notes: list[str] = []
    errors: list[str] = []
    if query.cities:
        facts["city"] = query.cities[0]
        if len(query.cities) > 1:
            notes.append(f"文中提到多个城市({'、'.join(query.cities)}),按{query.cities[0]}体检")

    # amounts → amount facts, by the nearest cue in the same phrase
    amount_spans = [(a.start, a.end) for a in query.amounts]
    for amount in query.amounts:
        phrase = _phrase_of(spans, amount.start)
        name = _nearest_fact(low, amount.start, amount.end, phrase, {"amount"}, vocab, amount_spans)
        where = f"profile_text: “{amount.text}”" + (f" ({vocab.facts[name].zh})" if name else "")
        if amount.out_of_range:
            errors.append(f"{where}: amount out of range (at most 1万亿元) / 金额超出范围")
            continue
        if low[max(0, amount.start - 1):amount.start] in _MINUS:
            errors.append(f"{where}: must not be negative / 金额不能为负")
            continue
        if name is None:
            notes.append(f"未能判断“{amount.text}”是哪一项金额,未使用")
            continue
        if name in facts:
            facts[name] += amount.yuan  # two contracts, two investments: the total counts
        else:
            facts[name] = amount.yuan

    # percentages → percent facts
    for percent in find_percents(query.text):
        phrase = _phrase_of(spans, percent.start)
        name = _nearest_fact(low, percent.start, percent.end, phrase, {"percent"}, vocab, amount_spans)
        if name is None:
            notes.append(f"未能判断“{percent.text}”是哪一项比例,未使用")
            continue
        value = percent.value
        negative = low[max(0, percent.start - 1):percent.start] in _MINUS or any(
            w in low[phrase[0]:percent.start] for w in _DECLINE
        )
        if negative:
            if not vocab.facts[name].allow_negative:
                errors.append(f"profile_text: “{percent.text}” ({vocab.facts[name].zh}): must not be negative")
                continue
            value = -value
        facts.setdefault(name, value)

    # options the question parser understood (算力类型, 项目类型, 自建自用, 新获备案)
    for name, fact in vocab.facts.items():
        if fact.lexicon_option and fact.lexicon_option in query.options:
            value = query.options[fact.lexicon_option]
            facts[name] = value if fact.type != "bool" else bool(value)
    for name, fact in vocab.facts.items():
        if fact.type == "choice" and fact.options and name not in facts and not fact.lexicon_option:
            for value, option in fact.options.items():
                if any(w in low for w in option.get("words", ())):
                    facts[name] = value
                    break

    # yes/no facts and counts from their words
    for name, fact in vocab.facts.items():
        if fact.type not in ("bool", "count") or not fact.words:
            continue
        for word in fact.words:
            pos = low.find(word)
            if pos < 0:
                continue
            if fact.type == "count":
                phrase = _phrase_of(spans, pos)
                if not any(q in low[phrase[0]:phrase[1]] for q in fact.qualifies):
                    continue
                facts[name] = 0 if _negated(low, pos, vocab) else 1
            else:
                facts.setdefault(name, not _negated(low, pos, vocab))
            break
    if query.options.get("new_model_filing") and "model_filed" in vocab.facts:
        facts["model_filed"] = True

    # titles: certifications, labs and centres, projects
    taken: list[tuple[int, int]] = []
    words = sorted(((w, tid) for tid, t in vocab.titles.items() for w in t.words), key=lambda x: -len(x[0]))
    for word, tid in words:
        for m in re.finditer(re.escape(word), low):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            if _negated(low, m.start(), vocab):
                continue
            title = vocab.titles[tid]
            phrase = _phrase_of(spans, m.start())
            before = low[max(phrase[0], m.start() - LEVEL_WINDOW):m.start()]
            level = _level_in(before, title.levels, vocab)
            role = next((r for r, spec in vocab.roles.items() if any(w in low[phrase[0]:phrase[1]] for w in spec["words"])), None)
            held = Held(tid, level, role if title.roles else None)
            facts[title.fact] = tuple(dict.fromkeys((*facts.get(title.fact, ()), held)))

    if facts.get("land_yuan") is not None and facts.get("investment_yuan") is None:
        notes.append("只提到土地款,未提到项目投资额")
    check_consistency(facts, errors, prefix="profile_text")
    if errors:
        raise InputError("invalid profile / 企业信息有误: " + "; ".join(errors))
    return Profile(facts, tuple(notes)), tuple(query.outside_places)


def _level_in(before: str, allowed: tuple[str, ...], vocab: Vocabulary) -> str | None:
    """The level named nearest before a title's word, among the levels the title may have."""
    best: tuple[int, str] | None = None
    for level in allowed:
        for word in vocab.levels[level]["words"]:
            pos = before.rfind(word)
            if pos >= 0 and (best is None or pos > best[0]):
                best = (pos, level)
    return best[1] if best else None


def merge(base: Profile, extra: Profile) -> Profile:
    """Facts of `extra` over those of `base` (a form filled after the text)."""
    return Profile({**base.facts, **{k: v for k, v in extra.facts.items() if v not in (None, ())}}, base.notes + extra.notes)


__all__ = ["merge", "parse_profile"]
