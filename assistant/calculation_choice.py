"""Which calculation a question asks for: the programme (rule) and its inputs read off the question.

One module decides it: amounts go to the input their cue words name ("总投资1亿元,贷款6000万元"), options
come from the understood question, a fixed award is picked by the name the question gives it, and a
programme of another topic than the one asked is never used. Returns None rather than guessing a number.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Iterable, Protocol, Sequence

from assistant.calculator import cap_of, exclusion_of, find_percents, period_total
from assistant.errors import InputError
from assistant.lexicon import load_lexicon, without_words
from assistant.sum_cues import cued_inputs, deductions, said_years
from assistant.types import Hit
from assistant.understanding import Query
from index.tokenize import tokenize

log = logging.getLogger("assistant.calculation_choice")


class RuleBook(Protocol):
    """The calculator's rules as the chooser needs them (reviewed and extracted alike)."""

    def by_clause(self, clause_id: str) -> list[Any]: ...

    def get(self, program: str) -> Any: ...

    def calculate(self, program: str, inputs: dict, lang: str = "zh") -> Any: ...


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def _choice_from_text(spec: Any, text: str) -> str | None:
    low = text.lower()
    best: tuple[int, str] | None = None
    for option in _get(spec, "options", None) or ():
        value = str(_get(option, "value"))
        for alias in [value, *(_get(option, "aliases", None) or ())]:
            alias = str(alias).lower()
            if len(alias) >= 2 and alias in low and (best is None or len(alias) > best[0]):
                best = (len(alias), value)
    return best[1] if best else None


def _amount_inputs(rule: Any) -> set[str]:
    """The names of the rule's inputs that are sums of money."""
    return {_get(s, "name") for s in _get(rule, "inputs", None) or () if _get(s, "type") == "amount_yuan"}


def _described_kinds(specs: Sequence[Any], kinds: dict[str, tuple[str, ...]]) -> set[str]:
    """The kinds of figure (investment, revenue; growth, rate…) the inputs are, by the words of their descriptions."""
    said = " ".join(
        f"{_get(d, 'zh', '')} {_get(d, 'en', '')}" for s in specs if (d := _get(s, "description", None))
    ).lower()
    return {kind for kind, words in kinds.items() if any(w in said for w in words)}


def _said_percents(text: str, percents: Sequence[Decimal], kinds: dict[str, tuple[str, ...]]) -> list[tuple[Decimal, str | None]]:
    """The question's percentages with the kind the words said with each name ("营收增速8%" → growth), if any."""
    found = find_percents(text) if text else []
    if [p.value for p in found] != list(percents):  # carried from an earlier turn: where they were said is unknown
        return [(p, None) for p in percents]
    said = cued_inputs(text, found, kinds, same_phrase=True)
    return [(p.value, said.get(i)) for i, p in enumerate(found)]


def names_inputs(rule: Any, amounts: Sequence[Any], text: str) -> bool:
    """Whether the text says one of its sums by the words of one of the rule's amount inputs, or of what that input
    leaves out ("其中土地款600万"); a word said of no sum ("去年营收增长了8%") names nothing."""
    lex = load_lexicon()
    names = _amount_inputs(rule)
    words = {n: (*lex.amount_cues.get(n, ()), *lex.amount_deductions.get(n, ())) for n in names}
    return bool(cued_inputs(text, amounts, {n: w for n, w in words.items() if w}))


