"""LangChain tools for the LLM path: `calculate_subsidy` and `compare_cities`.

The model only chooses a program and fills inputs; the arithmetic stays in the engine.
Input errors are returned as ``{"error": ...}`` so the model can correct itself.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from assistant.calculator.compare import compare_cities, comparable_tags
from assistant.calculator.engine import calculate
from assistant.calculator.rules import load_rules
from assistant.errors import AssistantError


def _program_catalogue(rules: Iterable[Any]) -> str:
    lines = []
    for rule in rules:
        inputs = ", ".join(
            i.name + (f"∈{{{'|'.join(o.value for o in i.options)}}}" if i.options else f":{i.type}") + ("" if i.is_required else "?")
            for i in rule.inputs
        )
        lines.append(f"- {rule.program} ({rule.city} {rule.title}): {inputs or 'no inputs'}")
    return "\n".join(lines)


class CalculateArgs(BaseModel):
    """Arguments of `calculate_subsidy`."""

    program: str = Field(description="Program id, one of the ids listed in the tool description.")
    inputs: dict[str, Any] = Field(
        default_factory=dict,
        description='Inputs by name; amounts may be numbers in yuan or text like "1000万", percentages like "3.5%".',
    )


class CompareArgs(BaseModel):
    """Arguments of `compare_cities`."""

    comparable: str = Field(description="Comparable measure, e.g. compute_voucher.")
    amount_yuan: str | float | None = Field(default=None, description='The base amount, e.g. "1000万".')
    options: dict[str, Any] = Field(default_factory=dict, description='Extra inputs, e.g. {"compute_type": "domestic"}.')


def _calculator(book: Any | None) -> Callable[..., str]:
    run = book.calculate if book is not None else calculate

    def _calculate(program: str, inputs: dict[str, Any] | None = None) -> str:
        try:
            return json.dumps(run(program, inputs or {}).model_dump(), ensure_ascii=False)
        except AssistantError as exc:
            return json.dumps({"error": str(exc)}, ensure_ascii=False)

    return _calculate


def _compare(comparable: str, amount_yuan: str | float | None = None, options: dict[str, Any] | None = None) -> str:
    try:
        calcs = compare_cities(comparable, amount_yuan, options or {})
    except AssistantError as exc:
        return json.dumps({"error": str(exc)}, ensure_ascii=False)
    return json.dumps([c.model_dump() for c in calcs], ensure_ascii=False)


def calculator_tools(book: Any | None = None) -> list[StructuredTool]:
    """The two calculator tools with pydantic argument schemas, over a rule book (default: the reviewed rules)."""
    rules = list(book) if book is not None else list(load_rules().values())
    return [
        StructuredTool.from_function(
            func=_calculator(book),
            name="calculate_subsidy",
            description="Compute a subsidy exactly from the policy rules (steps, result in yuan, clause id). Programs:\n"
            + _program_catalogue(rules),
            args_schema=CalculateArgs,
        ),
        StructuredTool.from_function(
            func=_compare,
            name="compare_cities",
            description="Evaluate one situation under every city's comparable measure. Comparable measures: "
            + ", ".join(comparable_tags()),
            args_schema=CompareArgs,
        ),
    ]
