"""The rule extractor on real sentences: every sentence form of the issue, one table row each.

Rows come from the bundled corpus (clause ids given) and from real policy pages of other cities (URL in the
comment). Each row states what a careful reader takes from the sentence; the grounding check proves every number
of every extracted rule occurs in the rule's quotes.
"""

from __future__ import annotations

import pytest

from index.models import Clause, Document
from index.rule_extraction import extract_clause, extract_rules, grounding_errors

DOC = Document(doc_id="t", title="", city="某市", issuer=None, doc_number=None, issued_on=None,
               effective_from=None, effective_until=None, sources=())

# Hohhot 工业高质量发展十条政策措施: http://nm.izst.com/2021-11-17/821901.html
HOHHOT_RATE = "对上述项目(包括新建、扩建、技改),建成投产后按其实际完成固定资产投资额的2%给予一次性投资奖补,单个项目奖补资金不超过1000万元。对重大工业项目采取“一事一议”方式给予支持。"
HOHHOT_LEVELS = "对创建为国家级、自治区级制造业创新中心的企业,分别给予800万元、300万元一次性经费支持。"
HOHHOT_RATE_CAP = "对企业实施的科技成果转化项目,按照项目生产性投资(含研发投入)的20%给予补贴,最高不超过500万元。"
# 六安 standard-factory measures: http://iotzhijia.cn/anhui/20170823/42380_2.html
LUAN_PURCHASE = "对生产性工业企业购置1000平方米以上的标准化厂房,给予企业购房款的5%一次性补助,最高不超过200万元。"
# 兰州 技改专项贷 interest subsidy: https://lanzhouyh.com/news/gsxw/724.html (a form the extractor does not read)
LANZHOU_INTEREST = "将“技改专项贷”贷款贴息范围扩大到整个技改项目贷款(不含土地),按照企业实际项目贷款利率的50%,最高不超过贷款金额的2%给予贴息,单个企业项目每年贴息上限为1000万元。"
# 宁波 “3511” major industrial projects: http://jxj.ningbo.gov.cn/art/2020/7/10/art_1229165264_16.html
NINGBO_RATE_AFTER = "对投资规模1亿元(含)以上的“3511”产业重大工业投资项目,按照实际投入(仅指设备、技术及软件投入,下同)给予10%的分类补助。"


def _extract(text: str, kind: str = "item"):
    return extract_clause(Clause("t#1", "t", (), "1", "测试条款", text, kind=kind), DOC)


def _only(text: str) -> dict:
    result = _extract(text)
    assert len(result.rules) == 1, (result.rules, result.skipped)
    return result.rules[0]


def _input(rule: dict, name: str) -> dict:
    return next(i for i in rule["inputs"] if i["name"] == name)


def _awards(rule: dict) -> list[tuple[str, int]]:
    return [(a["zh"], a.get("amount") or sum(c["amount"] for c in a["components"])) for a in rule["awards"]]


# --------------------------------------------------------------------------- a rate of a named base with caps


@pytest.mark.parametrize(
    "text, rate, base_label, caps",
    [
        (HOHHOT_RATE, 2, "实际完成固定资产投资额", [10_000_000]),
        (HOHHOT_RATE_CAP, 20, "项目生产性投资(含研发投入)", [5_000_000]),
        (LUAN_PURCHASE, 5, "企业购房款", [2_000_000]),
        # zhengzhou-ai-measures#三.7 (first sentence)
        ("对符合条件的人工智能场景应用创新项目,按其实际投资额的30%给予最高500万元资金支持。", 30, "实际投资额", [5_000_000]),
        # zhengzhou-ai-measures#一.2: the base right before the rate, a per-year cap in another piece
        ("对企业等算力使用方(自建自用除外)给予不超过单个合同额20%的补助,并优先支持获省算力券补助的企业,同一企业每年申领和兑付算力券金额不超过100万元。",
         20, "单个合同额", [1_000_000]),
    ],
)
def test_rate_of_a_named_base_with_caps(text, rate, base_label, caps):
    rule = _only(text)
    assert rule["kind"] == "rate" and rule["rate"] == rate
    assert _input(rule, rule["base"])["description"]["zh"] == base_label
    assert [c["amount"] for c in rule["caps"]] == caps
    assert not grounding_errors(rule, text)