def stated_inputs(
    rule: Any, amounts: Sequence[Any], percents: Sequence[Decimal], options: dict, text: str = "",
    cued_only: bool = False, together: bool = False,
) -> dict:
    """The rule's inputs that the text's figures and options give (any may be missing); only sums said by an input's
    own words when `cued_only`; sums said by no input's words added up into one when `together` ("two contracts, 3
    million and 4 million")."""
    lex = load_lexicon()
    specs = list(_get(rule, "inputs", None) or ())
    amount_names = _amount_inputs(rule)
    # a sum said as another kind than the rule's sums ("设备投了3000万" for a revenue award) is none of its inputs,
    # whatever other words stand near it ("grew 8% last year and spent 30 million on equipment")
    own_kinds = _described_kinds([s for s in specs if _get(s, "type") == "amount_yuan"], lex.amount_kinds)
    other_kind = {i for i, kind in cued_inputs(text, amounts, lex.amount_kinds, same_phrase=True).items() if own_kinds and kind not in own_kinds}
    other_kind |= _restated_figures(rule, amounts, text)
    cued = cued_inputs(text, amounts, {n: w for n, w in lex.amount_cues.items() if n in amount_names})
    cued = {i: name for i, name in cued.items() if i not in other_kind}
    deducted = deductions(text, amounts, lex, amount_names)
    by_cue = {name: amounts[i].yuan for i, name in cued.items() if i not in deducted}
    unassigned = [i for i in range(len(amounts)) if i not in cued and i not in deducted]
    for current, previous in (_get(s, "growth_of") for s in specs if _get(s, "growth_of", None)):
        # "2023年营收4200万元,2024年5600万元": of two sums said with years, the later year's is the current one
        # …also when their years are said relative to this one, whose words ("去年", "last year") also cue last
        # year's sum: "去年5600万,前年4700万" is this year's question about last year
        paired = {i for i, name in cued.items() if name in (current, previous)}
        dated = sorted((year, i) for i, year in said_years(text, amounts, date.today().year).items()
                       if (i in unassigned or i in paired) and i not in other_kind)
        if (len(dated) >= 2 and dated[-2][0] < dated[-1][0]
                and (paired or (current not in by_cue and previous not in by_cue))):
            by_cue[current], by_cue[previous] = amounts[dated[-1][1]].yuan, amounts[dated[-2][1]].yuan
            unassigned = [i for i in unassigned if i not in (dated[-1][1], dated[-2][1])]
    if not unassigned:
        # "去年营收第一次过了5000万": a sum said as last year's is the year asked about when no other year's is said
        for current, previous in (_get(s, "growth_of") for s in specs if _get(s, "growth_of", None)):
            if previous in by_cue and current not in by_cue:
                by_cue[current] = by_cue.pop(previous)
    if cued_only:
        return {name: yuan for name, yuan in by_cue.items() if name in amount_names}
    free_amounts = [amounts[i].yuan for i in unassigned if i not in other_kind]
    if together and len(free_amounts) > 1:
        free_amounts = [sum(free_amounts, Decimal(0))]
    free_percents = _said_percents(text, percents, lex.percent_kinds)
    inputs: dict[str, Any] = {}
    for spec in specs:
        name = _get(spec, "name")
        kind = _get(spec, "type")
        required = _required(spec)
        value: Any = None
        if kind == "amount_yuan":
            if name in by_cue:
                value = by_cue[name]
            elif free_amounts and (required or name == _get(rule, "base")):
                value = free_amounts.pop(0)
            if value is not None and name not in by_cue:  # a sum said by the input's own words is already net
                value -= sum((amounts[i].yuan for i, n in deducted.items() if n == name), Decimal(0))
        elif kind == "percent":  # a growth rate said in passing is no subsidy rate, and the reverse
            own = _described_kinds([spec], lex.percent_kinds)
            fitting = [f for f in free_percents if f[1] is None or not own or f[1] in own]
            if fitting:
                free_percents.remove(fitting[0])
                value = fitting[0][0]
        elif kind == "choice":
            value = options.get(name) or _choice_from_text(spec, text)
        else:
            value = options.get(name)
        if value is not None:
            inputs[name] = value
    return inputs


def _restated_figures(rule: Any, amounts: Sequence[Any], text: str) -> set[int]:
    """Indexes of sums that restate one of the rule's own figures (a milestone, a threshold) right after a word of
    passing it ("passed 50 million for the first time: 56 million, up from 47 million"), when the text states more
    sums than the rule takes: the figure passed, not one of the asker's."""
    names = _amount_inputs(rule)
    if len(amounts) <= len(names):
        return set()
    figures = {Decimal(str(_get(t, "min"))) for t in _get(rule, "tiers", None) or ()}
    figures |= {m for t in _get(rule, "thresholds", None) or () if _get(t, "input") in names
                and isinstance(m := _get(t, "min"), Decimal)}
    passing = load_lexicon().cue("passes_figure")
    low = text.lower()
    return {
        i for i, a in enumerate(amounts)
        if a.yuan in figures and getattr(a, "start", None) is not None
        and any(w in low[max(0, a.start - PASSING_WINDOW):a.start] for w in passing)
    }


def _stage_of_another(rule: Any, award: Any, named: Sequence[tuple[Any, Any]]) -> bool:
    """The award is the first stage of a staged sibling also named ("列入试点20万" of "列入试点20万 + 通过验收后再给予
    30万"): that sibling's total already counts it."""
    stages = _stages_of(rule, award)
    return any(id(other_rule) == id(rule) and other in stages for other_rule, other in named)


