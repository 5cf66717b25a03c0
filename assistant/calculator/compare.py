"""Cross-city comparison: the same situation under every city's comparable measure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assistant.calculator.amounts import format_yuan, format_yuan_en
from assistant.calculator.engine import evaluate
from assistant.calculator.models import Calculation
from assistant.calculator.rules import load_rules
from assistant.errors import InputError


def comparable_tags() -> list[str]:
    """Every `comparable` tag used by at least one rule."""
    return sorted({r.comparable for r in load_rules().values() if r.comparable})


def compare_cities(
    comparable: str,
    amount_yuan: Decimal | int | float | str | None = None,
    options: dict[str, Any] | None = None,
    lang: str = "zh",
) -> list[Calculation]:
    """Evaluate `amount_yuan` (fed to each rule's base input) under every rule tagged `comparable`.

    `options` are passed to the rules that have an input of that name and ignored by the others,
    e.g. ``{"compute_type": "domestic"}`` only concerns 杭州 算力券.
    """
    rules = [r for r in load_rules().values() if r.comparable == comparable]
    if not rules:
        raise InputError(f"unknown comparable measure {comparable!r}; accepted: {', '.join(comparable_tags())}")
    results = []
    for rule in rules:
        names = {i.name for i in rule.inputs}
        inputs = {k: v for k, v in (options or {}).items() if k in names}
        if rule.base and amount_yuan is not None:
            inputs[rule.base] = amount_yuan
        results.append(evaluate(rule, inputs, lang))
    return results


def difference_line(results_yuan: list[Decimal | int | float], lang: str = "zh") -> str | None:
    """"跟省级的差多少?": the largest result less the smallest, as one step; None unless two results differ."""
    values = sorted({Decimal(str(v)) for v in results_yuan}, reverse=True)
    if len(values) < 2:
        return None
    high, low = values[0], values[-1]
    if lang == "en":
        return f"Difference: {format_yuan_en(high)} − {format_yuan_en(low)} = {format_yuan_en(high - low)}."
    return f"相差:{format_yuan(high)} − {format_yuan(low)} = {format_yuan(high - low)}。"


def total_line(results_yuan: list[Decimal | int | float], lang: str = "zh") -> str | None:
    """"两个加起来一共多少?": the results added up, as one step; None for fewer than two."""
    values = [Decimal(str(v)) for v in results_yuan]
    if len(values) < 2:
        return None
    if lang == "en":
        return f"Total: {' + '.join(format_yuan_en(v) for v in values)} = {format_yuan_en(sum(values, Decimal(0)))}."
    return f"合计:{' + '.join(format_yuan(v) for v in values)} = {format_yuan(sum(values, Decimal(0)))}。"
