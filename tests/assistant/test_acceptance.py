"""Acceptance, fast layer (synthetic documents, fake embedder), through the services, the UI handlers and the API.

- issue 13: a fourth city (宁波, absent from the bundled corpus) reaches the UI dropdowns, the example list, the
  refusal scope and the LLM prompt, and an English question naming it is answered, with no code change;
- issue 14: a superseded document's terms are answered from the newer document, the older one on an earlier date,
  and citations carry their lifecycle status;
- issue 15: an ingested document without reviewed rules gets correct calculations in chat from the rules
  extracted from its text (`reviewed: false`), and GET /v1/programs lists them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.composers.extractive import ExtractiveComposer
from assistant.composers.llm import LLMComposer
from assistant.resources import prompts_dir
from assistant.services import assemble, build_services
from assistant.settings import Settings
from tests.conftest import SYNTHETIC_CORPUS
from tests.fakes import ScriptedChatModel
from ui import handlers

LIFECYCLE_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lifecycle_corpus"
NEW_CITY = "宁波"


# ------------------------------------------------------------------ issue 13: a fourth city, no code change


def test_new_city_in_the_ui_dropdown(synthetic_services):
    assert NEW_CITY in handlers.city_choices(synthetic_services)
    assert any(NEW_CITY in label for label, _ in handlers.document_choices(synthetic_services, NEW_CITY))


def test_new_city_in_the_example_questions(synthetic_services):
    examples = handlers.example_questions(synthetic_services)
    assert any(NEW_CITY in q for q in examples), examples


def test_every_example_question_names_a_city_of_the_corpus(synthetic_services):
    cities = synthetic_services.catalogue.cities
    for question in handlers.example_questions(synthetic_services):
        assert any(c in question for c in cities), question


def test_new_city_in_the_refusal_scope(synthetic_services):
    for question in ("今天天气怎么样?", "上海的算力补贴政策是什么?"):
        answer = synthetic_services.assistant.ask(question)
        assert answer.refused
        assert NEW_CITY in answer.text, answer.text
    english = synthetic_services.assistant.ask("What's the weather like today?")
    assert english.refused and "Ningbo" in english.text


def test_llm_prompt_names_the_new_city(synthetic_services):
    overview = synthetic_services.catalogue.overview
    composer = LLMComposer(ScriptedChatModel(), ExtractiveComposer(overview), overview, prompts_dir())
    assert NEW_CITY in composer.system


def test_llm_prompt_through_the_composition_root(synthetic_services):
    """settings.llm="openai" wires an LLMComposer whose system prompt names every city (no request is sent)."""
    s = synthetic_services
    settings = s.settings.model_copy(update={"llm": "openai", "llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "fake"})
    _, bot = assemble(settings, s.embedder, s.index, s.rules, s.lexicon, s.profile)
    assert isinstance(bot.composer, LLMComposer)
    assert all(city in bot.composer.system for city in s.catalogue.cities)


@pytest.mark.parametrize("question", ["What compute subsidy does Ningbo offer?", "Who is responsible for the Ningbo compute vouchers?"])
def test_english_question_naming_the_new_city_is_answered(synthetic_services, question):
    answer = synthetic_services.assistant.ask(question)
    assert not answer.refused and answer.lang == "en"
    assert answer.cited and answer.cited[0].document.city == NEW_CITY
    assert answer.cited[0].clause.clause_id == "ningbo-ai-policy#一.(一)"


# ------------------------------------------------------------------ issue 14: superseded documents


@pytest.fixture(scope="module")
def revised(tmp_path_factory, fake_embedder):
    """The synthetic 宁波 document and its 2025 revision (which repeals it), served through the API."""
    from assistant.http.app import create_app
    from index.build import build_index

    corpus = tmp_path_factory.mktemp("revised-corpus")
    shutil.copy(SYNTHETIC_CORPUS / "ningbo-ai-policy-2024.txt", corpus)
    shutil.copy(LIFECYCLE_FIXTURE / "ningbo-compute-measures-2025.txt", corpus)
    data = tmp_path_factory.mktemp("revised-data")
    build_index(corpus, data, fake_embedder, show_progress=False)
    settings = Settings(data_dir=data, corpus_dir=corpus, rate_limit_per_minute=0)
    services = build_services(settings, build_if_needed=False, embedder=fake_embedder)
    with TestClient(create_app(settings, services)) as client:
        yield services, client


OLD, NEW = "ningbo-ai-policy", "ningbo-compute-measures"
RATE_QUESTION = "宁波算力券按算力合同费用的多少比例补贴?"


def test_repeal_sentence_links_the_documents(revised):
    services, _ = revised
    assert services.catalogue.documents[OLD].superseded_by == NEW


def test_newer_document_answers_after_its_effective_date(revised):
    _, api = revised
    body = api.post("/v1/ask", json={"question": RATE_QUESTION, "as_of": "2025-09-01"}).json()
    assert not body["refused"]
    assert "30%" in body["answer"] and "300万元" in body["answer"] and "25%" not in body["answer"]
    assert body["citations"][0]["id"] == f"{NEW}#一.(一)"
    assert body["citations"][0]["status"] == "current"
    assert all(c["status"] in ("current", "not_yet_effective", "expired", "superseded") for c in body["citations"])


def test_older_document_answers_before_the_newer_takes_effect(revised):
    _, api = revised
    body = api.post("/v1/ask", json={"question": RATE_QUESTION, "as_of": "2025-03-01"}).json()
    assert "25%" in body["answer"] and "200万元" in body["answer"] and "30%" not in body["answer"]
    assert body["citations"][0]["id"] == f"{OLD}#一.(一)"
    assert body["citations"][0]["status"] == "current"


def test_calculation_uses_the_document_in_force(revised):
    _, api = revised
    question = "宁波企业算力合同费用500万元能补贴多少?"
    later = api.post("/v1/ask", json={"question": question, "as_of": "2025-09-01"}).json()
    earlier = api.post("/v1/ask", json={"question": question, "as_of": "2025-03-01"}).json()
    assert later["calculation"]["result_yuan"] == 1_500_000 and later["calculation"]["clause_id"] == f"{NEW}#一.(一)"
    assert earlier["calculation"]["result_yuan"] == 1_250_000 and earlier["calculation"]["clause_id"] == f"{OLD}#一.(一)"


def test_superseded_note_and_status(revised):
    services, api = revised
    from datetime import date

    old = services.catalogue.documents[OLD]
    assert services.catalogue.status(old, date(2025, 6, 30)) == "current"
    assert services.catalogue.status(old, date(2025, 7, 1)) == "superseded"
    note = services.catalogue.lifecycle_note(old, date(2025, 9, 1), "zh")
    assert note == "注意:《宁波市加快人工智能产业发展若干政策措施》已被《宁波市加快人工智能产业发展若干政策措施(2025年修订)》取代。"
    hits = api.post("/v1/search", json={"query": "顶尖人才团队 项目资助", "k": 3}).json()["hits"]
    talent = next(h for h in hits if h["id"] == f"{OLD}#三.(五)")
    assert talent["status"] == "superseded"


def test_measure_only_the_superseded_document_states_is_answered_with_a_note(revised):
    _, api = revised
    body = api.post("/v1/ask", json={"question": "宁波对顶尖人才团队给予多少项目资助?", "as_of": "2025-09-01"}).json()
    assert body["citations"][0]["id"] == f"{OLD}#三.(五)"
    assert body["citations"][0]["status"] == "superseded"
    assert "1000万元" in body["answer"] and "注意:" in body["answer"]


# ------------------------------------------------------------------ issue 15: rules extracted from an ingested document

ADMIN_TOKEN = "acceptance-admin-token-0123456789"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, fake_embedder):
    """An index of the synthetic 杭州 and 郑州 documents; the 宁波 one is uploaded through the admin endpoint."""
    from assistant.http.app import create_app
    from index.build import build_index

    corpus = tmp_path_factory.mktemp("ingest-corpus")
    for name in ("hangzhou-data-measures-2024.txt", "zhengzhou-robot-measures-2024.txt"):
        shutil.copy(SYNTHETIC_CORPUS / name, corpus)
    data = tmp_path_factory.mktemp("ingest-data")
    build_index(corpus, data, fake_embedder, show_progress=False)
    settings = Settings(data_dir=data, corpus_dir=corpus, rate_limit_per_minute=0, admin_token=SecretStr(ADMIN_TOKEN))
    services = build_services(settings, build_if_needed=False, embedder=fake_embedder)
    with TestClient(create_app(settings, services)) as client:
        assert NEW_CITY not in services.catalogue.cities
        upload = (SYNTHETIC_CORPUS / "ningbo-ai-policy-2024.txt").read_bytes()
        r = client.post("/v1/admin/documents", files={"file": ("ningbo-ai-policy-2024.txt", upload, "text/plain")},
                        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert r.status_code == 200, r.text
        assert NEW_CITY in services.catalogue.cities
        yield services, client


@pytest.mark.parametrize(
    "question, result, cap_applied",
    [
        ("宁波企业租用算力合同费用500万元能补贴多少?", 1_250_000, False),   # 500万 × 25%
        ("宁波企业算力合同费用1000万元,算力券能拿多少?", 2_000_000, True),  # 250万, capped at 200万
        ("宁波新建智算中心,设备投资额3000万元,能补助多少?", 3_000_000, False),  # 3000万 × 10%, cap 1000万
        ("宁波新建智算中心设备投资2亿元能补助多少?", 10_000_000, True),     # 2000万, capped at 1000万
    ],
)
def test_chat_calculation_from_extracted_rules(ingested, question, result, cap_applied):
    _, api = ingested
    body = api.post("/v1/ask", json={"question": question, "as_of": "2025-06-01"}).json()
    calc = body["calculation"]
    assert calc is not None, body["answer"]
    assert calc["result_yuan"] == result and calc["cap_applied"] is cap_applied
    assert calc["reviewed"] is False and calc["clause_id"].startswith("ningbo-ai-policy#")
    assert body["citations"][0]["id"] == calc["clause_id"]


def test_chat_calculation_below_the_threshold_is_ineligible(ingested):
    _, api = ingested
    body = api.post("/v1/ask", json={"question": "宁波新建智算中心设备投资额1500万元能补助多少?", "as_of": "2025-06-01"}).json()
    calc = body["calculation"]
    assert calc is not None and calc["clause_id"] == "ningbo-ai-policy#一.(二)"
    assert calc["eligible"] is False and calc["result_yuan"] == 0  # 不低于2000万元 is not met


def test_programs_list_the_ingested_rules_as_unreviewed(ingested):
    _, api = ingested
    programs = [p for p in api.get("/v1/programs").json()["programs"] if p["city"] == NEW_CITY]
    assert {p["clause_id"] for p in programs} >= {"ningbo-ai-policy#一.(一)", "ningbo-ai-policy#一.(二)"}
    assert all(p["reviewed"] is False for p in programs)


def test_unreviewed_calculation_carries_the_note(ingested):
    services, _ = ingested
    calc = services.rules.calculate("ningbo-ai-policy#一.(一)", {"amount_yuan": 5_000_000})
    assert calc.reviewed is False
    assert any(n.startswith("按条款原文自动识别的规则测算") for n in calc.notes)


def test_chat_answer_from_an_unreviewed_rule_says_so(ingested):
    _, api = ingested
    body = api.post("/v1/ask", json={"question": "宁波企业租用算力合同费用500万元能补贴多少?", "as_of": "2025-06-01"}).json()
    assert "按条款原文自动识别的规则测算" in body["answer"]


# ------------------------------------------------------------------ issue 18: contradicting documents in force together


@pytest.fixture(scope="module")
def contradicting(tmp_path_factory, fake_embedder):
    """The 2025 宁波 revision WITHOUT its repeal sentence: two documents in force that state different 算力券 figures."""
    from assistant.http.app import create_app
    from index.build import build_index

    corpus = tmp_path_factory.mktemp("contradicting-corpus")
    shutil.copy(SYNTHETIC_CORPUS / "ningbo-ai-policy-2024.txt", corpus)
    text = (LIFECYCLE_FIXTURE / "ningbo-compute-measures-2025.txt").read_text(encoding="utf-8")
    repeal = text[text.index("原《"):].splitlines()[0]
    (corpus / "ningbo-compute-measures-2025.txt").write_text(text.replace(repeal, ""), encoding="utf-8")
    data = tmp_path_factory.mktemp("contradicting-data")
    build_index(corpus, data, fake_embedder, show_progress=False)
    settings = Settings(data_dir=data, corpus_dir=corpus, rate_limit_per_minute=0)
    services = build_services(settings, build_if_needed=False, embedder=fake_embedder)
    with TestClient(create_app(settings, services)) as client:
        yield services, client


def test_documents_in_force_that_contradict_are_both_cited_with_their_dates(contradicting):
    services, api = contradicting
    assert services.index.manifest["conflicts"], "the build records the clauses whose figures differ"
    body = api.post("/v1/ask", json={"question": "宁波算力券补贴比例是多少?", "as_of": "2025-09-01"}).json()
    docs = {c["id"].split("#")[0] for c in body["citations"]}
    assert {"ningbo-ai-policy", "ningbo-compute-measures"} <= docs, body["citations"]
    assert "不一致" in body["answer"] and "2024-" in body["answer"] and "2025-06-10" in body["answer"]
    assert "25%" in body["answer"] or "30%" in body["answer"]
