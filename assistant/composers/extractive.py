"""The extractive composer (default and fallback): short answers that quote the clause, [n] citations.

No model is involved: for the plan's answer kind it picks the sentences of the cited clause that answer the
question (rate, cap, department, date, 文号…), quotes them as printed, and adds the calculator's steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Sequence

from assistant import planner as kinds
from assistant.calculation_choice import label_coverage
from assistant.calculator import format_yuan
from assistant.calculator.amounts import MAX_AMOUNT_YUAN
from assistant.calculator.compare import total_line
from assistant.calculator.engine import UNREVIEWED_NOTE, UNREVIEWED_NOTE_EN
from assistant.catalogue import Overview
from assistant.composers import Composed
from assistant.composers.scope import overview_text, profile_check_text, refusal_text
from assistant.composers.wording import (
    book_title,
    city_name_en,
    date_zh,
    shown_steps,
    source_en,
    source_zh,
    yuan_en,
)
from assistant.lexicon import load_lexicon
from assistant.sentences import _FIGURE, answer_strength, best_sentences, key_pieces, quote, sentences
from assistant.planner import AnswerPlan
from assistant.types import Hit
from assistant.understanding import Query
from index.models import Document



@dataclass
class Draft:
    """An answer being written, with the clauses it cites in [n] order."""

    lang: str
    parts: list[str] = field(default_factory=list)
    cited: list[Hit] = field(default_factory=list)

    def cite(self, hit: Hit) -> str:
        ids = [h.clause.clause_id for h in self.cited]
        if hit.clause.clause_id not in ids:
            self.cited.append(hit)
            ids.append(hit.clause.clause_id)
        return f"[{ids.index(hit.clause.clause_id) + 1}]"

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)

    @property
    def text(self) -> str:
        joiner = " " if self.lang == "en" else ""
        return joiner.join(self.parts).strip()


def en(query: Query) -> bool:
    return query.lang == "en"


# -- per question type ------------------------------------------------------------------------


def answer_rate(draft: Draft, hit: Hit, query: Query, also: Sequence[Query] = ()) -> None:
    chosen = best_sentences(hit.clause, query)
    for other in also:  # each further ask of the same clause adds the sentence that answers its own words
        own = replace(other, rewritten=other.text, topics=())  # not the topic words the first ask set
        if answer_strength(hit.clause, own) <= 0:
            own = replace(other, rewritten=other.text)
        chosen += [s for s in best_sentences(hit.clause, own, limit=1) if s not in chosen]
    order = {s: i for i, s in enumerate(sentences(hit.clause))}
    quoted = quote(sorted(chosen, key=lambda s: order.get(s, len(order))))
    if en(query):
        figures = _figures_en(quoted)
        lead = f"According to {source_en(hit)} {draft.cite(hit)}"
        draft.add(f"{lead}: “{quoted}”" + (f" Key figures: {figures}." if figures else ""))
    else:
        draft.add(f"根据{source_zh(hit)}{draft.cite(hit)}:{quoted}")


def _figures_en(text: str) -> str:
    from assistant.calculator import find_amounts, find_percents

    figures = [f"{p.value.normalize():f}%" for p in find_percents(text)]
    figures += [yuan_en(a.yuan) for a in find_amounts(text)]
    return "; ".join(dict.fromkeys(figures))


def answer_responsible(draft: Draft, hit: Hit, query: Query, lead_note: bool) -> None:
    c = hit.clause
    units = list(c.responsible_units)
    if not units:
        answer_rate(draft, hit, query)
        return
    if en(query):
        names = load_lexicon().departments_en
        listed = ", ".join(f"{u} ({names[u]})" if u in names else u for u in units)
        draft.add(f"{source_en(hit)} ({c.heading}) names the responsible units: {listed} {draft.cite(hit)}.")
        if lead_note:
            draft.add(f"The first-listed unit, {units[0]}, leads.")
    else:
        draft.add(f"{source_zh(hit)}“{c.heading}”的责任单位是:{'、'.join(units)}{draft.cite(hit)}。")
        if lead_note:
            draft.add(f"其中列第一位的{units[0]}为牵头单位。")


def answer_dates(draft: Draft, hit: Hit, doc: Document, query: Query) -> None:
    validity = next((s for s in sentences(hit.clause) if "施行" in s or "有效期" in s), None) or doc.validity_text or ""
    validity = validity.rstrip("。")
    if en(query):
        span = f"in force from {doc.effective_from or 'the date of publication'} until {doc.effective_until or 'no end date stated'}"
        issued = f", issued {doc.issued_on}" if doc.issued_on else ""
        draft.add(f"{book_title(doc.title)}({city_name_en(doc.city)}{issued}) is {span} {draft.cite(hit)}: “{validity}。”")
        return
    draft.add(f"{book_title(doc.title)}{validity}{draft.cite(hit)}。")
    if doc.effective_from and doc.effective_until:
        draft.add(f"即有效期为{date_zh(doc.effective_from)}至{date_zh(doc.effective_until)}。")
    if doc.issued_on:
        draft.add(f"印发日期为{date_zh(doc.issued_on)}。")


def answer_basis(draft: Draft, hit: Hit, doc: Document, query: Query) -> bool:
    """"这个细则依据哪份文件?": the documents the policy says it implements (its 根据《…》 preamble)."""
    if not doc.basis or not load_lexicon().has_cue("basis_question", query.text):
        return False
    named = "、".join(book_title(t) + (f"({n})" if n else "") for t, n in doc.basis)
    if en(query):
        draft.add(f"{book_title(doc.title)} was issued on the basis of {named} {draft.cite(hit)}.")
    else:
        draft.add(f"{book_title(doc.title)}依据{named}制定{draft.cite(hit)}。")
    return True


def answer_doc_meta(draft: Draft, hit: Hit, doc: Document, query: Query) -> None:
    if en(query):
        number = f"document number {doc.doc_number}" if doc.doc_number else "no document number printed in the text"
        draft.add(
            f"The {city_name_en(doc.city)} policy is {book_title(doc.title)}, {number}, issued by {doc.issuer or 'an issuer not stated'}"
            f"{' on ' + doc.issued_on if doc.issued_on else ''} {draft.cite(hit)}."
        )
        return
    number = f"文号为{doc.doc_number}" if doc.doc_number else "原文未印文号"
    issued = f",印发日期{date_zh(doc.issued_on)}" if doc.issued_on else ""
    draft.add(f"{doc.city or ''}的政策文件是{book_title(doc.title)},{number},由{doc.issuer or '(原文未写明)'}印发{issued}{draft.cite(hit)}。")


def amount_left_open(calc) -> bool:
    """The text leaves the whole amount open (an unpublished rate): no figure to state, not a result of 0."""
    return calc.amount_open


def answer_calculation(draft: Draft, hit: Hit, calc, query: Query) -> None:
    """The calculator's steps and result, tied to the clause the rule comes from."""
    steps = shown_steps(calc)
    undetermined = amount_left_open(calc)
    if en(query):
        verdict = (
            "Result: the amount cannot be determined from the text" if undetermined
            else f"Result: {yuan_en(calc.result_yuan)}" + (" (cap applied)" if calc.cap_applied else "")
            if calc.eligible else "Result: not eligible"
        )
        draft.add(f"Calculated under {source_en(hit)} {draft.cite(hit)}: " + "; ".join(steps) + f". {verdict}.")
    else:
        verdict = (
            "测算结果:依原文无法确定金额" if undetermined
            else f"测算结果:{format_yuan(Decimal(str(calc.result_yuan)))}" + ("(已按上限封顶)" if calc.cap_applied else "")
            if calc.eligible else "测算结果:不符合申领条件"
        )
        draft.add(f"按{source_zh(hit)}{draft.cite(hit)}测算:" + ";".join(steps) + f"。{verdict}。")
    notes = list(getattr(calc, "open_questions", []) or []) if calc.eligible else []
    if not getattr(calc, "reviewed", True):  # a rule read from the clause text, not checked by a person
        notes = [UNREVIEWED_NOTE_EN if en(query) else UNREVIEWED_NOTE, *notes]
    if notes:
        draft.add(("Note: " if en(query) else "注意:") + ("; " if en(query) else ";").join(n.rstrip("。") for n in notes[:2]) + ("." if en(query) else "。"))


