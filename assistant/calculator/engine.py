"""The deterministic calculator: one rule + typed inputs → a `Calculation` with every step.

Pure functions, `Decimal` arithmetic, results rounded down to the yuan (every amount in the
policies is a maximum, so we never round up past it). Each `kind` of rule has one small
function; inputs are validated against the rule first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any, Callable

from assistant.calculator.amounts import format_percent, format_yuan, format_yuan_en, parse_amount, parse_percent, parse_yes_no
from assistant.calculator.models import ByOption, Calculation, Exclusion, InputSpec, Rule, ValueSpec
from assistant.calculator.rules import load_rules
from assistant.errors import AmountParseError, InputError, UnknownProgramError

UNREVIEWED_NOTE = "按条款原文自动识别的规则测算,以主管部门核定为准"
UNREVIEWED_NOTE_EN = "computed from a rule read automatically from the clause text; the competent department's decision prevails"


# ------------------------------------------------------------------ input checking


def _fail(rule: Rule, message: str) -> InputError:
    accepted = "; ".join(_describe_input(i) for i in rule.inputs) or "(no inputs)"
    return InputError(f"{rule.program}: {message}. Accepted inputs: {accepted}")


def _describe_input(spec: InputSpec) -> str:
    text = f"{spec.name} ({spec.type}"
    if spec.options:
        text += ": " + "|".join(o.value for o in spec.options)
    text += ", required" if spec.is_required else f", default {spec.default}"
    return text + ")"


def _coerce(rule: Rule, spec: InputSpec, raw: Any) -> Any:
    """One raw input (number or text) → Decimal / str / bool / int, or InputError."""
    try:
        if spec.type == "amount_yuan":
            value = parse_amount(raw)
            if value < 0 and not spec.allow_negative:
                raise _fail(rule, f"{spec.name} must not be negative (got {raw!r}) / 金额不能为负")
            return value
        if spec.type == "percent":
            value = parse_percent(raw)
            if value < 0 and not spec.allow_negative:
                raise _fail(rule, f"{spec.name} must not be negative (got {raw!r}) / 百分比不能为负")
            return value
    except AmountParseError as exc:
        raise _fail(rule, f"{spec.name}: {exc}") from exc
    if spec.type == "bool":
        answer = parse_yes_no(raw)
        if answer is None:
            raise _fail(rule, f"{spec.name} must be true or false (got {raw!r})")
        return answer
    if spec.type == "int":
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise _fail(rule, f"{spec.name} must be a whole number (got {raw!r})") from None
        if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
            raise _fail(rule, f"{spec.name} must be between {spec.minimum} and {spec.maximum} (got {value})")
        return value
    # choice: the value itself, or one of its aliases / Chinese names
    text = str(raw).strip()
    for option in spec.options:
        if text.lower() == option.value.lower() or text in option.aliases or text == option.zh:
            return option.value
    allowed = ", ".join(f"{o.value} ({o.zh})" for o in spec.options)
    raise _fail(rule, f"{spec.name} must be one of: {allowed} (got {raw!r})")


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _assumed_inputs(rule: Rule, inputs: dict[str, Any]) -> list[InputSpec]:
    """Inputs not given whose value is taken from another input (`default_from`)."""
    return [
        spec for spec in rule.inputs
        if spec.default_from and _blank(inputs.get(spec.name)) and not _blank(inputs.get(spec.default_from))
    ]


def _derived_growth(rule: Rule, inputs: dict[str, Any]) -> list[InputSpec]:
    """Growth rates not given whose two sums are (`growth_of`: this year's and last year's revenue)."""
    return [
        spec for spec in rule.inputs
        if spec.growth_of and _blank(inputs.get(spec.name)) and not any(_blank(inputs.get(n)) for n in spec.growth_of)
    ]


def _growth(rule: Rule, spec: InputSpec, inputs: dict[str, Any]) -> Decimal:
    current, previous = (_coerce(rule, next(s for s in rule.inputs if s.name == n), inputs[n]) for n in spec.growth_of)
    if not previous:
        raise _fail(rule, f"{spec.growth_of[1]} must be above 0 to compute a growth rate")
    return ((current - previous) / previous * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def normalise_inputs(rule: Rule, inputs: dict[str, Any] | None) -> dict[str, Any]:
    """Validate and type the inputs; fill defaults. Unknown, missing or malformed → InputError."""
    inputs = dict(inputs or {})
    for spec in _assumed_inputs(rule, inputs):
        inputs[spec.name] = inputs[spec.default_from]
    for spec in _derived_growth(rule, inputs):
        inputs[spec.name] = _growth(rule, spec, inputs)
    known = {i.name for i in rule.inputs}
    unknown = sorted(set(inputs) - known)
    if unknown:
        raise _fail(rule, f"unknown input(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for spec in rule.inputs:
        raw = inputs.get(spec.name)
        if _blank(raw):
            if spec.is_required:
                raise _fail(rule, f"missing input {spec.name} ({spec.description.zh} / {spec.description.en})")
            values[spec.name] = None if spec.default is None else _coerce(rule, spec, spec.default)
            continue
        values[spec.name] = _coerce(rule, spec, raw)
    if len(rule.awards) == 1 and rule.kind == "fixed":
        values.setdefault("level", rule.awards[0].value)
    return values


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# ------------------------------------------------------------------ step recording


@dataclass
class _Run:
    """Collects steps and notes in one language while a rule is evaluated."""

    rule: Rule
    values: dict[str, Any]
    lang: str
    steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    eligible: bool = True
    cap_applied: bool = False
    partial: bool = False

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def step(self, zh: str, en: str) -> None:
        self.steps.append(self.t(zh, en))

    def note(self, zh: str, en: str) -> None:
        self.notes.append(self.t(zh, en))

    def y(self, amount: Decimal) -> str:
        return format_yuan_en(amount) if self.lang == "en" else format_yuan(amount)

    def resolve(self, spec: ValueSpec | None) -> Decimal | None:
        if spec is None or not isinstance(spec, ByOption):
            return spec
        key = self.values[spec.by]
        key = str(key).lower() if isinstance(key, bool) else str(key)
        return spec.values[key]

    def label(self, name: str) -> tuple[str, str]:
        d = self.rule.input(name).description
        return d.zh, d.en

    def fmt(self, name: str, value: Any) -> str:
        kind = self.rule.input(name).type
        if kind == "amount_yuan":
            return self.y(value)
        if kind == "percent":
            return format_percent(value)
        return str(value)

    def shortfall(self, name: str, gap: Any) -> tuple[str, str]:
        """How far a value falls short of a threshold (a rate's gap in percentage points)."""
        kind = self.rule.input(name).type
        if kind == "percent":
            points = f"{Decimal(gap).normalize():f}"
            return f"{points}个百分点", f"{points} percentage points"
        if kind == "amount_yuan":
            return format_yuan(gap), format_yuan_en(gap)
        return str(gap), str(gap)

    def ineligible(self, zh: str, en: str) -> None:
        self.eligible = False
        self.step(zh, en)
        self.note(zh, en)


def _check_exclusions(run: _Run) -> None:
    for exclusion in run.rule.exclusions:
        if run.values.get(exclusion.input) == exclusion.when:
            run.ineligible(f"不符合条件:{exclusion.reason.zh}", f"Not eligible: {exclusion.reason.en}")


def _check_thresholds(run: _Run) -> None:
    for threshold in run.rule.thresholds:
        minimum = run.resolve(threshold.min)
        value = run.values.get(threshold.input)
        zh, en = (_DEFAULT_NOTE.sub("", x) for x in run.label(threshold.input))  # the value is given here
        limit = run.fmt(threshold.input, minimum)
        if value is None:
            continue  # optional input not given: the kind's function decides
        if value < minimum:
            short_zh, short_en = run.shortfall(threshold.input, minimum - value)
            run.ineligible(
                f"{zh}{run.fmt(threshold.input, value)}低于门槛{limit}(含),还差{short_zh},不符合条件",
                f"{en} {run.fmt(threshold.input, value)} is below the threshold of {limit} by {short_en}: not eligible",
            )
        else:
            run.step(
                f"{zh}{run.fmt(threshold.input, value)}达到门槛{limit}(含)",
                f"{en} {run.fmt(threshold.input, value)} meets the threshold of {limit}",
            )


def _apply_caps(run: _Run, amount: Decimal) -> Decimal:
    for cap in run.rule.caps:
        limit = run.resolve(cap.amount)
        if amount > limit:
            run.cap_applied = True
            run.step(
                f"超过{cap.scope.zh}{format_yuan(limit)}上限,按上限{format_yuan(limit)}计",
                f"exceeds the cap of {format_yuan_en(limit)} ({cap.scope.en}); capped at {format_yuan_en(limit)}",
            )
            amount = limit
        else:
            run.step(
                f"未超过{cap.scope.zh}{format_yuan(limit)}上限",
                f"within the cap of {format_yuan_en(limit)} ({cap.scope.en})",
            )
    return amount


# ------------------------------------------------------------------ kinds


def _rate(run: _Run) -> Decimal:
    base = run.values[run.rule.base]
    rate = run.resolve(run.rule.rate)
    amount = base * rate / 100
    run.step(f"{run.y(base)} × {format_percent(rate)} = {run.y(amount)}", f"{run.y(base)} × {format_percent(rate)} = {run.y(amount)}")
    return _apply_caps(run, amount)


def _cost_capped(run: _Run) -> Decimal:
    cost = run.values.get(run.rule.base)
    cap = run.resolve(run.rule.caps[0].amount)
    if cost is None:
        run.partial = True
        run.step(f"未提供费用,按最高额{format_yuan(cap)}计", f"no cost given: the maximum of {format_yuan_en(cap)}")
        return cap
    run.step(f"按相关费用{run.y(cost)}计", f"based on costs of {run.y(cost)}")
    return _apply_caps(run, cost)


_DEFAULT_NOTE = re.compile(r"\s*[((](?:缺省|default)[^()()]*[))]\s*$")  # "(缺省按不低于贷款本金计)"


def _plain(label: str) -> str:
    """A label without its parenthetical remark: "项目总投资(缺省按…)" → "项目总投资"."""
    return re.sub(r"\s*[((][^()()]*[))]\s*$", "", label)


def _interest(run: _Run) -> Decimal:
    rule, v = run.rule, run.values
    loan, rate = v[rule.base], v[rule.rate_input]
    for threshold in rule.thresholds:
        if threshold.input == rule.base or v.get(threshold.input) is not None:
            continue
        # a threshold on the project's investment, not given: the project is at least as large as its loan
        minimum = run.resolve(threshold.min)
        zh, en = (_plain(x) for x in run.label(threshold.input))
        if loan >= minimum:
            run.step(
                f"未提供{zh},按不低于贷款本金{format_yuan(loan)}计,达到{format_yuan(minimum)}门槛",
                f"{en} not given; at least the loan of {format_yuan_en(loan)}, which meets the {format_yuan_en(minimum)} threshold",
            )
        else:
            run.ineligible(
                f"无法确认{zh}不低于{format_yuan(minimum)}(请提供{threshold.input})",
                f"cannot confirm {en} of at least {format_yuan_en(minimum)} (give {threshold.input})",
            )
    paid = v.get(rule.paid_input) if rule.paid_input else None
    if paid is None:
        paid = loan * rate / 100
        run.step(f"支付利息 = {run.y(loan)} × {format_percent(rate)} = {run.y(paid)}", f"interest paid = {run.y(loan)} × {format_percent(rate)} = {run.y(paid)}")
    points = min(rule.max_points, rate)
    by_points = loan * points / 100
    by_share = paid * rule.interest_share / 100
    run.step(
        f"按{points.normalize():f}个百分点:{run.y(loan)} × {format_percent(points)} = {run.y(by_points)}",
        f"at {points.normalize():f} percentage points: {run.y(loan)} × {format_percent(points)} = {run.y(by_points)}",
    )
    run.step(
        f"不超过支付利息的{format_percent(rule.interest_share)}:{run.y(paid)} × {format_percent(rule.interest_share)} = {run.y(by_share)}",
        f"at most {format_percent(rule.interest_share)} of interest paid: {run.y(paid)} × {format_percent(rule.interest_share)} = {run.y(by_share)}",
    )
    amount = min(by_points, by_share)
    run.step(f"取两者较小值:{run.y(amount)}", f"the smaller of the two: {run.y(amount)}")
    return _apply_caps(run, amount)


def _tiered(run: _Run) -> Decimal:
    base = run.values[run.rule.base]
    reached = [tier for tier in run.rule.tiers if base >= tier.min]
    if not reached:
        lowest = run.rule.tiers[0].min
        run.ineligible(f"{run.y(base)}未达到最低档{format_yuan(lowest)}", f"{run.y(base)} is below the lowest milestone of {format_yuan_en(lowest)}")
        return Decimal(0)
    tier = reached[-1]
    run.step(
        f"{run.y(base)}达到{format_yuan(tier.min)}档,对应奖励{format_yuan(tier.award)}",
        f"{run.y(base)} reaches the {format_yuan_en(tier.min)} milestone: award {format_yuan_en(tier.award)}",
    )
    return tier.award


def _fixed(run: _Run) -> Decimal:
    award = next(a for a in run.rule.awards if a.value == run.values["level"])
    if award.components:
        parts = " + ".join(f"{c.zh}{format_yuan(c.amount)}" for c in award.components)
        parts_en = " + ".join(f"{c.en} {format_yuan_en(c.amount)}" for c in award.components)
        run.step(f"{award.zh}:{parts} = {format_yuan(award.total)}", f"{award.en}: {parts_en} = {format_yuan_en(award.total)}")
    elif run.rule.up_to:
        run.step(f"{award.zh}:最高{format_yuan(award.total)}", f"{award.en}: at most {format_yuan_en(award.total)}")
    elif run.rule.floor:
        run.step(f"{award.zh}:不低于{format_yuan(award.total)}", f"{award.en}: at least {format_yuan_en(award.total)}")
    else:
        run.step(f"{award.zh}:{format_yuan(award.total)}", f"{award.en}: {format_yuan_en(award.total)}")
    run.partial = run.rule.up_to or run.rule.floor
    return award.total


def _range(run: _Run) -> Decimal:
    low, high = run.rule.range.min, run.rule.range.max
    run.partial = True
    run.step(
        f"分档奖励{format_yuan(low)}—{format_yuan(high)},按最高档{format_yuan(high)}计",
        f"tiered award of {format_yuan_en(low)} to {format_yuan_en(high)}; the top tier is {format_yuan_en(high)}",
    )
    return high


def _uplift_label(run: _Run) -> tuple[str, str]:
    """What earns the uplift, from its input's label: "是否属于战略性新兴产业" → "战略性新兴产业"."""
    if not run.rule.uplift_input:
        return "上浮条件", "uplift condition"
    zh, en = run.label(run.rule.uplift_input)
    zh = re.sub(r"^是否(属于|为)?", "", _plain(zh))
    en = re.sub(r"^(belongs to:|is it|is)\s*", "", _plain(en))
    return zh, en


def _performance_rate(run: _Run) -> Decimal:
    rule, v = run.rule, run.values
    base, base_rate = v[rule.base], v.get(rule.rate_input)
    strategic = bool(v.get(rule.uplift_input)) if rule.uplift_input else False
    uplift = rule.uplift if strategic and rule.uplift is not None else Decimal(0)
    if base_rate is None:
        run.partial = True
        run.note(
            "补助比例根据绩效综合评价分档确定,原文未公布;结果仅为可计算部分",
            "the base rate depends on the performance evaluation and is not published; the result is only the computable part",
        )
        zh, en = _uplift_label(run)
        if not strategic:
            run.step(
                f"基础补助比例原文未公布,且非{zh},无法计算金额",
                f"the base rate is not published and there is no {en} uplift: no amount can be computed",
            )
            return Decimal(0)
        amount = base * uplift / 100
        run.step(
            f"{zh}上浮部分:{run.y(base)} × {format_percent(uplift)} = {run.y(amount)}(另加未公布的基础比例部分)",
            f"{en} uplift: {run.y(base)} × {format_percent(uplift)} = {run.y(amount)} (plus the unpublished base-rate part)",
        )
        return _apply_caps(run, amount)
    rate = base_rate + uplift
    if uplift:
        run.step(
            f"补助比例 = {format_percent(base_rate)} + 上浮{format_percent(uplift)} = {format_percent(rate)}",
            f"rate = {format_percent(base_rate)} + {format_percent(uplift)} uplift = {format_percent(rate)}",
        )
    amount = base * rate / 100
    run.step(f"{run.y(base)} × {format_percent(rate)} = {run.y(amount)}", f"{run.y(base)} × {format_percent(rate)} = {run.y(amount)}")
    return _apply_caps(run, amount)


_KINDS: dict[str, Callable[[_Run], Decimal]] = {
    "rate": _rate,
    "cost_capped": _cost_capped,
    "interest": _interest,
    "tiered": _tiered,
    "fixed": _fixed,
    "range": _range,
    "performance_rate": _performance_rate,
}


# ------------------------------------------------------------------ public


def get_rule(program: str) -> Rule:
    """The rule for a program id, or UnknownProgramError listing every accepted id."""
    rules = load_rules()
    if program not in rules:
        raise UnknownProgramError(f"unknown program {program!r} / 未知项目; accepted programs: {', '.join(rules)}")
    return rules[program]


def cap_of(rule: Rule, options: dict[str, Any] | None = None) -> Decimal | None:
    """The most a rule pays one applicant whatever the sum (its tightest cap), under the options given or their
    defaults ("刚拿到模型备案" → 500万元, else 200万元): what "一年最多能拿多少?" asks when no sum is said. None for a
    rule without caps, or when a cap depends on an option neither given nor defaulted."""
    limits: list[Decimal] = []
    for cap in rule.caps:
        spec = cap.amount
        if isinstance(spec, ByOption):
            option = rule.input(spec.by)
            raw = (options or {}).get(spec.by, option.default)
            if _blank(raw):
                return None
            key = _coerce(rule, option, raw)
            spec = spec.values.get(str(key).lower() if isinstance(key, bool) else str(key))
        if spec is None:
            return None
        limits.append(Decimal(spec))
    return min(limits, default=None)


def period_total(rule: Rule, options: dict[str, Any] | None = None, lang: str = "zh") -> Calculation | None:
    """"三年加起来最多多少?": the rule's yearly cap (under the options given) times the years its support lasts
    (`Rule.years`); None for a rule that states no number of years or no cap."""
    per_year = cap_of(rule, options)
    if rule.years is None or per_year is None:
        return None
    run = _Run(rule=rule, values=dict(options or {}), lang="en" if lang == "en" else "zh")
    total = per_year * rule.years
    run.step(f"每年最多{format_yuan(per_year)}", f"at most {format_yuan_en(per_year)} a year")
    run.step(f"支持不超过{rule.years}年:{format_yuan(per_year)} × {rule.years} = {format_yuan(total)}",
             f"for at most {rule.years} years: {format_yuan_en(per_year)} × {rule.years} = {format_yuan_en(total)}")
    run.step(f"结果:{run.y(total)}", f"Result: {run.y(total)}")
    run.cap_applied = True
    return _calculation(run, total, run.t(f"{rule.title}(支持期内合计)", f"{rule.title_en} (total over the years of support)"))


def exclusion_of(rule: Rule, options: dict[str, Any] | None = None) -> Exclusion | None:
    """The exclusion of a rule that the options given meet ("自建自用除外" for a self-built cluster), if any: what
    "能申请吗?" is answered with when no sum is said."""
    for exclusion in rule.exclusions:
        raw = (options or {}).get(exclusion.input)
        if not _blank(raw) and _coerce(rule, rule.input(exclusion.input), raw) == exclusion.when:
            return exclusion
    return None


def calculate(program: str, inputs: dict[str, Any] | None = None, lang: str = "zh") -> Calculation:
    """Apply one program's rule to the inputs (numbers or strings like ``"1000万"``)."""
    rule = get_rule(program)
    return evaluate(rule, inputs, lang)


def evaluate(rule: Rule, inputs: dict[str, Any] | None = None, lang: str = "zh") -> Calculation:
    """`calculate` for a rule object (e.g. one loaded from another directory)."""
    if not rule.computable:
        raise InputError(f"{rule.program}: not computable / 无法计算: {rule.reason}")
    values = normalise_inputs(rule, inputs)
    run = _Run(rule=rule, values=values, lang="en" if lang == "en" else "zh")
    for spec in _assumed_inputs(rule, dict(inputs or {})):
        source = next(s for s in rule.inputs if s.name == spec.default_from)
        value = run.fmt(spec.name, values[spec.name])
        run.step(
            f"未提供{spec.description.zh},按{source.description.zh}{value}计",
            f"{spec.description.en} not given; taken as {source.description.en}: {value}",
        )
    for spec in _derived_growth(rule, dict(inputs or {})):
        current, previous = (values[n] for n in spec.growth_of)
        growth = format_percent(values[spec.name])
        run.step(
            f"{spec.description.zh} = ({format_yuan(current)} − {format_yuan(previous)}) ÷ {format_yuan(previous)} = {growth}",
            f"{spec.description.en} = ({format_yuan_en(current)} − {format_yuan_en(previous)}) ÷ {format_yuan_en(previous)} = {growth}",
        )
    _check_exclusions(run)
    _check_thresholds(run)
    amount = _KINDS[rule.kind](run)
    if not run.eligible:
        if amount:
            run.step(f"不符合条件,补助为0元(若符合条件可得{format_yuan(amount)})", f"not eligible: 0 yuan (would be {format_yuan_en(amount)} if eligible)")
        amount = Decimal(0)
        run.cap_applied = False
    amount = amount.quantize(Decimal(1), rounding=ROUND_DOWN)
    run.step(f"结果:{run.y(amount)}", f"Result: {run.y(amount)}")
    return _calculation(run, amount, run.t(rule.title, rule.title_en))


def _calculation(run: _Run, amount: Decimal, title: str) -> Calculation:
    """The finished run as a Calculation: its steps and notes, the rule's notes and open questions, and a note when
    the rule was read from the text and not reviewed."""
    rule = run.rule
    notes = run.notes + [n.get(run.lang) for n in rule.notes]
    if not rule.reviewed:
        notes.append(run.t(UNREVIEWED_NOTE, UNREVIEWED_NOTE_EN))
    return Calculation(
        program=rule.program,
        city=rule.city,
        title=title,
        inputs={k: _jsonable(v) for k, v in run.values.items() if v is not None},
        steps=run.steps,
        result_yuan=float(amount),
        eligible=run.eligible,
        cap_applied=run.cap_applied,
        clause_id=rule.clause_id,
        notes=notes,
        open_questions=[q.get(run.lang) for q in rule.open_questions],
        partial=run.partial,
        comparable=rule.comparable,
        stacking_group=rule.stacking_group,
        lang=run.lang,
        reviewed=rule.reviewed,
    )
