"""The VectorIndex contract: the FAISS index and the in-memory fake pass the same tests.

Whatever the assistant is tested with (the fake) must behave like what it serves with (FAISS):
exact inner-product ranking, the scores themselves, k clipped to the size, an empty index, and a
readable error for a query of the wrong dimension.
"""

from __future__ import annotations

import numpy as np
import pytest

from index.store import FaissVectorIndex
from tests.fakes import HashEmbedder, InMemoryVectorIndex

IMPLEMENTATIONS = [FaissVectorIndex, InMemoryVectorIndex]


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda cls: cls.__name__)
def make(request):
    return request.param.from_vectors


def _unit(rows: list[list[float]]) -> np.ndarray:
    vectors = np.asarray(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


VECTORS = _unit([[1, 0, 0, 0], [0.8, 0.6, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.6, 0, 0, 0.8]])


def test_results_are_ranked_by_inner_product_with_the_scores(make):
    query = _unit([[1, 0.2, 0, 0]])[0]
    result = make(VECTORS).search(query, 3)
    expected = VECTORS @ query  # [0.981, 0.902, 0.196, 0, 0.588]
    assert [i for i, _ in result] == [0, 1, 4]
    assert np.allclose([s for _, s in result], expected[[0, 1, 4]], atol=1e-6)
    assert all(isinstance(i, int) and isinstance(s, float) for i, s in result)


def test_negative_scores_come_last(make):
    vectors = _unit([[1, 0], [-1, 0], [0, 1]])
    result = make(vectors).search(np.array([1.0, 0.0], np.float32), 3)
    assert [i for i, _ in result] == [0, 2, 1]
    assert result[-1][1] == pytest.approx(-1.0)


def test_query_may_be_one_or_two_dimensional(make):
    index = make(VECTORS)
    flat = index.search(VECTORS[3], 2)
    row = index.search(VECTORS[3].reshape(1, -1), 2)
    assert flat == row and flat[0][0] == 3 and flat[0][1] == pytest.approx(1.0)


def test_k_larger_than_the_index_returns_every_vector_once(make):
    result = make(VECTORS).search(VECTORS[2], 50)
    assert sorted(i for i, _ in result) == list(range(len(VECTORS)))
    scores = [s for _, s in result]
    assert scores == sorted(scores, reverse=True)


def test_k_zero_returns_nothing(make):
    assert make(VECTORS).search(VECTORS[0], 0) == []


def test_empty_index_returns_nothing(make):
    assert make(np.zeros((0, 4), np.float32)).search(VECTORS[0], 5) == []


@pytest.mark.parametrize("dims", [3, 5])
def test_query_of_the_wrong_dimension_is_a_clear_error(make, dims):
    with pytest.raises(ValueError, match=rf"query vector has {dims} dimensions but the index has 4"):
        make(VECTORS).search(np.ones(dims, np.float32), 2)


def test_empty_index_still_checks_the_dimension(make):
    with pytest.raises(ValueError, match="dimensions"):
        make(np.zeros((0, 4), np.float32)).search(np.ones(3, np.float32), 1)


def test_both_implementations_agree_on_embedded_text():
    embedder = HashEmbedder()
    passages = ["算力券按合同费用的25%给予补贴", "模型备案一次性奖励30万元", "数据券按合同金额的20%补贴", "顶尖人才团队项目资助"]
    vectors = embedder.embed_passages(passages)
    query = embedder.embed_queries(["算力券补贴比例"])[0]
    faiss_result = FaissVectorIndex.from_vectors(vectors).search(query, 4)
    memory_result = InMemoryVectorIndex.from_vectors(vectors).search(query, 4)
    assert [i for i, _ in faiss_result] == [i for i, _ in memory_result]
    assert np.allclose([s for _, s in faiss_result], [s for _, s in memory_result], atol=1e-5)
    assert faiss_result[0][0] == 0
