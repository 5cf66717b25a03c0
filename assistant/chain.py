"""The answering pipeline: understand → retrieve → plan → compose → verify, read top to bottom.

`PolicyAssistant` is what the HTTP routers, the UI, the CLI and the evals call; it is built once by the
composition root (`assistant/services.py`) and returns `Answer`s, never HTTP models.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import date
from dataclasses import replace
from typing import Sequence

from assistant.calculator import difference_line
from assistant.catalogue import Catalogue
from assistant.composers import Composed, Composer
from assistant.composers.evidence import evidence
from assistant.lexicon import load_lexicon
from assistant.planner import AMOUNT_OUT_OF_RANGE, DOC_META, OVERVIEW, PROFILE_CHECK, REFUSE, AnswerPlan, Planner
from assistant.retriever import QueryRetriever, without_instructions
from assistant.types import Answer, Hit, Trace
from assistant.understanding import Query, QueryParser, normalise
from assistant.verify import verify_answer
from index.tokenize import tokenize

log = logging.getLogger("assistant.chain")
_MARKER = re.compile(r"\[(\d+)\]")

MIN_RETRIEVED = 5  # the planner reads at least this many clauses, whatever top_k a client asks for


class PolicyAssistant:
    """Answers questions over one loaded index."""

    def __init__(
        self, catalogue: Catalogue, parser: QueryParser, retriever: QueryRetriever, planner: Planner,
        composer: Composer, top_k: int = 5,
    ) -> None:
        self.catalogue = catalogue
        self.parser = parser
        self.retriever = retriever
        self.planner = planner
        self.composer = composer
        self.top_k = top_k

    @property
    def cities(self) -> tuple[str, ...]:
        return self.catalogue.cities

    def ask(
        self, question: str, history: Sequence[dict] = (), city: str | None = None, top_k: int | None = None,
        as_of: date | None = None,
    ) -> Answer:
        started = time.perf_counter()
        on = as_of or date.today()
        k = max(top_k or self.top_k, MIN_RETRIEVED)
        planned: list[tuple[Query, AnswerPlan]] = []
        for query in self.understand_parts(question, history, city):
            anchor = planned[-1][1].focus if planned and query.followup in ("this", "ellipsis", "city") else None
            planned.append(self._plan(query, k, on, anchor))
        # several asks of one clause ("总额多少?上限多少?比例多少?"): one quote with a sentence for each, also
        # when another ask of the message is of another kind ("…占比多少?年期最长几年?归哪个部门?")
        grouped: list[tuple[Query, AnswerPlan]] = []
        for query, plan in planned:
            same = next((i for i, (_, earlier) in enumerate(grouped) if _gist(earlier) == _gist(plan)), None)
            if same is None:
                grouped.append((query, plan))
            else:
                first_query, first_plan = grouped[same]
                if len(plan.figures) > len(first_plan.figures):  # "…最多多少?…差多少?": the ask that sets them apart
                    first_query, first_plan, query = query, plan, first_query
                grouped[same] = (first_query, replace(first_plan, also=(*first_plan.also, query)))
        planned = grouped
        answered = [(q, plan) for q, plan in planned if plan.kind != REFUSE] or planned[:1]
        parts: list[tuple[Query, AnswerPlan, Composed]] = []
        seen: set = set()
        for query, plan in answered:
            if _gist(plan) in seen:
                continue  # "比例多少?最多多少?" about one clause is answered once
            seen.add(_gist(plan))
            composed = self.composer.compose(plan)
            if plan.kind not in (REFUSE, OVERVIEW, PROFILE_CHECK, AMOUNT_OUT_OF_RANGE):  # no clause quoted to verify
                self._check(composed.text, composed.cited, plan)
            parts.append((query, plan, composed))
        text, cited = _merge([c for _, _, c in parts], "\n" if len(parts) > 1 else "")
        first_query = parts[0][0]
        if load_lexicon().has_cue("asks_difference", normalise(question).lower()):
            # "跟省级工业新产品差多少?": the calculator's results, the largest less the smallest
            results = [figure for _, plan, _ in parts if not plan.states_gap for figure in plan.figures]
            if (line := difference_line(results, first_query.lang)) is not None:
                text = f"{text}\n{line}"
        if not all(plan.kind in (REFUSE, OVERVIEW, AMOUNT_OUT_OF_RANGE) for _, plan, _ in parts):
            notes = dict.fromkeys(n for h in cited if (n := self.catalogue.lifecycle_note(h.document, on, first_query.lang)))
            conflicts, cited = self._conflict_notes(cited, on, first_query.lang)
            notes.update(dict.fromkeys(conflicts))
            text = "\n".join([text, *notes]) if notes else text
        plans = [plan for _, plan, _ in parts]
        # several runs (a comparison's cities, awards set side by side) are each in `compared`, none the `calculation`
        compared = tuple(c for p in plans for part in p.parts if (c := part.calculation) is not None) + tuple(
            c for p in plans if p.more for c in p.calculations)
        # "So 3.6 million, right? And with 20 million?": the message's calculation is the new one, not the check
        # "三年加起来最多多少?": the total over the years of support is what the message asks computed
        own = [(p.period or p.calculation, p) for p in plans
               if p.period is not None or (p.calculation is not None and not p.more)]
        computed = next((c for c, p in own if not p.query.checked), own[0][0] if own else None)
        return Answer(
            text=text,
            cited=cited,
            # a comparison that computed for one city only (the others lack the programme) has one calculation
            calculation=computed if computed is not None else compared[0] if len(compared) == 1 else None,
            refused=all(p.kind == REFUSE for p in plans),
            rewritten_question=" / ".join(q.rewritten for q, _, _ in parts),
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            trace=Trace(
                kind="+".join(p.kind for p in plans), cities=first_query.cities, filters=(f"city={city}",) if city else (),
                fallbacks=tuple(c.fallback_reason for _, _, c in parts if c.fallback_reason),
            ),
            lang=first_query.lang,
            compared=compared,
            statuses=tuple(self.catalogue.status(h.document, on) for h in cited),
        )

    def _conflict_notes(self, cited: tuple[Hit, ...], on: date, lang: str) -> tuple[list[str], tuple[Hit, ...]]:
        """A cited clause that another document in force contradicts: both are cited, each with its date, until the
        documents' lifecycle settles which one applies."""
        notes: list[str] = []
        cited_list = list(cited)
        for hit in cited:
            for other in self.catalogue.conflicts(hit.clause.clause_id, on):
                ids = [h.clause.clause_id for h in cited_list]
                if other.clause.clause_id not in ids:
                    cited_list.append(other)
                    ids.append(other.clause.clause_id)
                n, m = ids.index(hit.clause.clause_id) + 1, ids.index(other.clause.clause_id) + 1
                a, b = hit.document, other.document
                if lang == "en":
                    notes.append(f"Note: 《{a.title}》 (issued {a.issued_on or 'date not printed'}) [{n}] and 《{b.title}》 "
                                 f"(issued {b.issued_on or 'date not printed'}) [{m}] state different figures on this; "
                                 "please confirm with the competent department which applies.")
                else:
                    notes.append(f"注意:《{a.title}》({a.issued_on or '日期未注明'}印发)[{n}]与《{b.title}》"
                                 f"({b.issued_on or '日期未注明'}印发)[{m}]对此规定的数额不一致,以主管部门确认为准。")
        return notes, tuple(cited_list)

    def _plan(self, query: Query, k: int, on: date, anchor: Hit | None = None) -> tuple[Query, AnswerPlan]:
        hits = self.retriever.retrieve(query, k=k) if self.planner.worth_searching(query) else []
        return query, self.planner.plan(query, self._in_force_first(hits, on), anchor)

    def understand_parts(self, question: str, history: Sequence[dict] = (), city: str | None = None) -> list[Query]:
        """Each ask of a (possibly multi-part) question, resolved against the conversation."""
        queries = self.parser.parse_parts(question, list(history))
        return [self._with_city_filter(q, city) for q in queries]

    def _in_force_first(self, hits: Sequence[Hit], on: date) -> list[Hit]:
        """A clause of a document replaced on the date goes after the clauses of its successor, when those were
        retrieved too; otherwise ranks stay (a measure only the older document has is still answered from it)."""
        retrieved = {h.document.doc_id for h in hits}

        def replaced(hit: Hit) -> bool:
            newer = hit.document.superseded_by
            return bool(newer) and newer in retrieved and self.catalogue.status(hit.document, on) == "superseded"

        return sorted(hits, key=replaced)

    def understand(self, question: str, history: Sequence[dict] = (), city: str | None = None) -> Query:
        """The question resolved against the conversation; a `city` filter the corpus lacks is an outside place."""
        return self._with_city_filter(self.parser.parse(question, list(history)), city)

    def _with_city_filter(self, query: Query, city: str | None) -> Query:
        if not city:
            return query
        known = self.known_city(city)
        return replace(query, cities=(known,)) if known else replace(query, cities=(), outside_places=(city,))

    def retrieve(self, question: str, history: Sequence[dict] = (), k: int = 10) -> list[Hit]:
        """The ranked clauses `ask` reads for this question (what the eval's retrieval metrics score)."""
        return self.retriever.retrieve(self.parser.parse(question, list(history)), k=k)

    def search(self, text: str, k: int = 5, city: str | None = None) -> list[Hit]:
        """Hotline search: ranked clauses for keywords, optionally in one city."""
        cities: tuple[str, ...] = ()
        if city:
            known = self.known_city(city)
            if known is None:
                return []
            cities = (known,)
        query = self.parser.parse(text)
        hits = self.retriever.searcher.search(query.search_text, k=k + 2, cities=cities or query.cities)
        return without_instructions(hits)[:k]

    def contains_keywords(self, hits: Sequence[Hit], text: str) -> list[bool]:
        """For each hit, whether its clause contains every keyword of a lookup query (city names are filters, not
        keywords); the query is read once for all the hits."""
        query = self.parser.parse(text)
        terms = [t.lower() for t in tokenize(query.text) if len(t.strip()) >= 2 and t not in query.cities]
        return [bool(terms) and all(t in hit.clause.text.lower() for t in terms) for hit in hits]

    def lookup(self, text: str) -> list[Hit]:
        """Direct clause lookup as hotline staff type it: a city and a printed label such as "(三)" or "三、(六)"."""
        query = self.parser.parse(text)
        label = "".join(ch for ch in query.text if ch not in " ")
        for city in query.cities:
            label = label.replace(city, "")
        label = label.replace("市", "").strip()
        return self.catalogue.lookup(label, query.cities) if label else []

    def known_city(self, name: str) -> str | None:
        query = self.parser.parse(name)
        return query.cities[0] if query.cities else (name if name in self.cities else None)

    def _check(self, text: str, cited: Sequence[Hit], plan: AnswerPlan) -> None:
        check = verify_answer(text, len(cited), evidence(cited, plan.calculations, plan.query))
        if not check.ok:
            log.warning("answer failed verification: %s", "; ".join(check.problems))


