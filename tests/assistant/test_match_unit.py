"""The matcher, fast: the synthetic corpus (a fourth city whose rules were read from the text) and the fake embedder."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.errors import InputError
from assistant.matching import Matcher, parse_profile, profile_from_dict
from assistant.matching.report import to_csv, to_markdown


@pytest.fixture(scope="module")
def synthetic_services(synthetic_data_dir, fake_embedder):
    from assistant.services import build_services
    from assistant.settings import Settings
    from tests.conftest import SYNTHETIC_CORPUS

    settings = Settings(data_dir=synthetic_data_dir, corpus_dir=SYNTHETIC_CORPUS, rate_limit_per_minute=0)
    return build_services(settings, build_if_needed=False, embedder=fake_embedder)


@pytest.fixture(scope="module")
def fourth_city(synthetic_services):
    """The city the bundled corpus lacks, read off the synthetic index (never written in code)."""
    doc = next(d for d in synthetic_services.catalogue.documents.values() if d.doc_id.startswith("ningbo"))
    return doc.city


def test_extracted_rules_of_a_fourth_city(synthetic_services, fourth_city):
    # extracted from the text: compute vouchers 25% capped at 200万; a new computing centre 10% of equipment
    # investment (≥ 2000万) capped at 1000万; model filing 30万 once; sector-model projects 20% capped at 300万.
    # 1000万 contract → 250万 → 200万; 3000万 investment → 300万 (centre) and 600万 → 300万 (sector model), same
    # investment under 从优、就高、不重复 → one counts; filing 30万: total 200 + 300 + 30 = 530万
    text = f"我们是{fourth_city}的制造企业,签了1000万元算力合同,设备投资3000万元新建智算中心,大模型已通过备案"
    profile, outside = parse_profile(text, synthetic_services.assistant.parser)
    assert profile.get("city") == fourth_city and not outside
    result = Matcher(synthetic_services.rules, synthetic_services.catalogue).match(profile)
    got = {m.title: m for m in result.matches}
    assert got["发放算力券"].amount_yuan == 2_000_000 and not got["发放算力券"].reviewed
    assert got["支持智算中心建设"].amount_yuan == 3_000_000
    assert got["支持模型备案"].amount_yuan == 300_000
    assert got["支持智算中心建设"].counted != got["推动行业模型应用"].counted
    assert result.total_yuan == 5_300_000
    assert any("从优、就高、不重复" in n for n in result.notes)
    assert got["发放算力券"].hit.clause.clause_id == got["发放算力券"].clause_id


def test_threshold_of_an_extracted_rule(synthetic_services, fourth_city):
    # equipment investment 1500万 < 2000万 → not eligible, with the clause's words
    profile = profile_from_dict({"city": fourth_city, "investment_yuan": "1500万"})
    result = Matcher(synthetic_services.rules, synthetic_services.catalogue).match(profile)
    centre = next(m for m in result.matches if m.title == "支持智算中心建设")
    assert centre.status == "not_eligible" and "2000万元" in centre.reason


def test_outside_city_gives_a_note_not_matches(synthetic_services):
    profile, outside = parse_profile("我们是成都的企业,算力合同100万元", synthetic_services.assistant.parser)
    result = Matcher(synthetic_services.rules, synthetic_services.catalogue).match(profile, outside=outside)
    assert result.matches == () and "成都" in result.notes[0]


def test_structured_profile_validation_names_each_field():
    with pytest.raises(InputError) as err:
        profile_from_dict({"revenue_yuan": "-1", "revenue_growth": "-20%", "loan_rate": "-1%",
                           "platforms": [{"name": "tech_center", "level": "cosmic"}], "events_held": "many"})
    message = str(err.value)
    for field in ("profile.revenue_yuan", "profile.loan_rate", "profile.platforms[0].level", "profile.events_held"):
        assert field in message
    assert "revenue_growth" not in message  # a growth rate may be negative


def test_structured_values_are_typed():
    profile = profile_from_dict({"compute_contract_yuan": "1.2亿", "model_filed": "是", "industry": "制造业",
                                 "certifications": ["小巨人", {"name": "企业技术中心", "level": "省级"}]})
    assert profile.get("compute_contract_yuan") == Decimal(120_000_000)
    assert profile.get("model_filed") is True and profile.get("industry") == "manufacturing"
    assert [h.title for h in profile.get("certifications")] == ["little_giant"]
    assert profile.get("platforms")[0].level == "provincial"  # filed under the list it belongs to


def test_contradictory_levels_are_refused():
    with pytest.raises(InputError, match="different levels"):
        profile_from_dict({"platforms": [{"name": "tech_center", "level": "national"}, {"name": "tech_center", "level": "municipal"}]})


def test_negation_denies_a_fact(synthetic_services):
    profile, _ = parse_profile("模型还没备案,营收增长下降5%", synthetic_services.assistant.parser)
    assert profile.get("model_filed") is False
    assert profile.get("revenue_growth") == Decimal(-5)


def test_reports(synthetic_services, fourth_city):
    profile = profile_from_dict({"city": fourth_city, "compute_contract_yuan": "400万"})
    result = Matcher(synthetic_services.rules, synthetic_services.catalogue).match(profile)
    csv_text, md = to_csv(result), to_markdown(result)
    assert "发放算力券" in csv_text and "1000000" in csv_text  # 400万 × 25% = 100万
    assert "| 可申报 |" in md and "100万元" in md


def test_match_api_on_the_synthetic_index(synthetic_services, fourth_city):
    from fastapi.testclient import TestClient

    from assistant.http.app import create_app

    with TestClient(create_app(synthetic_services.settings, synthetic_services)) as client:
        ok = client.post("/v1/match", json={"profile": {"city": fourth_city, "compute_contract_yuan": 4_000_000}})
        assert ok.status_code == 200 and ok.json()["total_yuan"] == 1_000_000
        bad = client.post("/v1/match", json={"profile": {"compute_contract_yuan": {"nested": [1, 2]}}})
        assert bad.status_code == 422 and "compute_contract_yuan" in bad.json()["detail"]
        weird = client.post("/v1/match", json={"profile": {"certifications": [{"name": ["x"], "level": {}}]}})
        assert weird.status_code == 422


def test_ui_check_handler_and_tab(synthetic_services, fourth_city):
    from ui.app import build_ui
    from ui.match import check, form_profile

    html, csv_path, md_path = check(synthetic_services, f"{fourth_city},算力合同400万元", "", form_profile("", "", "", "", "", False, []))
    assert "发放算力券" in html and "100万元" in html and "<details" in html
    assert "发放算力券" in open(csv_path, encoding="utf-8-sig").read() and open(md_path, encoding="utf-8").read().startswith("# 政策体检")
    bad, no_csv, _ = check(synthetic_services, "", "", {"compute_contract_yuan": "-3"})
    assert "compute_contract_yuan" in bad and no_csv is None
    assert build_ui(lambda: synthetic_services, lambda: None) is not None
