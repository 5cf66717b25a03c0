"""`policy-assistant calc PROGRAM key=value…`: the calculator at the command line.

`run_calc` returns ``(exit_code, text)`` so the Typer command in `assistant/cli.py` stays thin
and tests need no subprocess. Errors become exit code 2 with a readable message.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.calculator.amounts import format_yuan, format_yuan_en
from assistant.calculator.engine import calculate
from assistant.calculator.rules import programs_schema
from assistant.errors import AssistantError


def _list_programs(lang: str, as_json: bool) -> str:
    schema = programs_schema()
    if as_json:
        return json.dumps(schema, ensure_ascii=False, indent=2)
    lines = []
    for p in schema:
        inputs = " ".join(
            f"{i['name']}=<{'|'.join(i['allowed']) if i.get('allowed') else i['type']}>" + ("" if i["required"] else "?")
            for i in p["inputs"]
        )
        title = p["title_en"] if lang == "en" else p["title"]
        lines.append(f"{p['program']:<40} {p['city']} {title}  [{p['clause_id']}]\n    {inputs or '(no inputs)'}")
    return "\n".join(lines)


def run_calc(
    program: str, assignments: list[str], lang: str = "zh", as_json: bool = False, book: Any | None = None,
) -> tuple[int, str]:
    """Run one calculation from ``key=value`` strings; ``program`` empty or ``list`` lists the programs.

    ``book``: the rule book to compute with (reviewed and extracted rules of an index); default the reviewed rules.
    """
    if not program or program == "list":
        return 0, _list_programs(lang, as_json)
    inputs: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            return 2, f"错误 / error: expected key=value, got {item!r}"
        inputs[key.strip()] = value.strip()
    try:
        calc = (book.calculate if book is not None else calculate)(program, inputs, lang=lang)
    except AssistantError as exc:
        return 2, f"错误 / error: {exc}"
    if as_json:
        return 0, json.dumps(calc.model_dump(), ensure_ascii=False, indent=2)
    en = lang == "en"
    fmt = format_yuan_en if en else format_yuan
    lines = [f"{calc.title} ({calc.program}, {calc.clause_id})"]
    lines += [f"  {i}. {step}" for i, step in enumerate(calc.steps, 1)]
    verdict = ("eligible" if calc.eligible else "not eligible") if en else ("符合条件" if calc.eligible else "不符合条件")
    lines.append(f"{'Result' if en else '结果'}: {fmt(calc.result)} ({verdict}{', cap applied' if en and calc.cap_applied else ',已封顶' if calc.cap_applied else ''})")
    for note in calc.notes:
        lines.append(f"{'Note' if en else '说明'}: {note}")
    for question in calc.open_questions:
        lines.append(f"{'Open question' if en else '待明确'}: {question}")
    return 0, "\n".join(lines)