def test_self_built_exclusion_and_open_question():
    rule = _only("对企业等算力使用方(自建自用除外)给予不超过单个合同额20%的补助,同一企业每年申领和兑付算力券金额不超过100万元。")
    assert rule["exclusions"][0]["when"] is True and "自建自用" in rule["exclusions"][0]["reason"]["zh"]
    assert "一事一议" in _only(HOHHOT_RATE)["open_questions"][0]["zh"]


# --------------------------------------------------------------------------- rates and caps chosen by a condition

HANGZHOU_VOUCHER = (  # hangzhou-ai-measures#一.(三)
    "扩容“算力券”发放。每年“算力券”总额提升至2.5亿元,新增“算力券”支持企业购买智能算力。“算力券”按不超过算力合同费用的30%给予用户企业补贴,"
    "其中,依托经备案的生成式多模态基础大模型进行模型服务(MaaS)、智能体开发等应用的企业补贴比例不超过算力合同费用的30%,"
    "使用国产算力设施开展模型训练、推理和应用的企业补贴比例不超过算力合同费用的30%,使用其他算力设施的企业补贴比例不超过算力合同费用的20%。"
    "单家企业每年“算力券”申领不超过800万元,生成式多模态基础大模型企业可以放宽。"
)


def test_several_rates_selected_by_a_condition_and_the_budget_is_a_note():
    rule = _only(HANGZHOU_VOUCHER)
    assert rule["rate"]["values"] == {
        "依托经备案的生成式多模态基础大模型进行模型服务(MaaS)、智能体开发等应用": 30,
        "使用国产算力设施开展模型训练、推理和应用": 30,
        "使用其他算力设施": 20,
    }
    assert [c["amount"] for c in rule["caps"]] == [8_000_000]  # 2.5亿元 is the pool, never a cap or an award
    assert any("2.5亿元" in n["zh"] and "资金总额" in n["zh"] for n in rule["notes"])
    assert any("放宽" in q["zh"] for q in rule["open_questions"])
    assert not grounding_errors(rule, HANGZHOU_VOUCHER)


def test_thresholds_and_caps_by_project_type():  # jiaxing-ai-plan#三.(二)
    text = ("对新建项目投资额达到1000万元(含)以上、提升改造项目投资额达到500万元(含)以上的信息服务业项目,按照项目实际投资额(不含土地款)的5%给予一次性补助,"
            "新建项目最高不超过300万元、提升改造项目最高不超过150万元。")
    rule = _only(text)
    assert [o["value"] for o in _input(rule, "category")["options"]] == ["新建项目", "提升改造项目"]
    assert rule["thresholds"] == [{"input": "amount_yuan", "min": {"by": "category", "values": {"新建项目": 10_000_000, "提升改造项目": 5_000_000}}}]
    assert rule["caps"][0]["amount"] == {"by": "category", "values": {"新建项目": 3_000_000, "提升改造项目": 1_500_000}}
    assert _input(rule, "amount_yuan")["description"]["zh"] == "项目实际投资额(不含土地款)"


def test_a_cap_raised_for_a_condition():  # jiaxing-ai-plan#三.(六)
    text = ("对使用智算、超算算力且符合条件的企业,按照实际使用金额的50%给予算力补贴,单家企业年度算力补贴金额不超过200万元,"
            "其中对新获得中央网信办生成式人工智能模型备案的企业年度算力补贴金额不超过500万元。")
    rule = _only(text)
    cap = rule["caps"][0]["amount"]
    assert cap["values"] == {"false": 2_000_000, "true": 5_000_000}
    assert _input(rule, cap["by"])["description"]["zh"] == "是否新获得中央网信办生成式人工智能模型备案"


# --------------------------------------------------------------------------- thresholds


