"""Real policy pages from other cities, noise included (tests/fixtures/wild): metadata and clause labels.

Expectations live in tests/fixtures/wild/expected.yaml and were written by reading each page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from index.corpus import NoPolicyTextError, parse_corpus, parse_sources
from index.sources import SourceError, read_source

WILD = Path(__file__).resolve().parents[1] / "fixtures" / "wild"
EXPECTED = yaml.safe_load((WILD / "expected.yaml").read_text(encoding="utf-8"))
FIELDS = ("title", "city", "issuer", "doc_number", "issued_on", "effective_from", "effective_until")


def parse_one(name: str):
    corpus = parse_sources([read_source(WILD / name)])
    assert len(corpus.documents) == 1, [d.doc_id for d in corpus.documents]
    doc = corpus.documents[0]
    return doc, [c for c in corpus.clauses if c.doc_id == doc.doc_id]


def test_the_wild_corpus_is_varied_enough():
    cities = {e["city"] for e in EXPECTED.values()}
    assert len(EXPECTED) >= 10 and len(cities) >= 8
    reserved = {"杭州", "嘉兴", "郑州", "北京", "廊坊", "深圳", "上海", "南京", "苏州", "扬州", "漳州"}
    assert not cities & reserved
    listed = (WILD / "SOURCES.md").read_text(encoding="utf-8")
    assert all(name in listed for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_of_each_wild_page(name):
    doc, _ = parse_one(name)
    expected = EXPECTED[name]
    got = {f: getattr(doc, f) for f in FIELDS}
    assert got == {f: expected[f] for f in FIELDS}
    assert doc.validity_status == expected["validity"]
    assert [tuple(b) for b in doc.basis] == [(b["title"], b["doc_number"]) for b in expected["basis"]]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_clause_labels_of_each_wild_page(name):
    _, clauses = parse_one(name)
    labels = [c.display_label for c in clauses]
    assert labels == EXPECTED[name]["labels"]
    ids = [c.clause_id for c in clauses]
    assert len(set(ids)) == len(ids) and not any("~" in i for i in ids)
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_page_noise_or_garble_reaches_a_title_or_clause(name):
    doc, clauses = parse_one(name)
    noise = re.compile(r"当前位置|您的位置|来源:|时间:|发表时间|浏览|字体|打印|下载地址|http|全文如下|具体内容如下|\ufffd|\?\?")
    assert not noise.search(doc.title) and len(doc.title) <= 60
    for clause in clauses:
        assert not noise.search(clause.text), (clause.clause_id, clause.text[:80])
        assert "浜" not in clause.text and "鎵" not in clause.text  # GBK-read UTF-8 of 人/打


def test_articles_are_clauses_with_their_chapter_in_the_path():
    _, clauses = parse_one("qingdao-data-center-rules-2023.txt")
    by_id = {c.clause_id: c for c in clauses}
    article = by_id["qingdao-data-center-rules#第四条"]
    assert article.path[0] == "第二章奖补对象和范围" and article.display_label == "第四条"
    assert article.text.startswith("青岛市新型智慧城市建设的奖补对象主要为区(市)和社区")
    assert "第五条" not in article.text  # five articles are never one clause
    assert by_id["qingdao-data-center-rules#第五条.(一)"].text.startswith("试点示范创建类")


def test_numbering_restarting_under_sub_headings_gets_readable_distinct_ids():
    _, clauses = parse_one("chengdu-ai-rules-detail-2023.txt")
    ids = [c.clause_id for c in clauses]
    assert ids[0] == "chengdu-ai-rules-detail#支持算法工具源头创新.(一).1"
    first = clauses[0]
    assert first.path[0] == "支持算法工具源头创新" and "对研制单位一次性给予最高250万元" in first.text
    # the short heading is not glued to the end of the previous clause
    assert not any(c.text.endswith("支持算法创新转化") for c in clauses)


def test_garbled_span_is_kept_out_and_reported_with_offset_and_length():
    doc, clauses = parse_one("wuhan-proposal-plan-2021-mojibake.txt")
    kinds = [(w[0], w[2], w[3]) for w in doc.warnings]
    assert kinds == [("mojibake_removed", 322, 155), ("mojibake_removed", 479, 158)]
    raw = (WILD / "wuhan-proposal-plan-2021-mojibake.txt").read_text(encoding="utf-8")
    assert raw[322:477].startswith("(浜") and raw[479:637].startswith("(涓")
    item = next(c for c in clauses if c.display_label == "一、(一)")
    assert item.text.endswith("支持一批重点企业开展关键核心技术攻关。")


def test_lost_characters_are_removed_and_reported():
    doc, clauses = parse_one("yinchuan-compute-policies-draft.txt")
    assert [w[0] for w in doc.warnings] == ["lost_characters"] * 3
    assert clauses[1].text.startswith("本政策适用于具有独立法人资格的算力")


@pytest.mark.parametrize("name", ["site-index-rules-list.txt", "wuhan-news-post.html"])
def test_pages_without_policy_text_are_rejected_naming_the_file(name):
    with pytest.raises(NoPolicyTextError, match=re.escape(name)):
        parse_sources([read_source(WILD / "rejected" / name)])
    assert issubclass(NoPolicyTextError, SourceError)


def test_a_rejected_page_in_a_corpus_stops_the_build_not_silently(tmp_path):
    (tmp_path / "ok.txt").write_bytes((WILD / "wuwei-ai-plan-2018.txt").read_bytes())
    (tmp_path / "list.txt").write_bytes((WILD / "rejected" / "site-index-rules-list.txt").read_bytes())
    with pytest.raises(NoPolicyTextError, match="list.txt"):
        parse_corpus(tmp_path)


def test_warnings_are_stored_in_the_manifest_and_shown_by_index_stats(tmp_path, embedder, monkeypatch):
    from typer.testing import CliRunner

    from assistant import cli, settings
    from index.build import build_index
    from index.store import load_index

    corpus_dir, data_dir = tmp_path / "corpus", tmp_path / "data"
    corpus_dir.mkdir()
    (corpus_dir / "wuhan.txt").write_bytes((WILD / "wuhan-proposal-plan-2021-mojibake.txt").read_bytes())
    build_index(corpus_dir, data_dir, embedder, show_progress=False)
    loaded = load_index(data_dir)
    assert [(w["document"], w["offset"], w["length"]) for w in loaded.manifest["warnings"]] == [
        ("wuhan", 322, 155), ("wuhan", 479, 158),
    ]
    doc = loaded.documents["wuhan"]
    assert doc.warnings[0][0] == "mojibake_removed" and doc.basis == ()
    monkeypatch.setenv("POLICY_DATA_DIR", str(data_dir))
    monkeypatch.setenv("POLICY_CORPUS_DIR", str(corpus_dir))
    settings.get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["index", "stats"])
    finally:
        settings.get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "warnings: 2" in result.output and "garbled text removed (not repairable) at offset 322, length 155" in result.output
