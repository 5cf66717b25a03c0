"""Flag (never block) a new document whose figures contradict a document already indexed for the same city
and programme: "杭州算力券补贴比例为…100%" in an upload, while the indexed 杭州 measures say 30%.

Mechanism, no per-case rules: every sentence of the new document that states a percentage is compared with
the indexed clauses of the same city — the document's own city or a city the sentence names (from
`data/cities.txt`) — that share most of its topic words (jieba tokens without numbers; overlap coefficient
≥ `TOPIC_OVERLAP`). When the sentence states a percentage the matching clause never states, the pair is
flagged with both texts' documents and dates, so an admin (and later the lifecycle rules) can settle it.
Amount caps are compared the same way when both state a cap with 不超过/最高/上限.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from index.metadata import known_cities
from index.models import Clause, Document
from index.tokenize import tokenize

TOPIC_OVERLAP = 0.6  # share of the sentence's topic words found in the indexed clause
MIN_TOPIC_WORDS = 4  # shorter sentences say too little to compare
_SENTENCE = re.compile(r"[^。;;!?!?\n]+")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_CAP = re.compile(r"(?:不超过|不高于|最高|上限为?)\s*(\d+(?:\.\d+)?)\s*(万元|亿元)")
_NUMBERISH = re.compile(r"^[\d.%]+$")


@lru_cache(maxsize=65536)
def _topic(text: str) -> frozenset[str]:
    return frozenset(t for t in tokenize(text) if not _NUMBERISH.match(t) and len(t) > 1)


def _percents(text: str) -> set[str]:
    return {str(float(m)) for m in _PERCENT.findall(text)}


def _caps(text: str) -> set[str]:
    return {f"{float(n)}{unit}" for n, unit in _CAP.findall(text)}


def _cities_named(text: str, cities: frozenset[str]) -> set[str]:
    return {c for c in cities if c in text}


def _differing(
    new_documents: Sequence[Document], new_clauses: Sequence[Clause], documents: Mapping[str, Document], clauses: Iterable[Clause],
):
    """(new clause, its document, sentence, indexed clause, its document) for each sentence whose figures differ from
    an indexed clause of the same city on the same topic."""
    cities = known_cities()
    new_ids = {d.doc_id for d in new_documents}
    new_docs = {d.doc_id: d for d in new_documents}
    indexed = [(c, documents[c.doc_id]) for c in clauses if c.doc_id in documents and c.doc_id not in new_ids]
    topics = {c.clause_id: _topic(c.text) for c, _ in indexed}
    seen: set[tuple[str, str]] = set()
    for clause in new_clauses:
        doc = new_docs.get(clause.doc_id)
        if doc is None:
            continue
        for sentence in _SENTENCE.findall(clause.text):
            percents, caps = _percents(sentence), _caps(sentence)
            if not percents and not caps:
                continue
            words = _topic(sentence)
            if len(words) < MIN_TOPIC_WORDS:
                continue
            about = _cities_named(sentence, cities) | ({doc.city} if doc.city else set())
            for old, old_doc in indexed:
                if old_doc.city not in about or (old.clause_id, sentence) in seen:
                    continue
                if len(words & topics[old.clause_id]) / len(words) < TOPIC_OVERLAP:
                    continue
                old_percents, old_caps = _percents(old.text), _caps(old.text)
                differs = (percents and old_percents and not percents <= old_percents) or (
                    caps and old_caps and not caps <= old_caps
                )
                if not differs:
                    continue
                seen.add((old.clause_id, sentence))
                yield clause, doc, sentence, old, old_doc


def find_contradictions(
    new_documents: Sequence[Document],
    new_clauses: Sequence[Clause],
    documents: Mapping[str, Document],
    clauses: Iterable[Clause],
    file_of: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(file or doc id, reason) for each new sentence whose figures contradict an indexed clause."""
    flags: list[tuple[str, str]] = []
    for _, doc, sentence, old, old_doc in _differing(new_documents, new_clauses, documents, clauses):
        name = (file_of or {}).get(doc.doc_id) or (doc.sources[0] if doc.sources else doc.doc_id)
        flags.append((
            name,
            f"figures differ from {old.clause_id} ({old_doc.title}, {old_doc.city}, issued {old_doc.issued_on or 'date unknown'}): "
            f"new {doc.title!r} ({doc.issued_on or 'date unknown'}) says {sentence.strip()[:80]!r}",
        ))
    return flags


def conflicting_clauses(documents: Sequence[Document], clauses: Sequence[Clause]) -> list[tuple[str, str]]:
    """Pairs of clause ids of one index whose figures differ for the same city and topic, between documents neither
    of which replaces the other: answers show both, with their dates, until the lifecycle settles it."""
    by_id = {d.doc_id: d for d in documents}
    pairs: set[tuple[str, str]] = set()
    for doc in documents:
        own = [c for c in clauses if c.doc_id == doc.doc_id]
        related = {doc.doc_id, doc.superseded_by or "", doc.related_doc_id or ""}
        others = [
            c for c in clauses
            if c.doc_id not in related and by_id[c.doc_id].superseded_by != doc.doc_id
            and by_id[c.doc_id].related_doc_id != doc.doc_id and by_id[c.doc_id].city == doc.city
        ]
        for clause, _, _, old, _ in _differing([doc], own, by_id, others):
            pairs.add(tuple(sorted((clause.clause_id, old.clause_id))))
    return sorted(pairs)