def _gist(plan: AnswerPlan) -> tuple:
    """What a plan answers: its kind, the clause and the calculation (two parts with one gist are one ask; two
    levels of one award, "国家级…多少?省级…多少?", are two)."""
    focus = plan.focus.clause.clause_id if plan.focus is not None else None  # None: a city without the programme
    if plan.kind == DOC_META and plan.document is not None:
        # "这条出自哪个文件?文号是啥?": one document's facts, whichever clause cites them; what it is based on
        # ("文号是多少?依据哪个办法?") is another ask
        focus = (plan.document.doc_id, load_lexicon().has_cue("basis_question", plan.query.text))
    calc = plan.calculation
    computed = (calc.program, tuple(sorted((k, str(v)) for k, v in calc.inputs.items()))) if calc is not None else None
    return plan.kind, focus, computed, tuple(_gist(p) for p in plan.parts)


def _merge(parts: Sequence[Composed], joiner: str) -> tuple[str, tuple[Hit, ...]]:
    """Answers of several parts as one text; each part's [n] markers renumbered into one citation list."""
    cited: list[Hit] = []
    texts = []
    for part in parts:
        numbers = {}
        for n, hit in enumerate(part.cited, 1):
            ids = [h.clause.clause_id for h in cited]
            if hit.clause.clause_id not in ids:
                cited.append(hit)
                ids.append(hit.clause.clause_id)
            numbers[n] = ids.index(hit.clause.clause_id) + 1
        texts.append(_MARKER.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", part.text))
    return joiner.join(texts), tuple(cited)