def _stages_of(rule: Any, award: Any) -> list[Any]:
    """The staged siblings whose first stage is this award."""
    return [other for other in _get(rule, "awards", None) or () if other is not award and _get(other, "components", None)
            and _get(other, "components")[0].amount == _get(award, "total")]


def _stage_said(rule: Any, award: Any, text: str) -> Any:
    """A staged award ("CPMS试点牵头企业并通过验收": 20万 + 30万 after acceptance) when the text says its later stage;
    else its first stage ("我们牵头的CPMS试点刚列入名单": the 20万)."""
    first = next((a for a in _get(rule, "awards", None) or () if award in _stages_of(rule, a)), None)
    if first is None:
        return award
    return award if _holds_mark(award_marks(SimpleNamespace(awards=(award, first)))[id(award)], text) else first


def _figures_text(query: Query) -> str:
    """The text the query's figures and ask are read from (a carried question's rewriting holds the earlier ask and
    sums)."""
    return query.rewritten if query.followup in ("city", "option", "compare") else query.text


def _required(spec: Any) -> bool:
    return spec.is_required if hasattr(spec, "is_required") else _get(spec, "required", True) is not False


def inputs_from_question(
    rule: Any, amounts: Sequence[Any], percents: Sequence[Decimal], options: dict, text: str = "",
    earlier: dict | None = None, together: bool = False,
) -> dict | None:
    """Inputs for `rule`, or None when the question does not give a required one; `earlier` holds what the
    conversation stated before for inputs the question leaves out ("贷款变成8亿,利率不变")."""
    specs = list(_get(rule, "inputs", None) or ())
    said = stated_inputs(rule, amounts, percents, options, text, together=together)
    known = {**(earlier or {}), **said}
    # nothing to compute from: the question gave no amount for this rule (or, stating none, neither did earlier turns)
    if not (said if amounts else known).keys() & _amount_inputs(rule):
        return None
    inputs: dict[str, Any] = {}
    for spec in specs:
        name = _get(spec, "name")
        if name in known:
            inputs[name] = known[name]
        elif _required(spec) and _get(spec, "default", None) is None and not _get(spec, "default_from", None) and not _get(spec, "growth_of", None):
            return None
    if any(_get(s, "default_from", None) and _get(s, "name") not in inputs and _get(s, "default_from") not in inputs for s in specs):
        return None
    if any(_get(s, "growth_of", None) and _get(s, "name") not in inputs and not set(_get(s, "growth_of")) <= set(inputs) for s in specs):
        return None  # a growth rate neither said nor workable from two years' sums
    return inputs


_QUOTES = str.maketrans("", "", "“”\"'‘’「」《》")
MIN_AWARD_CHARS = 3
PASSING_WINDOW = 8  # characters before a sum in which a word of passing it ("突破", "passed") is read
MIN_AWARD_SHARE = 0.35  # "小巨人" names the 专精特新“小巨人” award; "制造业" alone names no 制造业创新中心
AMBIGUOUS_SHARE = 0.8


def _generic_zh() -> tuple[str, ...]:
    """Words that name no award: generic ones, and the applicant's roles (a slot, read by `_same_slot`)."""
    lex = load_lexicon()
    return lex.cue("award_generic_zh") + tuple(w for words in lex.award_roles.values() for w in words)


def label_coverage(label: str, text: str) -> int:
    """Distinctive characters of `label` inside some two-character run that `text` also contains."""
    marked = [False] * len(label)
    for i in range(len(label) - 1):
        if label[i:i + 2] in text:
            marked[i] = marked[i + 1] = True
    for word in _generic_zh():
        for m in re.finditer(re.escape(word), label):
            for i in range(m.start(), m.end()):
                marked[i] = False
    return sum(marked)


def _distinctive_length(label: str) -> int:
    for word in _generic_zh():
        label = label.replace(word, "")
    return max(1, len(label))


def award_match(zh: str, en: str, text: str) -> float:
    """How well a question names one award (matched size × share of the label matched); 0 if it does not."""
    low = text.lower().translate(_QUOTES)
    # a conversation may mix languages ("national key lab support?" then "我们是牵头单位"): both names count
    return _zh_match(zh, low) + _en_match(en, low)


def _zh_match(zh: str, low: str) -> float:
    if not any("\u4e00" <= ch <= "\u9fff" for ch in low):
        return 0.0
    label = zh.translate(_QUOTES)
    covered, distinctive = label_coverage(label, low), _distinctive_length(label)
    share = covered / distinctive
    return covered * share if covered >= min(MIN_AWARD_CHARS, distinctive) and share >= MIN_AWARD_SHARE else 0.0


