"""BM25 over an inverted index: rank_bm25's BM25Okapi scores, computed only for clauses sharing a term.

BM25Okapi.get_scores walks every document in Python for every query term, which is what made a
7,000-clause index slow (docs/benchmarks.md). The statistics (idf, k1, b, lengths) are BM25Okapi's
own, and each score is the same expression, so results are identical.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from rank_bm25 import BM25Okapi


class SparseBM25:
    """`get_scores(tokens)` → one score per clause, like BM25Okapi, in time proportional to the postings read."""

    def __init__(self, corpus_tokens: Sequence[Sequence[str]]) -> None:
        okapi = BM25Okapi([list(t) for t in corpus_tokens] or [[""]])
        self.corpus_size = okapi.corpus_size
        self.idf: dict[str, float] = okapi.idf
        self.k1 = okapi.k1
        doc_len = np.array(okapi.doc_len)
        self._length_norm = okapi.k1 * (1 - okapi.b + okapi.b * doc_len / okapi.avgdl)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, freqs in enumerate(okapi.doc_freqs):
            for term, tf in freqs.items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        self._postings = {t: (np.array(ids), np.array(tfs)) for t, (ids, tfs) in postings.items()}

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        score = np.zeros(self.corpus_size)
        for term in query:
            idf = self.idf.get(term) or 0
            if not idf or term not in self._postings:
                continue
            ids, tf = self._postings[term]
            score[ids] += idf * (tf * (self.k1 + 1) / (tf + self._length_norm[ids]))
        return score
