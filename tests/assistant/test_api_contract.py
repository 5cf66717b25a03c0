"""The rest of the HTTP contract and what bad input gets back: readable 4xx, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_healthz(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["documents"] == 8 and body["clauses"] == 86


def test_search_returns_citation_objects(client):
    hits = client.post("/v1/search", json={"query": "小巨人", "k": 5}).json()["hits"]
    assert hits and set(hits[0]) == {"id", "city", "doc_title", "doc_number", "clause", "text", "score", "status", "matched"}
    assert hits[0]["matched"] is True and "小巨人" in hits[0]["text"]
    assert any(h["id"] == "zhengzhou-ai-measures#三.8" for h in hits)


def test_search_city_filter(client):
    hits = client.post("/v1/search", json={"query": "算力", "k": 10, "city": "嘉兴"}).json()["hits"]
    assert hits and all(h["city"] == "嘉兴" for h in hits)


def test_documents_and_clause_lookup(client):
    docs = client.get("/v1/documents").json()["documents"]
    assert len(docs) == 8
    hz = next(d for d in docs if d["doc_id"] == "hangzhou-ai-measures")
    assert hz["effective_until"] == "2027-12-31" and hz["clauses"] == 16
    clause = client.get("/v1/clauses/jiaxing-ai-plan#三.(六)".replace("#", "%23")).json()
    assert "实际使用金额的50%" in clause["text"] and clause["responsible_units"] == ["市经信局", "市财政局"]
    missing = client.get("/v1/clauses/nope%23x")
    assert missing.status_code == 404 and "no clause" in missing.json()["detail"]


def test_programs_and_calculate(client):
    programs = client.get("/v1/programs").json()["programs"]
    ids = {p["program"] for p in programs}
    assert {"hangzhou_compute_voucher", "jiaxing_compute_subsidy", "zhengzhou_compute_voucher"} <= ids
    body = client.post("/v1/calculate", json={"program": "hangzhou_compute_voucher",
                                              "inputs": {"contract_amount_yuan": "5000万", "compute_type": "domestic"}}).json()
    assert body["result_yuan"] == 8_000_000 and body["cap_applied"] is True
    assert set(body) == {"program", "inputs", "steps", "result_yuan", "cap_applied", "eligible", "clause_id", "reviewed"}


@pytest.mark.parametrize(
    "payload, fragment",
    [
        ({"program": "nope", "inputs": {}}, "hangzhou_compute_voucher"),
        ({"program": "hangzhou_compute_voucher", "inputs": {"compute_type": "domestic"}}, "contract_amount_yuan"),
        ({"program": "hangzhou_compute_voucher", "inputs": {"contract_amount_yuan": -5, "compute_type": "domestic"}}, "negative"),
        ({"program": "hangzhou_compute_voucher", "inputs": {"contract_amount_yuan": 100, "compute_type": "quantum"}}, "domestic"),
    ],
)
def test_calculate_errors_are_readable(client, payload, fragment):
    response = client.post("/v1/calculate", json=payload)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"question": ""}, "question"),
        ({"question": "   \n\t "}, "empty"),
        ({"question": "x" * 2001}, "2000"),
        ({"question": 42}, "question"),
        ({"question": "算力券", "history": [{"role": "system", "content": "hi"}]}, "role"),
        ({"question": "算力券", "history": "not a list"}, "history"),
        ({"question": "算力券", "top_k": 0}, "top_k"),
        ({}, "question"),
    ],
)
def test_bad_ask_bodies_get_readable_422(client, body, fragment):
    response = client.post("/v1/ask", json=body)
    assert response.status_code == 422, response.text
    assert fragment in response.json()["detail"]


def test_malformed_json_is_422(client):
    response = client.post("/v1/ask", content=b'{"question": "abc"', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "detail" in response.json()


def test_oversized_body_is_413(client):
    response = client.post("/v1/ask", content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_control_characters_are_stripped(client):
    body = client.post("/v1/ask", json={"question": "\u202e杭州\u0000算力券\u200b上限是多少?😀"}).json()
    assert "800万元" in body["answer"]


def test_feedback_is_stored(client, settings):
    from assistant.feedback import FeedbackStore, feedback_path

    response = client.post("/v1/feedback", json={"question": "q?", "answer": "a", "rating": "down",
                                                 "comment": "数字不对", "citation_ids": ["hangzhou-ai-measures#一.(三)"]})
    assert response.status_code == 200
    new_id = response.json()["id"]
    record = next(r for r in FeedbackStore(feedback_path(settings.data_dir)).records() if r.id == new_id)
    assert record.rating == "down" and record.comment == "数字不对" and record.citation_ids == ["hangzhou-ai-measures#一.(三)"]
    assert client.post("/v1/feedback", json={"question": "q", "rating": "meh"}).status_code == 422
