"""Answer verification: citations resolve and every number has a source (amounts compared in yuan)."""

from __future__ import annotations

from decimal import Decimal

from assistant.verify import numeric_facts, verify_answer

CLAUSE = "发放算力券。对企业租用市内智算中心算力开展模型训练和推理的,按算力合同费用的25%给予补贴,单家企业每年补贴不超过200万元。"


def test_quoted_numbers_and_resolving_marker_pass():
    check = verify_answer("按算力合同费用的25%给予补贴,每年不超过200万元[1]。", 1, [CLAUSE])
    assert check.ok and check.problems == [] and check.used_markers == [1]


def test_same_amount_written_differently_passes():
    assert verify_answer("每年最多 RMB 2,000,000 [1].", 1, [CLAUSE]).ok
    assert verify_answer("每年最多2000000元[1]。", 1, [CLAUSE]).ok


def test_invented_amount_and_percentage_fail():
    check = verify_answer("按30%给予补贴,最高300万元[1]。", 1, [CLAUSE])
    assert not check.ok
    assert any("300" in p for p in check.problems)
    assert any("30%" in p for p in check.problems)


def test_dangling_marker_fails():
    check = verify_answer("按25%给予补贴[2]。", 1, [CLAUSE])
    assert not check.ok and "[2]" in check.problems[0]


def test_uncited_answer_fails_when_clauses_were_given():
    assert "the answer cites nothing" in verify_answer("按25%给予补贴。", 1, [CLAUSE]).problems


def test_refusal_without_citations_passes():
    assert verify_answer("抱歉,无法回答。", 0, []).ok


def test_marker_numbers_are_not_facts():
    amounts, percents, bare = numeric_facts("见[3]:补贴25%,上限200万元。")
    assert amounts == {Decimal("2000000")}
    assert percents == {Decimal("25")}
    assert Decimal("3") not in bare


def test_calculation_output_counts_as_evidence():
    steps = "500万元 × 25% = 125万元"
    assert not verify_answer("可得125万元[1]。", 1, [CLAUSE]).ok
    assert verify_answer("可得125万元[1]。", 1, [CLAUSE, steps]).ok


def test_an_amount_worked_out_in_shown_arithmetic_from_supported_figures_passes():
    question = "合同800万元,能补多少?"
    assert verify_answer("800万元 × 25% = 200万元[1]。", 1, [CLAUSE, question]).ok
    assert verify_answer("多出200万元 − 60万元 = 140万元[1]。", 1, [CLAUSE, "另一家60万元"]).ok
    # a total of several awards: every operand added
    assert verify_answer("合计:200万元 + 60万元 + 25万元 = 285万元[1]。", 1, [CLAUSE, "另一家60万元,再一家25万元"]).ok
    assert verify_answer("Total: 2,000,000 yuan (200万元) + 600,000 yuan (60万元) = 2,600,000 yuan (260万元) [1].", 1,
                         [CLAUSE, "另一家60万元"]).ok


def test_shown_arithmetic_that_is_wrong_or_from_an_unstated_figure_fails():
    assert not verify_answer("800万元 × 25% = 210万元[1]。", 1, [CLAUSE, "合同800万元"]).ok
    assert not verify_answer("900万元 × 25% = 225万元[1]。", 1, [CLAUSE, "合同800万元"]).ok
    assert not verify_answer("合计:200万元 + 60万元 + 25万元 = 260万元[1]。", 1, [CLAUSE, "另一家60万元,再一家25万元"]).ok
    assert not verify_answer("合计:200万元 + 70万元 + 25万元 = 295万元[1]。", 1, [CLAUSE, "另一家60万元,再一家25万元"]).ok
