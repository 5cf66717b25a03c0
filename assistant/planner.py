"""The planner: the one place that decides what kind of answer a question gets.

`plan(query, hits)` reads the understood question (its type and cue words, from the lexicon) and the
retrieved clauses, and returns an `AnswerPlan`: the answer kind, the clause it rests on, the calculation
(chosen by `calculation_choice`), and for comparisons or several named cities one part per city. Composers
only write what the plan says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Iterator, Sequence

from assistant.calculation_choice import CalculationChooser
from assistant.calculator.amounts import money_figures
from assistant.catalogue import Catalogue
from assistant.lexicon import Lexicon, load_lexicon, without_words
from assistant.replies import answered_clause
from assistant.retriever import QueryRetriever
from assistant.sentences import answer_strength, asks_count, asks_figure, asks_target, own_terms_held, quoted, states_count, states_figures
from assistant.types import Hit
from assistant.understanding import DOCUMENT_QUESTION_TYPES, Query, asks_names, earlier_turns, stated_sums, talked_cities
from index.models import Clause, Document
from index.tokenize import bigrams, words as segment

# Answer kinds. A per-city part of a comparison is a `city_line`.
REFUSE, COMPARE, PER_CITY, CALCULATION = "refuse", "compare", "per_city", "calculation"
RESPONSIBLE, CLAUSE_DATE, VALIDITY, DOC_META, QUOTE, CITY_LINE = (
    "responsible", "clause_date", "validity", "doc_meta", "quote", "city_line",
)
OVERVIEW, STACKING = "overview", "stacking"  # help for a vague question; how measures combine
PROFILE_CHECK = "profile_check"  # a message describing the enterprise: every programme it may claim (政策体检)
AMOUNT_OUT_OF_RANGE = "amount_out_of_range"  # a figure too large (or not finite) to compute with: said plainly
PER_PROGRAMME = "per_programme"  # a department or document question about several programmes: one part each
NOT_IN_CITY = "not_in_city"  # a city switch to a city without the programme: said so, the nearest clause quoted as such
AIM = "aim"  # a question on figure targets answered by a clause that sets none: said so, the aim quoted
LEXICAL_PEER_SHARE = 0.5  # see Planner._lexical_peers
UNITS_DEPTH = 10  # clauses searched for one that names responsible units, when the best ones name none
COVERING_DEPTH = 3  # clauses after the best one searched for one that covers every programme named
# "我们是做大模型应用的小公司": what a firm says it does, up to 的 or the end of the phrase
_DOES = re.compile(r"(?:做|从事|搞|生产|研发|开发|经营)([^,,。;;??!!的]{2,16})")
RARE_TERM_SHARE = 0.15  # a word of the asker's description held by at most this share of clauses tells them apart
FOCUS_DEPTH = 5  # clauses compared by how well their sentences answer a count or target question
COUNT_DEPTH = 10  # clauses searched for one stating the very count asked
# Question types answered from one document each; asked for several cities, each city gets its own part.
PER_DOCUMENT_TYPES = DOCUMENT_QUESTION_TYPES
_YEAR = re.compile(r"\d{4}年")
_ORDINAL_ITEM = re.compile(
    r"第[一二三四五六七八九十\d]{1,3}(?:件|个|份|项)|另(?:外)?一(?:个|份|件)"
    r"|\bthe (?:first|second|third|fourth|fifth|last|other) (?:one|document|file|item)\b", re.I,
)
# Parts every policy has, at which a comparison naming no programme may ask the same of each city
SHARED_PARTS = ("closing", "preamble", "goal")


def _holds(hit: Hit, phrases: Sequence[str]) -> bool:
    text = hit.clause.text.lower()
    return all(p in text for p in phrases)


@dataclass(frozen=True)
class Relevance:
    """How strongly a question naming no topic, city or earlier turn must match the corpus to be answered.

    The dense floor belongs to the embedder (e5 similarities are compressed: unrelated questions still score
    ~0.82); the BM25 floor needs a rare shared term whatever the embedder.
    """

    min_dense: float = 0.0
    min_bm25: float = 6.0


@dataclass(frozen=True)
class AnswerPlan:
    """What to answer and from which clauses; `parts` holds one plan per city for comparisons."""

    kind: str
    query: Query
    focus: Hit | None = None  # the clause the answer rests on
    hits: tuple[Hit, ...] = ()
    calculation: Any | None = None
    award_label: str | None = None  # the fixed award a calculation paid, to quote its sentence
    document: Document | None = None  # validity and document facts: the policy document
    lead_note: bool = False  # the document says its first-listed responsible unit leads
    city: str | None = None
    parts: tuple["AnswerPlan", ...] = ()
    match: Any | None = None  # the policy check of a profile-like message (assistant.matching.MatchResult)
    missing_topics: tuple[str, ...] = ()  # topics the city's clauses do not speak of (NOT_IN_CITY)
    also: tuple[Query, ...] = ()  # further asks answered from the same clause ("总额多少?上限多少?")
    # the programme's clause a policy without a stacking rule is asked about; NOT_IN_CITY: its clause in the city
    # talked about before
    related: Hit | None = None
    more: tuple[Any, ...] = ()  # further awards of the same clause set beside `calculation` ("比省级的多多少?")
    # a comparison's city: the most its clause pays the asker, when no sum was said; a calculation whose figure the
    # asker checks as the most they can get: its rule's cap
    cap: Decimal | None = None
    excluded: Any | None = None  # a quote: the exclusion of its clause's rule the asker meets (calculator Exclusion)
    period: Any | None = None  # "三年加起来最多?": the calculation of the yearly cap times the years it lasts

    @property
    def figures(self) -> tuple[Decimal, ...]:
        """The sums set side by side: the calculator's eligible results, else each city's cap ("年度上限差多少?")."""
        results = tuple(Decimal(str(c.result_yuan)) for c in self.calculations if c.eligible)
        caps = tuple(p.cap for p in self.parts if p.cap is not None)
        return results if len(results) >= 2 or not caps else results + caps

    @property
    def states_gap(self) -> bool:
        """A comparison of two cities' figures, which its answer sets apart itself ("嘉兴给得更多,多出…")."""
        return self.kind == COMPARE and len(self.figures) == 2

    @property
    def calculations(self) -> tuple[Any, ...]:
        own = (self.calculation, *self.more) if self.calculation is not None else ()
        own += (self.period,) if self.period is not None else ()
        return own + tuple(c for p in self.parts for c in p.calculations)


