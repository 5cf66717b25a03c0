"""Every router through TestClient(create_app(settings, services)) over the synthetic index (fake embedder)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.http.app import create_app
from assistant.http.deps import get_services

AS_OF = "2025-06-01"  # every synthetic document is in force on this day


@pytest.fixture(scope="module")
def api(synthetic_settings, synthetic_services):
    with TestClient(create_app(synthetic_settings, synthetic_services)) as client:
        yield client


def _readable_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    return detail


# ------------------------------------------------------------------ health


def test_healthz(api):
    body = api.get("/healthz").json()
    assert body["status"] == "ok" and body["documents"] == 3
    assert body["embedder"] == "fake-hash-256" and body["composer"] == "extractive"


# ------------------------------------------------------------------ ask / search


def test_ask_answers_with_citations_that_carry_status(api):
    r = api.post("/v1/ask", json={"question": "宁波算力券的补贴比例是多少?", "as_of": AS_OF})
    assert r.status_code == 200
    body = r.json()
    assert not body["refused"] and "25%" in body["answer"]
    first = body["citations"][0]
    assert first["id"] == "ningbo-ai-policy#一.(一)" and first["status"] == "current"
    assert first["city"] == "宁波" and "25%" in first["text"]


def test_ask_with_a_city_filter_outside_the_corpus_is_refused(api):
    body = api.post("/v1/ask", json={"question": "算力券补贴多少?", "city": "深圳"}).json()
    assert body["refused"] and body["citations"] == [] and "深圳" in body["answer"]


@pytest.mark.parametrize(
    "payload, field",
    [({"question": ""}, "question"), ({"question": "算力券", "top_k": 99}, "top_k"),
     ({"question": "算力券", "as_of": "2025-13-01"}, "as_of"), ({}, "question")],
)
def test_ask_bad_input_is_a_readable_422(api, payload, field):
    assert field in _readable_error(api.post("/v1/ask", json=payload), 422)


def test_ask_non_json_body_is_422(api):
    r = api.post("/v1/ask", content=b"not json", headers={"content-type": "application/json"})
    _readable_error(r, 422)


def test_search_filters_by_city_and_marks_keyword_matches(api):
    body = api.post("/v1/search", json={"query": "算力合同费用", "k": 3, "city": "宁波"}).json()
    assert body["hits"] and {h["city"] for h in body["hits"]} == {"宁波"}
    assert body["hits"][0]["id"] == "ningbo-ai-policy#一.(一)" and body["hits"][0]["matched"] is True


# ------------------------------------------------------------------ catalogue


def test_documents_list_every_document_with_clause_counts(api):
    docs = {d["doc_id"]: d for d in api.get("/v1/documents").json()["documents"]}
    assert set(docs) == {"hangzhou-data-measures", "ningbo-ai-policy", "zhengzhou-robot-measures"}
    assert docs["ningbo-ai-policy"]["city"] == "宁波" and docs["ningbo-ai-policy"]["clauses"] == 8


def test_document_clauses_and_one_clause(api):
    clauses = api.get("/v1/documents/ningbo-ai-policy/clauses").json()["clauses"]
    assert [c["display_label"] for c in clauses][2:4] == ["一、(一)", "一、(二)"]
    one = api.get("/v1/clauses/ningbo-ai-policy#二.(三)".replace("#", "%23")).json()
    assert "30万元" in one["text"] and one["doc_number"] == "甬政办发〔2024〕37号"


def test_unknown_document_and_clause_are_readable_404s(api):
    assert "no-such-doc" in _readable_error(api.get("/v1/documents/no-such-doc/clauses"), 404)
    assert "ids look like" in _readable_error(api.get("/v1/clauses/no-such%23一"), 404)


# ------------------------------------------------------------------ calculator


def test_programs_list_the_extracted_ningbo_rules(api):
    programs = {p["program"]: p for p in api.get("/v1/programs").json()["programs"]}
    voucher = programs["ningbo-ai-policy#一.(一)"]
    assert voucher["city"] == "宁波" and voucher["reviewed"] is False and voucher["kind"] == "rate"


def test_calculate_an_extracted_rule(api):
    r = api.post("/v1/calculate", json={"program": "ningbo-ai-policy#一.(一)", "inputs": {"amount_yuan": "1000万"}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["result_yuan"] == 2_000_000 and body["cap_applied"] is True and body["reviewed"] is False


def test_calculate_unknown_program_and_bad_amount_are_readable_422s(api):
    assert "accepted programs" in _readable_error(api.post("/v1/calculate", json={"program": "nope", "inputs": {}}), 422)
    bad = api.post("/v1/calculate", json={"program": "ningbo-ai-policy#一.(一)", "inputs": {"amount_yuan": "很多钱"}})
    _readable_error(bad, 422)


# ------------------------------------------------------------------ feedback and admin


def test_feedback_is_stored(api):
    r = api.post("/v1/feedback", json={"rating": "up", "question": "宁波算力券?", "answer": "25%[1]",
                                       "citation_ids": ["ningbo-ai-policy#一.(一)"]})
    assert r.status_code == 200 and isinstance(r.json()["id"], int)
    _readable_error(api.post("/v1/feedback", json={"rating": "sideways"}), 422)


def test_admin_is_disabled_without_a_token(api):
    r = api.post("/v1/admin/documents", files={"file": ("a.txt", "x".encode(), "text/plain")})
    assert "disabled" in _readable_error(r, 403)


def test_admin_wrong_token_is_401(synthetic_settings, synthetic_services):
    settings = synthetic_settings.model_copy(update={"admin_token": SecretStr("a-long-enough-admin-token")})
    client = TestClient(create_app(settings, synthetic_services))
    r = client.get("/v1/admin/feedback/export", headers={"Authorization": "Bearer wrong-token-wrong-token"})
    _readable_error(r, 401)


# ------------------------------------------------------------------ dependency overrides


def test_get_services_can_be_overridden(synthetic_settings, synthetic_services):
    app = create_app(synthetic_settings, synthetic_services)
    app.state.services = None  # no services on the app: only the override provides them
    client = TestClient(app)  # no lifespan: nothing is built
    assert "loading" in _readable_error(client.get("/v1/documents"), 503)
    app.dependency_overrides[get_services] = lambda: synthetic_services
    docs = client.get("/v1/documents").json()["documents"]
    assert {d["city"] for d in docs} == {"宁波", "杭州", "郑州"}
    r = client.post("/v1/ask", json={"question": "宁波算力券的责任单位是哪个部门?", "as_of": AS_OF})
    assert r.status_code == 200 and "市经信局、市财政局" in r.json()["answer"]
