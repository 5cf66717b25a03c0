"""Stacking: one item qualifying under several measures gets only the highest.

杭州: “从优、就高、不重复” (hangzhou-ai-measures#closing); 嘉兴: “就高不重复”
(jiaxing-ai-plan#closing). The principle and its clause come from the rule files. 郑州's text
states no principle, so its calculations are kept as they are, with a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from assistant.calculator.amounts import format_yuan, format_yuan_en
from assistant.calculator.models import Calculation
from assistant.calculator.rules import load_rules


@dataclass(frozen=True)
class StackingResult:
    """Which calculations apply, which are set aside, the total, and why."""

    applied: list[Calculation]
    excluded: list[Calculation]
    total_yuan: float
    steps: list[str] = field(default_factory=list)
    clause_ids: list[str] = field(default_factory=list)


def apply_stacking(calcs: list[Calculation], same_item: bool = True, lang: str = "zh") -> StackingResult:
    """Keep only the highest eligible calculation per city (and per stacking group when `same_item` is False).

    With ``same_item=True`` (default) all calculations of one city are taken to be for the same
    item; with ``same_item=False`` only those sharing a rule's `stacking_group` are.
    """
    rules = load_rules()
    en = lang == "en"
    groups: dict[tuple[str, str], list[Calculation]] = {}
    for calc in calcs:
        key = (calc.city, "" if same_item else (calc.stacking_group or calc.program))
        groups.setdefault(key, []).append(calc)
    applied: list[Calculation] = []
    excluded: list[Calculation] = []
    steps: list[str] = []
    clause_ids: list[str] = []
    for (city, _), members in groups.items():
        stacking = rules[members[0].program].stacking
        if len(members) == 1:
            applied.extend(members)
            continue
        if stacking is None:
            applied.extend(members)
            steps.append(
                f"{city} policy states no stacking rule; all {len(members)} measures are listed"
                if en else f"{city}政策未规定叠加原则,{len(members)}项均列出"
            )
            continue
        best = max(members, key=lambda c: (c.eligible, c.result_yuan))
        applied.append(best)
        excluded.extend(c for c in members if c is not best)
        if stacking.clause_id not in clause_ids:
            clause_ids.append(stacking.clause_id)
        listing = "、".join(f"{c.title}{format_yuan(Decimal(str(c.result_yuan)))}" for c in members)
        listing_en = ", ".join(f"{c.program} {format_yuan_en(Decimal(str(c.result_yuan)))}" for c in members)
        steps.append(
            f"同一事项符合{city}多项政策({listing_en}); under “{stacking.principle}” ({stacking.principle_en}, {stacking.clause_id}) only the highest applies: {best.program}"
            if en else
            f"同一事项同时符合{city}多项政策({listing}),按“{stacking.principle}”原则({stacking.clause_id})只取最高一项:{best.title}{format_yuan(Decimal(str(best.result_yuan)))}"
        )
    total = sum((Decimal(str(c.result_yuan)) for c in applied if c.eligible), Decimal(0))
    steps.append(f"合计:{format_yuan(total)}" if not en else f"Total: {format_yuan_en(total)}")
    return StackingResult(applied=applied, excluded=excluded, total_yuan=float(total), steps=steps, clause_ids=clause_ids)
