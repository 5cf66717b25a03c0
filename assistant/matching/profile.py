"""The enterprise profile: a vocabulary of facts (data) and the validation of a structured profile.

Every value is checked against the fact's type: amounts through the calculator's one amount parser (so
``"1000万"``, ``1.2e7`` and ``"1.2亿"`` work, and ``-5``, ``1e308`` or ``NaN`` are refused), titles against the
list of known titles and their levels. All problems are collected and raised together as one `InputError`
whose message names each field (``profile.certifications[0].level: …``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from assistant.calculator.amounts import parse_amount, parse_percent, parse_yes_no
from assistant.errors import AmountParseError, InputError

MAX_COUNT = 10_000
MAX_TITLES = 50


@dataclass(frozen=True)
class Fact:
    name: str
    type: str  # city | choice | amount | percent | bool | count | titles
    zh: str
    en: str
    cues: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    qualifies: tuple[str, ...] = ()
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    lexicon_option: str | None = None
    allow_negative: bool = False
    deducted_from: str | None = None


@dataclass(frozen=True)
class Title:
    title_id: str
    fact: str
    zh: str
    en: str
    words: tuple[str, ...]
    levels: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    facts: dict[str, Fact]
    titles: dict[str, Title]
    levels: dict[str, dict[str, Any]]
    roles: dict[str, dict[str, Any]]
    negations: tuple[str, ...]

    def fact_for_input(self, input_name: str) -> Fact | None:
        return next((f for f in self.facts.values() if input_name in f.inputs), None)

    def level_zh(self, level: str | None) -> str:
        return self.levels[level]["zh"] if level in self.levels else ""


def _words(values: Any) -> tuple[str, ...]:
    return tuple(sorted((str(v).lower() for v in values or ()), key=len, reverse=True))


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    raw = yaml.safe_load(resources.files("assistant").joinpath("data/profile_facts.yaml").read_text(encoding="utf-8"))
    facts = {
        name: Fact(
            name=name, type=v["type"], zh=v["zh"], en=v["en"], cues=_words(v.get("cues")), words=_words(v.get("words")),
            inputs=tuple(v.get("inputs") or ()), labels=_words(v.get("labels")), qualifies=_words(v.get("qualifies")),
            options={str(k): dict(o, words=_words(o.get("words"))) for k, o in (v.get("options") or {}).items()},
            lexicon_option=v.get("lexicon_option"), allow_negative=bool(v.get("allow_negative")),
            deducted_from=v.get("deducted_from"),
        )
        for name, v in raw["facts"].items()
    }
    titles = {
        tid: Title(tid, v["fact"], v["zh"], v["en"], _words(v["words"]), tuple(v.get("levels") or ()), tuple(v.get("roles") or ()))
        for tid, v in raw["titles"].items()
    }
    levels = {k: dict(v, words=tuple(v["words"])) for k, v in raw["levels"].items()}
    roles = {k: dict(v, words=tuple(v["words"])) for k, v in raw["roles"].items()}
    return Vocabulary(facts, titles, levels, roles, tuple(raw.get("negations") or ()))


@dataclass(frozen=True)
class Held:
    """A title the enterprise holds (a certification, a lab or centre, a project), with its level and role."""

    title: str
    level: str | None = None
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.title}
        if self.level:
            out["level"] = self.level
        if self.role:
            out["role"] = self.role
        return out

    def label(self, vocab: Vocabulary) -> str:
        title = vocab.titles[self.title]
        role = f"({vocab.roles[self.role]['zh']})" if self.role else ""
        return f"{vocab.level_zh(self.level)}{title.zh}{role}"


@dataclass(frozen=True)
class Profile:
    """Typed facts: Decimal amounts and percents, bools, option values, counts, and tuples of `Held`."""

    facts: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what the parser read or assumed, for the user

    def get(self, name: str, default: Any = None) -> Any:
        return self.facts.get(name, default)

    def held(self) -> tuple[Held, ...]:
        vocab = load_vocabulary()
        return tuple(h for name, f in vocab.facts.items() if f.type == "titles" for h in self.facts.get(name, ()))

    @property
    def empty(self) -> bool:
        return not any(v not in (None, (), "") for k, v in self.facts.items() if k != "city")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.facts.items():
            if isinstance(value, Decimal):
                out[name] = int(value) if value == value.to_integral_value() else float(value)
            elif isinstance(value, tuple):
                out[name] = [h.to_dict() for h in value]
            else:
                out[name] = value
        return out


# ------------------------------------------------------------------ validation of a structured profile


def _choice(fact: Fact, raw: Any) -> str:
    text = str(raw).strip().lower()
    for value, option in fact.options.items():
        if text in (value.lower(), str(option.get("zh", "")).lower(), str(option.get("en", "")).lower()):
            return value
    for value, option in fact.options.items():
        if any(w and w in text for w in option.get("words", ())):
            return value
    allowed = ", ".join(f"{v} ({o.get('zh', '')})" for v, o in fact.options.items())
    raise ValueError(f"must be one of: {allowed} (got {raw!r})")


# a fact's yes/no words (as the calculator's, with 已/未 as facts are written: "已备案", "未认定")
_TRUE = frozenset({"true", "1", "yes", "y", "是", "有", "已", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "否", "无", "没有", "未", "f"})


def _bool(raw: Any) -> bool:
    answer = parse_yes_no(raw, _TRUE, _FALSE)
    if answer is None:
        raise ValueError(f"must be true or false (got {raw!r})")
    return answer


def _count(raw: Any) -> int:
    if isinstance(raw, bool):
        return int(raw)
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"must be a whole number (got {raw!r})") from None
    if not 0 <= value <= MAX_COUNT:
        raise ValueError(f"must be between 0 and {MAX_COUNT} (got {value})")
    return value


def _amount(fact: Fact, raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"must be an amount of money such as 1000万 (got {raw!r})")
    try:
        value = parse_amount(raw)
    except AmountParseError as exc:
        raise ValueError(str(exc)) from None
    if value < 0:
        raise ValueError(f"must not be negative (got {raw!r}) / 金额不能为负")
    return value


def _percent(fact: Fact, raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"must be a percentage such as 12% (got {raw!r})")
    try:
        value = parse_percent(raw)
    except AmountParseError as exc:
        raise ValueError(str(exc)) from None
    if value < 0 and not fact.allow_negative:
        raise ValueError(f"must not be negative (got {raw!r}) / 百分比不能为负")
    return value


def find_title(text: str, vocab: Vocabulary) -> str | None:
    """The title a name denotes: an id, its Chinese name, or the title whose word it contains (longest wins)."""
    low = str(text).strip().lower().replace("“", "").replace("”", "").replace("(", "").replace(")", "")
    if low in vocab.titles:
        return low
    best: tuple[int, str] | None = None
    for tid, title in vocab.titles.items():
        for word in (title.zh.lower().replace("“", "").replace("”", ""), *title.words):
            if word and word in low and (best is None or len(word) > best[0]):
                best = (len(word), tid)
    return best[1] if best else None


def _level(raw: Any, vocab: Vocabulary) -> str:
    text = str(raw).strip().lower()
    for level, spec in vocab.levels.items():
        if text in (level, spec["zh"], spec["en"]) or text in spec["words"]:
            return level
    allowed = ", ".join(f"{k} ({v['zh']})" for k, v in vocab.levels.items())
    raise ValueError(f"unknown level {raw!r}; allowed: {allowed}")


def _role(raw: Any, vocab: Vocabulary) -> str:
    text = str(raw).strip().lower()
    for role, spec in vocab.roles.items():
        if text in (role, spec["zh"], spec["en"]) or any(w in text for w in spec["words"]):
            return role
    allowed = ", ".join(f"{k} ({v['zh']})" for k, v in vocab.roles.items())
    raise ValueError(f"unknown role {raw!r}; allowed: {allowed}")


def _titles(fact: Fact, raw: Any, where: str, vocab: Vocabulary, errors: list[str]) -> tuple[Held, ...]:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    if len(items) > MAX_TITLES:
        errors.append(f"{where}: at most {MAX_TITLES} entries (got {len(items)})")
        return ()
    held: list[Held] = []
    for i, item in enumerate(items):
        spot = f"{where}[{i}]"
        data = item if isinstance(item, dict) else {"name": item}
        unknown = set(data) - {"name", "level", "role"}
        if unknown:
            errors.append(f"{spot}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; use name, level, role")
            continue
        tid = find_title(str(data.get("name", "")), vocab) if data.get("name") not in (None, "") else None
        if tid is None:
            known = ", ".join(f"{k} ({t.zh})" for k, t in vocab.titles.items() if t.fact == fact.name)
            errors.append(f"{spot}.name: unknown {fact.en} {data.get('name')!r}; known: {known}")
            continue
        title = vocab.titles[tid]
        level = role = None
        if data.get("level") not in (None, ""):
            try:
                level = _level(data["level"], vocab)
            except ValueError as exc:
                errors.append(f"{spot}.level: {exc}")
                continue
            if title.levels and level not in title.levels:
                errors.append(f"{spot}.level: {title.zh} has no level {level!r}; allowed: {', '.join(title.levels)}")
                continue
            if not title.levels:
                errors.append(f"{spot}.level: {title.zh} has no levels (got {data['level']!r})")
                continue
        if data.get("role") not in (None, ""):
            try:
                role = _role(data["role"], vocab)
            except ValueError as exc:
                errors.append(f"{spot}.role: {exc}")
                continue
        held.append(Held(tid, level, role))
    seen: dict[str, Held] = {}
    for i, h in enumerate(held):
        other = seen.get(h.title)
        if other is not None and other.level and h.level and other.level != h.level:
            errors.append(f"{where}: {vocab.titles[h.title].zh} given twice with different levels")
        seen.setdefault(h.title, h)
    return tuple(dict.fromkeys(held))


def check_consistency(facts: dict[str, Any], errors: list[str], prefix: str = "profile") -> None:
    """Facts that contradict each other ("土地款" larger than the investment it is part of)."""
    vocab = load_vocabulary()
    for name, fact in vocab.facts.items():
        if fact.deducted_from and name in facts and fact.deducted_from in facts:
            if facts[name] > facts[fact.deducted_from]:
                errors.append(
                    f"{prefix}.{name}: {fact.zh} ({facts[name]}) exceeds {vocab.facts[fact.deducted_from].zh} "
                    f"({facts[fact.deducted_from]}) it is part of"
                )


def profile_from_dict(raw: dict[str, Any] | None, cities: tuple[str, ...] = ()) -> Profile:
    """A typed `Profile` from ``{fact: value}``; every invalid field is named in one `InputError`."""
    vocab = load_vocabulary()
    if raw is None:
        return Profile()
    if not isinstance(raw, dict):
        raise InputError("profile must be an object {fact: value}")
    facts: dict[str, Any] = {}
    errors: list[str] = []
    for name, value in raw.items():
        where = f"profile.{name}"
        fact = vocab.facts.get(str(name))
        if fact is None:
            errors.append(f"{where}: unknown fact; known facts: {', '.join(vocab.facts)}")
            continue
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            continue
        try:
            if fact.type == "city":
                city = str(value).strip()
                if len(city) > 20:
                    raise ValueError("at most 20 characters")
                facts[name] = city
            elif fact.type == "choice":
                facts[name] = _choice(fact, value)
            elif fact.type == "bool":
                facts[name] = _bool(value)
            elif fact.type == "count":
                facts[name] = _count(value)
            elif fact.type == "amount":
                facts[name] = _amount(fact, value)
            elif fact.type == "percent":
                facts[name] = _percent(fact, value)
            elif fact.type == "titles":
                held = _titles(fact, value, where, vocab, errors)
                wrong = [h for h in held if vocab.titles[h.title].fact != name]
                for h in wrong:  # a title given under another list still counts; it is filed where it belongs
                    facts.setdefault(vocab.titles[h.title].fact, ())
                    facts[vocab.titles[h.title].fact] += (h,)
                if held and len(wrong) < len(held):
                    facts[name] = facts.get(name, ()) + tuple(h for h in held if h not in wrong)
        except (ValueError, TypeError, ArithmeticError) as exc:
            errors.append(f"{where}: {exc}")
    check_consistency(facts, errors)
    if errors:
        raise InputError("invalid profile / 企业信息有误: " + "; ".join(errors))
    return Profile(facts)
