"""The catalogue over the synthetic index: clause lookup, errors, overview, lifecycle notes."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import NotFoundError


@pytest.fixture(scope="module")
def catalogue(synthetic_services):
    return synthetic_services.catalogue


def test_clause_by_id_carries_its_document(catalogue):
    view = catalogue.clause("ningbo-ai-policy#一.(一)")
    assert view.document.city == "宁波"
    assert "按算力合同费用的25%给予补贴" in view.clause.text
    record = view.to_dict()
    assert record["doc_number"] == "甬政办发〔2024〕37号"
    assert record["display_label"] == "一、(一)"


def test_unknown_clause_is_not_found_with_a_hint(catalogue):
    with pytest.raises(NotFoundError) as err:
        catalogue.clause("ningbo-ai-policy#九.(九)")
    assert "ningbo-ai-policy#九.(九)" in str(err.value) and "ids look like" in str(err.value)


def test_unknown_document_is_not_found(catalogue):
    with pytest.raises(NotFoundError):
        catalogue.clauses_of("no-such-doc")


def test_lookup_by_printed_label_and_city(catalogue):
    found = catalogue.lookup("(三)", ["宁波"])
    assert [h.clause.clause_id for h in found] == ["ningbo-ai-policy#二.(三)"]
    assert "30万元" in found[0].clause.text
    everywhere = {h.document.city for h in catalogue.lookup("(三)")}
    assert everywhere == {"宁波", "杭州"}


def test_overview_names_every_city_and_the_topics_present(catalogue):
    overview = catalogue.overview
    assert overview.cities == ("宁波", "杭州", "郑州")
    assert overview.documents == 3
    assert overview.years == ("2024",)
    assert any("算力" in t for t in overview.topics_zh)
    assert len(overview.topics_zh) == len(overview.topics_en)


def test_clause_counts_match_the_documents(catalogue):
    counts = catalogue.clause_counts()
    assert set(counts) == set(catalogue.documents)
    assert counts["ningbo-ai-policy"] == len(catalogue.clauses_of("ningbo-ai-policy"))


def test_validity_clause_and_first_clause(catalogue):
    doc = catalogue.documents["ningbo-ai-policy"]
    assert "有效期至2026年12月31日" in catalogue.validity_clause(doc).clause.text
    assert catalogue.first_clause(doc).document.doc_id == "ningbo-ai-policy"


@pytest.mark.parametrize(
    "on, expected",
    [
        (date(2025, 6, 1), None),
        (date(2024, 8, 20), "注意:该文件《杭州市促进数据要素产业发展若干措施》自2024-09-01起施行,尚未生效。"),
        (date(2026, 9, 1), "注意:该文件《杭州市促进数据要素产业发展若干措施》已于2026-08-31失效。"),
    ],
)
def test_lifecycle_note(catalogue, on, expected):
    doc = catalogue.documents["hangzhou-data-measures"]
    assert catalogue.lifecycle_note(doc, on, "zh") == expected


def test_lifecycle_note_in_english(catalogue):
    doc = catalogue.documents["hangzhou-data-measures"]
    assert catalogue.lifecycle_note(doc, date(2026, 9, 1), "en") == (
        "Note: 《杭州市促进数据要素产业发展若干措施》 expired on 2026-08-31."
    )
    assert catalogue.status(doc, date(2026, 9, 1)) == "expired"
    assert catalogue.status(doc, date(2025, 1, 1)) == "current"