def answer_checked_figure(draft: Draft, calc, query: Query, cap: Decimal | None) -> None:
    """"那就是能拿140万对吧?": whether the figure the asker took from an earlier answer is what the calculator pays
    (or, asked as the most one can get, its rule's `cap`)."""
    paid = Decimal(str(calc.result_yuan)) if calc.eligible and not amount_left_open(calc) else Decimal(0)
    held = next((f for f in query.checked if abs(paid - f) < 1 or (cap is not None and abs(cap - f) < 1)), None)
    if held is not None and abs(paid - held) >= 1:  # the cap, above what the sum said yields
        draft.add(f"Yes, the cap is {yuan_en(held)}." if en(query) else f"对,上限是{format_yuan(held)}。")
    elif held is not None:
        draft.add(f"Yes, {yuan_en(held)}." if en(query) else f"对,是{format_yuan(held)}。")
    else:
        figure = query.checked[0]
        draft.add(f"No, not {yuan_en(figure)}." if en(query) else f"不对,不是{format_yuan(figure)}。")


def answer_period(draft: Draft, hit: Hit, period, query: Query) -> None:
    """"三年加起来最多多少?": the calculator's yearly cap times the years the support lasts."""
    steps = ("; " if en(query) else ";").join(shown_steps(period))
    lead = f"{source_en(hit)} {draft.cite(hit)}: " if en(query) else f"按{source_zh(hit)}{draft.cite(hit)}:"
    total = yuan_en(period.result_yuan) if en(query) else format_yuan(Decimal(str(period.result_yuan)))
    draft.add(f"{lead}{steps}. At most {total} over the years of support." if en(query)
              else f"{lead}{steps},支持期内合计最多{total}。")


