"""Fill a calculator rule's inputs from what a question states (amounts, percents, options).

Returns None when a required input is missing, so the chain answers from the clause instead of
guessing a number.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence


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


def inputs_from_question(
    rule: Any, amounts: Sequence[Any], percents: Sequence[Decimal], options: dict, text: str = ""
) -> dict | None:
    """Inputs for `rule`, or None when the question does not give a required one."""
    inputs: dict[str, Any] = {}
    free_amounts = [a.yuan for a in amounts]
    free_percents = list(percents)
    for spec in _get(rule, "inputs", None) or ():
        name = _get(spec, "name")
        kind = _get(spec, "type")
        required = spec.is_required if hasattr(spec, "is_required") else _get(spec, "required", True) is not False
        default = _get(spec, "default", None)
        value: Any = None
        if kind == "amount_yuan":
            if free_amounts and required:
                value = free_amounts.pop(0)
        elif kind == "percent":
            if free_percents:
                value = free_percents.pop(0)
        elif kind == "choice":
            value = options.get(name) or _choice_from_text(spec, text)
        elif kind == "bool":
            value = options.get(name)
        else:
            value = options.get(name)
        if value is None:
            if default is not None or not required:
                continue
            return None
        inputs[name] = value
    if not any(_get(s, "type") == "amount_yuan" for s in _get(rule, "inputs", None) or () if _get(s, "name") in inputs):
        return None  # nothing to compute from: the question gave no amount for this rule
    return inputs
