"""Answer verification, for both composers: citations resolve and every number has a source.

A number in an answer is accepted only if the cited clauses, their documents' metadata, the
calculation or the question itself contain it (amounts compared in yuan, so 800万元 and
RMB 8,000,000 are the same fact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable, Sequence

from assistant.calculator import find_amounts, find_percents, format_yuan

_MARKER = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    used_markers: list[int] = field(default_factory=list)


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


def numeric_facts(text: str) -> tuple[set[Decimal], set[Decimal], set[Decimal]]:
    """(amounts in yuan, percents, other bare numbers) stated in a text; citation markers are ignored."""
    text = _MARKER.sub(" ", text)
    amounts = find_amounts(text)
    found = find_percents(text)
    percents = {p.value.normalize() for p in found}
    masked = _mask(text, [(a.start, a.end) for a in amounts] + [(p.start, p.end) for p in found])
    bare = {d for d in (_dec(m.group()) for m in _NUMBER.finditer(masked.replace(",", ""))) if d is not None}
    return {a.yuan.normalize() for a in amounts}, percents, bare


_STEP = re.compile(r"([^;；。\n=]+)=([^;；。\n=]+)")
_OPERATOR = re.compile(r"[×+−–]|(?<=\s)-(?=\s)")


def shown_results(answer: str, allowed: set[Decimal], percents: set[Decimal]) -> set[Decimal]:
    """Amounts the answer works out in arithmetic it shows, each operand supported and the arithmetic right:
    "300万元 × 50% = 150万元", "500万元 + 1000万元 = 1500万元", "800万元 − 100万元 = 700万元" (a comparison answers
    each city with its own calculator run, which the response's one `calculation` cannot carry)."""
    found: set[Decimal] = set()
    for left, right in _STEP.findall(answer):
        operators = list(_OPERATOR.finditer(left))
        results = find_amounts(right)
        if not operators or not results:
            continue
        sign = operators[-1]
        if all(op.group() == "+" for op in operators):  # "合计:50万元 + 30万元 + 10万元 = 90万元": every operand added
            bounds = [0, *(op.start() for op in operators), len(left)]
            amounts = find_amounts(left)
            pieces = [[a.yuan for a in amounts if start <= a.start and a.end <= end] for start, end in zip(bounds, bounds[1:])]
            # the sum just before each "+" and the first after the last one ("300,000 yuan (30万元)" is one operand)
            operands = [p[-1] for p in pieces[:-1] if p] + pieces[-1][:1]
            if len(operands) == len(operators) + 1 and set(operands) <= allowed | found and abs(results[0].yuan - sum(operands)) < 1:
                found.add(results[0].yuan)
            continue
        before = [a for a in find_amounts(left) if a.end <= sign.start()]
        after_amounts = [a for a in find_amounts(left) if a.start >= sign.end()]
        after_percents = [p for p in find_percents(left) if p.start >= sign.end()]
        if not before or before[-1].yuan not in allowed | found:
            continue
        first = before[-1].yuan
        if sign.group() == "×" and after_percents and after_percents[0].value.normalize() in percents:
            expected = first * after_percents[0].value / 100
        elif sign.group() != "×" and after_amounts and after_amounts[0].yuan in allowed | found:
            second = after_amounts[0].yuan
            expected = first - second
        else:
            continue
        if abs(results[0].yuan - expected) < 1:
            found.add(results[0].yuan)
    return found


def verify_answer(answer: str, n_citations: int, evidence: Sequence[str]) -> Verification:
    problems: list[str] = []
    markers = [int(m) for m in _MARKER.findall(answer)]
    for n in markers:
        if not 1 <= n <= n_citations:
            problems.append(f"citation [{n}] points to no returned clause (there are {n_citations})")
    if n_citations and not markers:
        problems.append("the answer cites nothing")
    source = "\n".join(evidence)
    src_amounts, src_percents, src_bare = numeric_facts(source)
    all_numbers = src_bare | {d for d in (_dec(m.group()) for m in _NUMBER.finditer(source.replace(",", ""))) if d is not None}
    amounts, percents, bare = numeric_facts(answer)
    src_amounts |= {a.normalize() for a in shown_results(_MARKER.sub(" ", answer), src_amounts, src_percents)}
    for value in amounts - src_amounts:
        problems.append(f"amount {format_yuan(value)} is not in the cited clauses or the calculation")
    for value in percents - src_percents - all_numbers:
        problems.append(f"percentage {value:f}% is not in the cited clauses")
    for value in bare - all_numbers - src_percents:
        problems.append(f"number {value:f} is not in the cited clauses")
    return Verification(ok=not problems, problems=problems, used_markers=sorted(set(markers)))
