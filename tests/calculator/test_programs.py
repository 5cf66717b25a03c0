"""Table-driven worked cases for every program: at, below and above every threshold and cap."""

import pytest

from decimal import Decimal

from assistant.calculator import calculate, cap_of, exclusion_of, get_rule, load_rules, period_total

W = 10_000  # 万
Y = 100_000_000  # 亿

# (program, inputs, result_yuan, eligible, cap_applied)
CASES = [
    # 杭州 R&D matching: 25%, ≤500万
    ("hangzhou_rd_matching", {"funds_received_yuan": "1000万"}, 250 * W, True, False),
    ("hangzhou_rd_matching", {"funds_received_yuan": "2000万"}, 500 * W, True, False),
    ("hangzhou_rd_matching", {"funds_received_yuan": "3000万"}, 500 * W, True, True),
    # 杭州 loan interest: min(1.5pp × loan, 50% × interest, 1000万); project ≥5000万
    ("hangzhou_loan_interest", {"loan_amount_yuan": "2亿", "interest_rate": "3.5%"}, 300 * W, True, False),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "2亿", "interest_rate": "2%"}, 200 * W, True, False),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "10亿", "interest_rate": "4%"}, 1000 * W, True, True),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "6亿", "interest_rate": "4%"}, 900 * W, True, False),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "2亿", "interest_rate": "3.5%", "interest_paid_yuan": "400万"}, 200 * W, True, False),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "3000万", "interest_rate": "3%", "project_investment_yuan": "5000万"}, 45 * W, True, False),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "3000万", "interest_rate": "3%", "project_investment_yuan": "4999万"}, 0, False, False),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "3000万", "interest_rate": "3%"}, 0, False, False),
    ("hangzhou_loan_interest", {"loan_amount_yuan": "2亿", "interest_rate": "1%"}, 100 * W, True, False),
    # 杭州 算力券: 30/30/20%, ≤800万
    ("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "domestic"}, 300 * W, True, False),
    ("hangzhou_compute_voucher", {"contract_amount_yuan": "5000万", "compute_type": "domestic"}, 800 * W, True, True),
    ("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "other"}, 200 * W, True, False),
    ("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "maas_agent"}, 300 * W, True, False),
    ("hangzhou_compute_voucher", {"contract_amount_yuan": "4000万", "compute_type": "other"}, 800 * W, True, False),
    ("hangzhou_compute_voucher", {"contract_amount_yuan": "4001万", "compute_type": "other"}, 800 * W, True, True),
    ("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "国产"}, 300 * W, True, False),
    # 杭州 model filing: ≤50万 of evaluation costs
    ("hangzhou_model_filing", {"evaluation_cost_yuan": "30万"}, 30 * W, True, False),
    ("hangzhou_model_filing", {"evaluation_cost_yuan": "80万"}, 50 * W, True, True),
    ("hangzhou_model_filing", {}, 50 * W, True, False),
    # 杭州 open source: 20万–100万 tiers
    ("hangzhou_open_source", {}, 100 * W, True, False),
    # 杭州 innovation centre: ≥1000万, 50%, ≤500万/year
    # the 1000万 input is a condition on the centre; support is 50% of the year's approved input
    ("hangzhou_innovation_center", {"approved_investment_yuan": "600万", "centre_investment_yuan": "999万"}, 0, False, False),
    ("hangzhou_innovation_center", {"approved_investment_yuan": "600万", "centre_investment_yuan": "1500万"}, 300 * W, True, False),
    ("hangzhou_innovation_center", {"approved_investment_yuan": "1000万", "centre_investment_yuan": "1000万"}, 500 * W, True, False),
    ("hangzhou_innovation_center", {"approved_investment_yuan": "1200万"}, 500 * W, True, True),
    # only the centre's input given: the approved input is taken as that (it cannot be more)
    ("hangzhou_innovation_center", {"centre_investment_yuan": "800万"}, 0, False, False),
    ("hangzhou_innovation_center", {"centre_investment_yuan": "1200万"}, 500 * W, True, True),
    # 杭州 demo solution: ≤500万
    ("hangzhou_demo_solution", {}, 500 * W, True, False),
    # 嘉兴 manufacturing: ≥2000万, base rate unpublished, +5%, ≤1500万
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "1亿", "strategic_emerging": True}, 500 * W, True, False),
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "1亿"}, 0, True, False),
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "1999万", "strategic_emerging": True}, 0, False, False),
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "2000万", "strategic_emerging": True}, 100 * W, True, False),
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "5亿", "strategic_emerging": True}, 1500 * W, True, True),
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "1亿", "base_rate": "8%"}, 800 * W, True, False),
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "1亿", "base_rate": "8%", "strategic_emerging": True}, 1300 * W, True, False),
    ("jiaxing_manufacturing_investment", {"productive_investment_yuan": "2亿", "base_rate": "8%"}, 1500 * W, True, True),
    # 嘉兴 information service: new ≥1000万 ≤300万; upgrade ≥500万 ≤150万; 5%
    ("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "2400万"}, 120 * W, True, False),
    ("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "8000万"}, 300 * W, True, True),
    ("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "800万"}, 0, False, False),
    ("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "1000万"}, 50 * W, True, False),
    ("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "6000万"}, 300 * W, True, False),
    ("jiaxing_info_service_investment", {"project_type": "upgrade", "investment_yuan": "600万"}, 30 * W, True, False),
    ("jiaxing_info_service_investment", {"project_type": "upgrade", "investment_yuan": "499万"}, 0, False, False),
    ("jiaxing_info_service_investment", {"project_type": "upgrade", "investment_yuan": "500万"}, 25 * W, True, False),
    ("jiaxing_info_service_investment", {"project_type": "upgrade", "investment_yuan": "4000万"}, 150 * W, True, True),
    # 嘉兴 revenue milestones, growth ≥10%
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1亿", "growth_rate": "15%"}, 200 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1亿", "growth_rate": "8%"}, 0, False, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1亿", "growth_rate": "10%"}, 200 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1亿", "growth_rate": "-5%"}, 0, False, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1999万", "growth_rate": "20%"}, 0, False, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "2000万", "growth_rate": "20%"}, 20 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "3000万", "growth_rate": "20%"}, 50 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "5000万", "growth_rate": "20%"}, 100 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "2.5亿", "growth_rate": "20%"}, 300 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "5亿", "growth_rate": "20%"}, 400 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "12亿", "growth_rate": "20%"}, 500 * W, True, False),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1亿", "growth_rate": "15%", "first_time": False}, 0, False, False),
    # 嘉兴 compute subsidy: 50%, ≤200万 / ≤500万 with a new model filing
    ("jiaxing_compute_subsidy", {"actual_usage_yuan": "300万"}, 150 * W, True, False),
    ("jiaxing_compute_subsidy", {"actual_usage_yuan": "400万"}, 200 * W, True, False),
    ("jiaxing_compute_subsidy", {"actual_usage_yuan": "600万"}, 200 * W, True, True),
    ("jiaxing_compute_subsidy", {"actual_usage_yuan": "1200万", "new_model_filing": True}, 500 * W, True, True),
    ("jiaxing_compute_subsidy", {"actual_usage_yuan": "600万", "new_model_filing": "是"}, 300 * W, True, False),
    # 嘉兴 fixed awards
    ("jiaxing_innovation_center_award", {"level": "national"}, 300 * W, True, False),
    ("jiaxing_innovation_center_award", {"level": "provincial"}, 150 * W, True, False),
    ("jiaxing_tech_center_award", {"level": "national"}, 150 * W, True, False),
    ("jiaxing_tech_center_award", {"level": "provincial"}, 50 * W, True, False),
    ("jiaxing_tech_center_award", {"level": "municipal"}, 20 * W, True, False),
    ("jiaxing_first_set_award", {"level": "international"}, 200 * W, True, False),
    ("jiaxing_first_set_award", {"level": "domestic"}, 150 * W, True, False),
    ("jiaxing_first_set_award", {"level": "provincial"}, 50 * W, True, False),
    ("jiaxing_first_set_award", {"level": "municipal"}, 20 * W, True, False),
    ("jiaxing_product_quality_award", {"level": "zhejiang_made_premium"}, 30 * W, True, False),
    ("jiaxing_product_quality_award", {"level": "provincial_new_product"}, 5 * W, True, False),
    ("jiaxing_model_filing_award", {}, 100 * W, True, False),
    ("jiaxing_application_scenario_award", {"level": "national"}, 50 * W, True, False),
    ("jiaxing_application_scenario_award", {"level": "provincial"}, 20 * W, True, False),
    ("jiaxing_digital_merchant_award", {"level": "leading"}, 50 * W, True, False),
    ("jiaxing_digital_merchant_award", {"level": "growth"}, 30 * W, True, False),
    ("jiaxing_5g_factory_award", {}, 50 * W, True, False),
    ("jiaxing_data_pilot_award", {"level": "cpms_listed"}, 20 * W, True, False),
    ("jiaxing_data_pilot_award", {"level": "cpms_accepted"}, 50 * W, True, False),
    ("jiaxing_data_pilot_award", {"level": "cdo"}, 30 * W, True, False),
    ("jiaxing_data_pilot_award", {"level": "dcmm"}, 10 * W, True, False),
    # 郑州 算力券: 20%, ≤100万/year, self-built self-use excluded
    ("zhengzhou_compute_voucher", {"contract_amount_yuan": "300万"}, 60 * W, True, False),
    ("zhengzhou_compute_voucher", {"contract_amount_yuan": "500万"}, 100 * W, True, False),
    ("zhengzhou_compute_voucher", {"contract_amount_yuan": "800万"}, 100 * W, True, True),
    ("zhengzhou_compute_voucher", {"contract_amount_yuan": "300万", "self_built_self_use": True}, 0, False, False),
    # 郑州 scenario application: 30%, ≤500万
    ("zhengzhou_scenario_application", {"actual_investment_yuan": "1000万"}, 300 * W, True, False),
    ("zhengzhou_scenario_application", {"actual_investment_yuan": "2000万"}, 500 * W, True, True),
    # 郑州 fixed awards
    ("zhengzhou_major_project", {}, 1000 * W, True, False),
    ("zhengzhou_model_scenario", {}, 500 * W, True, False),
    ("zhengzhou_key_laboratory", {"level": "lead"}, 1500 * W, True, False),
    ("zhengzhou_key_laboratory", {"level": "co_builder"}, 100 * W, True, False),
    ("zhengzhou_innovation_center", {"level": "technology_innovation_center"}, 500 * W, True, False),
    ("zhengzhou_innovation_center", {"level": "industry_innovation_center"}, 500 * W, True, False),
    ("zhengzhou_smart_manufacturing_award", {"level": "national_demo_factory"}, 300 * W, True, False),
    ("zhengzhou_smart_manufacturing_award", {"level": "national_scenario"}, 100 * W, True, False),
    ("zhengzhou_smart_manufacturing_award", {"level": "provincial_benchmark"}, 100 * W, True, False),
    ("zhengzhou_smart_manufacturing_award", {"level": "provincial_factory"}, 50 * W, True, False),
    ("zhengzhou_smart_manufacturing_award", {"level": "provincial_workshop"}, 30 * W, True, False),
    ("zhengzhou_unicorn_award", {"level": "unicorn"}, 500 * W, True, False),
    ("zhengzhou_unicorn_award", {"level": "potential_unicorn"}, 200 * W, True, False),
    ("zhengzhou_little_giant_award", {"level": "little_giant"}, 100 * W, True, False),
    ("zhengzhou_little_giant_award", {"level": "hidden_champion"}, 100 * W, True, False),
    ("zhengzhou_benchmark_enterprise_award", {}, 10 * W, True, False),
    ("zhengzhou_demonstration_base_award", {"level": "national"}, 200 * W, True, False),
    ("zhengzhou_demonstration_base_award", {"level": "provincial"}, 100 * W, True, False),
    ("zhengzhou_event_subsidy", {}, 30 * W, True, False),
]