def test_threshold_on_another_amount_is_an_optional_input():  # hangzhou-ai-measures#三.(七)
    text = "对经认定的未来产业市级制造业创新中心,形成有核心带头人的研发团队以及不少于1000万元投入的,每年对其平台建设项目,按不超过审核确定投入的50%给予资助,资助金额不超过500万元。"
    rule = _only(text)
    (threshold,) = rule["thresholds"]
    assert threshold["min"] == 10_000_000 and threshold["input"] != rule["base"]
    spec = _input(rule, threshold["input"])
    assert spec["description"]["zh"] == "投入" and spec["required"] is False


@pytest.mark.parametrize("text, years", [
    # hangzhou-ai-measures#三.(七): a yearly cap and a span of years in one sentence
    ("对经认定的创新中心,每年按不超过审核确定投入的50%给予资助,资助金额不超过500万元,政策有效期内资助不超过3年。", 3),
    # a rent subsidy as other cities write it: "连续支持三年"
    ("对入驻园区的人工智能企业,每年按实际租金的50%给予补贴,单个企业每年最高100万元,连续支持三年。", 3),
    # no yearly payment: a span of years alone is no duration of yearly support
    ("对新引进的项目按实际投资额的10%给予补助,最高不超过500万元,项目建设期不超过3年。", None),
])
def test_the_years_a_yearly_support_lasts(text, years):
    rule = _only(text)
    assert rule.get("years") == years
    assert not grounding_errors(rule, text)


def test_total_investment_threshold_in_brackets_and_interest_points():  # hangzhou-ai-measures#一.(二)
    text = ("对纳入政府统一布局的新建算力基础设施建设项目(总投资规模不低于5000万元),鼓励合作银行提供算力基础设施建设项目贷款。财政资金给予贴息支持,"
            "根据合作银行优惠利率择优分档给予项目建设单位不超过1.5个百分点的利息补贴,贴息金额不超过项目建设单位支付给合作银行利息的50%,且单个企业享受贴息金额每年不超过1000万元。")
    rule = _only(text)
    assert rule["kind"] == "interest" and rule["max_points"] == 1.5 and rule["interest_share"] == 50
    assert rule["thresholds"][0]["min"] == 50_000_000
    assert _input(rule, rule["thresholds"][0]["input"])["description"]["zh"] == "总投资规模"
    assert [c["amount"] for c in rule["caps"]] == [10_000_000]
    assert not grounding_errors(rule, text)


def test_revenue_milestones_first_time_and_growth_threshold():  # jiaxing-ai-plan#三.(三)
    text = ("对年度营业收入首次达到2000万元、3000万元、5000万元、1亿元、2亿元、5亿元、10亿元的,且同比增速在10%(含)以上的信息服务业企业,"
            "分别给予20万元、50万元、100万元、200万元、300万元、400万元、500万元奖励。")
    rule = _only(text)
    assert rule["kind"] == "tiered"
    assert [(t["min"], t["award"]) for t in rule["tiers"]][:2] == [(20_000_000, 200_000), (30_000_000, 500_000)]
    assert rule["tiers"][-1] == {"min": 1_000_000_000, "award": 5_000_000}
    assert rule["thresholds"][0]["min"] == 10 and _input(rule, rule["thresholds"][0]["input"])["type"] == "percent"
    assert rule["exclusions"][0]["input"] == "first_time"


def test_performance_rate_with_an_uplift():  # jiaxing-ai-plan#三.(一)
    text = "对生产性投入(不含土建)达到2000万元(含)以上的人工智能领域投资和技术改造项目,根据绩效综合评价分档给予补助,战略性新兴产业补助标准上浮5%,单个项目最高不超过1500万元。"
    rule = _only(text)
    assert rule["kind"] == "performance_rate" and rule["uplift"] == 5 and rule["computable"]
    assert rule["thresholds"] == [{"input": "amount_yuan", "min": 20_000_000}]
    assert _input(rule, rule["uplift_input"])["description"]["zh"] == "是否属于战略性新兴产业"


def test_unpublished_rate_without_uplift_is_not_computable_with_the_reason():
    text = "对生产性投入(不含土建)达到2000万元(含)以上的技术改造项目,根据绩效综合评价分档给予补助,单个项目最高不超过1500万元。"
    rule = _only(text)
    assert rule["computable"] is False and rule["reason"] == "比例按绩效分档,原文未公布"


