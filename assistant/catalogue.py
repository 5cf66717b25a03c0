"""The catalogue: documents, clauses and direct clause lookup over one loaded index.

Everything here is read off the index; nothing names a particular corpus. The overview (cities, document
titles, topic families present) feeds the refusal scope, the help for vague questions, the UI's header and
dropdowns and the LLM prompt, so adding a city's documents changes what the assistant says as well as what
it knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Iterable, Sequence

from assistant.errors import NotFoundError
from assistant.lexicon import Lexicon, WideAsk, load_lexicon
from assistant.profile import CorpusProfile
from assistant.types import ClauseView, Hit
from index.lifecycle import status_on
from index.models import Clause, Document
from index.store import LoadedIndex


@dataclass(frozen=True)
class Overview:
    """What the knowledge base covers, for scope sentences and help."""

    cities: tuple[str, ...]
    documents: int
    topics_zh: tuple[str, ...]  # topic families that occur in the clauses, most clauses first
    topics_en: tuple[str, ...]
    years: tuple[str, ...]  # issue years of the documents
    city_documents: tuple[tuple[str, int], ...] = ()  # (city, how many of the documents are its own)
    name_zh: str = "产业支持政策"  # what the knowledge base holds, from the corpus profile
    name_en: str = "industry support policies"

    def documents_of(self, cities: Sequence[str]) -> int:
        """How many documents these cities' policies make up (all of them when the counts are not known)."""
        counts = dict(self.city_documents)
        return sum(counts.get(c, 0) for c in cities) if counts else self.documents


