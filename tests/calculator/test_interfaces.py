"""Comparison, stacking, program schema, LangChain tools and the calc CLI."""

import json

import pytest
from langchain_core.tools import StructuredTool

from assistant.calculator import apply_stacking, calculate, compare_cities, programs_schema
from assistant.calculator.cli import run_calc
from assistant.calculator.tools import calculator_tools
from assistant.errors import InputError


def test_compare_compute_vouchers_for_1000wan_domestic():
    calcs = compare_cities("compute_voucher", "1000万", {"compute_type": "domestic"})
    assert {c.program: c.result_yuan for c in calcs} == {
        "hangzhou_compute_voucher": 3_000_000,
        "jiaxing_compute_subsidy": 2_000_000,
        "zhengzhou_compute_voucher": 1_000_000,
    }
    assert {c.program: c.cap_applied for c in calcs} == {
        "hangzhou_compute_voucher": False,
        "jiaxing_compute_subsidy": True,
        "zhengzhou_compute_voucher": True,
    }


def test_compare_model_filing_and_unknown_tag():
    assert {c.city for c in compare_cities("model_filing")} == {"杭州", "嘉兴"}
    with pytest.raises(InputError, match="compute_voucher"):
        compare_cities("teleportation", "1000万")


def test_stacking_keeps_the_highest_in_jiaxing():
    manufacturing = calculate("jiaxing_manufacturing_investment", {"productive_investment_yuan": "5000万", "base_rate": "6%"})
    info = calculate("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "5000万"})
    result = apply_stacking([manufacturing, info])
    assert [c.program for c in result.applied] == ["jiaxing_manufacturing_investment"]
    assert [c.program for c in result.excluded] == ["jiaxing_info_service_investment"]
    assert result.total_yuan == 3_000_000
    assert result.clause_ids == ["jiaxing-ai-plan#closing"]
    assert "就高不重复" in result.steps[0] and "jiaxing-ai-plan#closing" in result.steps[0]


def test_stacking_in_hangzhou_cites_its_principle():
    a = calculate("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "other"})
    b = calculate("hangzhou_rd_matching", {"funds_received_yuan": "2000万"})
    result = apply_stacking([a, b])
    assert result.total_yuan == 5_000_000 and "从优、就高、不重复" in result.steps[0]
    separate = apply_stacking([a, b], same_item=False)
    assert separate.total_yuan == 7_000_000 and not separate.excluded


def test_stacking_never_crosses_cities_and_ineligible_loses():
    hz = calculate("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "domestic"})
    zz = calculate("zhengzhou_compute_voucher", {"contract_amount_yuan": "1000万"})
    assert apply_stacking([hz, zz]).total_yuan == 4_000_000
    low = calculate("jiaxing_info_service_investment", {"project_type": "upgrade", "investment_yuan": "600万"})
    none = calculate("jiaxing_info_service_investment", {"project_type": "new", "investment_yuan": "800万"})
    assert apply_stacking([none, low]).applied == [low]


def test_zhengzhou_has_no_stacking_rule():
    a = calculate("zhengzhou_unicorn_award", {"level": "unicorn"})
    b = calculate("zhengzhou_benchmark_enterprise_award", {})
    result = apply_stacking([a, b])
    assert result.total_yuan == 5_100_000 and "未规定" in result.steps[0]


def test_programs_schema_is_json_able():
    schema = programs_schema()
    json.dumps(schema, ensure_ascii=False)
    by_id = {p["program"]: p for p in schema}
    voucher = by_id["hangzhou_compute_voucher"]
    assert voucher["city"] == "杭州" and voucher["clause_id"] == "hangzhou-ai-measures#一.(三)"
    compute_type = next(i for i in voucher["inputs"] if i["name"] == "compute_type")
    assert compute_type["allowed"] == ["domestic", "other", "maas_agent"] and compute_type["required"]
    filing = next(i for i in by_id["jiaxing_compute_subsidy"]["inputs"] if i["name"] == "new_model_filing")
    assert filing["default"] is False and not filing["required"]


def test_tools_invoke():
    tools = calculator_tools()
    assert all(isinstance(t, StructuredTool) for t in tools)
    calc_tool, compare_tool = tools
    assert calc_tool.name == "calculate_subsidy" and "hangzhou_compute_voucher" in calc_tool.description
    out = json.loads(calc_tool.invoke({"program": "hangzhou_compute_voucher", "inputs": {"contract_amount_yuan": "1000万", "compute_type": "domestic"}}))
    assert out["result_yuan"] == 3_000_000 and out["clause_id"] == "hangzhou-ai-measures#一.(三)"
    error = json.loads(calc_tool.invoke({"program": "nope", "inputs": {}}))
    assert "accepted programs" in error["error"]
    compared = json.loads(compare_tool.invoke({"comparable": "compute_voucher", "amount_yuan": "1000万", "options": {"compute_type": "domestic"}}))
    assert [c["result_yuan"] for c in compared] == [3_000_000, 2_000_000, 1_000_000]
    assert set(calc_tool.args) == {"program", "inputs"}


def test_run_calc_text_and_json():
    code, text = run_calc("hangzhou_compute_voucher", ["contract_amount_yuan=1000万", "compute_type=domestic"])
    assert code == 0 and "1000万元 × 30% = 300万元" in text and "hangzhou-ai-measures#一.(三)" in text
    code, text = run_calc("jiaxing_compute_subsidy", ["actual_usage_yuan=600万"], as_json=True)
    assert code == 0 and json.loads(text)["result_yuan"] == 2_000_000
    code, text = run_calc("hangzhou_loan_interest", ["loan_amount_yuan=2亿", "interest_rate=3.5%"], lang="en")
    assert code == 0 and "Result: 3,000,000 yuan (300万元)" in text


@pytest.mark.parametrize(
    "program, assignments, fragment",
    [
        ("nope", [], "accepted programs"),
        ("hangzhou_compute_voucher", ["contract_amount_yuan"], "key=value"),
        ("hangzhou_compute_voucher", ["contract_amount_yuan=1000万"], "missing input compute_type"),
        ("zhengzhou_compute_voucher", ["contract_amount_yuan=-3"], "must not be negative"),
    ],
)
def test_run_calc_errors(program, assignments, fragment):
    code, text = run_calc(program, assignments)
    assert code == 2 and fragment in text


@pytest.mark.parametrize("program", ["", "list"])
def test_run_calc_lists_programs(program):
    code, text = run_calc(program, [])
    assert code == 0 and "hangzhou_compute_voucher" in text and "zhengzhou_event_subsidy" in text
    code, text = run_calc(program, [], as_json=True)
    assert code == 0 and len(json.loads(text)) == 32


def test_difference_line_is_the_largest_result_less_the_smallest():
    from assistant.calculator import difference_line

    assert difference_line([300_000, 50_000.0, 150_000]) == "相差:30万元 − 5万元 = 25万元。"
    assert difference_line([1_500_000, 500_000], lang="en").startswith("Difference: ")
    assert difference_line([500_000, 500_000]) is None  # one result: nothing to compare
