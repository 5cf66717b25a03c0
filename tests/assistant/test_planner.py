"""The planner over the synthetic corpus (fake embedder): which answer kind each question gets."""

from __future__ import annotations

import pytest

from assistant import planner as kinds


@pytest.fixture(scope="module")
def plan_for(synthetic_services):
    bot = synthetic_services.assistant

    def plan(question: str, city: str | None = None):
        query = bot.understand(question, (), city)
        hits = bot.retriever.retrieve(query, k=5) if bot.planner.worth_searching(query) else []
        return bot.planner.plan(query, hits)

    return plan


def test_amount_gives_a_calculation_on_the_clause_with_the_rate(plan_for):
    plan = plan_for("宁波企业租用算力合同费用500万元能补贴多少?")
    assert plan.kind == kinds.CALCULATION
    assert plan.calculation.clause_id == "ningbo-ai-policy#一.(一)"
    assert plan.focus.clause.clause_id == "ningbo-ai-policy#一.(一)"
    # 500万元 × 25% = 125万元, under the 200万元 cap
    assert plan.calculation.result_yuan == 1_250_000
    assert plan.calculation.cap_applied is False


def test_amount_above_the_cap_is_capped(plan_for):
    plan = plan_for("宁波企业租用算力合同费用1000万元能补贴多少?")
    assert plan.kind == kinds.CALCULATION
    assert plan.calculation.result_yuan == 2_000_000  # 25% of 1000万 = 250万, capped at 200万
    assert plan.calculation.cap_applied is True


def test_without_amount_no_calculation(plan_for):
    plan = plan_for("宁波算力券的补贴比例是多少?")
    assert plan.kind != kinds.CALCULATION
    assert plan.calculation is None
    assert plan.focus.document.city == "宁波"


def test_responsible_units(plan_for):
    plan = plan_for("宁波算力券的责任单位是哪个部门?")
    assert plan.kind == kinds.RESPONSIBLE
    assert plan.focus.clause.responsible_units == ("市经信局", "市财政局")


def test_validity(plan_for):
    plan = plan_for("宁波的政策有效期到什么时候?")
    assert plan.kind == kinds.VALIDITY
    assert plan.document.doc_id == "ningbo-ai-policy"
    assert "有效期至2026年12月31日" in plan.focus.clause.text


def test_doc_meta(plan_for):
    plan = plan_for("宁波的政策文号是什么?是哪个部门印发的?")
    assert plan.kind == kinds.DOC_META
    assert plan.document.doc_number == "甬政办发〔2024〕37号"


def test_compare_has_one_part_per_city(plan_for):
    plan = plan_for("比较杭州和宁波的算力补贴")
    assert plan.kind == kinds.COMPARE
    assert [p.city for p in plan.parts] == ["杭州", "宁波"]
    assert all(p.kind == kinds.CITY_LINE for p in plan.parts)
    assert all(p.focus.document.city == p.city for p in plan.parts)
    assert plan.parts[1].focus.clause.clause_id == "ningbo-ai-policy#一.(一)"


def test_responsible_for_two_cities_is_per_city(plan_for):
    plan = plan_for("杭州和宁波的算力补贴分别由哪个部门负责?")
    assert plan.kind == kinds.PER_CITY
    assert {p.city for p in plan.parts} == {"杭州", "宁波"}
    assert all(p.kind == kinds.RESPONSIBLE for p in plan.parts)


@pytest.mark.parametrize("question", ["今天天气怎么样?", "帮我写一首关于春天的诗"])
def test_off_topic_is_refused(plan_for, question):
    assert plan_for(question).kind == kinds.REFUSE


def test_place_outside_the_corpus_is_refused(plan_for):
    plan = plan_for("上海的算力补贴政策是什么?")
    assert plan.kind == kinds.REFUSE
    assert "上海" in plan.query.outside_places


def test_city_filter_outside_the_corpus_is_refused(plan_for):
    assert plan_for("算力券补贴多少?", city="深圳").kind == kinds.REFUSE


def test_no_hits_is_refused(synthetic_services):
    bot = synthetic_services.assistant
    query = bot.understand("宁波算力券的补贴比例是多少?")
    assert bot.planner.plan(query, []).kind == kinds.REFUSE


def test_a_city_alone_does_not_make_a_question_about_policy(plan_for):
    assert plan_for("宁波明天会下雨吗?要不要带伞").kind == kinds.REFUSE
    assert plan_for("宁波的政策有效期到什么时候?").kind == kinds.VALIDITY  # a policy question's words do


def test_an_english_vague_question_gets_the_overview(plan_for):
    assert plan_for("What kind of subsidies could an AI startup get?").kind == kinds.OVERVIEW