def _en_match(en: str, low: str) -> float:
    words = {w for w in re.findall(r"[a-z]+", en.lower()) if w not in load_lexicon().cue("award_generic_en") and len(w) >= 3}
    found = {w for w in words if re.search(rf"\b{w}", low)}
    return len(found) * len(found) / len(words) if found and words else 0.0


def named_awards(rules: Sequence[Any], text: str) -> list[tuple[float, Any, Any]]:
    """(match, rule, award) for every award of these rules the question names, best first."""
    scored = [
        (award_match(_get(a, "zh"), _get(a, "en"), text), rule, a)
        for rule in rules for a in (_get(rule, "awards", None) or ())
    ]
    return sorted((s for s in scored if s[0] > 0), key=lambda s: s[0], reverse=True)


def award_marks(rule: Any) -> dict[int, frozenset[str]]:
    """What sets each award of a rule apart from the others (by `id`): the words of its Chinese and English labels
    that no other award of the rule has ("车间", "workshop", "国内")."""
    awards = list(_get(rule, "awards", None) or ())
    generic = set(load_lexicon().cue("award_generic_en"))
    generic_zh = set(_generic_zh())
    own = {
        id(a): {w for w in tokenize(_get(a, "zh") or "") if len(w) >= 2 and not w.isascii() and w not in generic_zh}
        | {w for w in re.findall(r"[a-z]+", (_get(a, "en") or "").lower())
           if len(w) >= MIN_MARK_LETTERS and w not in generic}
        for a in awards
    }
    return {
        key: frozenset(m for m in marks if all(m not in other for k, other in own.items() if k != key))
        for key, marks in own.items()
    } if len(awards) > 1 else {}


def award_variant_words(rules: Sequence[Any]) -> tuple[str, ...]:
    """Every word that picks one award of a rule among its siblings: a slot of the award, as a level is."""
    return tuple(sorted({m for rule in rules for marks in award_marks(rule).values() for m in marks}))


def _marked(rules: Sequence[Any], text: str) -> list[tuple[Any, Any]]:
    """(rule, award) for the awards whose own marks the text holds ("那是智能车间呢?" → the workshop award)."""
    found = []
    for rule in rules:
        marks = award_marks(rule)
        for award in _get(rule, "awards", None) or ():
            if _holds_mark(marks.get(id(award), ()), text):
                found.append((rule, award))
    return found


def _holds_mark(marks: Iterable[str], text: str) -> bool:
    """The text holds one of these marks (an English one as a whole word)."""
    low = text.lower()
    latin = set(re.findall(r"[a-z]+", low))
    return any(m in latin if m.isascii() else m in low for m in marks)


def _slot_values(phrase: str, vocabulary: dict[str, tuple[str, ...]]) -> set[str]:
    """The values of one slot (levels, roles) a phrase names."""
    low = phrase.lower()
    return {value for value, words in vocabulary.items() if any(w in low for w in words)}


def _award_slot_values(award: Any, vocabulary: dict[str, tuple[str, ...]]) -> set[str]:
    """The values of one slot an award's own label names."""
    return _slot_values(f"{_get(award, 'zh')} {_get(award, 'en')}", vocabulary)


def _same_slot(
    named: list[tuple[float, Any, Any]], text: str, vocabulary: dict[str, tuple[str, ...]], latest: str = "",
) -> list[tuple[float, Any, Any]]:
    """Drop awards for another value of a slot (a level of government, the applicant's role) than the one the
    question names ("被省里认定", "我们是共建单位"); awards naming no value of the slot stay. The latest turn
    (`latest`) overrides what earlier turns named ("…牵头单位…" then "我们是共建单位呢?"). An award of a named
    rule that has the value asked joins even when its own words were not matched ("as a co-builder" names the
    "co-building institution" award)."""

    asked = _slot_values(latest, vocabulary) or _slot_values(text, vocabulary)
    if not asked:
        return named

    def own(award: Any) -> set[str]:
        return _award_slot_values(award, vocabulary)

    kept = [n for n in named if _fits(n[2], vocabulary, text, latest)]
    kept_ids = {id(a) for _, _, a in kept}
    best_of_rule: dict[int, tuple[float, Any]] = {}
    for score, rule, _ in named:  # best first: a rule's first entry holds its best score
        best_of_rule.setdefault(id(rule), (score, rule))
    kept += [
        (score, rule, a) for score, rule in best_of_rule.values()
        for a in _get(rule, "awards", None) or () if id(a) not in kept_ids and own(a) & asked
    ]
    # an award for the value asked beats a sibling named no better: "省内首台(套)" over "国内首台(套)", whose label
    # names no level of this vocabulary (a sibling named by more of its own words, "CPMS pilot", stays)
    fitting: dict[int, float] = {}
    for score, rule, a in kept:
        if own(a) & asked:
            fitting[id(rule)] = max(score, fitting.get(id(rule), score))
    kept = [n for n in kept if id(n[1]) not in fitting or own(n[2]) & asked or n[0] > fitting[id(n[1])]]
    return sorted(kept, key=lambda n: n[0], reverse=True) or named