def answer_award_wording(draft: Draft, hit: Hit, query: Query, award_label: str) -> None:
    """After a fixed award: the clause's sentence naming that award, when it states figures the
    calculation did not (a second payment after acceptance, the other levels)."""
    candidates = sentences(hit.clause)
    if not candidates:
        return
    sentence = max(candidates, key=lambda s: label_coverage(award_label, s)).rstrip("。;;,")
    said = set(_FIGURE.findall(draft.text))
    if set(_FIGURE.findall(sentence)) - said:
        draft.add(f"The clause reads: “{sentence}。”" if en(query) else f"原文:“{sentence}。”")


def answer_city_line(draft: Draft, hit: Hit, query: Query, calc=None, also: Sequence[Query] = ()) -> None:
    """One line of a per-city comparison (quoting what answers each further ask of it, `also`)."""
    city = hit.document.city or ""
    if calc is not None:
        result = (yuan_en(calc.result_yuan) if en(query) else format_yuan(Decimal(str(calc.result_yuan)))) if calc.eligible else ("not eligible" if en(query) else "不符合条件")
        steps = ("; " if en(query) else ";").join(shown_steps(calc))
        label = city_name_en(city) if en(query) else city
        draft.add(f"\n- {label}: {result} {draft.cite(hit)} ({steps})" if en(query) else f"\n- {label}:{result}{draft.cite(hit)}({steps})")
        return
    quoted = key_pieces(hit.clause, query, also=also)
    if en(query):
        draft.add(f"\n- {city_name_en(city)} ({hit.clause.display_label}) {draft.cite(hit)}: “{quoted}”")
    else:
        draft.add(f"\n- {city}({hit.clause.display_label}){draft.cite(hit)}:{quoted}")


def answer_which_gives_more(draft: Draft, plan: AnswerPlan) -> None:
    """After cities each computed from the same sums (or each capped, "年度上限差多少?"): which gives the most, and by
    how much when two are compared."""
    paid = [
        (Decimal(str(p.calculation.result_yuan)), p.city) for p in plan.parts
        if p.focus is not None and p.calculation is not None and p.calculation.eligible
        and not amount_left_open(p.calculation)
    ]
    capped = len(paid) < 2
    if capped:
        paid = [(p.cap, p.city) for p in plan.parts if p.focus is not None and p.cap is not None]
    if len(paid) < 2:
        return
    ranked = sorted(paid, key=lambda r: -r[0])
    (top, city), (second, _) = ranked[0], ranked[1]
    if top == second:
        draft.add("\nThe amounts are the same." if en(plan.query) else "\n金额相同。")
        return
    if en(plan.query):
        gap = f"RMB {top:,.0f} − RMB {second:,.0f} = RMB {top - second:,.0f} more"
        more, most = ("has the higher cap", "has the highest cap") if capped else ("gives more", "gives the most")
        draft.add(f"\n{city_name_en(city)} {more}: {gap}." if len(paid) == 2 else f"\n{city_name_en(city)} {most}.")
    else:
        gap = f"{format_yuan(top)} − {format_yuan(second)} = {format_yuan(top - second)}"
        more, most = ("上限更高", "上限最高") if capped else ("给得更多", "给得最多")
        draft.add(f"\n{city}{more},多出{gap}。" if len(paid) == 2 else f"\n{city}{most}。")