@pytest.mark.parametrize("program, inputs, result, eligible, cap_applied", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_worked_case(program, inputs, result, eligible, cap_applied):
    calc = calculate(program, inputs)
    assert calc.result_yuan == result, calc.steps
    assert calc.eligible is eligible, calc.steps
    assert calc.cap_applied is cap_applied, calc.steps
    assert calc.clause_id == load_rules()[program].clause_id
    assert calc.steps and calc.steps[-1].startswith("结果")


def test_every_program_has_a_worked_case():
    assert set(load_rules()) == {c[0] for c in CASES}


def test_required_program_ids_exist():
    assert {"hangzhou_compute_voucher", "jiaxing_compute_subsidy", "zhengzhou_compute_voucher"} <= set(load_rules())


def test_steps_read_as_plain_chinese():
    calc = calculate("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "domestic"})
    assert calc.steps[:2] == ["1000万元 × 30% = 300万元", "未超过单家企业每年800万元上限"]


def test_steps_in_english():
    calc = calculate("hangzhou_compute_voucher", {"contract_amount_yuan": "5000万", "compute_type": "domestic"}, lang="en")
    assert calc.steps[0] == "50,000,000 yuan (5000万元) × 30% = 15,000,000 yuan (1500万元)"
    assert "cap" in calc.steps[1] and calc.title == "Compute vouchers"


def test_below_threshold_reason_is_given():
    calc = calculate("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "800万"})
    assert any("低于门槛1000万元" in n for n in calc.notes)


def test_loan_interest_shows_each_limit():
    steps = calculate("hangzhou_loan_interest", {"loan_amount_yuan": "2亿", "interest_rate": "3.5%"}).steps
    assert "支付利息 = 2亿元 × 3.5% = 700万元" in steps
    assert "按1.5个百分点:2亿元 × 1.5% = 300万元" in steps
    assert "不超过支付利息的50%:700万元 × 50% = 350万元" in steps


def test_open_questions_are_reported():
    hz = calculate("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "domestic"})
    assert any("放宽" in q for q in hz.open_questions)
    jx = calculate("jiaxing_manufacturing_investment", {"productive_investment_yuan": "1亿", "strategic_emerging": True})
    assert jx.partial and jx.eligible and any("未公布" in q for q in jx.open_questions)


def test_contract_has_exactly_the_http_fields():
    calc = calculate("zhengzhou_compute_voucher", {"contract_amount_yuan": 3_000_000})
    assert calc.to_contract() == {
        "program": "zhengzhou_compute_voucher",
        "inputs": {"contract_amount_yuan": 3_000_000, "self_built_self_use": False},
        "steps": calc.steps,
        "result_yuan": 600_000.0,
        "cap_applied": False,
        "eligible": True,
        "clause_id": "zhengzhou-ai-measures#一.2",
        "reviewed": True,
    }


@pytest.mark.parametrize("program, inputs, lang, gap", [
    ("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "800万"}, "zh", "还差200万元"),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1亿", "growth_rate": "8.5%"}, "zh", "还差1.5个百分点"),
    ("jiaxing_revenue_milestone", {"revenue_yuan": "1亿", "growth_rate": "8.5%"}, "en", "by 1.5 percentage points"),
])
def test_below_threshold_says_how_far_short(program, inputs, lang, gap):
    calc = calculate(program, inputs, lang=lang)
    assert not calc.eligible and any(gap in n for n in calc.notes)


def test_a_growth_rate_not_given_is_worked_out_from_two_years_revenue_and_shown():
    calc = calculate("jiaxing_revenue_milestone", {"revenue_yuan": "5200万", "previous_revenue_yuan": "4600万"})
    assert calc.result_yuan == 1_000_000 and calc.eligible  # (5200 − 4600) / 4600 = 13.04% ≥ 10%, 5000万 tier
    assert calc.steps[0] == "营业收入同比增速 = (5200万元 − 4600万元) ÷ 4600万元 = 13.04%"
    below = calculate("jiaxing_revenue_milestone", {"revenue_yuan": "2.05亿", "previous_revenue_yuan": "1.9亿"})
    assert not below.eligible and below.result_yuan == 0 and "7.89%" in below.steps[0]


def test_a_growth_rate_given_wins_over_two_years_revenue():
    calc = calculate("jiaxing_revenue_milestone", {"revenue_yuan": "5200万", "previous_revenue_yuan": "5100万", "growth_rate": 12})
    assert calc.eligible and calc.result_yuan == 1_000_000 and "÷" not in " ".join(calc.steps)


def test_cap_of_reads_the_cap_under_the_options_given_or_their_default():
    rule = get_rule("jiaxing_compute_subsidy")
    assert cap_of(rule) == Decimal(2_000_000)
    assert cap_of(rule, {"new_model_filing": True}) == Decimal(5_000_000)
    assert cap_of(rule, {"new_model_filing": "是"}) == Decimal(5_000_000)
    assert cap_of(get_rule("zhengzhou_compute_voucher"), {"compute_type": "other"}) == Decimal(1_000_000)
    assert cap_of(get_rule("jiaxing_innovation_center_award")) is None  # a fixed award has no cap


def test_period_total_is_the_yearly_cap_times_the_years_of_support():
    calc = period_total(get_rule("hangzhou_innovation_center"))  # 每年不超过500万元, 资助不超过3年
    assert calc.result_yuan == 15_000_000 and calc.cap_applied and calc.clause_id == "hangzhou-ai-measures#三.(七)"
    assert "500万元 × 3 = 1500万元" in " ".join(calc.steps)
    assert "15,000,000" in " ".join(period_total(get_rule("hangzhou_innovation_center"), lang="en").steps)
    assert period_total(get_rule("hangzhou_compute_voucher")) is None  # yearly, but no number of years stated


def test_exclusion_of_names_the_exclusion_the_options_meet():
    rule = get_rule("zhengzhou_compute_voucher")
    assert "自建自用除外" in exclusion_of(rule, {"self_built_self_use": True}).reason.zh
    assert exclusion_of(rule, {"self_built_self_use": False}) is None
    assert exclusion_of(rule) is None  # not said: not assumed
    assert exclusion_of(get_rule("jiaxing_compute_subsidy"), {"self_built_self_use": True}) is None  # no such input
