"""The eval gate CI runs: the real product and the baselines on the gold set, in-process, with floors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evals.gold import DEFAULT_GOLD, load_gold

pytestmark = pytest.mark.slow

THRESHOLDS = DEFAULT_GOLD.parents[1] / "thresholds.json"


@pytest.fixture(scope="module")
def eval_run(settings, tmp_path_factory, monkeypatch_module):
    """`policy-assistant eval --thresholds evals/thresholds.json` on the session's index; its exit and report."""
    from assistant.cli import app
    from assistant.settings import get_settings

    monkeypatch_module.setenv("POLICY_DATA_DIR", str(settings.data_dir))
    monkeypatch_module.setenv("POLICY_CORPUS_DIR", str(settings.corpus_dir))
    get_settings.cache_clear()
    report_dir = tmp_path_factory.mktemp("eval-reports")
    result = CliRunner().invoke(
        app, ["eval", "--thresholds", str(THRESHOLDS), "--report-dir", str(report_dir), "--no-progress"],
    )
    get_settings.cache_clear()
    report = json.loads((report_dir / "latest.json").read_text(encoding="utf-8"))
    return result, report, report_dir


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_gold_set_is_large_and_covers_every_question_type():
    items = load_gold()
    assert len(items) >= 150
    types = {i.type for i in items}
    assert {"calculation", "comparison", "followup_city", "traditional", "english", "refusal", "typo"} <= types


def test_gold_set_references_real_clauses_and_programs(policy_assistant):
    from assistant import calculator

    programs = set(calculator.load_rules())
    clause_ids = {c.clause_id for c in policy_assistant.catalogue.index.clauses}
    for item in load_gold():
        assert set(item.expected_clause_ids) <= clause_ids, item.id
        assert item.expected_program is None or item.expected_program in programs, item.id
    covered = {i.expected_program for i in load_gold() if i.expected_program}
    assert covered == programs, f"programmes without a gold calculation: {sorted(programs - covered)}"


def test_eval_passes_the_committed_thresholds_and_beats_every_baseline(eval_run):
    result, report, _ = eval_run
    product = report["systems"]["product"]["summary"]
    assert result.exit_code == 0, result.output + "\n" + json.dumps(product, indent=1)
    floors = json.loads(THRESHOLDS.read_text(encoding="utf-8"))["product"]
    assert product["answer_accuracy"] >= max(0.9, floors["answer_accuracy"])
    assert product["hit@5"] >= max(0.95, floors["hit@5"])
    for name in ("newcomer_langchain", "bm25_only", "dense_only"):
        baseline = report["systems"][name]["summary"]
        assert product["hit@5"] > baseline["hit@5"], name
        assert product["answer_accuracy"] > baseline["answer_accuracy"], name


def test_eval_writes_a_markdown_report_with_per_type_scores(eval_run):
    _, report, report_dir = eval_run
    markdown = (report_dir / "latest.md").read_text(encoding="utf-8")
    assert "| answer_accuracy |" in markdown and "## Product by question type" in markdown
    assert set(report["systems"]["product"]["by_type"]) == {i.type for i in load_gold()}


def test_eval_fails_when_a_floor_is_not_met(settings, tmp_path, monkeypatch):
    from assistant.cli import app
    from assistant.settings import get_settings

    monkeypatch.setenv("POLICY_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, [
            "eval", "--no-baselines", "--fail-under", "answer_accuracy=1.01",
            "--report-dir", str(tmp_path), "--no-progress",
        ])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "answer_accuracy" in result.output
