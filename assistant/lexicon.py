"""The query vocabulary (cities, topics, question types, calculator options), loaded once from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable

import yaml

from index.metadata import known_cities

# a span of several years: "三年", "3 years", "这几年" — not "一年"/"每年", which ask one year's amount
_YEARS_SPAN = re.compile(r"(?:[两二三四五六七八九十几]|(?<![\d.])(?:[2-9]|\d{2})\s*)个?年(?!度)|\b(?:[2-9]|two|three|four|five) years\b")


@dataclass(frozen=True)
class Topic:
    topic_id: str
    zh_name: str
    en_name: str
    zh: tuple[str, ...]
    en: tuple[str, ...]
    expand: str = ""
    comparable: str | None = None
    answer_kind: str | None = None  # a topic that is a kind of question (e.g. stacking), not a programme


@dataclass(frozen=True)
class WideAsk:
    """An ask about a policy as a whole and where the policy answers it: the clause holding `words`, or its clause
    of kind `part` ("first": its first clause, which opens with the units the document is addressed to)."""

    ask: tuple[str, ...]
    words: tuple[str, ...] = ()
    part: str | None = None
    explained: bool = False  # the policy's interpretation answers it first ("制定背景"), else the policy itself


@dataclass(frozen=True)
class Lexicon:
    city_aliases: dict[str, tuple[str, ...]]  # corpus city → simplified aliases (longest first)
    city_en: dict[str, tuple[str, ...]]
    other_places_zh: tuple[str, ...]
    other_places_en: tuple[str, ...]
    topics: tuple[Topic, ...]
    question_types: dict[str, dict[str, tuple[str, ...]]]
    off_topic_zh: tuple[str, ...]
    off_topic_en: tuple[str, ...]
    options: dict[str, dict[str, dict[str, tuple[str, ...]]]]
    all_cities: frozenset[str] = field(default_factory=frozenset)
    departments_en: dict[str, str] = field(default_factory=dict)
    en_cues: dict[str, str] = field(default_factory=dict)
    zh_cues: dict[str, str] = field(default_factory=dict)  # a user's Chinese words → the words the clauses use
    document_terms: tuple[tuple[str, str], ...] = ()  # a user's word → the documents' term, put in its place
    amount_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # calculator input → cue words
    amount_deductions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    amount_kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind of sum → words naming it
    percent_kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind of percentage → words naming it
    award_levels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # level → words naming it
    award_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # applicant role → words naming it
    other_parties: tuple[str, ...] = ()  # parties other than the asker a role may be said of ("高校是共建单位")
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # cue name → words (see lexicon.yaml `cues`)
    # ask about a policy as a whole → (its question words, the words of the clause that answers it)
    policy_wide_asks: dict[str, WideAsk] = field(default_factory=dict)

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.topic_id == topic_id)

    def programmes(self, topic_ids: Iterable[str]) -> tuple[str, ...]:
        """The topics that are programmes, in order (not kinds of question such as stacking)."""
        return tuple(t for t in topic_ids if self.topic(t).answer_kind is None)

    def cue(self, name: str) -> tuple[str, ...]:
        """The words of one cue list; a missing list is an error in the data, not an empty match."""
        return self.cues[name]

    def has_cue(self, name: str, text: str) -> bool:
        low = text.lower()
        return any(w in low for w in self.cues[name])

    def clause_words(self, text: str) -> list[str]:
        """The words the clauses use for a user's Chinese words in `text` (`zh_cues`: "哪个单位出的" → 机关)."""
        return [zh for cue, zh in self.zh_cues.items() if cue in text]

    def in_document_terms(self, text: str) -> str:
        """`text` with the users' words for a term put as the documents write it ("准独角兽" → 潜在独角兽), in the
        order listed, so every reader of the question (topics, options, awards, cues) sees the documents' term."""
        for said, written in self.document_terms:
            text = text.replace(said, written)
        return text

    def asks_period_total(self, text: str) -> bool:
        """"三年加起来最多能拿多少?", "the max over the whole period": a total over a span of years, not one year's."""
        low = text.lower()
        span = self.has_cue("period_words", low) or _YEARS_SPAN.search(low) is not None
        return span and self.has_cue("period_total_words", low)

    def asks_which_more(self, text: str) -> bool:
        """"哪个给得多?", "哪边补得多", "which one pays more?": which of several gives more — a cue word, or a word
        asking which (`which_words`) followed closely by a word of more (`more_words`)."""
        low = text.lower()
        if self.has_cue("asks_which_more", low):
            return True
        which = "|".join(map(re.escape, self.cue("which_words")))
        more = "|".join(map(re.escape, self.cue("more_words")))
        zh = re.search(rf"(?:{which})[^,,。;;??!!\s]{{0,4}}?(?:{more})(?!少)", low) or re.search(
            rf"(?:{which})[^,,。;;??!!\s]{{0,10}}?更(?:{more})", low)  # "哪边的算力补贴比例更大"
        en = re.search(rf"\bwhich\b[^,.;?!]{{0,24}}?\b(?:more|most|higher|highest|bigger|larger|best)\b", low)
        return bool(zh or en)

    def policy_wide_ask(self, text: str) -> WideAsk | None:
        """The words of the clause answering what `text` asks about its policy as a whole ("资金从哪里列支?",
        "谁牵头组织实施?"), None when it asks no such thing."""
        low = text.lower()
        return next((wide for wide in self.policy_wide_asks.values() if any(w in low for w in wide.ask)), None)

    @property
    def slot_words(self) -> tuple[str, ...]:
        """Every word naming an award slot: the applicant's role or a level of government."""
        return tuple(w for vocabulary in (self.award_roles, self.award_levels) for words in vocabulary.values() for w in words)


