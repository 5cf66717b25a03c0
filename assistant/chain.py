"""The answering chain: understand → retrieve → calculate → compose → verify → cite.

`PolicyAssistant` is the one entry point the API, the UI, the CLI and the evals call.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Iterator, Protocol, Sequence

from assistant import calculator
from assistant.composer import (
    asks_for_amount,
    Draft,
    answer_award_wording,
    answer_calculation,
    answer_city_line,
    answer_dates,
    answer_doc_meta,
    answer_rate,
    answer_responsible,
    asks_clause_date,
    city_name_en,
    refusal_text,
)
from assistant.errors import InputError, NotFoundError
from assistant.injection import looks_like_instruction
from assistant.lexicon import load_lexicon
from assistant.question_inputs import award_inputs, inputs_from_question, optional_inputs_only
from assistant.retriever import HybridSearcher, ScoredClause
from assistant.schemas import AskRequest, AskResponse, CalculationOut, Citation, SearchRequest, SearchResponse
from assistant.settings import Settings
from assistant.understanding import Query, QueryParser
from assistant.verify import verify_answer
from index.embedders import Embedder
from index.models import Document
from index.store import LoadedIndex

log = logging.getLogger("assistant.chain")

# A question naming no policy topic, city or earlier turn must match the corpus both ways to be answered
# (e5 similarities are compressed, so unrelated questions still score ~0.82; BM25 needs a rare shared term).
MIN_DENSE_RELEVANCE = 0.86
MIN_BM25_RELEVANCE = 6.0
# Question types answered from one document each; asked for several cities, each city gets its own line.
PER_DOCUMENT_TYPES = ("dates", "doc_meta", "responsible")
# An unnamed "compare the cities" lists at most this many (a 300-city corpus would take seconds).
MAX_COMPARED_CITIES = 6


@dataclass
class Composed:
    """What a composer returns: the answer text and the clauses its [n] markers point to."""

    answer: str
    cited: list[ScoredClause]
    # per-city calculations of a comparison: their numbers are evidence, but the contract's one
    # `calculation` field cannot hold them
    compared: tuple = ()


class Composer(Protocol):
    """Writes the answer from retrieved clauses; the extractive one is the default and the fallback."""

    def compose(self, query: Query, hits: Sequence[ScoredClause], calc: Any | None, fallback: Composed) -> Composed: ...


class PolicyAssistant:
    """Answers questions over one loaded index."""

    def __init__(
        self, index: LoadedIndex, embedder: Embedder, settings: Settings, composer: Composer | None = None,
        retrieval_mode: str = "hybrid",
    ) -> None:
        self.index = index
        self.retrieval_mode = retrieval_mode  # hybrid | bm25 | dense (the last two are eval baselines)
        self.settings = settings
        self.searcher = HybridSearcher(index, embedder)
        self.cities = tuple(sorted({d.city for d in index.documents.values() if d.city}))
        self.parser = QueryParser(self.cities)
        self.composer = composer
        self._clauses = index.clause_by_id()
        self._rules_by_clause: dict[str, list] = {}
        for rule in calculator.load_rules().values():
            self._rules_by_clause.setdefault(rule.clause_id, []).append(rule)

    # -- public API ------------------------------------------------------------------------
    def ask(self, request: AskRequest) -> AskResponse:
        started = time.perf_counter()
        query = self.parser.parse(request.question, [t.model_dump() for t in request.history])
        if request.city:
            city = self._known_city(request.city)
            if city is None:
                return self._refuse(query, started, outside=(request.city,))
            query = _with(query, cities=(city,))
        if query.off_topic or (query.outside_places and not query.cities):
            return self._refuse(query, started)
        k = request.top_k or self.settings.top_k
        hits = self._retrieve(query, k=max(k, 5))
        if not hits or self._irrelevant(query, hits):
            return self._refuse(query, started)
        composed, calc = self._compose_extractive(query, hits)
        if self.composer is not None:
            composed = self.composer.compose(query, hits, calc, composed)
        return self._respond(query, composed, calc, started)

    def search(self, request: SearchRequest) -> SearchResponse:
        cities: tuple[str, ...] = ()
        if request.city:
            city = self._known_city(request.city)
            if city is None:
                return SearchResponse(hits=[])
            cities = (city,)
        query = self.parser.parse(request.query)
        hits = self.searcher.search(query.search_text, k=request.k + 2, cities=cities or query.cities)
        hits = _without_instructions(hits)[: request.k]
        return SearchResponse(hits=[citation(h) for h in hits])

    def retrieve(self, question: str, history: Sequence[dict] = (), k: int = 10) -> list[ScoredClause]:
        """The ranked clauses `ask` reads for this question (what the eval's retrieval metrics score)."""
        query = self.parser.parse(question, list(history))
        return self._retrieve(query, k=k)

    def variant(self, retrieval_mode: str) -> "PolicyAssistant":
        """The same assistant over the same index with another retriever (bm25 / dense baselines)."""
        return PolicyAssistant(self.index, self.searcher.embedder, self.settings, self.composer, retrieval_mode)

    def documents(self) -> list[dict]:
        counts: dict[str, int] = {}
        for c in self.index.clauses:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        return [dict(d.to_dict(), clauses=counts.get(d.doc_id, 0)) for d in self.index.documents.values()]

    def clause(self, clause_id: str) -> dict:
        clause = self._clauses.get(clause_id)
        if clause is None:
            raise NotFoundError(f"no clause {clause_id!r}; ids look like 'hangzhou-ai-measures#一.(三)' (see GET /v1/documents)")
        doc = self.index.documents[clause.doc_id]
        return {
            **clause.to_dict(),
            "display_label": clause.display_label,
            "city": doc.city,
            "doc_title": doc.title,
            "doc_number": doc.doc_number,
            "effective_from": doc.effective_from,
            "effective_until": doc.effective_until,
        }

    def document_clauses(self, doc_id: str) -> list[dict]:
        if doc_id not in self.index.documents:
            raise NotFoundError(f"no document {doc_id!r}")
        return [self.clause(c.clause_id) for c in self.index.clauses if c.doc_id == doc_id]

    def lookup(self, text: str) -> list[ScoredClause]:
        """Direct clause lookup as hotline staff type it: `杭州 (三)`, `嘉兴 三、(六)`, `郑州 2.`."""
        query = self.parser.parse(text)
        label = "".join(ch for ch in query.text if ch not in " ")
        for city in query.cities:
            label = label.replace(city, "")
        label = label.replace("市", "").strip()
        if not label:
            return []
        found = []
        for c in self.index.clauses:
            doc = self.index.documents[c.doc_id]
            if query.cities and doc.city not in query.cities:
                continue
            if label in (c.display_label, c.label, c.display_label.replace("、", "")) or c.clause_id.endswith("#" + label):
                found.append(ScoredClause(clause=c, document=doc, score=1.0))
        return found

    # -- steps -----------------------------------------------------------------------------
    def _known_city(self, name: str) -> str | None:
        query = self.parser.parse(name)
        return query.cities[0] if query.cities else (name if name in self.cities else None)

    def _retrieve(self, query: Query, k: int, cities: Sequence[str] | None = None, vector=None) -> list[ScoredClause]:
        hits = self.searcher.search(
            query.search_text, k=k + 2, cities=query.cities if cities is None else cities,
            query_vector=vector, mode=self.retrieval_mode,
        )
        return _without_instructions(hits)[:k]

    def _irrelevant(self, query: Query, hits: Sequence[ScoredClause]) -> bool:
        if query.topics or query.cities or query.followup:
            return False
        weak_bm25 = self.retrieval_mode != "dense" and max(h.bm25_score for h in hits) < MIN_BM25_RELEVANCE
        weak_dense = self.retrieval_mode != "bm25" and max(h.dense_score for h in hits) < MIN_DENSE_RELEVANCE
        return weak_bm25 or weak_dense

    def _compose_extractive(self, query: Query, hits: list[ScoredClause]) -> tuple[Composed, Any | None]:
        draft = Draft(lang=query.lang)
        top = hits[0]
        if query.followup == "this" and query.previous is not None:
            previous_hits = self._retrieve(query.previous, k=1)
            if previous_hits:
                top = previous_hits[0]
        if self._multi_city(query, hits):
            return self._compose_cities(query, hits, draft), None
        if len(query.cities) >= 2 and query.qtype in PER_DOCUMENT_TYPES:
            return self._compose_documents(query, draft), None
        calc = self._calculate(query, hits)
        if calc is not None:
            rule_hit = next(h for h in [top, *hits] if h.clause.clause_id == calc.clause_id) if any(
                h.clause.clause_id == calc.clause_id for h in [top, *hits]) else self._hit_for(calc.clause_id)
            answer_calculation(draft, rule_hit, calc, query)
            award = _applied_award(calc)
            if award is not None:
                answer_award_wording(draft, rule_hit, query, award.zh)
            return Composed(draft.text, draft.cited), calc
        self._answer_by_type(draft, query, top, hits)
        return Composed(draft.text, draft.cited), None

    def _compose_documents(self, query: Query, draft: Draft) -> Composed:
        """Dates, 文号/issuer or responsible units asked for several named cities: one line each."""
        draft.add("By city:" if query.lang == "en" else "各地情况:")
        for city, city_hits in self._hits_per_city(query, query.cities):
            draft.add(f"\n- {city}:" if query.lang != "en" else f"\n- {city_name_en(city)}:")
            self._answer_by_type(draft, query, city_hits[0], city_hits)
        return Composed(draft.text, draft.cited)

    def _hits_per_city(self, query: Query, cities: Sequence[str]) -> Iterator[tuple[str, list[ScoredClause]]]:
        """(city, its best clauses) for each city with any; the query is embedded once."""
        vector = self.searcher.embed(query.search_text)
        for city in cities:
            city_hits = self._retrieve(query, k=3, cities=(city,), vector=vector)
            if city_hits:
                yield city, city_hits

    def _answer_by_type(self, draft: Draft, query: Query, top: ScoredClause, hits: Sequence[ScoredClause]) -> None:
        if query.qtype == "responsible":
            target = top if (top.clause.responsible_units or query.followup == "this") else next(
                (h for h in hits[:3] if h.clause.responsible_units), top)
            answer_responsible(draft, target, query, lead_note=self._lead_listed_first(target.document))
        elif query.qtype == "dates" and asks_clause_date(top.clause, query):
            answer_rate(draft, top, query)
        elif query.qtype == "dates":
            doc = self._policy_doc(top)
            answer_dates(draft, self._validity_clause(doc) or top, doc, query)
        elif query.qtype == "doc_meta":
            doc = self._policy_doc(top)
            answer_doc_meta(draft, self._first_clause(doc) or top, doc, query)
        else:
            answer_rate(draft, top, query)

    def _multi_city(self, query: Query, hits: Sequence[ScoredClause]) -> bool:
        if query.qtype == "compare":
            return True
        if query.cities or query.followup or query.qtype not in ("rate", "eligibility"):
            return False
        cities = {h.document.city for h in hits[:3]}
        return bool(query.topics) and len(cities) >= 2

    def _compose_cities(self, query: Query, hits: Sequence[ScoredClause], draft: Draft) -> Composed:
        cities = query.cities if len(query.cities) >= 2 else self._compared_cities(hits)
        comparable = next((load_lexicon().topic(t).comparable for t in query.topics if load_lexicon().topic(t).comparable), None)
        draft.add("Across the cities:" if query.lang == "en" else "各地规定对比:")
        compared: list = []
        for _, city_hits in self._hits_per_city(query, cities):
            calc = None
            if comparable and query.amounts:
                calc = self._calculate(query, city_hits)
                if calc is not None:
                    compared.append(calc)
            hit = self._hit_for(calc.clause_id) if calc else city_hits[0]
            answer_city_line(draft, hit, query, calc)
        return Composed(draft.text, draft.cited, tuple(compared))

    def _compared_cities(self, hits: Sequence[ScoredClause]) -> Sequence[str]:
        """Every city when there are few; otherwise the cities of the best hits (one search per city)."""
        if len(self.cities) <= MAX_COMPARED_CITIES:
            return self.cities
        return list(dict.fromkeys(h.document.city for h in hits if h.document.city))[:MAX_COMPARED_CITIES]

    def _calculate(self, query: Query, hits: Sequence[ScoredClause]):
        """Run the calculator when the question gives the numbers a rule needs, or names a fixed award."""
        lang = "en" if query.lang == "en" else "zh"
        rules = _on_topic([rule for hit in hits[:2] for rule in self._rules_by_clause.get(hit.clause.clause_id, [])], query)
        if query.amounts:
            for rule in rules:
                source = query.rewritten if query.followup == "city" else query.text
                inputs = inputs_from_question(rule, query.amounts, query.percents, query.options, source)
                if inputs is None:
                    continue
                try:
                    return calculator.calculate(rule.program, inputs, lang=lang)
                except InputError as exc:
                    log.info("calculation skipped for %s: %s", rule.program, exc)
        if asks_for_amount(query.text):
            return self._award_calculation(query, hits[0], lang)
        return None

    def _award_calculation(self, query: Query, top: ScoredClause, lang: str):
        """"How much is the award?" for the best clause: the award the question names, or its only rule."""
        rules = self._rules_by_clause.get(top.clause.clause_id, [])
        named = award_inputs(rules, query.rewritten)
        if named is not None:
            rule, inputs = named
            return calculator.calculate(rule.program, inputs, lang=lang)
        if len(rules) == 1 and len(rules[0].awards) <= 1 and optional_inputs_only(rules[0]):
            return calculator.calculate(rules[0].program, {}, lang=lang)
        return None

    def _hit_for(self, clause_id: str) -> ScoredClause:
        clause = self._clauses[clause_id]
        return ScoredClause(clause=clause, document=self.index.documents[clause.doc_id], score=1.0)

    def _policy_doc(self, hit: ScoredClause) -> Document:
        doc = hit.document
        if doc.kind == "interpretation" and doc.related_doc_id in self.index.documents:
            return self.index.documents[doc.related_doc_id]
        return doc

    def _validity_clause(self, doc: Document) -> ScoredClause | None:
        for c in reversed([c for c in self.index.clauses if c.doc_id == doc.doc_id]):
            if "施行" in c.text or "有效期" in c.text:
                return self._hit_for(c.clause_id)
        return None

    def _first_clause(self, doc: Document) -> ScoredClause | None:
        first = next((c for c in self.index.clauses if c.doc_id == doc.doc_id), None)
        return self._hit_for(first.clause_id) if first else None

    def _lead_listed_first(self, doc: Document) -> bool:
        return any("列第一位的为牵头单位" in c.text for c in self.index.clauses if c.doc_id == doc.doc_id)

    def _refuse(self, query: Query, started: float, outside: Sequence[str] = ()) -> AskResponse:
        if outside:
            query = _with(query, outside_places=tuple(outside))
        return AskResponse(
            answer=refusal_text(query, self.cities, len(self.index.documents)),
            citations=[],
            calculation=None,
            refused=True,
            rewritten_question=query.rewritten,
            latency_ms=_ms(started),
        )

    def _respond(self, query: Query, composed: Composed, calc, started: float) -> AskResponse:
        citations = [citation(h) for h in composed.cited]
        check = verify_answer(
            composed.answer, len(citations), evidence(composed.cited, calc, query, composed.compared)
        )
        if not check.ok:
            log.warning("extractive answer failed verification: %s", "; ".join(check.problems))
        return AskResponse(
            answer=composed.answer,
            citations=citations,
            calculation=CalculationOut(**calc.to_contract()) if calc is not None else None,
            refused=False,
            rewritten_question=query.rewritten,
            latency_ms=_ms(started),
        )


def _applied_award(calc) -> Any | None:
    """The fixed award a calculation paid, if it was one."""
    rule = calculator.get_rule(calc.program)
    level = calc.inputs.get("level")
    return next((a for a in rule.awards if level is None or a.value == level), None) if rule.kind == "fixed" else None


def _on_topic(rules: Sequence[Any], query: Query) -> list[Any]:
    """Rules not about another comparable topic than the one asked ("算力券…800万" is no model-filing fee)."""
    comparable = {load_lexicon().topic(t).comparable or t for t in query.topics}
    return [r for r in rules if r.comparable is None or not comparable or r.comparable in comparable]


def _without_instructions(hits: Sequence[ScoredClause]) -> list[ScoredClause]:
    kept = [h for h in hits if not looks_like_instruction(h.clause.text)]
    if len(kept) < len(hits):
        log.warning("skipped %d retrieved clause(s) that read as instructions to the assistant", len(hits) - len(kept))
    return kept


def evidence(cited: Sequence[ScoredClause], calc, query: Query, compared: Sequence[Any] = ()) -> list[str]:
    """Everything an answer may take numbers from."""
    texts = [query.text, query.rewritten]
    for hit in cited:
        d = hit.document
        texts += [hit.clause.text, hit.clause.display_label, d.title, d.doc_number or "", d.issued_on or "",
                  d.effective_from or "", d.effective_until or "", d.validity_text or ""]
    for calc in [c for c in (calc, *compared) if c is not None]:
        texts += list(calc.steps) + [str(v) for v in calc.inputs.values()] + [str(calc.result_yuan)]
        texts += list(getattr(calc, "open_questions", []) or []) + list(getattr(calc, "notes", []) or [])
    return texts


def citation(hit: ScoredClause) -> Citation:
    d, c = hit.document, hit.clause
    return Citation(
        id=c.clause_id, city=d.city, doc_title=d.title, doc_number=d.doc_number,
        clause=c.display_label, text=c.text, score=round(float(hit.score), 4),
    )


def _with(query: Query, **changes) -> Query:
    from dataclasses import replace

    return replace(query, **changes)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def load_assistant(settings: Settings, build_if_needed: bool = True, show_progress: bool = False) -> PolicyAssistant:
    """Load (building first if missing or stale) the index named by the settings."""
    from index.build import build_index, is_stale
    from index.embedders import make_embedder
    from index.store import load_index

    embedder = make_embedder(settings.embedder, settings.embed_model)
    if build_if_needed and is_stale(settings.corpus_dir, settings.data_dir, embedder.name):
        build_index(settings.corpus_dir, settings.data_dir, embedder, show_progress=show_progress)
    index = load_index(settings.data_dir, expected_embedder=embedder.name)
    composer = None
    if settings.llm == "openai":
        from assistant.llm import LLMComposer

        composer = LLMComposer.from_settings(settings)
    return PolicyAssistant(index, embedder, settings, composer=composer)