# "我们是共建的,不是牵头", "是车间,不是工厂", "not the lead unit", "not just in the province": what the asker says
# they are not, up to the next punctuation (Chinese) or two words past articles and hedges (English); "是不是牵头单位才行?" asks, it denies nothing
_DENIED = re.compile(r"(?<!是)(不是|并非|而非|并不是)[^,,。;;??!!]{1,12}|\b(not|isn't|aren't|rather than)((\s+(just|only|merely|simply|a|an|the|in|at|of|for|as|within|inside|on))*\s+[a-z-]+){1,2}", re.I)
MIN_MARK_LETTERS = 5  # shorter English label words ("that", "city", "made") tell no award apart
NAMES_AWARD = 1.0  # a match this good names the award (one English word of a one-word label; two Chinese characters)
LATEST_WEIGHT = 2.0  # how much more a name in the latest turn counts than one in the turns before


# "牵头的是大学", "高校是共建单位", "the university is the lead unit": a role said of another party is not the asker's
_OTHERS_ROLE_ZH = r"(?:{roles})是(?!我|咱|本)[^,,。;;??!!]{{1,12}}|(?:{parties})(?:也|都)?(?:是|为|作为|算)(?:{roles})"
_OTHERS_ROLE_EN = r"\b(?!we\b|i\b|our\b|us\b)[a-z]+\s+(?:is|was|will be)\s+(?:the\s+)?(?:{roles})"


@lru_cache(maxsize=1)
def _others_role() -> re.Pattern:
    lex = load_lexicon()
    zh = "|".join(re.escape(w) for words in lex.award_roles.values() for w in words if not w.isascii())
    en = "|".join(re.escape(w) for words in lex.award_roles.values() for w in words if w.isascii())
    parties = "|".join(re.escape(w) for w in lex.other_parties)
    return re.compile(f"{_OTHERS_ROLE_ZH.format(roles=zh, parties=parties)}|{_OTHERS_ROLE_EN.format(roles=en)}", re.I)


def without_denied(text: str) -> str:
    """The question without what it says the asker is not, and without roles it gives to another party."""
    return _others_role().sub(" ", _DENIED.sub(" ", text))


def _fits(award: Any, vocabulary: dict[str, tuple[str, ...]], text: str, latest: str) -> bool:
    """The award is for the value of a slot the conversation gives, or its label names none."""
    asked = _slot_values(latest, vocabulary) or _slot_values(text, vocabulary)
    own = _award_slot_values(award, vocabulary)
    return not asked or not own or bool(own & asked)


def _only_award_in_role(
    rules: Sequence[Any], text: str, roles: dict[str, tuple[str, ...]],
) -> list[tuple[float, Any, Any]]:
    """The one award of these rules for the role the question states ("我们单位是共建的" on a clause whose only
    co-building award is the key lab's), when it names no award by its own words."""
    asked = _slot_values(text, roles)
    fitting = [
        (1.0, rule, award) for rule in rules for award in _get(rule, "awards", None) or ()
        if asked and _award_slot_values(award, roles) & asked
    ]
    return fitting if len(fitting) == 1 else []


