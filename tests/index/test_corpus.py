"""The real corpus: documents, metadata, clauses and their exact text."""

import re

from index.cleaning import CJK

EXPECTED_DOCS = {
    # doc_id: (city, 文号, issued_on, effective_from, effective_until, title fragment)
    "hangzhou-ai-measures": ("杭州", None, "2024-07-18", "2024-08-19", "2027-12-31", "支持人工智能全产业链高质量发展的若干措施"),
    "jiaxing-ai-plan": ("嘉兴", "嘉政办发〔2024〕25号", "2024-10-10", "2024-10-10", "2027-12-31", "嘉兴市推动人工智能高质量发展实施方案"),
    "zhengzhou-ai-measures": ("郑州", "郑政文〔2024〕62号", "2024-05-22", "2024-05-22", "2027-05-21", "郑州市支持人工智能创新发展若干政策措施"),
    "jiaxing-gazette-2024-11-1": ("嘉兴", "嘉政发〔2024〕19号", "2024-10-10", None, None, "市长质量奖获奖单位的通知"),
    "jiaxing-gazette-2024-11-2": ("嘉兴", "嘉政发〔2024〕20号", "2024-10-31", None, None, "关于大力发展都市型工业的实施意见"),
    "jiaxing-gazette-2024-11-4": ("嘉兴", "嘉司发〔2024〕22号", "2024-10-18", "2024-10-18", None, "行政规范性文件清理结果的通知"),
    "jiaxing-ai-plan-interpretation": ("嘉兴", None, None, "2024-10-10", "2027-12-31", "政策解读"),
    "jiaxing-gazette-2024-11-6": ("嘉兴", None, None, None, None, "市政府人事任免"),
}


def test_documents_and_their_metadata(corpus):
    docs = {d.doc_id: d for d in corpus.documents}
    assert set(docs) == set(EXPECTED_DOCS)
    for doc_id, (city, number, issued, start, until, title) in EXPECTED_DOCS.items():
        doc = docs[doc_id]
        assert (doc.city, doc.doc_number, doc.issued_on, doc.effective_from, doc.effective_until) == (
            city, number, issued, start, until,
        ), doc_id
        assert title in doc.title
    assert docs["hangzhou-ai-measures"].issuer == "杭州市人民政府办公厅"
    assert docs["zhengzhou-ai-measures"].issuer == "郑州市人民政府"
    assert docs["zhengzhou-ai-measures"].notice_title == "郑州市人民政府关于印发郑州市支持人工智能创新发展若干政策措施的通知"
    assert docs["jiaxing-ai-plan-interpretation"].related_doc_id == "jiaxing-ai-plan"
    assert docs["jiaxing-ai-plan-interpretation"].kind == "interpretation"


def test_duplicate_jiaxing_plan_is_merged_with_both_sources(corpus):
    plans = [d for d in corpus.documents if d.title == "嘉兴市推动人工智能高质量发展实施方案"]
    assert len(plans) == 1
    plan = plans[0]
    assert plan.sources == ("jiaxing-ai-plan-2024.txt", "jiaxing-gazette-2024-11.txt")
    assert plan.doc_number == "嘉政办发〔2024〕25号"  # only the gazette copy prints it
    # Each copy has one damaged clause; the clean text of each wins.
    assert "优惠费率和定制化服务" in corpus.clause("jiaxing-ai-plan#二.(四).12").text
    assert "人工智能领域学科专业建设" in corpus.clause("jiaxing-ai-plan#二.(五).14").text
    assert not any(c.doc_id.startswith("jiaxing-gazette-2024-11-3") for c in corpus.clauses)


def test_no_pinyin_gloss_traditional_character_or_lost_character_survives(corpus):
    from index.cleaning import to_simplified

    for clause in corpus.clauses:
        assert not re.search(rf"[{CJK}]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)", clause.text), clause.clause_id
        assert to_simplified(clause.text) == clause.text, clause.clause_id
        assert "\ufffd" not in clause.text and "?" not in clause.text, clause.clause_id
        assert not re.search(rf"[{CJK}] [a-z]+ [{CJK}]", clause.text), clause.clause_id


def test_specific_clauses_have_exact_text(corpus):
    hz = corpus.clause("hangzhou-ai-measures#一.(三)")
    assert "算力合同费用的30%" in hz.text and "单家企业每年“算力券”申领不超过800万元" in hz.text
    assert hz.display_label == "一、(三)" and hz.heading == "扩容“算力券”发放"
    jx = corpus.clause("jiaxing-ai-plan#三.(六)")
    assert "按照实际使用金额的50%给予算力补贴" in jx.text and "不超过500万元" in jx.text
    assert jx.path == ("三、支持政策", "(六)" + jx.text.split("\n")[0])
    zz = corpus.clause("zhengzhou-ai-measures#一.2")
    assert "给予不超过单个合同额20%的补助" in zz.text and "不超过100万元" in zz.text
    assert zz.display_label == "一、2."
    assert "0573-82521924" in corpus.clause("jiaxing-ai-plan-interpretation#六.(三)").text


def test_clause_counts_per_document(corpus):
    counts = {}
    for c in corpus.clauses:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    # Hangzhou: preamble + 14 items + closing; Jiaxing: notice, preamble, goals, 15 tasks, 10 policies, 四, closing;
    # Zhengzhou: notice, preamble, 10 items, closing.
    assert counts["hangzhou-ai-measures"] == 16
    assert counts["jiaxing-ai-plan"] == 30
    assert counts["zhengzhou-ai-measures"] == 13


def test_preamble_goals_and_closing_provisions_are_clauses(corpus):
    assert corpus.clause("hangzhou-ai-measures#closing").text.startswith("本措施自2024年8月19日起施行")
    assert "从优、就高、不重复" in corpus.clause("hangzhou-ai-measures#closing").text
    assert "就高不重复" in corpus.clause("jiaxing-ai-plan#closing").text
    assert corpus.clause("zhengzhou-ai-measures#closing").text == "本政策措施自公布之日起施行,有效期3年。"
    assert "100EFlops" in corpus.clause("jiaxing-ai-plan#一").text
    assert corpus.clause("jiaxing-ai-plan#notice").text.endswith("请结合实际认真贯彻执行。")


def test_responsible_units_are_parsed(corpus):
    assert corpus.clause("hangzhou-ai-measures#一.(二)").responsible_units == ("市委金融办", "市经信局", "市发改委")
    assert corpus.clause("hangzhou-ai-measures#四.(十一)").responsible_units == (
        "市经信局", "市财政局", "市国资委", "各区、县(市)政府",
    )
    # "列第一位的为牵头单位,下同…" is a note, not a unit.
    assert corpus.clause("jiaxing-ai-plan#二.(一).1").responsible_units == ("市商务局", "市发展改革委", "市经信局")
    assert corpus.clause("jiaxing-ai-plan#二.(一).3").responsible_units[0] == "市经信局"
    assert corpus.clause("zhengzhou-ai-measures#一.2").responsible_units == ("市工信局", "市财政局", "市大数据局", "市科技局")


def test_clause_ids_are_unique_and_offsets_point_into_the_text(corpus):
    ids = [c.clause_id for c in corpus.clauses]
    assert len(ids) == len(set(ids))
    assert all(c.end > c.start for c in corpus.clauses if c.kind == "item")


def test_known_cities_holds_only_city_names_not_comment_words():
    from index.metadata import known_cities

    cities = known_cities()
    assert {"杭州", "嘉兴", "郑州", "苏州", "北京"} <= cities
    assert all("\u4e00" <= ch <= "\u9fff" for city in cities for ch in city), sorted(c for c in cities if not c.isalpha())
