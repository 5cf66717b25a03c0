"""Issue 18 item 3: the cost of a question is bounded — query text to the embedder's window, BM25 likewise,
and a follow-up's rewritten question never grows past a question a client may send."""

from __future__ import annotations

import numpy as np

from assistant import retriever
from assistant.retriever import MAX_EMBED_CHARS, MAX_QUERY_CHARS, HybridSearcher, bounded_query
from assistant.understanding import MAX_REWRITTEN, QueryParser
from tests.fakes import HashEmbedder

LONG = "我们是一家做大模型训练的科技企业,今年签了算力合同,想了解算力券怎么申请、补贴比例和上限是多少," * 40  # ~2,000 chars


class RecordingEmbedder(HashEmbedder):
    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        self.seen: list[str] = []

    def embed_queries(self, texts):
        self.seen.extend(texts)
        return super().embed_queries(texts)


def test_long_question_is_cut_to_the_embedder_window_for_dense_and_bm25(synthetic_index, fake_embedder, monkeypatch):
    monkeypatch.setattr(retriever, "STRONG_BM25", float("inf"))  # read the dense side however decisive BM25 is
    embedder = RecordingEmbedder(fake_embedder.name)
    searcher = HybridSearcher(synthetic_index, embedder)
    bm25_tokens: list[int] = []
    real = synthetic_index.bm25.get_scores
    monkeypatch.setattr(synthetic_index.bm25, "get_scores", lambda tokens: bm25_tokens.append(len(tokens)) or real(tokens))
    text = LONG + " 宁波 算力券"
    assert len(text) > 1900
    hits = searcher.search(text, k=3)
    assert hits  # still answers
    assert embedder.seen and all(len(t) <= MAX_EMBED_CHARS for t in embedder.seen)
    assert bm25_tokens and bm25_tokens[0] <= MAX_QUERY_CHARS
    # the end of the text (where the parser appends cities and topic words) is kept
    assert embedder.seen[0].endswith("宁波 算力券")


def test_a_question_in_the_clauses_own_words_costs_no_embedding(synthetic_index, fake_embedder):
    embedder = RecordingEmbedder(fake_embedder.name)
    searcher = HybridSearcher(synthetic_index, embedder)
    clause = max(synthetic_index.clauses, key=lambda c: len(c.text))
    hits = searcher.search(clause.text, k=3)
    assert hits[0].clause.clause_id == clause.clause_id and hits[0].bm25_score >= retriever.STRONG_BM25
    assert embedder.seen == [] and all(h.dense_rank is None for h in hits)
    # words no clause holds: BM25 finds nothing, so the dense side answers
    hits = searcher.search("how much can a small firm get", k=3)
    assert embedder.seen == ["how much can a small firm get"] and hits and hits[0].dense_rank == 0


def test_bounded_query_keeps_short_text_and_both_ends_of_long_text():
    assert bounded_query("宁波算力券") == "宁波算力券"
    cut = bounded_query("头" * 300 + "中" * 1000 + "尾" * 300)
    assert len(cut) == MAX_QUERY_CHARS and cut.startswith("头") and cut.endswith("尾")


def test_embedding_cache_is_keyed_on_the_bounded_text(synthetic_index, fake_embedder):
    embedder = RecordingEmbedder(fake_embedder.name)
    searcher = HybridSearcher(synthetic_index, embedder)
    a = searcher.embed(LONG + "一")
    b = searcher.embed(LONG + "一")
    assert np.allclose(a, b) and len(embedder.seen) == 1


def test_follow_up_rewriting_never_grows_past_a_question():
    """Swapping one city for two in a 2,000-character question naming it 400 times made ~3,000 characters."""
    parser = QueryParser(("杭州", "郑州", "宁波"))
    first = ("杭州算力券" * 400)[:2000]
    query = parser.parse("郑州、宁波呢?", history=[{"role": "user", "content": first}, {"role": "assistant", "content": "…"}])
    assert query.followup == "compare" and query.cities == ("杭州", "郑州", "宁波")  # the same ask, side by side
    assert len(query.rewritten) <= MAX_REWRITTEN
    assert query.rewritten.endswith("郑州、宁波呢?")  # the end that names the new cities is kept


def test_chained_follow_ups_stay_bounded():
    parser = QueryParser(("杭州", "郑州", "宁波"))
    history = [{"role": "user", "content": ("杭州算力券合同金额" * 250)[:2000]}]
    for follow in ("郑州、宁波呢?", "杭州、郑州、宁波呢?", "如果是3000万元呢?"):
        query = parser.parse(follow, history=history)
        assert len(query.rewritten) <= MAX_REWRITTEN, follow
        history += [{"role": "assistant", "content": "…"}, {"role": "user", "content": follow}]