def award_inputs(rules: Sequence[Any], text: str, latest: str = "") -> tuple[Any, dict] | None:
    """(rule, inputs) for the one award the question names among these rules.

    None when it names none, or several with different amounts ("国家级…省级呢?", "独角兽和潜在独角兽
    分别…"): the clause text then answers better than one calculated level.
    """
    lex = load_lexicon()
    text, latest = without_denied(text), without_denied(latest)
    own_words = without_words(latest or text, lex.slot_words)  # "lead institution" names a role, not an award
    if len({id(rule) for score, rule, _ in named_awards(rules, own_words) if score >= NAMES_AWARD}) > 1:
        return None  # "我们是潜在独角兽,又认定了小巨人": awards of two programmes, one calculation would drop one
    named = named_awards(rules, text)
    if latest:
        # the award the latest turn names comes first ("那是省级智能车间" after turns about 智能工厂)
        # slot words left out: the slot filters below choose by level and role; here only the award's own name counts
        named_now = without_words(latest, lex.slot_words)
        own = {id(award): score for score, _, award in named_awards(rules, named_now)}
        named = sorted(
            ((score + LATEST_WEIGHT * own.get(id(award), 0.0), rule, award) for score, rule, award in named),
            key=lambda n: n[0], reverse=True,
        )
    named = _same_slot(_same_slot(named, text, lex.award_levels, latest), text, lex.award_roles, latest)
    named = named or _only_award_in_role(rules, latest or text, lex.award_roles)
    marked = _marked(rules, without_words(latest, lex.slot_words)) if latest else []
    if len(marked) == 1 and all(
        _fits(marked[0][1], vocabulary, text, latest) for vocabulary in (lex.award_levels, lex.award_roles)
    ):
        # the latest turn names one award by what sets it apart ("那要是智能车间呢?", "国内级别呢"): that one,
        # not its siblings
        rule, award = marked[0]
        siblings = {id(a) for a in _get(rule, "awards", None) or ()}
        best = max((n[0] for n in named), default=0.0)
        named = sorted(
            [n for n in named if id(n[2]) not in siblings] + [(best + LATEST_WEIGHT, rule, award)],
            key=lambda n: n[0], reverse=True,
        )
    if not named and len(rules) == 1:
        # "我们只入选了省级的场景": no award named by its words, but the level picks one of the programme's
        everything = [(1.0, rules[0], a) for a in _get(rules[0], "awards", None) or ()]
        kept = _same_slot(_same_slot(everything, text, lex.award_levels, latest), text, lex.award_roles, latest)
        named = kept if len(kept) == 1 and len(everything) > 1 else []
    if not named:
        return None
    best, rule, award = named[0]
    award = _stage_said(rule, award, text)
    if any(score >= AMBIGUOUS_SHARE * best and _get(other, "total") != _get(award, "total") for score, _, other in named[1:]):
        return None
    awards = _get(rule, "awards", None) or ()
    return rule, ({"level": _get(award, "value")} if len(awards) > 1 else {})


def optional_inputs_only(rule: Any) -> bool:
    """True when the rule can run with no inputs (a fixed award with one level, a range, a capped cost)."""
    specs = _get(rule, "inputs", None) or ()
    return all(not (s.is_required if hasattr(s, "is_required") else _get(s, "required", True)) for s in specs)


def _cap_under(rule: Any, query: Query) -> Decimal | None:
    """The rule's cap under the options the question said (None when an option it needs is unusable)."""
    try:
        return cap_of(rule, query.options)
    except InputError:
        return None