# --------------------------------------------------------------------------- fixed, levelled, ranges, up-to


@pytest.mark.parametrize(
    "text, awards",
    [
        (HOHHOT_LEVELS, [("国家级制造业创新中心的企业", 8_000_000), ("自治区级制造业创新中心的企业", 3_000_000)]),
        # jiaxing-ai-plan#三.(五): brackets inside the list, "和" before the last amount
        ("对新认定的国际、国内、省内、市内首台(套)装备(首批次新材料、首版次软件),分别给予200万元、150万元、50万元和20万元一次性奖励。",
         [("国际首台(套)装备(首批次新材料、首版次软件)", 2_000_000), ("国内首台(套)装备(首批次新材料、首版次软件)", 1_500_000),
          ("省内首台(套)装备(首批次新材料、首版次软件)", 500_000), ("市内首台(套)装备(首批次新材料、首版次软件)", 200_000)]),
        # zhengzhou-ai-measures#三.9: a level word without 级, the shared tail distributed
        ("对国家、省认定的新型工业化产业示范基地,分别给予200万元、100万元的一次性奖补。",
         [("国家认定的新型工业化产业示范基地", 2_000_000), ("省认定的新型工业化产业示范基地", 1_000_000)]),
        # zhengzhou-ai-measures#三.8: two categories, one amount each
        ("对首次认定为专精特新“小巨人”企业、“隐形冠军”企业,分别给予100万元的奖补。",
         [("专精特新“小巨人”企业", 1_000_000), ("“隐形冠军”企业", 1_000_000)]),
        # jiaxing-ai-plan#三.(七) (first sentence): a one-off award
        ("鼓励企业自研模型申请模型备案,对获得中央网信办生成式人工智能模型备案的企业,给予100万元一次性奖励。",
         [("获得中央网信办生成式人工智能模型备案的企业", 1_000_000)]),
    ],
)
def test_fixed_and_levelled_awards(text, awards):
    rule = _only(text)
    assert rule["kind"] == "fixed" and _awards(rule) == awards
    assert not grounding_errors(rule, text)


def test_follow_up_award_and_single_awards_of_one_clause_form_one_programme():  # jiaxing-ai-plan#三.(九)
    text = ("鼓励试点示范。对列入浙江省产品主数据标准(CPMS)试点的牵头企业给予20万元奖励,通过验收后再给予30万元奖励;"
            "对列入浙江省首席数据官(CDO)制度建设试点且通过评估的企业给予30万元奖励;对列入省级数据管理能力成熟度评估(DCMM)贯标试点且数据管理能力成熟度达到三级及以上的企业给予10万元奖励。")
    rule = _only(text)
    assert [amount for _, amount in _awards(rule)] == [200_000, 500_000, 300_000, 100_000]
    assert [c["amount"] for c in rule["awards"][1]["components"]] == [200_000, 300_000]


def test_components_and_a_continuation_level():  # zhengzhou-ai-measures#二.6 (first two sentences)
    text = ("对新创建的人工智能领域全国重点实验室,给予牵头单位500万元一次性资金支持,5年内根据其研发投入、实施项目情况统筹给予1000万元资金总额的持续支持。"
            "作为共建单位创建成功的,给予一次性100万元奖补。")
    rule = _only(text)
    lead, co = rule["awards"]
    assert lead["zh"].endswith("牵头单位") and [c["amount"] for c in lead["components"]] == [5_000_000, 10_000_000]
    assert co["zh"] == "作为共建单位创建成功" and co["amount"] == 1_000_000


@pytest.mark.parametrize(
    "text, kind, up_to, floor, amount",
    [
        ("对符合条件的大模型应用场景,给予最高500万元资金支持。", "fixed", True, False, 5_000_000),  # zhengzhou #二.5
        ("对经报备同意的活动,给予不超过30万元的资金补助。", "fixed", True, False, 300_000),  # zhengzhou #三.10
        ("每年择优对不超过5个实现首次应用的优秀方案给予奖励,奖励金额不超过500万元。", "fixed", True, False, 5_000_000),  # hangzhou #三.(八)
        ("对获得立项的重大科技专项单个项目财政支持资金不低于1000万元。对特别重大的项目,可采用“一事一议”方式支持。", "fixed", False, True, 10_000_000),  # zhengzhou #二.4
    ],
)
def test_up_to_and_floor_awards(text, kind, up_to, floor, amount):
    rule = _only(text)
    assert (rule["kind"], rule.get("up_to", False), rule.get("floor", False)) == (kind, up_to, floor)
    assert rule["awards"][0]["amount"] == amount