class ExtractiveComposer:
    """Writes each answer kind from the plan's clauses; never calls a model."""

    def __init__(self, overview: Overview, programmes: dict[str, tuple[tuple[str, str], ...]] | None = None) -> None:
        self.overview = overview
        self.programmes = programmes or {}  # city → (title, English title) of its programmes

    def compose(self, plan: AnswerPlan) -> Composed:
        draft = Draft(lang=plan.query.lang)
        if plan.kind == kinds.REFUSE:
            return Composed(refusal_text(plan.query, self.overview), ())
        if plan.kind == kinds.OVERVIEW:
            if plan.parts:  # the clauses nearest to what the asker says they do, then what else there is
                draft.add("Closest to what you describe:" if en(plan.query) else "与贵公司情况最相关的条款:")
                for part in plan.parts:
                    answer_city_line(draft, part.focus, plan.query)
                draft.add("\n")
            draft.add(overview_text(plan.query, self.overview, self.programmes))
            return Composed(draft.text, tuple(draft.cited))
        if plan.kind == kinds.AMOUNT_OUT_OF_RANGE:
            limit = format_yuan(MAX_AMOUNT_YUAN)
            return Composed(
                f"The amount in the question is out of range (at most {limit}); please check the figure and ask again."
                if en(plan.query) else f"问题中的金额超出可计算范围(上限{limit}),请核对金额后重新提问。", ())
        if plan.kind == kinds.NOT_IN_CITY:
            answer_not_in_city(draft, plan)
            return Composed(draft.text, tuple(draft.cited))
        if plan.kind == kinds.PROFILE_CHECK:
            draft.add(profile_check_text(plan.query, plan.match, draft.cite))
            return Composed(draft.text, tuple(draft.cited))
        if plan.kind == kinds.COMPARE:
            draft.add("Across the cities:" if en(plan.query) else "各地规定对比:")
            for part in plan.parts:
                if part.focus is None:
                    missing = "no corresponding clause found" if en(plan.query) else "未找到对应条款"
                    label = city_name_en(part.city) if en(plan.query) else part.city
                    draft.add(f"\n- {label}: {missing}" if en(plan.query) else f"\n- {label}:{missing}")
                    continue
                answer_city_line(draft, part.focus, plan.query, part.calculation, also=plan.also)
            answer_which_gives_more(draft, plan)
        elif plan.kind == kinds.PER_PROGRAMME:
            lex = load_lexicon()
            draft.add("For each programme:" if en(plan.query) else "分别来看:")
            for part in plan.parts:
                topic = lex.topic(part.query.topics[0])
                draft.add(f"\n- {topic.en_name}: " if en(plan.query) else f"\n- {topic.zh_name}:")
                write_part(draft, part)
        elif plan.kind == kinds.PER_CITY:
            draft.add("By city:" if en(plan.query) else "各地情况:")
            for part in plan.parts:
                draft.add(f"\n- {city_name_en(part.city)}:" if en(plan.query) else f"\n- {part.city}:")
                write_part(draft, part)
            answer_which_ends_first(draft, plan)
        else:
            write_part(draft, plan)
        return Composed(draft.text, tuple(draft.cited))


def answer_which_ends_first(draft: Draft, plan: AnswerPlan) -> None:
    """"哪个最先到期?" over each city's validity: the policy whose end date (the documents' own dates) comes first."""
    if not load_lexicon().has_cue("asks_ends_first", plan.query.text.lower()):
        return
    ending = [(p.document.effective_until, p.city) for p in plan.parts
              if p.kind == kinds.VALIDITY and p.document is not None and p.document.effective_until]
    if len(ending) < 2:
        return
    first, city = min(ending)
    if sum(1 for until, _ in ending if until == first) > 1:
        draft.add("\nThey end on the same date." if en(plan.query) else "\n它们同日到期。")
    elif en(plan.query):
        draft.add(f"\n{city_name_en(city)}'s ends first, on {first}.")
    else:
        draft.add(f"\n最先到期的是{city}的政策({date_zh(first)})。")