class Planner:
    """Decides the answer kind for one corpus."""

    def __init__(
        self,
        catalogue: Catalogue,
        retriever: QueryRetriever,
        chooser: CalculationChooser,
        relevance: Relevance,
        lexicon: Lexicon | None = None,
        max_compared_cities: int = 6,  # an unnamed "compare the cities" over 300 cities would take seconds
        matcher: Any | None = None,  # assistant.matching.Matcher: runs the policy check for profile-like messages
    ) -> None:
        self.matcher = matcher
        self.catalogue = catalogue
        self.retriever = retriever
        self.chooser = chooser
        self.relevance = relevance
        self.lex = lexicon or load_lexicon()
        self.max_compared_cities = max_compared_cities

    def worth_searching(self, query: Query) -> bool:
        """False when the question is outside the corpus before any clause is read."""
        return not (query.off_topic or (query.outside_places and not query.cities))

    def plan(self, query: Query, hits: Sequence[Hit], anchor: Hit | None = None) -> AnswerPlan:
        """`anchor`: the clause the ask before this one rests on, when this one continues it."""
        plan = self._plan(query, tuple(hits), anchor)
        if (plan.kind in (CALCULATION, QUOTE) and plan.focus is not None and self.lex.asks_period_total(query.text)
                and (period := self.chooser.period(query, plan.focus)) is not None):
            plan = replace(plan, period=period)
        return plan

    def _plan(self, query: Query, hits: tuple[Hit, ...], anchor: Hit | None) -> AnswerPlan:
        if any(getattr(a, "out_of_range", False) for a in query.amounts):
            return AnswerPlan(AMOUNT_OUT_OF_RANGE, query, hits=hits)
        if self.worth_searching(query) and self.matcher is not None and self._describes_enterprise(query):
            result = self.matcher.match_text(query.text)
            if result.by_status("eligible"):
                return AnswerPlan(PROFILE_CHECK, query, hits=hits, match=result)
        if self.worth_searching(query) and self._vague(query):
            return AnswerPlan(OVERVIEW, query, hits=hits, parts=self._described(query, hits))
        if not self.worth_searching(query) or not hits or self._irrelevant(query, hits):
            return AnswerPlan(REFUSE, query, hits=hits)
        top = self._covering_all(query, hits)
        if self.lex.asks_which_more(query.text) and not money_figures(top.clause.text):
            # "哪个给得多?": answered by a clause that pays something
            top = next((h for h in hits[:COVERING_DEPTH] if money_figures(h.clause.text)), top)
        if self._asks_stacking(query):
            # a policy that states no rule for combining measures is said to state none, not answered with a measure
            if len(query.cities) < 2:
                return self._stacking(query, self._conversation_document(query, top), hits)
            # "杭州和嘉兴能叠加吗?": each city's own principle
            parts = tuple(self._stacking(query, h[0].document, h, c) for c, h in self._hits_per_city(query, query.cities))
            return AnswerPlan(PER_CITY, query, hits=hits, parts=parts)
        if (each := self._per_programme(query, hits)) is not None:
            return each
        # "那另一个人呢?" asks again what the last turn asked, not what the turns before it asked
        last_ask = replace(query, rewritten=f"{query.previous.text} {query.text}") if (
            query.followup == "ellipsis" and query.previous is not None) else query
        if not query.amounts and (asks_count(last_ask) or asks_target(last_ask)):
            if query.followup != "this" and anchor is None:
                return self._counted(query, self._count_candidates(query, hits), hits)
            own = replace(query, rewritten=query.text)  # its own words ask it, not the subject it carries
            if (query.followup == "this" and query.qtype not in DOCUMENT_QUESTION_TYPES and (asks_count(own) or asks_target(own))
                    and (earlier := anchor or self._earlier_clause(query)) is not None):
                # "它说政策支持一共有几个方面?": counted in the document the conversation (or the message's ask before
                # this one) is on, its clause first
                in_document = [earlier, *(h for h in self._document_hits(earlier.document.doc_id) if h.clause.clause_id != earlier.clause.clause_id)]
                in_document += [h for h in self._explained_counts(own, [earlier.document]) if h not in in_document]
                return self._counted(query, in_document, hits)
        if (query.followup == "city" and query.qtype not in PER_DOCUMENT_TYPES
                and (same := self._same_part_elsewhere(query, hits, anchor)) is not None):
            return AnswerPlan(QUOTE, query, focus=same, hits=hits)
        continued = on_earlier = False
        if anchor is not None and query.followup != "city":
            top, continued = self._continued(anchor, query, hits), True
        elif query.followup in ("this", "ellipsis") and (earlier := self._earlier_clause(query)) is not None:
            top, continued = self._continued(earlier, query, hits), True
            on_earlier = top.clause.clause_id == earlier.clause.clause_id
        if query.qtype == "interpretation" and top.document.kind != "interpretation":
            top = self._in_interpretation(query, top, hits)
        switched = self._switched_from(query)
        if (query.followup == "city" or switched is not None) and not any(
                self._covers_topics(h, query, every=True) for h in hits[:3]):
            missing = tuple(t for t in query.topics if not any(self._covers_topics(h, replace(query, topics=(t,))) for h in hits[:3]))
            return AnswerPlan(
                NOT_IN_CITY, query, focus=top, hits=hits, city=query.cities[0] if query.cities else None,
                missing_topics=missing, related=self._programme_clause(switched) if switched is not None else None,
            )
        if self._compares(query, hits):
            return self._comparison(query, hits)
        if len(query.cities) >= 2 and query.qtype in PER_DOCUMENT_TYPES:
            parts = tuple(self._by_type(query, h[0], h, city=c) for c, h in self._hits_per_city(query, query.cities))
            return AnswerPlan(PER_CITY, query, hits=hits, parts=parts)
        # who handles it, until when, which document: a figure in such a question describes the measure
        # "这个有上限吗?": a continuing ask computes from the clause it continues, never from another hit
        # the clause chosen over the best hit is read first, when it pays anything the calculator knows
        first = (top,) if self.chooser.rules.by_clause(top.clause.clause_id) else ()
        asked = (top,) if continued else (*first, *(h for h in hits if h not in first))
        if query.qtype not in DOCUMENT_QUESTION_TYPES and (awards := self._several_awards(query, asked)):
            focus = next((h for h in (top, *hits) if h.clause.clause_id == awards[0].clause_id), top)
            return AnswerPlan(CALCULATION, query, focus=focus, hits=hits, calculation=awards[0], more=awards[1:])
        calc = self.chooser.choose(query, asked) if query.qtype not in DOCUMENT_QUESTION_TYPES else None
        if calc is not None:
            focus = next((h for h in (top, *hits) if h.clause.clause_id == calc.clause_id), None)
            award = self.chooser.applied_award(calc)
            # "所以最多就100万是吧?": a figure checked as the most one can get is checked against the cap; "最多能到
            # 多少?" when the text leaves the amount open (an unpublished rate) is answered with the cap
            most = (query.checked or calc.amount_open) and self.lex.has_cue("asks_most", query.text.lower())
            return AnswerPlan(
                CALCULATION, query, focus=focus or self.catalogue.hit(calc.clause_id), hits=hits, calculation=calc,
                award_label=award.zh if award is not None else None, cap=self.chooser.cap(calc, query) if most else None,
            )
        plan = self._by_type(query, top, hits, cites_focus=on_earlier)
        if plan.kind == QUOTE and plan.focus is not None and query.qtype in ("rate", "eligibility"):
            # "我们是自建自用的算力,能申请吗?": the exclusion the asker meets is the answer, the clause its ground
            plan = replace(plan, excluded=self.chooser.exclusion(query, plan.focus))
        return plan

    # -- kinds ---------------------------------------------------------------------------------
    def _stacking(self, query: Query, document: Document, hits: Sequence[Hit], city: str | None = None) -> AnswerPlan:
        """How the measures of `document`'s policy combine: its stacking clause, or none when it states no rule —
        with the clause of the programme asked about, which may speak of other support ("优先支持获省算力券补助的企业")."""
        rule = self.catalogue.stacking_clause(document)
        named = replace(query, topics=self.lex.programmes(query.topics))
        related = None if rule is not None or not named.topics else next((
            h for h in hits[:COVERING_DEPTH]
            if h.document.doc_id == document.doc_id and self._covers_topics(h, named)), None)
        return AnswerPlan(
            STACKING, query, focus=rule, hits=tuple(hits), city=city, document=self.catalogue.policy_doc(document),
            related=related,
        )

    def _by_type(
        self, query: Query, top: Hit, hits: Sequence[Hit], city: str | None = None, cites_focus: bool = False,
    ) -> AnswerPlan:
        """`cites_focus`: `top` is the clause the conversation was on ("这个是哪个文件里的?" cites it, not the notice)."""
        hits = tuple(hits)
        wide = self._policy_wide(query, top.document if city else self._conversation_document(query, top))
        if wide is not None:
            return AnswerPlan(QUOTE, query, focus=wide, hits=hits, city=city)
        # "which two stay in force?" asks for names, whatever kind its other words give it
        names_entry = self._names_entry(query)
        lists = query.qtype in ("rate", "doc_meta") or names_entry
        listed = self.catalogue.attachment_of(top) if lists else None
        if listed is None and names_entry:
            # "第二件是什么文件?" in a conversation on a notice: an entry of the list the notice attaches
            listed = next((h for h in self._document_hits(top.document.doc_id) if h.clause.kind == "attachment"), None)
        if listed is not None and self._asks_listed(query, listed):
            return AnswerPlan(QUOTE, query, focus=listed, hits=hits, city=city)
        if query.qtype == "responsible":
            target = top if (top.clause.responsible_units or query.followup == "this") else next(
                (h for h in hits[:3] if h.clause.responsible_units), None) or self._naming_units(query, top)
            return AnswerPlan(
                RESPONSIBLE, query, focus=target, hits=hits, city=city,
                lead_note=self.catalogue.lead_listed_first(target.document),
            )
        if query.qtype == "dates" and self._asks_clause_date(top.clause, query):
            return AnswerPlan(CLAUSE_DATE, query, focus=top, hits=hits, city=city)
        if query.qtype == "dates":
            doc = self.catalogue.policy_doc(self._counterpart(query, top))
            focus = self.catalogue.validity_clause(doc)
            if focus is None and not (doc.validity_text or doc.effective_from or doc.issued_on):
                # "挂职多久?" of an appointment notice that states no validity: the clause's own words answer it
                return AnswerPlan(QUOTE, query, focus=top, hits=hits, city=city)
            return AnswerPlan(VALIDITY, query, focus=focus or top, hits=hits, document=doc, city=city)
        if query.qtype == "doc_meta":
            pointed = query.followup and self.lex.has_cue("points_to_document", query.text.lower())
            doc = self.catalogue.policy_doc(
                self._conversation_document(query, top) if pointed else self._counterpart(query, top))
            # "这个是哪个文件里的?" cites the clause talked about; "这个政策文号多少?" the document
            on_clause = cites_focus and not (self.lex.has_cue("names_document", query.text)
                                             or self.lex.has_cue("document_facts", query.text))
            focus = top if on_clause else self.catalogue.first_clause(doc) or top
            return AnswerPlan(DOC_META, query, focus=focus, hits=hits, document=doc, city=city)
        return AnswerPlan(QUOTE, query, focus=top, hits=hits, city=city)

    def _per_programme(self, query: Query, hits: Sequence[Hit]) -> AnswerPlan | None:
        """"这两个都是经信局管吗?", "這兩個每年各最多選幾家?" after two programmes of one city: a responsible-unit or
        count answer for each programme, from its own best clause, when no clause speaks of them all."""
        programmes = self.lex.programmes(query.topics)
        counts = asks_count(replace(query, rewritten=query.text)) and not query.amounts
        if (query.qtype != "responsible" and not counts) or len(query.cities) > 1 or len(programmes) < 2:
            return None
        if any(self._covers_topics(h, query, every=True) for h in hits[:COVERING_DEPTH]):
            return None
        parts = []
        for topic in programmes:
            own = replace(query, topics=(topic,))
            found = [h for h in hits if self._covers_topics(h, own)]
            if not found:
                return None
            if counts:
                counted = self._counting_clause(own, found[:FOCUS_DEPTH])
                parts.append(AnswerPlan(QUOTE, own, focus=counted, hits=tuple(hits)))
            else:
                parts.append(self._by_type(own, found[0], hits))
        return AnswerPlan(PER_PROGRAMME, query, hits=tuple(hits), parts=tuple(parts))

    def _comparison(self, query: Query, hits: Sequence[Hit]) -> AnswerPlan:
        talked = talked_cities(query)  # "which city gives more?" after turns on two cities: those cities
        cities = query.cities if len(query.cities) >= 2 else talked if len(talked) >= 2 else self._compared_cities(hits)
        per_city = list(self._hits_per_city(query, cities, hits))
        part_kind = self._same_part(query, per_city)
        # "差多少?" of a programme: each city's figure is needed
        low = query.text.lower()
        apart = bool(query.topics) and self.lex.has_cue("asks_difference", low)
        # "we were recognised at provincial level: what would each city pay?": the award each pays the asker, when the
        # question itself names the level or role that selects it
        pays = (
            bool(query.topics) and self.lex.has_cue("amount_question", query.rewritten or query.text)
            and any(w in low for w in self.lex.slot_words)
        )
        parts = []
        for city, city_hits in per_city:
            on_topic = [h for h in city_hits if self._covers_topics(h, query)]
            on_topic = [h for h in on_topic if self._covers_topics(h, query, every=True)] or on_topic
            # "谁力度大?", "奖多少?": the clause that pays (one the calculator has rules for, else one stating sums),
            # not a goal ("营收规模突破1000亿元") or a task naming the topic
            if self.lex.asks_which_more(query.text) or self.lex.has_cue("amount_question", query.rewritten or query.text):
                on_topic.sort(key=lambda h: (not self.chooser.rules.by_clause(h.clause.clause_id), not money_figures(h.clause.text)))
            if not on_topic and (talked := self._talked_about_in(query, city)) is not None:
                # "郑州对重大科技专项咋支持的,跟杭州比?" after turns on 杭州's R&D matching: what was discussed there
                parts.append(AnswerPlan(CITY_LINE, query, focus=talked, hits=(talked,), city=city))
                continue
            if not on_topic:  # the city has no such programme: say so, never fill in another clause
                parts.append(AnswerPlan(CITY_LINE, query, city=city))
                continue
            wide = self._policy_wide_in_city(query, city, city_hits)
            if wide is None and self._asks_policy_wide(query):
                parts.append(AnswerPlan(CITY_LINE, query, city=city))  # its policies state no such thing
                continue
            calc = self.chooser.choose(query, on_topic) if query.amounts else None
            cap = None
            if calc is None and not query.amounts and wide is None and (apart or pays):
                calc, cap = self._figure_in(query, city, on_topic[0])  # "嘉兴能多拿多少?" of awards or caps
            focus = self.catalogue.hit(calc.clause_id) if calc is not None else wide or (
                self._part_of_kind(city_hits, part_kind) if part_kind else None) or on_topic[0]
            parts.append(AnswerPlan(CITY_LINE, query, focus=focus, hits=tuple(on_topic), calculation=calc, city=city, cap=cap))
        return AnswerPlan(COMPARE, query, hits=tuple(hits), parts=tuple(parts))

    def _figure_in(self, query: Query, city: str, hit: Hit) -> tuple[Any | None, Decimal | None]:
        """The award or cap `hit` pays the asker in `city`: read from the latest earlier turn about that city and
        programme when there is one ("嘉兴新的国家级制造业创新中心给多少?" chose its award), with the options said
        now; else from the question."""
        turn = next((t for t in earlier_turns(query) if t.cities == (city,) and set(t.topics) & set(query.topics)), None)
        if turn is not None:
            calc, cap = self.chooser.figure(replace(turn, lang=query.lang, options={**turn.options, **query.options}), hit)
            if calc is not None or cap is not None:
                return calc, cap
        return self.chooser.figure(query, hit)

    def _talked_about_in(self, query: Query, city: str) -> Hit | None:
        """The clause of the programme the conversation discussed in `city`, when an earlier turn asked about one
        there (another programme than the comparison names)."""
        turn = query.previous
        while turn is not None:
            programmes = self.lex.programmes(turn.topics)
            if turn.cities == (city,) and programmes and not set(programmes) & set(query.topics):
                found = self.retriever.retrieve(turn, k=1, cities=(city,))
                return found[0] if found and self._covers_topics(found[0], turn) else None
            turn = turn.previous
        return None

    @staticmethod
    def _same_part(query: Query, per_city: Sequence[tuple[str, list[Hit]]]) -> str | None:
        """A comparison naming no programme ("两地同类政策重叠怎么处理?", "资金从哪里出?") asks about the same part of
        each city's policy: the kind of the clause that shares the most wording with the question (its closing
        provisions, its preamble, its goals), when it is such a part."""
        if query.topics or not per_city:
            return None
        best = max((h for _, city_hits in per_city for h in city_hits), key=lambda h: h.bm25_score)
        return best.clause.kind if best.clause.kind in SHARED_PARTS else None

    def _counterpart(self, query: Query, top: Hit) -> Document:
        """"嘉兴的呢?" after the validity of 郑州's AI measures: the new city's document most like the one talked
        about (by its title's wording), not whichever of its documents ranks first; else the best hit's."""
        if query.followup != "city" or self.lex.programmes(query.topics):
            return top.document
        earlier = self._earlier_clause(query)
        if earlier is None or earlier.document.city == top.document.city:
            return top.document
        talked = bigrams(self.catalogue.policy_doc(earlier.document).title)
        same_kind = [d for d in self.catalogue.documents_of(top.document.city) if d.kind == earlier.document.kind]
        best = max(same_kind, key=lambda d: len(talked & bigrams(d.title)), default=None)
        return best if best is not None and talked & bigrams(best.title) else top.document

    def _policy_wide(self, query: Query, document: Document) -> Hit | None:
        """The clause answering an ask about a policy as a whole ("资金从哪里列支?", "谁牵头组织实施?") when the
        question names no programme, or names the document (the lexicon's `policy_wide_asks`)."""
        if not self._asks_policy_wide(query):
            return None
        return self.catalogue.policy_wide_clause(document, self.lex.policy_wide_ask(query.text))

    def _asks_policy_wide(self, query: Query) -> bool:
        # a programme the question names itself, not one a follow-up carries ("这个钱是谁出的?")
        programme = not query.followup and bool(self.lex.programmes(query.topics))
        return self.lex.policy_wide_ask(query.text) is not None and (
            not programme or self.lex.has_cue("names_document", query.text))

    def _policy_wide_in_city(self, query: Query, city: str, city_hits: Sequence[Hit]) -> Hit | None:
        """`_policy_wide` for a city: in the policies of its best clauses first, then in its other policies."""
        documents = dict.fromkeys((*(h.document for h in city_hits), *self.catalogue.documents_of(city)))
        return next(filter(None, (self._policy_wide(query, d) for d in documents)), None)

    def _same_part_elsewhere(self, query: Query, hits: Sequence[Hit], anchor: Hit | None) -> Hit | None:
        """"嘉兴那边又是按什么原则?" after an answer from 杭州's closing provisions: the same part of the new city's
        policy, when the question names no programme and the earlier answer rested on such a part."""
        if self.lex.programmes(query.topics) or not hits:
            return None
        earlier = anchor or self._earlier_clause(query)
        if earlier is None or earlier.clause.kind not in SHARED_PARTS:
            return None
        elsewhere = [h for h in hits if h.document.city in query.cities and h.document.city != earlier.document.city]
        return self._part_of_kind(elsewhere, earlier.clause.kind) if elsewhere else None

    def _part_of_kind(self, city_hits: Sequence[Hit], kind: str) -> Hit | None:
        """The city's clause of that kind: among its best clauses, else in the policy its best clause belongs to."""
        found = next((h for h in city_hits if h.clause.kind == kind), None)
        if found is not None:
            return found
        doc = self.catalogue.policy_doc(city_hits[0].document)
        return next((h for h in self._document_hits(doc.doc_id) if h.clause.kind == kind), None)

    def _in_interpretation(self, query: Query, top: Hit, hits: Sequence[Hit]) -> Hit:
        """"And what number do I call about it?": an interpretation question is answered from the interpretation of the
        policy the answer is about — its clause that holds most of the question's words — when there is one."""
        interpretation = self.catalogue.interpretation_of(top.document)
        if interpretation is None:
            return top
        # its clause holding most of the ask's own words, with the clauses' words for them ("哪个单位出的" → 机关), not
        # the subject a follow-up carries; among equals the best retrieved
        retrieved = [h.clause.clause_id for h in hits]
        clauses = sorted(self._document_hits(interpretation.doc_id), key=lambda h: (
            retrieved.index(h.clause.clause_id) if h.clause.clause_id in retrieved else len(retrieved)))
        asked = " ".join([query.text, *self.lex.clause_words(query.text)])
        scores = self.retriever.own_word_scores(replace(query, rewritten=asked), clauses)
        return max(zip(scores, range(len(clauses)), clauses), key=lambda t: (t[0], -t[1]))[2] if clauses else top

    def _naming_units(self, query: Query, top: Hit) -> Hit:
        """A department question whose best clauses name no unit: a clause further down that names units and shares at
        least as much of the question's wording ("…拿混合产业用地,归哪个部门管?"), else the best clause."""
        own = bigrams(query.text)
        deeper = [h for h in self.retriever.retrieve(query, k=UNITS_DEPTH) if h.clause.responsible_units]
        best = max(deeper, key=lambda h: len(own & bigrams(h.clause.text)), default=None)
        if best is not None and len(own & bigrams(best.clause.text)) >= len(own & bigrams(top.clause.text)):
            return best
        return top

    def _covering_all(self, query: Query, hits: Sequence[Hit]) -> Hit:
        """The best clause, or among the next few the first that speaks of every programme the question names when the
        best speaks of only some ("建智算中心找银行贷了款,有贴息吗?" is about the loan for compute infrastructure, not
        the compute voucher); a question quoting a phrase ("老提“135N”,指的啥?") is about the clause that holds it."""
        if (phrases := [p.lower() for p in quoted(query.text)]) and not _holds(hits[0], phrases):
            if (holding := next((h for h in hits[1:COVERING_DEPTH] if _holds(h, phrases)), None)) is not None:
                return holding
        # …and so does the best clause for a figure question that carries the conversation's sums and options to a
        # programme it names ("And if we lead a national technology innovation centre instead?")
        carried = query.followup in ("option", "amount") and query.qtype not in DOCUMENT_QUESTION_TYPES
        if len(self.lex.programmes(query.topics)) < (1 if carried else 2) or self._covers_topics(hits[0], query, every=True):
            return hits[0]
        return next((h for h in hits[1:COVERING_DEPTH] if self._covers_topics(h, query, every=True)), hits[0])

    def _asks_listed(self, query: Query, attachment: Hit) -> bool:
        """Asks about what an attachment lists ("附件里那份讲保险理赔的文件文号"), not the document's own facts: names
        the attachment or an entry by its place, or holds wording of its entries that the document's title does not
        (cue words left out)."""
        if "附件" in query.text or self._names_entry(query):
            return True  # "第二件是什么文件?", "which one on that list": an entry of the list
        own = bigrams(without_words(query.text, self.lex.question_types["doc_meta"]["zh"]))
        return bool((own - bigrams(attachment.document.title)) & bigrams(attachment.clause.text))

    def _names_entry(self, query: Query) -> bool:
        """Names an entry of a list by its place ("第二件", "the other one"), names the list ("这份清单里") or asks
        the names of what was counted ("分别叫啥", "which two")."""
        low = query.text.lower()
        return bool(_ORDINAL_ITEM.search(query.text)) or asks_names(query.text) or self.lex.has_cue("names_list", low)

    def _several_awards(self, query: Query, asked: Sequence[Hit]) -> tuple[Any, ...]:
        """The awards set side by side, of the best clause; else, after a detour ("政策啥时候到期?" then "那两个加起来
        一共多少?"), of the clause of the latest earlier turn whose awards they are."""
        awards = self.chooser.several_awards(query, asked)
        if awards or query.amounts or not self.chooser.asks_several(query):
            return awards
        for turn in earlier_turns(query):
            answered = self._answered_in(turn)
            if answered is not None and (found := self.chooser.several_awards(query, (answered,))):
                return found
        return awards

    def _switched_from(self, query: Query) -> Query | None:
        """The earlier turn on the programme asked about in another city, when the question asks about it in a city of
        its own ("嘉兴也有个园区,同样是省级示范基地,嘉兴那边能奖多少?", "moving to Zhengzhou: the same reward there?"),
        in whatever words; None when it switches no city."""
        if len(query.cities) != 1 or not (query.followup == "city" or self.lex.programmes(query.topics)):
            return None
        elsewhere = [t for t in earlier_turns(query) if t.cities and query.cities[0] not in t.cities]
        named = next((t for t in elsewhere if set(t.topics) & set(query.topics)), None)
        if named is not None or query.followup != "city" or not elsewhere:
            return named
        # the conversation said the programme in other words ("模型刚在网信办那边登记下来了"): the latest turn elsewhere,
        # when the clause its answer rested on speaks of it
        answered = self._answered_in(elsewhere[0])
        return elsewhere[0] if answered is not None and self._covers_topics(answered, query) else None

    def _programme_clause(self, turn: Query) -> Hit | None:
        """The clause an earlier turn's programme rests on in its city: the one its answer rested on, else its best."""
        answered = self._answered_in(turn)
        if answered is not None and answered.document.city in turn.cities[:1] and self._covers_topics(answered, turn):
            return answered
        found = self.retriever.retrieve(turn, k=1, cities=turn.cities[:1])
        return found[0] if found and self._covers_topics(found[0], turn) else None

    def _covers_topics(self, hit: Hit, query: Query, every: bool = False) -> bool:
        """The clause speaks of a topic the question names — of every one with `every` (a word of 3+ characters,
        or a 2-character word that is a word of the clause, so 融资 is not found in 金融资本)."""
        topics = self.lex.programmes(query.topics)
        if not topics:
            return True
        words = set(segment(hit.clause.text))

        def covered(topic_id: str) -> bool:
            return any(
                (len(term) >= 3 and term in hit.clause.text) or (len(term) == 2 and term in words)
                for term in self.lex.topic(topic_id).zh
            )

        return all(map(covered, topics)) if every else any(map(covered, topics))

    # -- decisions -----------------------------------------------------------------------------
    def _vague(self, query: Query) -> bool:
        """Asks what support there is without naming a programme: gets an overview, not a refusal."""
        low = query.text.lower()
        # "这几个城市哪个对初创企业最友好?", "which city suits us best?": which place suits the asker, no programme named
        best_place = self.lex.has_cue("asks_best_place", low) and self.lex.has_cue("suits_best", low)
        kinds = ("rate", "eligibility", "compare") if best_place else ("rate", "eligibility")
        if query.topics or query.amounts or query.followup or query.qtype not in kinds:
            return False
        asks_what = "|".join(re.escape(w.strip()) for w in self.lex.cue("asks_what"))
        support = "|".join(re.escape(w) for w in self.lex.cue("support_words"))
        # "有什么补贴", "哪些人工智能扶持政策", "what kind of subsidies": asks which support exists, names none
        gap = 24 if query.lang == "en" else 8  # English words are longer: about three words
        asks_for_support = re.search(rf"(?:{asks_what})[^,。;,.?!??!]{{0,{gap}}}?(?:{support})", low) is not None
        # "还有别的补贴吗?", "anything else we could apply for?"
        asks_other = self.lex.has_cue("asks_other", low) and self.lex.has_cue("support_words", low)
        return asks_for_support or asks_other or best_place or (
            self.lex.has_cue("self_reference", low) and self.lex.has_cue("support_words", low))

    def _described(self, query: Query, hits: Sequence[Hit]) -> tuple[AnswerPlan, ...]:
        """"我们是做大模型应用的小公司,有啥能沾上边的?": for each city asked about (every city when none is), the
        clause nearest to what the asker says they do: the one holding most of the description's rare words ("大模型",
        "液冷服务器"), among equals one that pays, then the better ranked."""
        # what the asker says it does: the words after 做/从事/研发… ("做大模型应用的", "在嘉兴做工业机器人")
        done = " ".join(m.group(1) for m in _DOES.finditer(query.text))
        described = {t for t in segment(without_words(done, self.lex.cue("asker_words"))) if len(t) >= 2}
        rare = {t for t in described if 0 < self.catalogue.share_holding(t) <= RARE_TERM_SHARE}
        if not rare:
            return ()
        ranked = {h.clause.clause_id: n for n, h in enumerate(hits)}

        def nearness(hit: Hit) -> tuple[int, bool, int]:
            pays = bool(self.chooser.rules.by_clause(hit.clause.clause_id) or money_figures(hit.clause.text))
            return sum(len(t) for t in rare if t in hit.clause.text), pays, -ranked.get(hit.clause.clause_id, len(hits))

        parts = []
        for city in query.cities or self.catalogue.cities:
            holding = [self.catalogue.hit(c.clause_id) for d in self.catalogue.documents_of(city)
                       for c in self.catalogue.clauses_of(d.doc_id) if any(t in c.text for t in rare)]
            if holding:
                held = sorted(holding, key=nearness, reverse=True)
                parts.append(AnswerPlan(CITY_LINE, query, focus=held[0], hits=tuple(held), city=city))
        return tuple(parts)

    def _describes_enterprise(self, query: Query) -> bool:
        """"我们是杭州的软件企业,签了1000万元国产算力合同,大模型刚备案": facts about us, no question."""
        low = query.text.lower()
        return (
            not query.followup and self.lex.has_cue("self_reference", low) and not self.lex.has_cue("asks_any", low)
            and bool(query.amounts or query.topics)
        )

    def _continued(self, anchor: Hit, query: Query, hits: Sequence[Hit]) -> Hit:
        """The clause a continuing ask rests on: the earlier ask's clause, unless this ask's best clause is another
        clause of the same document that holds more of this ask's own wording ("解读机关是谁?解读人是谁?"), or a
        clause of its interpretation when the ask is about the interpretation ("这个方案的政策解读是哪个单位出的?")."""
        if not hits or hits[0].clause.clause_id == anchor.clause.clause_id:
            return anchor
        # the words asking who handles it ("归哪个部门管?") are no wording of the clause it asks about
        asking = self.lex.question_types["responsible"]["zh"] if query.qtype == "responsible" else ()
        own = bigrams(without_words(query.text, asking))

        def held(hit: Hit) -> int:
            return len(own & bigrams(hit.clause.text))

        same_document = hits[0].document.doc_id == anchor.document.doc_id
        if not same_document:
            explains = self.catalogue.policy_doc(hits[0].document).doc_id == self.catalogue.policy_doc(anchor.document).doc_id
            if explains and query.qtype == "interpretation":
                return hits[0]  # "这个方案的政策解读是哪个单位出的?": answered from the interpretation of that plan
        elif query.qtype == "responsible" and bool(anchor.clause.responsible_units) != bool(hits[0].clause.responsible_units):
            # "这个归哪些部门管?": a clause naming no unit cannot answer it (after a detour to the stacking rule, the
            # programme's clause does), whatever words it shares
            return anchor if anchor.clause.responsible_units else hits[0]
        # "有问题打什么电话?" after "解读机关是哪个?": the ask's own words find their clause in the document talked
        # about (the best hit first among equals), also when the subject it carries drew the search elsewhere
        if (query.topics and self._covers_topics(anchor, query) and self.chooser.rules.by_clause(anchor.clause.clause_id)
                and self.lex.has_cue("amount_question", query.text.lower())):
            # "做工业视觉检测的,这种情况能拿多少?": how much, of the programme kept from the turns before, is what its
            # clause pays; the story's other words do not move the answer to another clause
            return anchor
        candidates = ([hits[0]] if same_document else []) + self._document_hits(anchor.document.doc_id)
        best = max(candidates, key=held)
        if query.qtype not in DOCUMENT_QUESTION_TYPES:
            # "眭永华是去哪个管委会挂职?" after a detour to another document: searched by its own words alone, a clause
            # of another document holding more of them than the document talked about does is what it asks about
            alone = self.retriever.retrieve(replace(query, rewritten=query.text), k=1)
            if alone and alone[0].document.doc_id != anchor.document.doc_id and held(alone[0]) > max(held(best), held(anchor)) + 1:
                return alone[0]
        return best if held(best) > held(anchor) else anchor

    def _counting_clause(self, query: Query, hits: Sequence[Hit]) -> Hit:
        """The clause whose sentence best states the count or target asked, among the hits that share about as much
        of the question's own wording as the best one (at least half its BM25 score, topic expansions left out: a
        target question naming 营收 is not about the revenue award): a clause that merely states some count or
        year must not outrank the clause the question names. Ties go to the clause holding more of the question's own
        words, then to the higher BM25 score."""
        own = self.retriever.own_word_scores(query, hits)
        top = max(own, default=0.0)
        peers = [(h, s) for h, s in zip(hits, own) if top <= 0 or s >= top * LEXICAL_PEER_SHARE]

        def strength(peer: tuple[Hit, float]) -> tuple[int, int, float]:
            return answer_strength(peer[0].clause, query), own_terms_held(peer[0].clause, query), peer[1]

        return max(peers, key=strength)[0]

    def _counted(self, query: Query, candidates: Sequence[Hit], hits: Sequence[Hit]) -> AnswerPlan:
        """A count or target question answered from the candidate that states it best; a figure target asked of
        a clause that sets none (a policy stating only its aim) is said to set none."""
        focus = self._counting_clause(query, candidates)
        unquantified = asks_target(query) and asks_figure(query) and not states_figures(focus.clause, query)
        return AnswerPlan(AIM if unquantified else QUOTE, query, focus=focus, hits=hits)

    def _count_candidates(self, query: Query, hits: Sequence[Hit]) -> list[Hit]:
        """A count or target question's candidates: the best hits, then further hits stating the very count asked
        (a plan's tasks outrank the summary that counts them, "从五个方面提出十五项重点任务"), then the target
        sections of their documents (a question on a plan's 2027 revenue target may find the plan's revenue award
        before the section that sets the target)."""
        candidates = list(hits[:FOCUS_DEPTH])
        if asks_count(query):
            deeper = hits if len(hits) >= COUNT_DEPTH else self.retriever.retrieve(query, k=COUNT_DEPTH)
            stating = [h for h in deeper[FOCUS_DEPTH:COUNT_DEPTH] if states_count(h.clause, query)]
            stating += self._explained_counts(query, [h.document for h in hits[:FOCUS_DEPTH]])
            candidates += [h for h in stating if all(h.clause.clause_id != c.clause.clause_id for c in candidates)]
        if not asks_target(query):
            return candidates
        for document in dict.fromkeys(h.document for h in hits[:FOCUS_DEPTH]):
            for section in self.catalogue.goal_clauses(document):
                if all(c.clause.clause_id != section.clause.clause_id for c in candidates):
                    candidates.append(section)
        return candidates

    def _explained_counts(self, query: Query, documents: Sequence[Document]) -> list[Hit]:
        """The clauses of these documents' interpretations that state the count asked (a plan's interpretation counts
        its tasks: "从五个方面提出十五项重点任务")."""
        explained = dict.fromkeys(filter(None, (self.catalogue.interpretation_of(d) for d in documents)))
        return [hit for d in explained for c in self.catalogue.clauses_of(d.doc_id)
                if states_count((hit := self.catalogue.hit(c.clause_id)).clause, query)]

    def _conversation_document(self, query: Query, top: Hit) -> Document:
        """The document a follow-up is about: the one the earlier question's best clause is in ("这两个可以同时拿吗?"
        after questions on one plan's awards), else the best hit's."""
        earlier = self._earlier_clause(query) if query.followup else None
        if earlier is None or (query.cities and earlier.document.city not in query.cities):
            return top.document  # "嘉兴又是怎么规定的?": the new city's
        return earlier.document

    def _earlier_clause(self, query: Query) -> Hit | None:
        """The clause the answer to the question this follow-up follows rested on: the one that answer names or
        restates, among the best clauses for that question; the best one when the conversation records no answer."""
        return self._answered_in(query.previous) if query.previous is not None else None

    def _answered_in(self, turn: Query) -> Hit | None:
        """The clause an earlier turn's answer rested on: the one the answer names or restates, among the best
        clauses for that turn; the best one when the conversation records no answer."""
        earlier = self.retriever.retrieve(turn, k=FOCUS_DEPTH)
        if not earlier:
            return None
        # the sums the asker stated, which the reply repeats, tell no clause apart
        return answered_clause(turn.reply, earlier, self._document_hits, stated_sums(turn)) or earlier[0]

    def _document_hits(self, doc_id: str) -> list[Hit]:
        return [self.catalogue.hit(c.clause_id) for c in self.catalogue.clauses_of(doc_id)]

    def _asks_stacking(self, query: Query) -> bool:
        """How measures combine; not "同时拿到了A和B,哪个给得多?", which asks for their amounts, nor a department or
        document question that follows a stacking answer."""
        asks_more = self.lex.asks_which_more(query.text)
        carried = query.followup == "this" and query.qtype in DOCUMENT_QUESTION_TYPES  # "哪个部门受理?" after it
        return not asks_more and not carried and any(self.lex.topic(t).answer_kind == STACKING for t in query.topics)

    def _irrelevant(self, query: Query, hits: Sequence[Hit]) -> bool:
        if query.topics or query.followup or (query.cities and (query.qtype != "rate" or asks_target(query))):
            return False  # a city and a policy question's words (有效期, 文号, 哪个部门, 目标…) ask about its policy
        if any(q in h.clause.text for q in quoted(query.text) for h in hits[:3]):
            return False  # "「一中心二地」是指什么?": the words the question quotes are a clause's own
        mode = self.retriever.mode
        # A city alone does not make a question about policy ("杭州明天会下雨吗?"): it still needs a rare shared term.
        # Not for an English one, whose words the Chinese clauses cannot hold, nor by the dense floor, which the
        # city's own clauses pass on the city's name.
        lexical = not query.cities or query.lang != "en"
        weak_bm25 = mode != "dense" and lexical and max(h.bm25_score for h in hits) < self.relevance.min_bm25
        # the dense floor only where the dense side was read (it is skipped when BM25 is decisive)
        dense_read = mode != "bm25" and any(h.dense_rank is not None for h in hits)
        weak_dense = dense_read and not query.cities and max(h.dense_score for h in hits) < self.relevance.min_dense
        return weak_bm25 or weak_dense

    def _compares(self, query: Query, hits: Sequence[Hit]) -> bool:
        if query.qtype == "compare":
            return True
        if len(query.cities) >= 2 and query.qtype == "rate" and query.topics:
            return True  # "同样800万的合同,郑州跟杭州各能拿多少?": the programme in each city named, side by side
        if query.cities or query.followup or query.qtype not in ("rate", "eligibility"):
            return False
        return bool(query.topics) and len({h.document.city for h in hits[:3]}) >= 2

    def _asks_clause_date(self, clause: Clause, query: Query) -> bool:
        """A "when" question about one measure's own deadline ("专项经费提取到什么时候?"), not the policy's validity."""
        return not self.lex.has_cue("validity_question", query.rewritten or query.text) and bool(_YEAR.search(clause.text))

    def _compared_cities(self, hits: Sequence[Hit]) -> Sequence[str]:
        """Every city when there are few; otherwise the cities of the best hits (one search per city)."""
        cities = self.catalogue.cities
        if len(cities) <= self.max_compared_cities:
            return cities
        return list(dict.fromkeys(h.document.city for h in hits if h.document.city))[: self.max_compared_cities]

    def _hits_per_city(
        self, query: Query, cities: Sequence[str], hits: Sequence[Hit] = (),
    ) -> Iterator[tuple[str, list[Hit]]]:
        """(city, its best clauses) for each city with any: its clauses among the question's best `hits` first, then
        its own best three (the searcher embeds the query at most once)."""
        for city in cities:
            found = {h.clause.clause_id: h for h in hits[:FOCUS_DEPTH] if h.document.city == city}
            for h in self.retriever.retrieve(query, k=3, cities=(city,)):
                found.setdefault(h.clause.clause_id, h)
            if found:
                yield city, list(found.values())
