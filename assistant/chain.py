"""The answering pipeline: understand → retrieve → plan → compose → verify, read top to bottom.

`PolicyAssistant` is what the HTTP routers, the UI, the CLI and the evals call; it is built once by the
composition root (`assistant/services.py`) and returns `Answer`s, never HTTP models.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from dataclasses import replace
from typing import Sequence

from assistant.catalogue import Catalogue
from assistant.composers import Composer
from assistant.composers.evidence import evidence
from assistant.planner import OVERVIEW, REFUSE, AnswerPlan, Planner
from assistant.retriever import QueryRetriever, without_instructions
from assistant.types import Answer, Hit, Trace
from assistant.understanding import Query, QueryParser
from assistant.verify import verify_answer
from index.tokenize import tokenize

log = logging.getLogger("assistant.chain")

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
        query = self.understand(question, history, city)
        hits = self.retriever.retrieve(query, k=max(top_k or self.top_k, MIN_RETRIEVED)) if self.planner.worth_searching(query) else []
        plan = self.planner.plan(query, self._in_force_first(hits, on))
        composed = self.composer.compose(plan)
        text = composed.text
        if plan.kind not in (REFUSE, OVERVIEW):
            self._check(text, composed.cited, plan)
            notes = dict.fromkeys(n for h in composed.cited if (n := self.catalogue.lifecycle_note(h.document, on, query.lang)))
            text = "\n".join([text, *notes]) if notes else text
        return Answer(
            text=text,
            cited=composed.cited,
            calculation=plan.calculation,
            refused=plan.kind == REFUSE,
            rewritten_question=query.rewritten,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            trace=Trace(
                kind=plan.kind, cities=query.cities, filters=(f"city={city}",) if city else (),
                fallbacks=(composed.fallback_reason,) if composed.fallback_reason else (),
            ),
            lang=query.lang,
            compared=tuple(p.calculation for p in plan.parts if p.calculation is not None),
            statuses=tuple(self.catalogue.status(h.document, on) for h in composed.cited),
        )

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
        query = self.parser.parse(question, list(history))
        if city:
            known = self.known_city(city)
            query = replace(query, cities=(known,)) if known else replace(query, cities=(), outside_places=(city,))
        return query

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

    def contains_keywords(self, hit: Hit, text: str) -> bool:
        """True when the clause contains every keyword of a lookup query (city names are filters, not keywords)."""
        query = self.parser.parse(text)
        terms = [t for t in tokenize(query.text) if len(t.strip()) >= 2 and t not in query.cities]
        body = hit.clause.text.lower()
        return bool(terms) and all(t.lower() in body for t in terms)

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