def _terms(values) -> tuple[str, ...]:
    return tuple(sorted((str(v).lower() for v in values or ()), key=len, reverse=True))


def without_words(text: str, words: Iterable[str]) -> str:
    """`text` with every occurrence of `words` blanked, longest word first and in any case (what a question says
    besides its cue or slot words)."""
    present = sorted((w for w in words if w), key=len, reverse=True)
    return re.sub("|".join(map(re.escape, present)), " ", text, flags=re.I) if present else text


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = yaml.safe_load(resources.files("assistant").joinpath("data/lexicon.yaml").read_text(encoding="utf-8"))
    topics = tuple(
        Topic(
            topic_id=key,
            zh_name=value["zh_name"],
            en_name=value["en_name"],
            zh=_terms(value.get("zh")),
            en=_terms(value.get("en")),
            expand=value.get("expand", ""),
            comparable=value.get("comparable"),
            answer_kind=value.get("answer_kind"),
        )
        for key, value in raw["topics"].items()
    )
    options = {
        name: {
            str(choice).lower(): {
                "zh": _terms(words.get("zh")),
                "en": _terms(words.get("en")),
                # a yes/no option said with a negation ("还没拿到备案") is a no
                "negated": words.get("negated", "false" if str(choice).lower() == "true" else None),
            }
            for choice, words in choices.items()
        }
        for name, choices in raw["options"].items()
    }
    return Lexicon(
        city_aliases={city: _terms(v["aliases"]) for city, v in raw["cities"].items()},
        city_en={city: _terms(v["en"]) for city, v in raw["cities"].items()},
        other_places_zh=_terms(raw.get("other_places_zh")),
        other_places_en=_terms(raw.get("other_places_en")),
        topics=topics,
        question_types={k: {"zh": _terms(v.get("zh")), "en": _terms(v.get("en"))} for k, v in raw["question_types"].items()},
        off_topic_zh=_terms(raw.get("off_topic_zh")),
        off_topic_en=_terms(raw.get("off_topic_en")),
        options=options,
        all_cities=known_cities(),
        departments_en=dict(raw.get("departments_en") or {}),
        en_cues={str(k).lower(): str(v) for k, v in (raw.get("en_cues") or {}).items()},
        zh_cues={str(k): str(v) for k, v in (raw.get("zh_cues") or {}).items()},
        document_terms=tuple((str(k), str(v)) for k, v in (raw.get("document_terms") or {}).items()),
        amount_cues=_cue_words(raw.get("amount_cues")),
        amount_deductions=_cue_words(raw.get("amount_deductions")),
        amount_kinds=_cue_words(raw.get("amount_kinds")),
        percent_kinds=_cue_words(raw.get("percent_kinds")),
        award_levels=_cue_words(raw.get("award_levels")),
        award_roles=_cue_words(raw.get("award_roles")),
        other_parties=tuple(raw.get("other_parties") or ()),
        cues={name: tuple(str(w).lower() for w in words) for name, words in (raw.get("cues") or {}).items()},
        policy_wide_asks={
            name: WideAsk(_cue_words({name: v["ask"]})[name], tuple(v.get("clause") or ()), v.get("part"),
                          bool(v.get("explained")))
            for name, v in (raw.get("policy_wide_asks") or {}).items()
        },
    )


def _cue_words(raw) -> dict[str, tuple[str, ...]]:
    return {name: _terms([*(v.get("zh") or ()), *(v.get("en") or ())]) for name, v in (raw or {}).items()}
