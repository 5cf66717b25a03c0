"""Scoring one system answer against one gold item, and aggregating scores (pure functions)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import mean
from typing import Iterable, Sequence

from assistant.calculator.amounts import find_amounts, find_percents
from assistant.verify import shown_results
from evals.gold import GoldItem

HIT_KS = (1, 3, 5)


@dataclass(frozen=True)
class SystemAnswer:
    """What a system returned for one question, in the shape the metrics need."""

    answer: str
    cited_ids: tuple[str, ...] = ()
    retrieved: tuple[frozenset[str], ...] = ()  # ranked retrieval units, each the clause ids it covers
    evidence: tuple[str, ...] = ()  # texts the answer may take numbers from (cited clauses, calculation)
    refused: bool = False
    program: str | None = None
    result_yuan: float | None = None
    latency_ms: float = 0.0
    error: str | None = None


@dataclass
class ItemScore:
    """Every check for one item; `correct` is the overall verdict (all applicable checks pass)."""

    item_id: str
    type: str
    correct: bool
    rank: int | None  # 1-based rank of the first retrieval unit holding an expected clause
    citation_precision: float | None
    citation_recall: float | None
    amounts_ok: bool | None
    unsupported_amounts: list[str]
    percents_ok: bool | None
    terms_ok: bool | None
    calculation_ok: bool | None
    refused: bool
    refusal_ok: bool
    latency_ms: float
    problems: list[str] = field(default_factory=list)


def readable(text: str) -> str:
    """Answer text as a reader sees it: simplified, half-width, no pinyin glosses (fair to raw-text baselines)."""
    from index.cleaning import normalize_width, strip_pinyin_glosses, to_simplified

    return to_simplified(normalize_width(strip_pinyin_glosses(text)))


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", readable(text)).replace("(", "(").replace(")", ")").replace(",", ",").lower()


def first_hit_rank(expected: Iterable[str], retrieved: Sequence[frozenset[str]]) -> int | None:
    wanted = set(expected)
    for rank, unit in enumerate(retrieved, start=1):
        if unit & wanted:
            return rank
    return None


def amounts_in(text: str) -> set[Decimal]:
    return {a.yuan for a in find_amounts(readable(text))}


def percents_in(text: str) -> set[Decimal]:
    return {p.value.normalize() for p in find_percents(readable(text))}


def unsupported_amounts(answer: str, evidence: Sequence[str]) -> list[str]:
    """Amounts in the answer that appear in none of its evidence texts and that it does not work out from them in
    arithmetic it shows (a contradicted or invented figure)."""
    allowed: set[Decimal] = set()
    percents: set[Decimal] = set()
    for text in evidence:
        allowed |= amounts_in(text)
        percents |= percents_in(text)
    allowed |= shown_results(readable(answer), allowed, percents)
    return [a.text for a in find_amounts(readable(answer)) if a.yuan not in allowed]


def score_item(item: GoldItem, got: SystemAnswer) -> ItemScore:
    problems: list[str] = []
    if got.error:
        problems.append(f"error: {got.error}")
    rank = first_hit_rank(item.expected_clause_ids, got.retrieved) if item.expected_clause_ids else None
    refusal_ok = got.refused == item.expect_refusal
    if not refusal_ok:
        problems.append("refused a question it should answer" if got.refused else "answered a question it should refuse")

    precision = recall = None
    amounts_ok = percents_ok = terms_ok = calculation_ok = None
    unsupported: list[str] = []
    if not item.expect_refusal:
        expected = set(item.expected_clause_ids)
        cited = set(got.cited_ids)
        if expected:
            precision = len(cited & expected) / len(cited) if cited else 0.0
            recall = len(cited & expected) / len(expected)
            if not cited & expected:
                problems.append(f"cites none of {sorted(expected)} (cited {sorted(cited)})")
        found_amounts = amounts_in(got.answer)
        if item.required_amounts_yuan:
            missing = [y for y in item.required_amounts_yuan if Decimal(y) not in found_amounts]
            amounts_ok = not missing
            if missing:
                problems.append(f"missing amounts {missing}")
        unsupported = unsupported_amounts(got.answer, got.evidence) if got.evidence else []
        if unsupported:
            problems.append(f"amounts not in any cited clause or calculation: {unsupported}")
            amounts_ok = False
        if item.required_percents:
            found = percents_in(got.answer)
            missing_pct = [p for p in item.required_percents if Decimal(str(p)).normalize() not in found]
            percents_ok = not missing_pct
            if missing_pct:
                problems.append(f"missing percentages {missing_pct}")
        if item.required_terms:
            answer = _norm(got.answer)
            missing_terms = [t for t in item.required_terms if _norm(t) not in answer]
            terms_ok = not missing_terms
            if missing_terms:
                problems.append(f"missing terms {missing_terms}")
        if item.expected_program is not None:
            calculation_ok = (
                got.program == item.expected_program
                and got.result_yuan is not None
                and item.expected_result_yuan is not None
                and math.isclose(got.result_yuan, item.expected_result_yuan, abs_tol=0.5)
            )
            if not calculation_ok:
                problems.append(
                    f"calculation {got.program}={got.result_yuan} "
                    f"(expected {item.expected_program}={item.expected_result_yuan})"
                )
    citation_ok = recall is None or recall > 0
    checks = [refusal_ok, citation_ok, got.error is None] + [
        c for c in (amounts_ok, percents_ok, terms_ok, calculation_ok) if c is not None
    ]
    return ItemScore(
        item_id=item.id, type=item.type, correct=all(checks), rank=rank,
        citation_precision=precision, citation_recall=recall, amounts_ok=amounts_ok,
        unsupported_amounts=unsupported, percents_ok=percents_ok, terms_ok=terms_ok,
        calculation_ok=calculation_ok, refused=got.refused, refusal_ok=refusal_ok, latency_ms=got.latency_ms, problems=problems,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


def _rate(flags: Iterable[bool | None]) -> float | None:
    known = [f for f in flags if f is not None]
    return sum(known) / len(known) if known else None


def summarize(scores: Sequence[ItemScore], refusal_expected: Sequence[bool]) -> dict[str, float | int | None]:
    """Aggregate metrics over items; retrieval metrics only over items that expect clauses."""
    retrieval = [s for s, refuse in zip(scores, refusal_expected) if not refuse and s.citation_recall is not None]
    summary: dict[str, float | int | None] = {"questions": len(scores)}
    for k in HIT_KS:
        summary[f"hit@{k}"] = _rate(s.rank is not None and s.rank <= k for s in retrieval)
    summary["mrr"] = mean(1 / s.rank if s.rank else 0.0 for s in retrieval) if retrieval else None
    summary["citation_precision"] = mean(s.citation_precision for s in retrieval) if retrieval else None
    summary["citation_recall"] = mean(s.citation_recall for s in retrieval) if retrieval else None
    summary["numeric_exact_match"] = _rate(
        s.amounts_ok if s.amounts_ok is not None else (False if s.unsupported_amounts else None) for s in scores
    )
    summary["calculation_exact_match"] = _rate(s.calculation_ok for s in scores)
    summary["key_fact_accuracy"] = _rate(
        None if (s.percents_ok, s.terms_ok) == (None, None) else bool(s.percents_ok is not False and s.terms_ok is not False)
        for s in scores
    )
    tp = sum(1 for s, refuse in zip(scores, refusal_expected) if s.refused and refuse)
    predicted = sum(1 for s in scores if s.refused)
    summary["refusal_precision"] = tp / predicted if predicted else None
    summary["refusal_recall"] = tp / sum(refusal_expected) if sum(refusal_expected) else None
    summary["answer_accuracy"] = _rate(s.correct for s in scores)
    latencies = [s.latency_ms for s in scores]
    summary["latency_p50_ms"] = round(percentile(latencies, 50), 1)
    summary["latency_p95_ms"] = round(percentile(latencies, 95), 1)
    return summary
