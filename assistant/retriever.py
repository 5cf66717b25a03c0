"""Hybrid clause retrieval: BM25 (jieba) and dense (FAISS) ranks fused by reciprocal rank, with filters.

`HybridSearcher` is the fast core the chain calls directly; `ClauseRetriever` wraps it as a LangChain
`BaseRetriever` so the same retrieval plugs into any LangChain pipeline.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.embedders import Embedder
from index.models import Clause, Document
from index.store import LoadedIndex
from index.tokenize import tokenize

RRF_K = 60
QUERY_CACHE_SIZE = 2048
# Structural boosts, in RRF units (one RRF step at rank 1 is ~0.016).
BOOST_TOPIC_IN_HEADING = 0.012
BOOST_SUPPORT_ITEM = 0.003  # clauses under 支持政策 / numbered items carry the concrete measures
PENALTY_UNRELATED_DOC = 0.006  # gazette documents that are not about AI policy


@dataclass(frozen=True)
class ScoredClause:
    clause: Clause
    document: Document
    score: float  # fused score, higher is better
    bm25_rank: int | None = None
    dense_rank: int | None = None
    dense_score: float = 0.0


class HybridSearcher:
    """Ranks clauses of a loaded index for a query; filters by city or document."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, depth: int = 40) -> None:
        self.index = index
        self.embedder = embedder
        self.depth = depth
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._ai_docs = {
            doc_id for doc_id, doc in index.documents.items() if any(k in doc.title for k in ("人工智能", "算力", "AI", "智能"))
        }

    def embed(self, text: str) -> np.ndarray:
        """Query vector, memoised: hotline staff and the UI repeat the same questions all day."""
        with self._cache_lock:
            cached = self._vectors.get(text)
            if cached is not None:
                self._vectors.move_to_end(text)
                return cached
        vector = self.embedder.embed_queries([text])[0]
        with self._cache_lock:
            self._vectors[text] = vector
            while len(self._vectors) > QUERY_CACHE_SIZE:
                self._vectors.popitem(last=False)
        return vector

    def search(
        self,
        text: str,
        k: int = 5,
        cities: Sequence[str] = (),
        doc_ids: Sequence[str] = (),
        boost_terms: Iterable[str] = (),
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> list[ScoredClause]:
        allowed = self._allowed(cities, doc_ids)
        if not allowed:
            return []
        bm25_ranks: dict[int, int] = {}
        dense_ranks: dict[int, int] = {}
        dense_scores: dict[int, float] = {}
        if mode in ("hybrid", "bm25"):
            scores = self.index.bm25.get_scores(tokenize(text))
            order = [i for i in np.argsort(-scores) if i in allowed and scores[i] > 0][: self.depth]
            bm25_ranks = {int(i): r for r, i in enumerate(order)}
        if mode in ("hybrid", "dense"):
            vector = self.embed(text) if query_vector is None else query_vector
            hits = self.index.vectors.search(vector, len(self.index.clauses))
            kept = [(i, s) for i, s in hits if i in allowed][: self.depth]
            dense_ranks = {i: r for r, (i, _) in enumerate(kept)}
            dense_scores = dict(kept)
        terms = [t for t in boost_terms if t]
        fused: dict[int, float] = {}
        for i in set(bm25_ranks) | set(dense_ranks):
            score = sum(1.0 / (RRF_K + ranks[i] + 1) for ranks in (bm25_ranks, dense_ranks) if i in ranks)
            fused[i] = score + self._boost(self.index.clauses[i], terms) if mode == "hybrid" else score
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        return [
            ScoredClause(
                clause=self.index.clauses[i],
                document=self.index.documents[self.index.clauses[i].doc_id],
                score=fused[i],
                bm25_rank=bm25_ranks.get(i),
                dense_rank=dense_ranks.get(i),
                dense_score=dense_scores.get(i, 0.0),
            )
            for i in best
        ]

    def _allowed(self, cities: Sequence[str], doc_ids: Sequence[str]) -> set[int]:
        docs = self.index.documents
        return {
            i
            for i, c in enumerate(self.index.clauses)
            if (not cities or docs[c.doc_id].city in cities) and (not doc_ids or c.doc_id in doc_ids)
        }

    def _boost(self, clause: Clause, terms: Sequence[str]) -> float:
        boost = 0.0
        head = (clause.path[-1] if clause.path else clause.heading)[:40].lower()
        if terms and any(t in head for t in terms):
            boost += BOOST_TOPIC_IN_HEADING
        if clause.kind == "item" and any(p.startswith("三、支持政策") for p in clause.path):
            boost += BOOST_SUPPORT_ITEM
        if clause.doc_id not in self._ai_docs:
            boost -= PENALTY_UNRELATED_DOC
        return boost


class ClauseRetriever(BaseRetriever):
    """LangChain retriever over the clause index; metadata carries the citation fields."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int = 5
    cities: tuple[str, ...] = ()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [to_langchain(hit) for hit in self.searcher.search(query, k=self.k, cities=self.cities)]


def to_langchain(hit: ScoredClause) -> LCDocument:
    c, d = hit.clause, hit.document
    return LCDocument(
        page_content=c.text,
        metadata={
            "clause_id": c.clause_id, "doc_id": c.doc_id, "city": d.city, "doc_title": d.title,
            "doc_number": d.doc_number, "clause": c.display_label, "score": hit.score,
        },
    )
