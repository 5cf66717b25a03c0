"""Sentence choice: which sentences of a clause answer a question (made-up clauses in the corpora's forms)."""

from __future__ import annotations

import pytest

from assistant.sentences import asks_count, best_sentences, quote
from assistant.understanding import QueryParser
from index.models import Clause

PARSER = QueryParser(["宁波"])


def _clause(text: str, heading: str = "") -> Clause:
    return Clause(clause_id="ningbo-x#一", doc_id="ningbo-x", path=(), label="一、", heading=heading, text=text)


GOALS = _clause(
    "到2027年,产业规模进一步提升,培育链主企业8家,营收规模突破600亿元;应用场景进一步拓展,打造典型应用场景15个以上;"
    "基础设施进一步夯实,算力规模达到60EFlops,其中高性能算力达到50EFlops。",
    heading="主要目标",
)
APPOINTMENTS = _clause("任命:\n张三任宁波某开发区管理委员会副主任(挂职一年);\n李四任宁波某港区管理委员会副主任(挂职一年)。")


@pytest.mark.parametrize("question, counts", [
    ("宁波培育几家链主企业?", True),
    ("宁波一共打造多少个应用场景?", True),
    ("宁波的3大新兴产业是哪几个?", False),  # which ones, not how many
    ("宁波重点发展哪些产业?", False),
])
def test_which_ones_is_not_how_many(question, counts):
    assert asks_count(PARSER.parse(question)) is counts


def test_a_target_question_reads_every_item_of_the_list_the_year_opens():
    # the year opens the list; the compute goal is its last item and the one the question's words name
    chosen = best_sentences(GOALS, PARSER.parse("宁波到2027年算力规模目标是多少?"), limit=1)
    assert chosen == ["基础设施进一步夯实,算力规模达到60EFlops,其中高性能算力达到50EFlops。"]


def test_a_sentence_opening_a_list_is_quoted_with_its_items():
    chosen = best_sentences(APPOINTMENTS, PARSER.parse("宁波这次任命了几个人?都是谁?"))
    text = quote(chosen)
    assert text.startswith("任命:张三任")
    assert "李四任宁波某港区管理委员会副主任" in text


def test_a_quote_ending_on_a_colon_ends_there():
    assert quote(["围绕五个方面提出十五项重点任务,具体为:"]) == "围绕五个方面提出十五项重点任务,具体为。"