def test_range_and_cost_capped():
    # hangzhou-ai-measures#二.(五) and #二.(四)
    ranged = _only("对社区贡献度高的开发企业,择优选择不超过10家企业给予每家20万元—100万元分档奖励。")
    assert ranged["kind"] == "range" and ranged["range"] == {"min": 200_000, "max": 1_000_000}
    cost = _only("对获得中央网信办生成式人工智能模型备案的企业,依据其模型评测等相关费用,给予不超过50万元的一次性奖励。")
    assert cost["kind"] == "cost_capped" and cost["caps"][0]["amount"] == 500_000
    assert _input(cost, cost["base"])["description"]["zh"].startswith("模型评测等相关费用")


# --------------------------------------------------------------------------- budgets, unreadable sentences, non-measures


@pytest.mark.parametrize(
    "text",
    [
        "每年“算力券”总额提升至2.5亿元,额度用完即止。",
        "设立人工智能产业发展专项资金,资金规模每年不超过1000万元。",
        "每年从土地收入中提取0.5%作为“腾笼换鸟”专项经费。",  # jiaxing-gazette-2024-11-2#三.(六)
    ],
)
def test_budget_totals_are_never_an_award(text):
    assert _extract(text).rules == []


@pytest.mark.parametrize("text", [LANZHOU_INTEREST, NINGBO_RATE_AFTER])
def test_unreadable_rate_gives_no_rule_and_a_reason(text):
    result = _extract(text)
    assert result.rules == []
    assert result.skipped and "基数未能识别" in result.skipped[0]["reason"]


def test_list_and_amount_counts_that_disagree_give_no_rule():
    result = _extract("对新认定的国家级、省级、市级企业技术中心,分别给予150万元、50万元一次性奖励。")
    assert result.rules == [] and "无法对应" in result.skipped[0]["reason"]


def test_goals_and_interpretations_give_no_rules():
    goal = "到2027年,人工智能产业营收规模突破1000亿元,给予重点支持。"
    assert _extract(goal, kind="goal").rules == [] and _extract(goal, kind="interpretation").rules == []


# --------------------------------------------------------------------------- the bundled corpus


def test_every_extracted_rule_of_the_corpus_is_grounded(corpus):
    report = extract_rules(corpus.documents, corpus.clauses)
    texts = {c.clause_id: c.text for c in corpus.clauses}
    assert len(report.rules) >= 30 and not report.skipped
    for rule in report.rules:
        assert rule["reviewed"] is False and rule["quotes"]
        assert not grounding_errors(rule, texts[rule["clause_id"]]), rule["program"]
    stacking = {r["city"]: r["stacking"]["principle"] for r in report.rules if r.get("stacking")}
    assert stacking == {"杭州": "从优、就高、不重复", "嘉兴": "就高不重复"}


def test_grounding_check_catches_an_invented_number():
    rule = _only(HOHHOT_RATE_CAP)
    assert grounding_errors({**rule, "rate": 25}) == ["25 (percent) not in quotes"]
    assert grounding_errors({**rule, "caps": [{"amount": 6_000_000, "scope": {"zh": "", "en": ""}}]})


def test_the_index_build_stores_rules_with_a_checksum_and_counts(built_data_dir):
    from index.store import RULES_FILE, load_index

    loaded = load_index(built_data_dir)
    assert RULES_FILE in loaded.manifest["files"]
    counts = loaded.manifest["counts"]["rules"]
    assert counts["rules"] == len(loaded.rules) >= 30 and counts["skipped"] == 0
    assert {r["clause_id"] for r in loaded.rules} <= {c.clause_id for c in loaded.clauses}
