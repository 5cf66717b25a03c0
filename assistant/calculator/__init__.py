"""Deterministic subsidy calculator: rules as data (`assistant/rules/*.yaml`), exact to the yuan.

Public API::

    load_rules() -> dict[str, Rule]
    programs_schema() -> list[dict]
    RuleBook(reviewed, extracted).get / by_clause / programs_schema / calculate   (reviewed + extracted rules)
    calculate(program, inputs, lang="zh") -> Calculation
    cap_of(rule, options=None) -> Decimal | None   (the most a rule pays one applicant, under the options given)
    exclusion_of(rule, options=None) -> Exclusion | None   (the exclusion the options given meet)
    period_total(rule, options=None, lang) -> Calculation | None   (a yearly cap times the years it lasts)
    apply_stacking(calcs, same_item=True) -> StackingResult
    compare_cities(comparable, amount_yuan, options=None, lang="zh") -> list[Calculation]
    difference_line(results_yuan, lang="zh") -> str | None   (the largest result less the smallest)
    parse_amount / find_amounts / parse_percent / find_percents / format_yuan / format_yuan_en
"""

from assistant.calculator.amounts import (
    Amount,
    Percent,
    find_amounts,
    find_percents,
    format_yuan,
    format_yuan_en,
    parse_amount,
    parse_percent,
)
from assistant.calculator.compare import compare_cities, difference_line
from assistant.calculator.engine import calculate, cap_of, exclusion_of, get_rule, period_total
from assistant.calculator.models import Calculation, Rule
from assistant.calculator.rulebook import RuleBook, read_extracted
from assistant.calculator.rules import load_rules, programs_schema
from assistant.calculator.stacking import StackingResult, apply_stacking

__all__ = [
    "Amount",
    "Calculation",
    "Percent",
    "Rule",
    "RuleBook",
    "StackingResult",
    "apply_stacking",
    "calculate",
    "cap_of",
    "period_total",
    "compare_cities",
    "difference_line",
    "exclusion_of",
    "find_amounts",
    "find_percents",
    "format_yuan",
    "format_yuan_en",
    "get_rule",
    "load_rules",
    "parse_amount",
    "parse_percent",
    "programs_schema",
    "read_extracted",
]
