"""POST /v1/match on the real index: hand-computed results for enterprise profiles over the bundled cities.

Every expected amount below was worked out by hand from the clause text (see the comments); the city names
come from the rule book's programmes, never written into the product code.
"""

from __future__ import annotations

import pytest


def _match(client, **body):
    response = client.post("/v1/match", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _by_program(data):
    return {m["program"]: m for m in data["matches"]}


def test_free_text_compute_contract_and_filing(client):
    # 1000万 × 30% (domestic compute) = 300万 ≤ 800万 cap; model filing reward: at most 50万 (upper bound)
    data = _match(client, profile_text="我们是杭州的软件企业,今年签了1000万元国产算力合同,大模型刚备案")
    assert data["profile"]["city"] == "杭州" and data["profile"]["compute_contract_yuan"] == 10_000_000
    got = _by_program(data)
    voucher = got["hangzhou_compute_voucher"]
    assert voucher["status"] == "eligible" and voucher["amount_yuan"] == 3_000_000
    assert any("30%" in s for s in voucher["steps"])
    assert voucher["citation"]["id"] == "hangzhou-ai-measures#一.(三)" and "30%" in voucher["citation"]["text"]
    assert voucher["responsible_units"]
    filing = got["hangzhou_model_filing"]
    assert filing["status"] == "eligible" and filing["amount_yuan"] == 500_000 and "上限" in filing["reason"]
    assert data["total_yuan"] == 3_500_000
    assert {m["city"] for m in data["matches"]} == {"杭州"}
    # order: eligible by amount, then needs_info, then not_eligible
    order = [m["status"] for m in data["matches"]]
    assert order == sorted(order, key=["eligible", "needs_info", "not_eligible"].index)


def test_cap_applies(client):
    # 3000万 × 30% = 900万 > 800万 per enterprise per year → 800万
    data = _match(client, profile={"city": "杭州", "compute_contract_yuan": "3000万", "compute_type": "domestic"})
    voucher = _by_program(data)["hangzhou_compute_voucher"]
    assert voucher["amount_yuan"] == 8_000_000 and any("上限" in s for s in voucher["steps"])
    assert data["total_yuan"] == 8_000_000


def test_threshold_fails_and_revenue_tier(client):
    # new info-service project 800万 < 1000万 threshold → not eligible, quoted; revenue 3500万 (≥3000万 tier), growth
    # 12% ≥ 10% → 50万; provincial enterprise technology centre → 50万; total 100万
    data = _match(client, profile_text="嘉兴的信息服务企业,新建项目投资800万元,营收3500万元,同比增长12%,省级企业技术中心")
    got = _by_program(data)
    invest = got["jiaxing_info_service_investment"]
    assert invest["status"] == "not_eligible" and "1000万元" in invest["reason"] and "条款原文" in invest["reason"]
    assert got["jiaxing_revenue_milestone"]["amount_yuan"] == 500_000
    assert got["jiaxing_tech_center_award"]["amount_yuan"] == 500_000
    assert data["total_yuan"] == 1_000_000


def test_growth_below_threshold(client):
    # growth 8% < 10% → not eligible whatever the revenue
    data = _match(client, profile_text="嘉兴,营收6000万元,同比增长8%")
    milestone = _by_program(data)["jiaxing_revenue_milestone"]
    assert milestone["status"] == "not_eligible" and "10%" in milestone["reason"]
    assert data["total_yuan"] == 0


def test_exclusion_self_built_and_titles_without_stacking_principle(client):
    # self-built compute for own use is excluded; unicorn 500万 + little giant 100万: the city states no stacking
    # principle, so both count (600万) and a note says so
    data = _match(client, profile_text="郑州,自建自用算力合同500万元,专精特新小巨人,独角兽企业")
    got = _by_program(data)
    assert got["zhengzhou_compute_voucher"]["status"] == "not_eligible"
    assert "自建自用除外" in got["zhengzhou_compute_voucher"]["reason"]
    assert got["zhengzhou_unicorn_award"]["amount_yuan"] == 5_000_000
    assert got["zhengzhou_little_giant_award"]["amount_yuan"] == 1_000_000
    assert data["total_yuan"] == 6_000_000
    assert any("未规定叠加原则" in n for n in data["notes"])


def test_no_city_named_checks_every_city(client):
    # 1000万 domestic compute: 300万 in one city (30%, cap 800万), 200万 in another (50% = 500万, cap 200万 without a
    # new filing), 100万 in the third (20% = 200万, cap 100万); the total is the best city's, not the sum
    data = _match(client, profile_text="签了1000万元国产算力合同")
    got = _by_program(data)
    assert got["hangzhou_compute_voucher"]["amount_yuan"] == 3_000_000
    assert got["jiaxing_compute_subsidy"]["amount_yuan"] == 2_000_000
    assert got["zhengzhou_compute_voucher"]["amount_yuan"] == 1_000_000
    assert len({m["city"] for m in data["matches"]}) == 3
    assert data["total_yuan"] == 3_000_000
    assert any("全部城市" in n for n in data["notes"])


def test_stacking_highest_only(client):
    # upgrade project 5000万, strategic emerging: info-service 5% = 250万 capped at 150万; manufacturing investment
    # uplift 5% = 250万 (base rate unpublished); same item under 就高不重复 → only 250万 counts
    data = _match(client, profile_text="嘉兴企业,提升改造项目投资5000万元,属于战略性新兴产业")
    got = _by_program(data)
    assert got["jiaxing_info_service_investment"]["amount_yuan"] == 1_500_000
    assert got["jiaxing_manufacturing_investment"]["amount_yuan"] == 2_500_000
    assert data["total_yuan"] == 2_500_000
    assert any("就高不重复" in n and "jiaxing-ai-plan#closing" in n for n in data["notes"])
    assert "不重复计入" in got["jiaxing_info_service_investment"]["reason"]


def test_loan_interest(client):
    # paid 6000万 × 4% = 240万; 1.5 points: 90万; 50% of interest: 120万 → 90万; investment 1亿 ≥ 5000万
    data = _match(client, profile_text="杭州,新建算力中心总投资1亿元,银行贷款6000万元,年利率4%")
    got = _by_program(data)
    assert got["hangzhou_loan_interest"]["amount_yuan"] == 900_000
    assert got["hangzhou_innovation_center"]["status"] == "needs_info"
    assert data["total_yuan"] == 900_000


def test_lab_event_and_smart_factory(client):
    # lead of a new national key lab: 500万 + 1000万 = 1500万; provincial smart factory 50万; an event: at most 30万
    data = _match(client, profile_text="郑州,举办了人工智能论坛,新创建全国重点实验室的牵头单位,省级智能工厂")
    got = _by_program(data)
    assert got["zhengzhou_key_laboratory"]["amount_yuan"] == 15_000_000
    assert got["zhengzhou_smart_manufacturing_award"]["amount_yuan"] == 500_000
    assert got["zhengzhou_event_subsidy"]["amount_yuan"] == 300_000 and "上限" in got["zhengzhou_event_subsidy"]["reason"]
    assert data["total_yuan"] == 15_800_000


def test_compute_with_new_filing(client):
    # 300万 × 50% = 150万 ≤ 500万 (cap raised by a new filing); filing award 100万 → 250万
    data = _match(client, profile_text="嘉兴,算力使用300万元,刚获得模型备案")
    got = _by_program(data)
    assert got["jiaxing_compute_subsidy"]["amount_yuan"] == 1_500_000
    assert got["jiaxing_model_filing_award"]["amount_yuan"] == 1_000_000
    assert data["total_yuan"] == 2_500_000


def test_needs_info_names_missing_facts(client):
    data = _match(client, profile_text="我们是杭州的企业")
    statuses = {m["status"] for m in data["matches"]}
    assert statuses == {"needs_info"} and data["total_yuan"] == 0
    voucher = _by_program(data)["hangzhou_compute_voucher"]
    assert "算力合同金额" in voucher["missing"] and "算力类型" in voucher["missing"]


def test_empty_profile_is_the_needs_info_list(client):
    data = _match(client, profile={})
    assert data["matches"] and all(m["status"] == "needs_info" for m in data["matches"])
    assert len({m["city"] for m in data["matches"]}) == 3 and data["total_yuan"] == 0


def test_wrong_level_is_not_eligible(client):
    # a municipal centre where only national / provincial manufacturing innovation centres are rewarded
    data = _match(client, profile={"city": "嘉兴", "platforms": [{"name": "manufacturing_innovation_center", "level": "municipal"}]})
    centre = _by_program(data)["jiaxing_innovation_center_award"]
    assert centre["status"] == "not_eligible" and "市级制造业创新中心" in centre["reason"]


def test_documents_not_in_force_are_left_out(client):
    # on 2027-06-01 one city's measures (valid until 2027-05-21) have expired
    data = _match(client, profile_text="签了1000万元国产算力合同", as_of="2027-06-01")
    cities = {m["city"] for m in data["matches"]}
    assert len(cities) == 2 and "zhengzhou_compute_voucher" not in _by_program(data)
    assert any("失效" in n for n in data["notes"])


@pytest.mark.parametrize("body, field", [
    ({"profile": {"compute_contract_yuan": -5}}, "compute_contract_yuan"),
    ({"profile": {"compute_contract_yuan": 1e308}}, "compute_contract_yuan"),
    ({"profile": {"certifications": [{"name": "tech_center", "level": "galactic"}]}}, "level"),
    ({"profile": {"certifications": ["no-such-title"]}}, "certifications[0].name"),
    ({"profile": {"investment_yuan": "100万", "land_yuan": "500万"}}, "land_yuan"),
    ({"profile": {"favourite_colour": "blue"}}, "favourite_colour"),
    ({"profile_text": "杭州,算力合同1e308元"}, "out of range"),
    ({"profile_text": "杭州,算力合同-500万元"}, "negative"),
    ({}, "profile_text"),
    ({"profile_text": "x" * 2001}, "profile_text"),
    ({"profile": {}, "city": "Atlantis"}, "city"),
])
def test_bad_input_is_a_clear_422(client, body, field):
    response = client.post("/v1/match", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
