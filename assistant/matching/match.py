"""Match a profile against every programme of the rule book (reviewed and extracted rules alike).

For each programme of the cities concerned (all the corpus's cities when the profile names none), in a document
in force on `as_of`:
- a fixed award is claimed by a title the enterprise holds (certification, lab or centre, project) or a yes/no
  fact (备案, 举办活动), matched by the title's words in the award's label, with its level and role;
- an amount-based programme takes the profile's facts for its inputs (by input name for reviewed rules, by the
  words of the input's label for rules read from clause text) and runs the calculator;
- the result is `eligible` (the calculator's amount and steps), `needs_info` (naming the missing facts) or
  `not_eligible` (the failed condition, quoted from the clause's rule).
Programmes of one city paying for the same item (the same fact feeds their amount, or the same stacking group)
fall under the city's stacking principle ("就高不重复"): only the highest counts toward `total_yuan`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from assistant.calculator.amounts import format_yuan
from assistant.calculator.models import InputSpec, Rule
from assistant.calculator.rulebook import RuleBook
from assistant.catalogue import Catalogue
from assistant.understanding import QueryParser
from assistant.errors import InputError
from assistant.matching.profile import Fact, Profile, Vocabulary, find_title, load_vocabulary
from assistant.types import Hit

STATUS_ORDER = {"eligible": 0, "needs_info": 1, "not_eligible": 2}
_STRIP = str.maketrans("", "", "“”\"'‘’「」()()")
_FAIL_MARKS = ("不符合", "低于", "未达到", "无法确认")


@dataclass(frozen=True)
class Match:
    program: str | None
    title: str
    city: str
    status: str  # eligible | needs_info | not_eligible
    clause_id: str
    amount_yuan: float | None = None
    steps: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    reason: str = ""
    reviewed: bool = True
    upper_bound: bool = False  # the amount is a maximum ("最高", "不超过"), not a promise
    counted: bool = True  # counted in the total (False: set aside by the stacking principle)
    group: str = ""
    hit: Hit | None = None
    doc_status: str = "current"
    responsible_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    profile: Profile
    matches: tuple[Match, ...]
    total_yuan: float
    notes: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()

    def by_status(self, status: str) -> list[Match]:
        return [m for m in self.matches if m.status == status]


def _norm(text: str) -> str:
    return text.lower().translate(_STRIP)


def _label_facts(vocab: Vocabulary) -> list[tuple[str, Fact]]:
    return sorted(((w, f) for f in vocab.facts.values() for w in f.labels), key=lambda x: -len(x[0]))


class Matcher:
    """Runs a profile over the rule book, for the documents of one catalogue."""

    def __init__(self, rules: RuleBook, catalogue: Catalogue, parser: QueryParser | None = None) -> None:
        self.rules = rules
        self.catalogue = catalogue
        self.parser = parser or QueryParser(catalogue.cities)
        self.vocab = load_vocabulary()
        self._labels = _label_facts(self.vocab)

    # ------------------------------------------------------------------ public
    def match_text(self, text: str, as_of: date | None = None) -> MatchResult:
        """A free-text description of an enterprise, parsed with the question parser, then matched."""
        from assistant.matching.parse import parse_profile

        profile, outside = parse_profile(text, self.parser)
        return self.match(profile, as_of=as_of, outside=outside)

    def match(self, profile: Profile, city: str | None = None, as_of: date | None = None,
              outside: Iterable[str] = ()) -> MatchResult:
        on = as_of or date.today()
        notes: list[str] = list(profile.notes)
        wanted = city or profile.get("city")
        outside = tuple(outside)
        if wanted and wanted not in self.catalogue.cities:
            notes.append(f"政策库中没有{wanted}的政策;现有城市:{'、'.join(self.catalogue.cities)}")
            return MatchResult(profile, (), 0.0, tuple(notes), ())
        if outside and not wanted:
            notes.append(f"政策库中没有{'、'.join(outside)}的政策;现有城市:{'、'.join(self.catalogue.cities)}")
            return MatchResult(profile, (), 0.0, tuple(notes), ())
        cities = (wanted,) if wanted else self.catalogue.cities
        if not wanted:
            notes.append(f"未说明所在城市,按全部城市({'、'.join(cities)})体检")
        if profile.empty:
            notes.append("未提供企业信息:以下列出各项政策所需的信息")
        matches: list[Match] = []
        left_out: dict[str, str] = {}
        for rule in self.rules:
            if rule.city not in cities or not self.catalogue.has_clause(rule.clause_id):
                continue
            hit = self.catalogue.hit(rule.clause_id)
            status = self.catalogue.status(hit.document, on)
            if status != "current":
                left_out[hit.document.title] = status
                continue
            found = self._one(rule, profile)
            matches.append(replace(found, hit=hit, doc_status=status, responsible_units=tuple(hit.clause.responsible_units)))
        for title, status in left_out.items():
            word = {"expired": "已失效", "superseded": "已被取代", "not_yet_effective": "尚未生效"}.get(status, status)
            notes.append(f"《{title.strip('《》')}》在{on.isoformat()}{word},其中的政策未列入")
        matches, stacking_notes = self._stack(matches)
        notes += stacking_notes
        per_city: dict[str, Decimal] = {}
        for m in matches:
            if m.status == "eligible" and m.counted and m.amount_yuan:
                per_city[m.city] = per_city.get(m.city, Decimal(0)) + Decimal(str(m.amount_yuan))
        total = max(per_city.values(), default=Decimal(0))
        if len(per_city) > 1:  # an enterprise claims in one city: the total is the best city's, not a sum
            best = max(per_city, key=lambda c: per_city[c])
            each = "、".join(f"{c}{format_yuan(v)}" for c, v in sorted(per_city.items(), key=lambda x: -x[1]))
            notes.append(f"各城市合计:{each};企业只在所在城市申报,合计按最多的{best}计")
        if any(m.upper_bound and m.counted for m in matches if m.status == "eligible"):
            notes.append("合计中含“最高”“不超过”类上限金额,实际金额以主管部门核定为准")
        matches.sort(key=lambda m: (STATUS_ORDER[m.status], -(m.amount_yuan or 0), not m.counted, m.city, m.clause_id))
        return MatchResult(profile, tuple(matches), float(total), tuple(dict.fromkeys(notes)), tuple(cities))

    # ------------------------------------------------------------------ one programme
    def _one(self, rule: Rule, profile: Profile) -> Match:
        base = Match(program=rule.program, title=rule.title, city=rule.city, status="needs_info",
                     clause_id=rule.clause_id, reviewed=rule.reviewed, group=rule.stacking_group or rule.program)
        gate = self._industry_gate(rule, profile)
        if gate:
            return replace(base, status="not_eligible", reason=gate)
        if not rule.computable:
            return replace(base, reason=f"金额无法按条款计算:{rule.reason}", missing=("主管部门核定的金额",))
        if rule.kind == "fixed":
            return self._fixed(rule, profile, base)
        if not any(s.is_required for s in rule.inputs):
            verdict = self._qualified(rule.title, profile)
            if verdict is None:
                return replace(base, missing=(f"是否符合:{rule.title}",), reason="条款所列条件,请确认")
            ok, label = verdict
            if ok is None:
                return replace(base, missing=(label,), reason=f"需确认:{label}")
            if ok is False:
                return replace(base, status="not_eligible", reason=f"不符合条件:未{label}" + self._quote(rule))
        inputs, missing, group = self._inputs(rule, profile)
        if missing:
            return replace(base, missing=tuple(missing), reason="缺少信息:" + "、".join(missing), group=group or base.group)
        return self._calculate(rule, inputs, replace(base, group=group or base.group))

    def _calculate(self, rule: Rule, inputs: dict[str, Any], base: Match) -> Match:
        try:
            calc = self.rules.calculate(rule.program, inputs)
        except (InputError, ArithmeticError) as exc:
            return replace(base, reason=f"无法计算:{exc}", missing=())
        steps = tuple(calc.steps)
        if not calc.eligible:
            failed = [s for s in steps if any(m in s for m in _FAIL_MARKS) and "补助为0元" not in s]
            return replace(base, status="not_eligible", steps=steps, amount_yuan=0.0,
                           reason=";".join(dict.fromkeys(failed or steps[-1:])) + self._quote(rule, failed))
        upper = rule.up_to or rule.kind == "range" or (calc.partial and rule.kind == "cost_capped")
        reason = "符合条件"
        if rule.up_to or rule.kind == "range" or (calc.partial and rule.kind == "cost_capped"):
            reason += f";{format_yuan(Decimal(str(calc.result_yuan)))}为最高额(上限),实际金额以主管部门核定为准"
        elif rule.floor:
            reason += f";{format_yuan(Decimal(str(calc.result_yuan)))}为下限(不低于),实际金额以主管部门核定为准"
        elif calc.partial:
            reason += ";仅为可计算部分,实际金额以主管部门核定为准"
        if not rule.reviewed:
            reason += ";规则由条款原文自动识别"
        return replace(base, status="eligible", amount_yuan=calc.result_yuan, steps=steps, reason=reason, upper_bound=upper)

    @staticmethod
    def _quote(rule: Rule, failed: list[str] = ()) -> str:
        """The rule's own words for the failed condition ("2000万元(含)以上"), quoted."""
        numbers = {n for s in failed for n in re.findall(r"\d+(?:\.\d+)?万?元|\d+(?:\.\d+)?%", s)}
        quotes = [q for q in rule.quotes if any(n.rstrip("元") in q for n in numbers)] if numbers else []
        quotes = quotes or [q for q in rule.quotes if any(w in q for w in ("以上", "不低于", "除外", "首次", "(含)"))]
        return f"。条款原文:“{quotes[0]}”" if quotes else ""

    def _industry_gate(self, rule: Rule, profile: Profile) -> str | None:
        own = profile.get("industry")
        fact = self.vocab.facts.get("industry")
        if not own or fact is None:
            return None
        title = _norm(rule.title)
        own_words = fact.options[own]["words"]
        if any(w in title for w in own_words):
            return None
        for value, option in fact.options.items():
            if value != own and any(w in title for w in option["words"]):
                return f"该政策面向{option['zh']},本企业为{fact.options[own]['zh']}"
        return None

    def _qualified(self, text: str, profile: Profile) -> tuple[bool | None, str] | None:
        """Whether the profile qualifies for a programme / award described by `text`: (yes/no/unknown, label).

        None when no fact or title of the vocabulary is named by the text.
        """
        low = _norm(text)
        tid = find_title(low, self.vocab) if any(w in low for t in self.vocab.titles.values() for w in t.words) else None
        if tid is not None:
            title = self.vocab.titles[tid]
            held = any(h.title == tid for h in profile.held())
            return (True if held else None), title.zh
        best: tuple[int, Fact] | None = None
        for fact in self.vocab.facts.values():
            for word in fact.qualifies:
                if word in low and (best is None or len(word) > best[0]):
                    best = (len(word), fact)
        if best is None:
            return None
        fact = best[1]
        value = profile.get(fact.name)
        if value is None:
            return None, fact.zh
        return bool(value), fact.zh

    # ------------------------------------------------------------------ inputs from facts
    def _fact_for(self, rule: Rule, spec: InputSpec) -> Fact | None:
        fact = self.vocab.fact_for_input(spec.name)
        if fact is not None:
            return fact
        if rule.reviewed or spec.type not in ("amount_yuan", "percent"):
            return None  # reviewed rules name their inputs; labels are for rules read from clause text
        label = _norm(spec.description.zh)
        if spec.name == rule.base:
            label += " " + _norm(rule.title)
        kind = "amount" if spec.type == "amount_yuan" else "percent"
        return next((f for w, f in self._labels if f.type == kind and w in label), None)

    def _value(self, fact: Fact, profile: Profile) -> Any:
        value = profile.get(fact.name)
        if value is None or fact.type != "amount":
            return value
        for other in self.vocab.facts.values():  # "其中土地款…" is taken out of the investment
            if other.deducted_from == fact.name and profile.get(other.name) is not None:
                value = max(Decimal(0), value - profile.get(other.name))
        return value

    def _inputs(self, rule: Rule, profile: Profile) -> tuple[dict[str, Any], list[str], str | None]:
        inputs: dict[str, Any] = {}
        missing: list[str] = []
        group: str | None = None
        for spec in rule.inputs:
            fact = self._fact_for(rule, spec)
            value = self._value(fact, profile) if fact is not None else None
            if value is not None and spec.type == "choice" and str(value) not in {o.value for o in spec.options}:
                value = None
            if value is not None:
                inputs[spec.name] = value
                if spec.name == rule.base and fact is not None:
                    group = f"fact:{fact.name}"
                continue
            if spec.is_required and not (spec.default_from and self._has(rule, spec.default_from, profile)):
                missing.append(fact.zh if fact is not None else spec.description.zh)
        return inputs, list(dict.fromkeys(missing)), group

    def _has(self, rule: Rule, name: str, profile: Profile) -> bool:
        fact = self._fact_for(rule, rule.input(name))
        return fact is not None and profile.get(fact.name) is not None

    # ------------------------------------------------------------------ fixed awards
    def _award_target(self, rule: Rule, award: Any) -> tuple[str, str, str | None, str | None]:
        """(kind, key, level, role) an award is for: ("title", title id, …) or ("fact", fact name, …), or ("", label…)."""
        label = _norm(award.zh)
        for text in (label, _norm(rule.title)):
            if any(w in text for t in self.vocab.titles.values() for w in t.words):
                tid = find_title(text, self.vocab)
                title = self.vocab.titles[tid]
                level = self._level_of(label, title.levels) if title.levels else None
                role = next((r for r, spec in self.vocab.roles.items() if any(w in label for w in spec["words"])), None)
                return "title", tid, level, role if title.roles else None
        for text in (label, _norm(rule.title)):
            verdict = [(len(w), f) for f in self.vocab.facts.values() for w in f.qualifies if w in text]
            if verdict:
                return "fact", max(verdict, key=lambda x: x[0])[1].name, None, None
        return "", award.zh, None, None

    def _level_of(self, label: str, allowed: tuple[str, ...]) -> str | None:
        hits = [(label.find(w), lv) for lv in allowed for w in self.vocab.levels[lv]["words"] if w in label]
        return min(hits)[1] if hits else None

    def _fixed(self, rule: Rule, profile: Profile, base: Match) -> Match:
        held = profile.held()
        claimable: list[Any] = []
        wrong: list[str] = []
        denied: list[str] = []
        unknown_level: list[str] = []
        needed: list[str] = []
        targets = [(a, self._award_target(rule, a)) for a in rule.awards]
        levels_in_rule = {t[2] for _, t in targets if t[0] == "title"}
        roles_in_rule = {t[3] for _, t in targets if t[0] == "title"}
        for award, (kind, key, level, role) in targets:
            if kind == "title":
                title = self.vocab.titles[key]
                mine = [h for h in held if h.title == key]
                if not mine:
                    needed.append(title.zh + (f"({'/'.join(self.vocab.level_zh(lv) for lv in title.levels)})" if title.levels else ""))
                    continue
                ok = False
                for h in mine:
                    level_ok = level is None or h.level == level or (h.level is None and len(levels_in_rule) <= 1)
                    role_ok = role is None or h.role == role or (h.role is None and len(roles_in_rule) <= 1)
                    if level_ok and role_ok:
                        ok = True
                    elif (h.level is None and level is not None) or (h.role is None and role is not None):
                        unknown_level.append(title.zh + ("的认定级别" if h.level is None and level else "中的角色(牵头/共建)"))
                    else:
                        wrong.append(h.label(self.vocab))
                if ok:
                    claimable.append(award)
            elif kind == "fact":
                fact = self.vocab.facts[key]
                value = profile.get(key)
                if value is None:
                    needed.append(fact.zh)
                elif value:
                    claimable.append(award)
                else:
                    denied.append(fact.zh)
            else:
                needed.append(f"是否符合:{key}")
        if claimable:
            best = max(claimable, key=lambda a: a.total)
            inputs = {"level": best.value} if len(rule.awards) > 1 else {}
            return self._calculate(rule, inputs, base)
        if unknown_level:
            missing = tuple(dict.fromkeys(unknown_level))
            return replace(base, missing=missing, reason="需确认:" + "、".join(missing))
        awards = "、".join(a.zh.strip() for a in rule.awards)
        if wrong:
            return replace(base, status="not_eligible",
                           reason=f"本企业为{'、'.join(dict.fromkeys(wrong))},条款奖励对象为:{awards}" + self._quote(rule, []))
        if denied:
            return replace(base, status="not_eligible", reason=f"不符合条件:未{'、'.join(dict.fromkeys(denied))};条款奖励对象为:{awards}")
        missing = tuple(dict.fromkeys(needed))
        return replace(base, missing=missing, reason="需确认:" + "、".join(missing))

    # ------------------------------------------------------------------ stacking
    def _stack(self, matches: list[Match]) -> tuple[list[Match], list[str]]:
        """Under a city's "就高不重复" principle only the highest eligible programme per item counts."""
        notes: list[str] = []
        groups: dict[tuple[str, str], list[int]] = {}
        for i, m in enumerate(matches):
            if m.status == "eligible":
                groups.setdefault((m.city, m.group), []).append(i)
        out = list(matches)
        for (city, _), members in groups.items():
            if len(members) < 2:
                continue
            rules = [self.rules.get(out[i].program) for i in members if out[i].program in self.rules]
            stacking = next((r.stacking for r in rules if r.stacking is not None), None)
            listing = "、".join(f"{out[i].title}{format_yuan(Decimal(str(out[i].amount_yuan or 0)))}" for i in members)
            if stacking is None:
                notes.append(f"{city}:{listing}属同一事项,政策未规定叠加原则,均计入")
                continue
            best = max(members, key=lambda i: (out[i].amount_yuan or 0, out[i].reviewed))
            for i in members:
                if i != best:
                    out[i] = replace(out[i], counted=False,
                                     reason=out[i].reason + f";与“{out[best].title}”属同一事项,按“{stacking.principle}”原则不重复计入")
            notes.append(
                f"{city}:{listing}属同一事项,按“{stacking.principle}”原则({stacking.clause_id})只计最高一项:"
                f"{out[best].title}{format_yuan(Decimal(str(out[best].amount_yuan or 0)))}"
            )
        return out, notes


__all__ = ["Match", "MatchResult", "Matcher"]