class CalculationChooser:
    """Picks and runs the calculation a question asks for, from the rules of the clauses retrieved for it."""

    def __init__(self, rules: RuleBook) -> None:
        self.rules = rules
        self.lex = load_lexicon()

    def choose(self, query: Query, hits: Sequence[Hit]) -> Any | None:
        """Run the calculator when the question gives the numbers a rule needs, or names a fixed award."""
        lang = "en" if query.lang == "en" else "zh"
        rules = self._on_topic([rule for hit in hits[:2] for rule in self.rules.by_clause(hit.clause.clause_id)], query)
        if query.amounts:
            source = _figures_text(query)
            # a rule whose own inputs the question names ("civil works" → 生产性投入(不含土建)) first
            rules = sorted(rules, key=lambda r: not names_inputs(r, query.amounts, source))
            if (calc := self._computed(query, rules, query.amounts, lang)) is not None:
                return calc
        asked = _figures_text(query)
        # an option or city follow-up ("国家级呢?", "嘉兴的呢?") asks the earlier figure question again
        asks_amount = (
            query.followup == "option" or (query.followup == "city" and query.qtype == "rate")
            or self.lex.has_cue("amount_question", asked)
        )
        if hits and asks_amount and not self.lex.has_cue("rate_question", asked):
            # "what would our project get?", "回到物流那个项目,能拿多少?" — not "最多多少?" of the programme in general
            own = self.lex.has_cue("own_situation", f" {query.text} ") or self.lex.has_cue("returns_to", query.text)
            if not query.amounts and own and (calc := self._computed(query, rules, (), lang)) is not None:
                return calc  # "回到贷款,一年最多贴多少?": computed from the sums said turns before
            calc = self._award(query, hits[0], lang)
            if calc is None and len(hits) > 1 and not self.rules.by_clause(hits[0].clause.clause_id):
                # "创建一批国家级、省级企业技术中心" pays nothing: the next clause, when the question names its award
                calc = self._award(query, hits[1], lang, named_only=True)
            return calc
        return None

    def _computed(self, query: Query, rules: Sequence[Any], amounts: Sequence[Any], lang: str) -> Any | None:
        """The first of `rules` that `amounts` (the question's sums, or none) compute, with what earlier turns stated
        for the inputs they leave out."""
        together = self.lex.has_cue("sums_together", query.text.lower())
        for rule in rules:
            inputs = inputs_from_question(
                rule, amounts, query.percents, query.options, _figures_text(query),
                earlier=self._stated_before(rule, query, together), together=together)
            if inputs is None:
                continue
            try:
                return self.rules.calculate(rule.program, inputs, lang=lang)
            except InputError as exc:
                log.info("calculation skipped for %s: %s", rule.program, exc)
        return None

    def _stated_before(self, rule: Any, query: Query, together: bool) -> dict:
        """What earlier turns stated for the rule's sums and rates, the latest first: a follow-up changes only what it
        names ("贷款总额变成8亿,利率不变" keeps the rate said two turns before). Turns about another programme give only
        sums said by an input's own words ("总投资12亿"); `together`: a turn's unnamed sums added up."""
        asked = set(self.lex.programmes(query.topics))
        known: dict = {}
        turn = query.previous
        while turn is not None:
            same = bool(asked & set(self.lex.programmes(turn.topics)))
            said = stated_inputs(
                rule, turn.amounts, turn.percents, {}, _figures_text(turn), cued_only=not same, together=together)
            known = {**said, **known}
            turn = turn.previous
        return known

    def several_awards(self, query: Query, hits: Sequence[Hit]) -> tuple[Any, ...]:
        """"国家级示范工厂比省级智能工厂多多少?", "那俩个加起来一共多少?": the awards of the best clause that the
        question sets side by side, each computed — those it names by what sets them apart, then those the asker's
        earlier turns named (the latest first); () unless it asks for two or more."""
        if not hits or not self.asks_several(query):
            return ()
        low = query.text.lower()
        rules = [r for r in self.rules.by_clause(hits[0].clause.clause_id) if _get(r, "kind") == "fixed"]

        def said(text: str) -> list[tuple[Any, Any]]:
            # by what sets it apart, or by its name: an only award, or one whose siblings' marks the text lacks
            # ("上了独角兽榜": the unicorn award, not the potential unicorn's, whose mark is 潜在)
            marked = _marked(rules, text)
            unmarked = {id(rule) for rule in rules} - {id(rule) for rule, _ in marked}
            best = {}
            for score, rule, award in named_awards(rules, text):
                if score >= NAMES_AWARD and id(rule) in unmarked:
                    best.setdefault(id(rule), (rule, award))
            return marked + list(best.values())

        named = said(without_denied(query.text))
        # "比一开始说的那个档多多少?": earlier turns add a sibling of the award named now (any award when none is, or
        # when the awards are added up: "5G工厂…我们还是领军型数商,两项加起来")
        same = set() if self.lex.has_cue("sums_together", low) else {id(rule) for rule, _ in named}
        turn = query.previous
        while turn is not None and len(named) < 2:
            named += [m for m in said(without_denied(turn.text)) if m not in named and (not same or id(m[0]) in same)]
            turn = turn.previous
        named = [(rule, award) for rule, award in named if not _stage_of_another(rule, award, named)]
        if len(named) == 1 and self.lex.has_cue("sums_together", low):
            # "前后两笔加起来总共多少?" of a staged award's first stage ("列入试点20万", then "验收后再给30万"): its stages
            rule, award = named[0]
            total = award if _get(award, "components", None) else next(iter(_stages_of(rule, award)), None)
            return self._calculated([(rule, total)], query) if total is not None else ()
        if len(named) < 2:
            return ()
        return self._calculated(named, query)

    def _calculated(self, named: Sequence[tuple[Any, Any]], query: Query) -> tuple[Any, ...]:
        """Each (rule, award) computed, in the question's language."""
        lang = "en" if query.lang == "en" else "zh"
        return tuple(
            self.rules.calculate(rule.program, {"level": _get(award, "value")} if len(rule.awards) > 1 else {}, lang=lang)
            for rule, award in named)

    def figure(self, query: Query, hit: Hit) -> tuple[Any | None, Decimal | None]:
        """"跟郑州的算力券年度上限比,嘉兴能多拿多少?" with no sum said: what the clause pays the asker — the award
        the question names (a calculation), else the cap of its one capped rule on the topic, under the options
        said ("刚拿到网信办备案的企业" → 500万元)."""
        lang = "en" if query.lang == "en" else "zh"
        if (award := self._award(query, hit, lang, named_only=True)) is not None:
            return award, None
        capped = [r for r in self._on_topic(self.rules.by_clause(hit.clause.clause_id), query) if r.caps]
        return None, _cap_under(capped[0], query) if len(capped) == 1 else None

    def cap(self, calc: Any, query: Query) -> Decimal | None:
        """The most the calculation's rule pays the asker whatever the sum, under the options said."""
        return _cap_under(self.rules.get(calc.program), query)

    def period(self, query: Query, hit: Hit) -> Any | None:
        """"三年加起来最多多少?": the yearly cap times the years of the clause's one rule on the topic that states how
        many years its support lasts (a calculation), under the options said."""
        lasting = [r for r in self._on_topic(self.rules.by_clause(hit.clause.clause_id), query) if r.years]
        try:
            return period_total(lasting[0], query.options, "en" if query.lang == "en" else "zh") if len(lasting) == 1 else None
        except InputError:
            return None

    def exclusion(self, query: Query, hit: Hit) -> Any | None:
        """"我们是自建自用的,能申请吗?": the exclusion of the clause's rule on the topic that the options said meet."""
        if not query.options:
            return None
        return next((e for rule in self._on_topic(self.rules.by_clause(hit.clause.clause_id), query)
                     if (e := exclusion_of(rule, query.options)) is not None), None)

    def asks_several(self, query: Query) -> bool:
        """Sets several things side by side: which is more, how far apart, added up, or each."""
        low = query.text.lower()
        return self.lex.asks_which_more(low) or any(
            self.lex.has_cue(c, low) for c in ("asks_difference", "sums_together", "asks_each"))

    def applied_award(self, calc: Any) -> Any | None:
        """The fixed award a calculation paid, if it was one."""
        rule = self.rules.get(calc.program)
        level = calc.inputs.get("level")
        return next((a for a in rule.awards if level is None or a.value == level), None) if rule.kind == "fixed" else None

    def _award(self, query: Query, top: Hit, lang: str, named_only: bool = False) -> Any | None:
        """"How much is the award?" for the best clause: the award the question names, or its only rule (unless
        `named_only`)."""
        rules = self.rules.by_clause(top.clause.clause_id)
        if len(named_topic := self._of_topic(rules, query)) == 1:
            rules = named_topic  # "模型备案奖励多少?" on a clause that also holds the scenario awards
        elif len(titled := self._titled(rules, query)) == 1:
            rules = titled  # "入选了省级的场景" on that clause: the programme whose title holds the topic's word
        # the question's own words decide over the earlier ones its rewriting carries ("上面说嘉兴那个,省级的呢?")
        carried = query.followup or query.rewritten != query.text
        named = award_inputs(rules, query.rewritten, latest=query.text if carried else "")
        if named is None and len(rules) > 1 and len(titled := self._titled(rules, query, said=False)) == 1:
            # "那我们作为牵头单位呢?" after turns on the key laboratory: a role of the programme talked about
            named = award_inputs(titled, query.rewritten, latest=query.text if carried else "")
        if named is not None:
            rule, inputs = named
            return self.rules.calculate(rule.program, inputs, lang=lang)
        if not named_only and len(rules) == 1 and len(rules[0].awards) <= 1 and optional_inputs_only(rules[0]):
            return self.rules.calculate(rules[0].program, {}, lang=lang)
        return None

    def _on_topic(self, rules: Sequence[Any], query: Query) -> list[Any]:
        """Rules not about another comparable topic than the one asked ("算力券…800万" is no model-filing fee)."""
        comparable = self._comparable(query)
        return [r for r in rules if r.comparable is None or not comparable or r.comparable in comparable]

    def _of_topic(self, rules: Sequence[Any], query: Query) -> list[Any]:
        """Rules about a comparable topic the question names."""
        comparable = self._comparable(query)
        return [r for r in rules if r.comparable is not None and r.comparable in comparable]

    def _titled(self, rules: Sequence[Any], query: Query, said: bool = True) -> list[Any]:
        """Rules whose title holds a word by which the question named its topic (any word of a topic it carries,
        unless `said`)."""
        low = query.text.lower()
        words = {w for t in query.topics for w in self.lex.topic(t).zh if (w in low or not said) and len(w) >= 2}
        return [r for r in rules if any(w in (_get(r, "title") or "") for w in words)]

    def _comparable(self, query: Query) -> set[str]:
        return {self.lex.topic(t).comparable or t for t in query.topics}
