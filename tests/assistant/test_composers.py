"""Composers over the synthetic corpus: the extractive one quotes real clauses; the LLM one (scripted chat
model) keeps a verified answer and falls back, with the reason in the trace, when it is not."""

from __future__ import annotations

import re

import pytest

from assistant import planner as kinds
from assistant.chain import PolicyAssistant
from assistant.composers.extractive import ExtractiveComposer
from assistant.composers.llm import LLMComposer
from assistant.resources import prompts_dir
from assistant.verify import verify_answer
from assistant.composers.evidence import evidence
from tests.fakes import ScriptedChatModel

MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def plan_for(synthetic_services):
    bot = synthetic_services.assistant

    def plan(question: str):
        query = bot.understand(question)
        return bot.planner.plan(query, bot.retriever.retrieve(query, k=5))

    return plan


@pytest.fixture(scope="module")
def extractive(synthetic_services):
    return ExtractiveComposer(synthetic_services.catalogue.overview)


def _markers_resolve(text: str, cited) -> list[int]:
    markers = [int(m) for m in MARKER.findall(text)]
    assert markers, text
    assert all(1 <= n <= len(cited) for n in markers), (text, len(cited))
    return markers


@pytest.mark.parametrize(
    "question, clause_id, quoted",
    [
        ("宁波算力券的补贴比例是多少?", "ningbo-ai-policy#一.(一)", ("25%", "200万元")),
        ("宁波对模型备案有什么奖励?", "ningbo-ai-policy#二.(三)", ("30万元",)),
        ("郑州首台(套)产品奖励多少?", "zhengzhou-robot-measures#一.1", ("20%", "200万元")),
    ],
)
def test_extractive_quotes_the_clause_and_cites_it(plan_for, extractive, question, clause_id, quoted):
    plan = plan_for(question)
    composed = extractive.compose(plan)
    markers = _markers_resolve(composed.text, composed.cited)
    cited_ids = [composed.cited[n - 1].clause.clause_id for n in markers]
    assert clause_id in cited_ids
    for figure in quoted:
        assert figure in composed.text
        assert any(figure in h.clause.text for h in composed.cited)
    check = verify_answer(composed.text, len(composed.cited), evidence(composed.cited, plan.calculations, plan.query))
    assert check.ok, check.problems


def test_extractive_calculation_shows_the_steps(plan_for, extractive):
    plan = plan_for("宁波企业租用算力合同费用500万元能补贴多少?")
    composed = extractive.compose(plan)
    _markers_resolve(composed.text, composed.cited)
    assert "500万元 × 25% = 125万元" in composed.text
    assert composed.cited[0].clause.clause_id == "ningbo-ai-policy#一.(一)"


def test_extractive_refusal_cites_nothing(plan_for, extractive):
    composed = extractive.compose(plan_for("今天天气怎么样?"))
    assert composed.cited == ()
    assert "抱歉" in composed.text and not MARKER.search(composed.text)


# ------------------------------------------------------------------ LLM composer, scripted model


def _llm_assistant(services, model: ScriptedChatModel) -> PolicyAssistant:
    bot = services.assistant
    overview = services.catalogue.overview
    composer = LLMComposer(model, ExtractiveComposer(overview), overview, prompts_dir(), rules=services.rules)
    return PolicyAssistant(bot.catalogue, bot.parser, bot.retriever, bot.planner, composer, top_k=bot.top_k)


QUESTION = "宁波算力券的补贴比例是多少?"


def test_llm_verified_answer_is_kept(synthetic_services):
    reply = "宁波对企业租用市内智算中心算力的,按算力合同费用的25%给予补贴,单家企业每年不超过200万元[1]。"
    model = ScriptedChatModel().say(reply)
    answer = _llm_assistant(synthetic_services, model).ask(QUESTION)
    assert answer.trace.fallbacks == ()
    assert answer.text.startswith(reply)
    assert answer.cited[0].clause.clause_id == "ningbo-ai-policy#一.(一)"
    assert len(answer.cited) == 1  # only what the answer cites is kept
    prompt = "\n".join(str(m.content) for m in model.last_messages)
    assert "按算力合同费用的25%给予补贴" in prompt  # the clause text was offered to the model
    assert model.bound_tools  # the calculator is bound as a tool


def test_llm_invented_number_falls_back_with_the_reason(synthetic_services):
    model = ScriptedChatModel().say("宁波按算力合同费用的45%给予补贴,每年最高999万元[1]。")
    answer = _llm_assistant(synthetic_services, model).ask(QUESTION)
    assert answer.trace.fallbacks, "an invented number must be rejected"
    reason = answer.trace.fallbacks[0]
    assert "45" in reason or "999" in reason
    assert "45%" not in answer.text and "999" not in answer.text
    assert "25%" in answer.text  # the extractive answer stands


def test_llm_dangling_citation_falls_back(synthetic_services):
    model = ScriptedChatModel().say("宁波按算力合同费用的25%给予补贴[5]。")
    answer = _llm_assistant(synthetic_services, model).ask(QUESTION)
    assert answer.trace.fallbacks and "[5]" in answer.trace.fallbacks[0]
    _markers_resolve(answer.text, answer.cited)


def test_llm_transport_failure_falls_back(synthetic_services):
    model = ScriptedChatModel().fail(TimeoutError("upstream timed out"))
    answer = _llm_assistant(synthetic_services, model).ask(QUESTION)
    assert answer.trace.fallbacks and "TimeoutError" in answer.trace.fallbacks[0]
    assert "25%" in answer.text


def test_llm_calculator_tool_knows_extracted_programmes(synthetic_services):
    program = "ningbo-ai-policy#一.(一)"
    assert program in synthetic_services.rules  # the services' rule book has it (extracted from the text)
    model = ScriptedChatModel()
    model.call_tool("calculate_subsidy", {"program": program, "inputs": {"amount_yuan": 3000000}})
    model.say("宁波算力合同300万元,按25%可得75万元补贴[1]。")
    _llm_assistant(synthetic_services, model).ask("宁波算力券补贴比例是多少?")
    tool_reply = next(m for m in model.last_messages if m.type == "tool")
    assert "error" not in str(tool_reply.content)
    assert "750000" in str(tool_reply.content)


def test_llm_refusal_never_calls_the_model(synthetic_services):
    model = ScriptedChatModel()
    answer = _llm_assistant(synthetic_services, model).ask("今天天气怎么样?")
    assert answer.refused and model.calls == []