def answer_not_in_city(draft: Draft, plan: AnswerPlan) -> None:
    """A city switch to a city whose documents have no such programme: say so; quote the nearest clause as such."""
    query, hit = plan.query, plan.focus
    lex = load_lexicon()
    asked = "、".join(lex.topic(t).en_name if en(query) else lex.topic(t).zh_name for t in plan.missing_topics or query.topics)
    was = plan.related  # where the programme talked about is: named, its figures not borrowed
    if en(query):
        where = f" (it is {city_name_en(was.document.city)}'s clause {was.clause.display_label} {draft.cite(was)})" if was else ""
        draft.add(f"No clause on {asked} was found for {city_name_en(plan.city)}{where}. The nearest clause is "
                  f"{source_en(hit)} {draft.cite(hit)}: “{quote(best_sentences(hit.clause, query, limit=1))}”")
    else:
        where = f"(该项为{was.document.city}{was.clause.display_label}{draft.cite(was)}的规定)" if was else ""
        draft.add(f"未找到{plan.city or ''}关于“{asked}”的对应条款{where}。最接近的是{source_zh(hit)}{draft.cite(hit)}:"
                  f"{quote(best_sentences(hit.clause, query, limit=1))}")


def answer_no_stacking_rule(draft: Draft, plan: AnswerPlan) -> None:
    """A policy that states no rule for combining its support with other measures says so, citing nothing but the
    clause of the programme asked about, when the question names one."""
    title = book_title(plan.document.title) if plan.document is not None else ""
    if en(plan.query):
        draft.add(f"{title} states no rule on combining its support with other measures; please ask the responsible "
                  "department whether both can be claimed.")
    else:
        draft.add(f"{title}未写明与其他政策能否同时享受(叠加)的规则,能否同时申领请向责任单位确认。")
    if plan.related is not None:  # what the programme's own clause says, which may name the other support
        said = quote(best_sentences(plan.related.clause, plan.query, limit=1))
        if en(plan.query):
            draft.add(f"What its clause on this says, {source_en(plan.related)} {draft.cite(plan.related)}: “{said}”")
        else:
            draft.add(f"相关条款{source_zh(plan.related)}{draft.cite(plan.related)}规定:{said}")


def write_part(draft: Draft, plan: AnswerPlan) -> None:
    """One single-clause answer kind."""
    query, hit = plan.query, plan.focus
    if plan.period is not None:
        answer_period(draft, hit, plan.period, query)
    if plan.kind == kinds.STACKING and hit is None:
        answer_no_stacking_rule(draft, plan)
    elif plan.kind == kinds.CALCULATION:
        if query.checked:
            answer_checked_figure(draft, plan.calculation, query, plan.cap)
        answer_calculation(draft, hit, plan.calculation, query)
        if plan.cap is not None and not query.checked:  # "最多能到多少?" when the text leaves the amount open
            draft.add(f"At most: {yuan_en(plan.cap)}." if en(query) else f"最高不超过{format_yuan(plan.cap)}。")
        for calc in plan.more:
            draft.add("\n")
            answer_calculation(draft, hit, calc, query)
        if plan.more and load_lexicon().has_cue("sums_together", query.text.lower()):
            paid = [c.result_yuan for c in plan.calculations if c.eligible and not amount_left_open(c)]
            if (line := total_line(paid, "en" if en(query) else "zh")) is not None:
                draft.add(f"\n{line}")
        if plan.award_label is not None:
            answer_award_wording(draft, hit, query, plan.award_label)
    elif plan.kind == kinds.RESPONSIBLE:
        answer_responsible(draft, hit, query, lead_note=plan.lead_note)
    elif plan.kind == kinds.VALIDITY:
        answer_dates(draft, hit, plan.document, query)
    elif plan.kind == kinds.AIM:
        title = book_title(hit.document.title)
        draft.add(f"{title} sets no figure targets; it states its aim as follows." if en(query)
                  else f"{title}未写明量化目标数值,其目标表述如下。")
        answer_rate(draft, hit, query)
    elif plan.kind == kinds.DOC_META:
        if not answer_basis(draft, hit, plan.document, query):
            answer_doc_meta(draft, hit, plan.document, query)
    else:  # quote, clause_date, stacking
        if plan.excluded is not None:
            reason = plan.excluded.reason
            draft.add(f"Not eligible: {reason.en}." if en(query) else f"不符合条件:{reason.zh}。")
        answer_rate(draft, hit, query, also=plan.also)