class Catalogue:
    """Documents and clauses of one index, and lookups over them."""

    def __init__(self, index: LoadedIndex, profile: CorpusProfile | None = None, lexicon: Lexicon | None = None) -> None:
        self.index = index
        self.profile = profile or CorpusProfile()
        self.lex = lexicon or load_lexicon()
        self.documents: dict[str, Document] = index.documents
        self._clauses = index.clause_by_id()
        self._by_doc: dict[str, list[Clause]] = {}
        for clause in index.clauses:
            self._by_doc.setdefault(clause.doc_id, []).append(clause)
        self.cities: tuple[str, ...] = tuple(sorted({d.city for d in self.documents.values() if d.city}))
        self._conflicts: dict[str, list[str]] = {}  # clause → clauses of other documents in force that state other figures
        for a, b in index.manifest.get("conflicts", []):
            self._conflicts.setdefault(a, []).append(b)
            self._conflicts.setdefault(b, []).append(a)

    # -- clauses -------------------------------------------------------------------------------
    def clause(self, clause_id: str) -> ClauseView:
        clause = self._clauses.get(clause_id)
        if clause is None:
            example = next(iter(self._clauses), "doc-id#一.(三)")
            raise NotFoundError(f"no clause {clause_id!r}; ids look like {example!r} (see GET /v1/documents)")
        return ClauseView(clause, self.documents[clause.doc_id])

    def has_clause(self, clause_id: str) -> bool:
        return clause_id in self._clauses

    def hit(self, clause_id: str) -> Hit:
        """A clause as a citation the answer names directly (not ranked by retrieval)."""
        view = self.clause(clause_id)
        return Hit(clause=view.clause, document=view.document, score=1.0)

    def clauses_of(self, doc_id: str) -> list[Clause]:
        if doc_id not in self.documents:
            raise NotFoundError(f"no document {doc_id!r}")
        return list(self._by_doc.get(doc_id, ()))

    def document_clauses(self, doc_id: str) -> list[ClauseView]:
        return [ClauseView(c, self.documents[doc_id]) for c in self.clauses_of(doc_id)]

    def share_holding(self, term: str) -> float:
        """The share of the index's clauses whose text holds `term` (how little it tells clauses apart)."""
        clauses = self.index.clauses
        return sum(1 for c in clauses if term in c.text) / len(clauses) if clauses else 1.0

    def clause_counts(self) -> dict[str, int]:
        return {doc_id: len(clauses) for doc_id, clauses in self._by_doc.items()}

    def example_label(self) -> str:
        """A clause reference as hotline staff type it, from this corpus (for hints): "宁波 (三)"."""
        for clause in self.index.clauses:
            doc = self.documents[clause.doc_id]
            if doc.city and clause.kind == "item" and clause.label:
                return f"{doc.city} {clause.label}"
        return "(三)"

    # -- documents -----------------------------------------------------------------------------
    def status(self, doc: Document, on: date) -> str:
        """current | not_yet_effective | expired | superseded on a date (DESIGN §3)."""
        return status_on(doc, on, self.documents)

    def conflicts(self, clause_id: str, on: date) -> list[Hit]:
        """Clauses of other documents, in force on the date, whose figures differ from this clause's."""
        found = []
        for other in self._conflicts.get(clause_id, ()):
            hit = self.hit(other)
            if self.status(hit.document, on) == "current":
                found.append(hit)
        return found

    def lifecycle_note(self, doc: Document, on: date, lang: str) -> str | None:
        """A plain warning when an answer cites a document not in force on `on`; None when it is."""
        status = self.status(doc, on)
        title = doc.title if doc.title.startswith("《") else f"《{doc.title}》"
        newer = self.documents.get(doc.superseded_by or "")
        if status == "superseded" and newer is not None:
            newer_title = newer.title if newer.title.startswith("《") else f"《{newer.title}》"
            return (f"Note: {title} has been superseded by {newer_title}." if lang == "en"
                    else f"注意:{title}已被{newer_title}取代。")
        if status == "expired":
            until = doc.effective_until or ""
            return f"Note: {title} expired on {until}." if lang == "en" else f"注意:该文件{title}已于{until}失效。"
        if status == "not_yet_effective":
            start = doc.effective_from or ""
            return f"Note: {title} takes effect on {start}." if lang == "en" else f"注意:该文件{title}自{start}起施行,尚未生效。"
        return None

    def policy_doc(self, doc: Document) -> Document:
        """The policy an interpretation explains, else the document itself."""
        if doc.kind == "interpretation" and doc.related_doc_id in self.documents:
            return self.documents[doc.related_doc_id]
        return doc

    def interpretation_of(self, doc: Document) -> Document | None:
        """The interpretation that explains a policy (or the interpretation itself)."""
        policy = self.policy_doc(doc)
        return next((d for d in self.documents.values() if d.kind == "interpretation" and d.related_doc_id == policy.doc_id), None)

    def validity_clause(self, doc: Document) -> Hit | None:
        """The last clause of a document that states its validity."""
        for clause in reversed(self._by_doc.get(doc.doc_id, [])):
            if any(w in clause.text for w in self.lex.cue("validity_clause")):
                return self.hit(clause.clause_id)
        return None

    def stacking_clause(self, doc: Document) -> Hit | None:
        """The clause of a document (or of the policy it explains) that states how its measures combine."""
        principles = self.lex.cue("stacking_principle")
        for d in dict.fromkeys((doc, self.policy_doc(doc))):
            for clause in self._by_doc.get(d.doc_id, ()):
                if any(p in clause.text for p in principles):
                    return self.hit(clause.clause_id)
        return None

    def goal_clauses(self, doc: Document) -> list[Hit]:
        """The clauses of a document headed as the section that sets its targets (主要目标, 总体要求, …), and a
        policy's preamble, where it states its aim ("为…,打造全国人工智能产业发展高地,特制定本措施")."""
        headings = self.lex.cue("goal_headings")
        clauses = self._by_doc.get(doc.doc_id, ())
        headed = [self.hit(c.clause_id) for c in clauses if any(w in (c.heading or "") for w in headings)]
        if doc.kind != "policy":
            return headed
        return headed + [self.hit(c.clause_id) for c in clauses if c.kind == "preamble"]

    def policy_wide_clause(self, doc: Document, wide: WideAsk) -> Hit | None:
        """The clause of a policy (or of the policy an interpretation explains) answering an ask about it as a
        whole: its clause of the kind the ask names, else the one holding the ask's words, its closing provisions
        first, then the one holding most of them (who carries it out, its funds); for an ask its interpretation
        explains (why it was made), the interpretation's clause holding the words first."""
        interpretation = self.interpretation_of(doc) if wide.explained else None
        if interpretation is not None and (found := self._holding(self._by_doc.get(interpretation.doc_id, ()), wide)):
            return found
        clauses = self._by_doc.get(self.policy_doc(doc).doc_id, ())
        if wide.part == "first":  # the salutation opens the notice that issues a policy, or the policy itself
            return self.hit(clauses[0].clause_id) if clauses else None
        if wide.part:
            return next((self.hit(c.clause_id) for c in clauses if c.kind == wide.part), None)
        return self._holding(clauses, wide)

    def _holding(self, clauses: Sequence[Clause], wide: WideAsk) -> Hit | None:
        """Of `clauses`, the one holding the ask's words: its closing provisions first, then the one holding most."""
        held = {c.clause_id: sum(w in c.text for w in wide.words) for c in clauses}
        found = [c for c in clauses if held[c.clause_id]]
        if not found:
            return None
        return self.hit(min(found, key=lambda c: (c.kind != "closing", -held[c.clause_id])).clause_id)

    def documents_of(self, city: str) -> list[Document]:
        return [d for d in self.documents.values() if d.city == city]

    def attachment_of(self, hit: Hit) -> Hit | None:
        """The attachment a clause is or points at ("附件:继续有效的行政规范性文件目录" names the list that follows)."""
        if hit.clause.kind == "attachment":
            return hit
        if "附件" not in hit.clause.text:
            return None
        for clause in self._by_doc.get(hit.document.doc_id, ()):
            title = clause.text.split("\n", 1)[0].strip()
            if clause.kind == "attachment" and title and title in hit.clause.text:
                return self.hit(clause.clause_id)
        return None

    def first_clause(self, doc: Document) -> Hit | None:
        clauses = self._by_doc.get(doc.doc_id)
        return self.hit(clauses[0].clause_id) if clauses else None

    def lead_listed_first(self, doc: Document) -> bool:
        """True when the document says the first-listed responsible unit leads."""
        notes = self.lex.cue("lead_unit_note")
        return any(n in c.text for c in self._by_doc.get(doc.doc_id, ()) for n in notes)

    # -- lookup --------------------------------------------------------------------------------
    def lookup(self, label: str, cities: Iterable[str] = ()) -> list[Hit]:
        """Clauses whose printed label is `label` ("(三)", "三、(六)", "2."), in the given cities."""
        cities = tuple(cities)
        found = []
        for c in self.index.clauses:
            doc = self.documents[c.doc_id]
            if cities and doc.city not in cities:
                continue
            if label in (c.display_label, c.label, c.display_label.replace("、", "")) or c.clause_id.endswith("#" + label):
                found.append(Hit(clause=c, document=doc, score=1.0))
        return found

    # -- what the corpus covers ----------------------------------------------------------------
    @cached_property
    def overview(self) -> Overview:
        counts: dict[str, int] = {}
        for topic in self.lex.topics:
            terms = [t for t in topic.zh if len(t) >= 2]
            n = sum(1 for c in self.index.clauses if any(t in c.text for t in terms))
            if n:
                counts[topic.topic_id] = n
        ranked = sorted(counts, key=lambda t: -counts[t])
        years = sorted({d.issued_on[:4] for d in self.documents.values() if d.issued_on})
        return Overview(
            cities=self.cities,
            documents=len(self.documents),
            topics_zh=tuple(self.lex.topic(t).zh_name for t in ranked),
            topics_en=tuple(self.lex.topic(t).en_name for t in ranked),
            years=tuple(years),
            city_documents=tuple(
                (city, sum(1 for d in self.documents.values() if d.city == city)) for city in self.cities),
            name_zh=self.profile.name_zh,
            name_en=self.profile.name_en,
        )
