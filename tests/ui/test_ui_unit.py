"""The web UI's rendering and handler functions over the real assistant and the real index."""

from __future__ import annotations

import json
import sqlite3

import gradio as gr
import pytest

from ui import cards
from ui import handlers as h
from ui.app import build_ui

HZ_TITLE = "支持人工智能全产业链高质量发展的若干措施"
ZZ_TITLE = "郑州市支持人工智能创新发展若干政策措施"
HZ_VOUCHER = "hangzhou-ai-measures#一.(三)"


@pytest.fixture()
def store(tmp_path):
    from assistant.feedback import FeedbackStore, feedback_path

    return FeedbackStore(feedback_path(tmp_path))


def _slots(values: dict[int, str]) -> list:
    return [values.get(i) for i in range(h.SLOTS)]


# ------------------------------------------------------------------ chat


def test_chat_answer_has_the_compute_voucher_card_with_full_clause_and_metadata(services):
    html, record = h.chat_reply(services, "杭州单家企业每年最多能申领多少算力券?", [])
    assert "800万" in html
    assert HZ_VOUCHER in record["citation_ids"]
    assert "800万" in record["answer"] and "<" not in record["answer"]
    card = cards.clause_card(dict(services.catalogue.clause(HZ_VOUCHER).to_dict(), status="current"), number=1)
    assert card in html  # the cited clause is rendered as an expandable card
    for expected in ("<details", f"《{HZ_TITLE}》", "一、(三)", "单家企业每年“算力券”申领不超过800万元",
                     "2024-08-19 至 2027-12-31", "市经信局", "无文号", "杭州"):
        assert expected in card
    assert "\n\n" not in html  # one Markdown HTML block


def test_follow_up_question_carries_the_history(services):
    first_html, first = h.chat_reply(services, "杭州单家企业每年最多能申领多少算力券?", [])
    turns = [{"role": "user", "content": first["question"]}, {"role": "assistant", "content": first["answer"]}]
    html, record = h.chat_reply(services, "那郑州呢?", turns)
    assert "100万" in record["answer"]
    assert any(c.startswith("zhengzhou-ai-measures#") for c in record["citation_ids"])
    assert f"《{ZZ_TITLE}》" in html and "郑政文〔2024〕62号" in html


def test_calculation_is_shown_with_steps_and_result(services):
    html, record = h.chat_reply(services, "我们在杭州用国产算力训练模型,合同1000万元,能拿多少算力券?", [])
    assert 'class="pa-calc"' in html
    assert "<li>1000万元 × 30% = 300万元</li>" in html
    assert "测算结果:<strong>300万元</strong>" in html
    assert f"依据:《{HZ_TITLE}》一、(三)" in html


def test_history_is_trimmed_to_the_request_limits():
    turns = [{"role": "user" if i % 2 == 0 else "assistant", "content": "问" * 5000} for i in range(30)]
    kept = h.history_turns(turns + [{"role": "system", "content": "x"}, {"role": "user", "content": "  "}])
    assert len(kept) == h.MAX_TURNS
    assert all(len(t["content"]) == h.MAX_TURN_CHARS for t in kept)


@pytest.mark.parametrize(("question", "message"), [("", "请先输入问题"), ("   ", "请先输入问题"), ("问" * 2001, "太长")])
def test_bad_questions_get_a_chinese_message(services, question, message):
    with pytest.raises(h.UserFacingError, match=message):
        h.chat_reply(services, question, [])


def test_loading_assistant_is_reported_not_crashed():
    with pytest.raises(h.UserFacingError, match="正在加载"):
        h.chat_reply(None, "杭州算力券", [])
    with pytest.raises(h.UserFacingError, match="正在加载"):
        h.find_clauses(None, "小巨人")
    with pytest.raises(h.UserFacingError, match="正在加载"):
        h.library_html(None)


def test_malicious_text_is_escaped_everywhere(services):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    card = cards.clause_card({
        "city": evil, "doc_title": evil, "doc_number": evil, "display_label": evil, "heading": evil,
        "text": f"正文{evil}\n第二行", "responsible_units": [evil], "effective_from": evil,
    }, number=1, terms=["script", "<img"])
    assert "<script" not in card and "<img" not in card
    assert "&lt;script&gt;" in card and "onerror=alert(1)&gt;" in card
    assert "<mark>&lt;img</mark>" in card
    html, _ = h.chat_reply(services, f"杭州算力券{evil}", [])
    assert "<script" not in html and "<img" not in html
    assert "<script" not in cards.notice(evil) and "<script" not in cards.answer_html(evil, [])
    assert "<script" not in h.lookup_html(evil, [], "search")
    assert "<script" not in cards.compare_table([{"city": evil, "title": evil, "result": evil, "cap": evil, "remark": evil}])
    assert "<script" not in cards.document_section({"title": evil, "city": evil, "issuer": evil, "sources": [evil]},
                                                   [{"label_path": [evil, evil], "path": [evil, evil], "text": evil, "heading": evil}])


# ------------------------------------------------------------------ feedback


def test_feedback_is_stored_with_question_answer_and_citations(services, store):
    _, record = h.chat_reply(services, "杭州单家企业每年最多能申领多少算力券?", [])
    new_id = h.record_feedback(store, "down", record, "  想知道怎么申请  ")
    conn = sqlite3.connect(store.path)
    row = conn.execute("SELECT rating, question, answer, citation_ids, comment FROM feedback WHERE id = ?", (new_id,)).fetchone()
    conn.close()
    assert row[0] == "down" and row[1] == "杭州单家企业每年最多能申领多少算力券?"
    assert "800万" in row[2] and HZ_VOUCHER in json.loads(row[3]) and row[4] == "想知道怎么申请"


def test_feedback_before_any_answer_is_refused_politely(store):
    with pytest.raises(h.UserFacingError, match="请先提问"):
        h.record_feedback(store, "up", None)
    with pytest.raises(h.UserFacingError, match="暂不可用"):
        h.record_feedback(None, "up", {"question": "q"})


# ------------------------------------------------------------------ lookup


def test_search_finds_the_zhengzhou_little_giant_clause_first_with_highlight(services):
    found, mode = h.find_clauses(services, "小巨人")
    assert mode == "search"
    assert found[0]["clause_id"] == "zhengzhou-ai-measures#三.8"
    html = h.lookup_html("小巨人", found, mode)
    assert "<mark>小巨人</mark>" in html and f"《{ZZ_TITLE}》" in html
    script = h.answer_script(found[0])
    assert "对首次认定为专精特新“小巨人”企业" in script
    assert script.endswith("来源:《郑州市支持人工智能创新发展若干政策措施》郑政文〔2024〕62号 三、8.")


@pytest.mark.parametrize("text", ["杭州 (三)", "杭州 (三)", "杭州(三)"])
def test_direct_clause_lookup(services, text):
    found, mode = h.find_clauses(services, text)
    assert mode == "lookup"
    assert [f["clause_id"] for f in found] == [HZ_VOUCHER]
    assert "800万元" in h.lookup_html(text, found, mode)


def test_city_and_document_filters(services):
    found, _ = h.find_clauses(services, "算力券", city="杭州")
    assert found and {f["city"] for f in found} == {"杭州"}
    found, _ = h.find_clauses(services, "算力", doc_id="jiaxing-ai-plan")
    assert found and {f["doc_id"] for f in found} == {"jiaxing-ai-plan"}
    found, mode = h.find_clauses(services, "(三)", city="嘉兴")
    assert mode == "lookup" and {f["city"] for f in found} == {"嘉兴"}
    docs = h.document_choices(services, "郑州")
    assert docs[0] == ("全部文件", "") and docs[1:] == [(f"郑州 · {ZZ_TITLE}", "zhengzhou-ai-measures")]
    assert h.city_choices(services) == ["全部", "嘉兴", "杭州", "郑州"]


def test_empty_lookup_is_a_hint_not_an_error(services):
    with pytest.raises(h.UserFacingError, match="请输入"):
        h.find_clauses(services, "  ")
    assert "没有找到相关条款" in h.lookup_html("火星移民", [], "search")


# ------------------------------------------------------------------ calculator


def test_calculator_form_for_the_compute_voucher(services):
    specs, intro = h.form_for(services, "hangzhou_compute_voucher")
    assert len(specs) == h.SLOTS
    amount, kind = specs[0], specs[1]
    assert amount["kind"] == "text" and amount["label"].startswith("算力合同费用")
    assert kind["kind"] == "choice" and kind["label"] == "算力类型"
    assert ("使用国产算力设施开展模型训练、推理和应用", "domestic") in kind["choices"]
    assert not any(s["visible"] for s in specs[2:])
    assert "一、(三)" in intro


def test_calculator_returns_the_real_result_for_1000wan_domestic_compute(services):
    html = h.run_calculation(services, "hangzhou_compute_voucher", _slots({0: "1000万"}), _slots({1: "domestic"}))
    assert "<li>1000万元 × 30% = 300万元</li>" in html
    assert "测算结果:<strong>300万元</strong>" in html
    assert "单家企业每年“算力券”申领不超过800万元" in html  # the clause text is shown under the result
    capped = h.run_calculation(services, "hangzhou_compute_voucher", _slots({0: "1亿"}), _slots({1: "other"}))
    assert "测算结果:<strong>800万元</strong>" in capped and "已按上限封顶" in capped


@pytest.mark.parametrize(("texts", "choices", "message"), [
    ({}, {1: "domestic"}, "请填写“算力合同费用”"),
    ({0: "一大笔钱"}, {1: "domestic"}, "无法识别"),
    ({0: "-5万"}, {1: "domestic"}, "不能为负数"),
    ({0: "1000万"}, {}, "请选择“算力类型”"),
])
def test_calculator_input_problems_are_explained_in_chinese(services, texts, choices, message):
    with pytest.raises(h.UserFacingError, match=message):
        h.run_calculation(services, "hangzhou_compute_voucher", _slots(texts), _slots(choices))


def test_every_programme_form_can_be_filled_and_calculated(services):
    for p in h.programs(services):
        specs, _ = h.form_for(services, p["program"])
        texts, choices = {}, {}
        for i, spec in enumerate(specs):
            if spec["kind"] == "text":
                texts[i] = "5%" if "%" in spec["label"] else "100万"
            elif spec["kind"] == "choice":
                choices[i] = next(v for _, v in spec["choices"] if v) if spec["value"] in (None, "") else spec["value"]
        html = h.run_calculation(services, p["program"], _slots(texts), _slots(choices))
        assert "测算结果:" in html, p["program"]


def test_program_choices_are_labelled_city_and_name(services):
    labels = dict((v, k) for k, v in h.program_choices(services))
    assert labels["hangzhou_compute_voucher"] == "杭州 · 算力券"
    assert labels["zhengzhou_little_giant_award"].startswith("郑州 · 专精特新")


def test_cross_city_comparison_table(services):
    fields = h.compare_fields(services, "compute_voucher")
    assert [f["name"] for f in fields] == ["compute_type", "new_model_filing", "self_built_self_use"]
    html = h.run_compare(services, "compute_voucher", "1000万", [f["value"] for f in fields])
    for expected in ("<td>杭州</td>", "<td>嘉兴</td>", "<td>郑州</td>", ">300万元<", ">200万元<", ">100万元<"):
        assert expected in html
    assert html.count("<td>是</td>") == 2  # 嘉兴 and 郑州 hit their caps
    self_built = h.run_compare(services, "compute_voucher", "1000万", ["domestic", "false", "true"])
    assert "0元(不符合条件)" in self_built and "自建自用" in self_built
    assert "50万元" in h.run_compare(services, "model_filing", "", [None, None, None])
    with pytest.raises(h.UserFacingError, match="请填写金额"):
        h.run_compare(services, "compute_voucher", "", [f["value"] for f in fields])


# ------------------------------------------------------------------ policy library


def test_library_lists_every_document_with_metadata_and_clause_tree(services):
    html = h.library_html(services)
    for doc in services.catalogue.documents.values():
        assert cards.esc(doc.title) in html
    for expected in ("杭州市人民政府办公厅", "嘉政办发〔2024〕25号", "2024-08-19 至 2027-12-31",
                     "一、加快算力设施建设", "(一)实施人工智能产业集聚行动", "pa-lvl2", "hangzhou-ai-measures-2024.txt"):
        assert expected in html
    assert html.count('class="pa-tree-head pa-lvl0">一、加快算力设施建设<') == 1  # parents shown once
    only = h.library_html(services, "郑州")
    assert ZZ_TITLE in only and HZ_TITLE not in only


# ------------------------------------------------------------------ app


def test_build_ui_needs_no_assistant_at_build_time():
    demo = build_ui(lambda: None, lambda: None)
    assert isinstance(demo, gr.Blocks)
    labels = {getattr(b, "label", None) for b in demo.blocks.values() if isinstance(b, gr.Tab)}
    assert labels == {"咨询", "查询", "计算器", "政策库", "政策体检", "管理"}


def test_ui_is_mounted_at_slash_ui(settings, services):
    from fastapi.testclient import TestClient

    from assistant.root import web_app

    with TestClient(web_app(settings, services)) as client:
        root = client.get("/", follow_redirects=False)
        assert root.status_code in (302, 307) and root.headers["location"] == "/ui"
        page = client.get("/ui/")
        assert page.status_code == 200 and "政策问答助手" in page.text


# ------------------------------------------------------------------ lookup: keyword hits vs related


def test_lookup_lists_keyword_hits_first_then_a_labelled_related_group(services):
    found, mode = h.find_clauses(services, "小巨人")
    flags = [f["matched"] for f in found]
    assert flags[0] and flags == sorted(flags, reverse=True)  # every keyword hit before any related clause
    assert all("小巨人" in f["text"] for f in found if f["matched"])
    assert all("小巨人" not in f["text"] for f in found if not f["matched"])
    html = h.lookup_html("小巨人", found, mode)
    assert f"{flags.count(True)} 条条款包含“小巨人”" in html
    if not all(flags):
        assert html.index("相关条款(不含该关键词)") > html.rindex("<mark>小巨人</mark>")
    assert [cid for _, cid in h.script_choices(found)] == [f["clause_id"] for f in found if f["matched"]]


def test_a_keyword_found_nowhere_says_so_and_builds_no_script(services):
    found, mode = h.find_clauses(services, "火星移民")
    assert found and not any(f["matched"] for f in found)
    html = h.lookup_html("火星移民", found, mode)
    assert "没有条款包含“火星移民”" in html and "相关条款(不含该关键词)" in html
    assert "找到" not in html and "<mark>" not in html
    assert h.script_choices(found) == []
    assert h.answer_script(found[0]) == ""


# ------------------------------------------------------------------ chat: language, comparison table, export


@pytest.mark.parametrize("text", ["asdfgh", "qwerty 12345", "!!!???", "zxcv bnm"])
def test_unreadable_input_gets_a_chinese_help_message(services, text):
    assert h.not_understood(text)
    html, record = h.chat_reply(services, text, [])
    assert record["answer"].startswith("没听懂") and record["refused"] and record["citation_ids"] == []
    for city in services.catalogue.cities:
        assert city in record["answer"]
    assert "没听懂" in html


@pytest.mark.parametrize("text", ["How much is the compute voucher in Hangzhou?", "hello", "杭州算力券", "asdf 算力"])
def test_questions_with_words_or_chinese_go_to_the_assistant(text):
    assert not h.not_understood(text)


def test_english_question_still_gets_an_english_answer(services):
    _, record = h.chat_reply(services, "How much is the compute voucher in Hangzhou at most?", [])
    assert "8,000,000" in record["answer"] or "800万" in record["answer"]
    assert not record["answer"].startswith("没听懂")


def test_comparison_answer_is_shown_as_a_table_with_city_clause_and_result(services):
    html, record = h.chat_reply(services, "杭州、嘉兴和郑州的算力券,合同1000万分别能拿多少?", [])
    assert "<table" in html and "<th>城市</th><th>条款</th>" in html
    table = html[html.index("<table"):html.index("</table>")]
    for row in ("<td>嘉兴</td><td>三、(六)", "<td>郑州</td><td>一、2.", "<td>杭州</td><td>一、(三)"):
        assert row in table
    assert '<td class="pa-num-cell">200万元</td>' in table and '<td class="pa-num-cell">100万元</td>' in table
    single, _ = h.chat_reply(services, "杭州单家企业每年最多能申领多少算力券?", [])
    assert "<table" not in single  # one city is no comparison


def test_comparison_rows_parse_the_composer_lines():
    cited = [{"display_label": "一、2."}]
    text = "各地规定对比:\n- 甲城(一、(三))[2]:补贴30%,不超过800万元。\n- 乙城:100万元[1](1000万元 × 20% = 200万元)\n- 丙城:未找到对应条款"
    rows = cards.comparison_rows(text, [*cited, {"display_label": "x"}], ["甲城", "乙城", "丙城"])
    assert [(r["city"], r["clause"], r["ref"], r["figures"]) for r in rows] == [
        ("甲城", "一、(三)", 2, ["30%", "800万元"]),
        ("乙城", "一、2.", 1, ["100万元"]),
        ("丙城", "", None, []),
    ]
    assert "未找到对应条款" in cards.comparison_table(text, cited, ["甲城", "乙城", "丙城"])


def test_markdown_export_has_the_answer_and_a_numbered_source_list(services, tmp_path):
    _, record = h.chat_reply(services, "杭州单家企业每年最多能申领多少算力券?", [])
    md = h.answer_markdown(record)
    assert record["answer"].strip() in md
    assert f"1. 杭州 《{HZ_TITLE}》一、(三)" in md
    assert "> " in md and "单家企业每年“算力券”申领不超过800万元" in md
    path = h.markdown_file(record, str(tmp_path))
    assert path.endswith(".md") and open(path, encoding="utf-8").read() == md
    assert h.answer_markdown(None) == "" and h.markdown_file(None) is None


def test_answer_choices_follow_the_message_order():
    recs = {"11": {"question": "后一个问题"}, "1": {"question": "第一个问题"}}
    assert h.answer_choices(recs) == [("第1条回答:第一个问题", "1"), ("第2条回答:后一个问题", "11")]


def test_feedback_on_an_earlier_answer_keeps_that_answers_record(services, store):
    _, first = h.chat_reply(services, "杭州单家企业每年最多能申领多少算力券?", [])
    turns = [{"role": "user", "content": first["question"]}, {"role": "assistant", "content": first["answer"]}]
    _, second = h.chat_reply(services, "那郑州呢?", turns)
    recs = {"1": first, "3": second}
    new_id = h.record_feedback(store, "up", recs["1"])
    row = next(r for r in store.records() if r.id == new_id)
    assert row.question == first["question"] and HZ_VOUCHER in row.citation_ids and "800万" in row.answer


# ------------------------------------------------------------------ admin


ADMIN_TOKEN = "test-admin-token-0123456789"


def test_admin_token_is_checked(settings):
    from assistant.settings import Settings

    with pytest.raises(h.UserFacingError, match="未启用"):
        h.check_admin(settings, "anything")
    enabled = Settings(data_dir=settings.data_dir, corpus_dir=settings.corpus_dir, admin_token=ADMIN_TOKEN)
    h.check_admin(enabled, ADMIN_TOKEN)
    for wrong in ("", "x", ADMIN_TOKEN + "x"):
        with pytest.raises(h.UserFacingError, match="令牌不正确"):
            h.check_admin(enabled, wrong)


def test_admin_feedback_review_and_csv_export(settings, store, tmp_path):
    from assistant.settings import Settings

    enabled = Settings(data_dir=settings.data_dir, corpus_dir=settings.corpus_dir, admin_token=ADMIN_TOKEN)
    store.add("down", "杭州算力券最多多少?", "800万元", [HZ_VOUCHER], "=希望更详细")
    html = h.admin_feedback(enabled, store, ADMIN_TOKEN)
    assert "共 1 条反馈" in html and "杭州算力券最多多少?" in html and "👎 没帮助" in html and HZ_VOUCHER in html
    path = h.admin_feedback_csv(enabled, store, ADMIN_TOKEN, str(tmp_path))
    text = open(path, encoding="utf-8-sig").read()
    assert text.startswith("id,created_at,rating,question") and "杭州算力券最多多少?" in text
    assert "'=希望更详细" in text  # the store's formula escaping is kept
    with pytest.raises(h.UserFacingError, match="令牌不正确"):
        h.admin_feedback_csv(enabled, store, "wrong-token")


def test_ingest_report_lists_documents_rules_quarantines_and_warnings():
    report = {
        "added": "policy.txt", "documents": 9, "clauses": 90, "embedded": 4, "rules": 34, "skipped_rules": [],
        "quarantined": [{"file": "bad.txt", "reason": "instruction-like text <b>"}],
        "flagged": [{"file": "policy.txt", "reason": "figures differ"}],
        "warnings": [{"kind": "garbled", "source": "policy.txt", "message": "lost text"}],
    }
    html = cards.ingest_report(report, [{"title": "新政策", "city": "某市", "issuer": "某市人民政府", "clauses": 4}])
    for expected in ("policy.txt", "<dd>9</dd>", "<dd>90</dd>", "<dd>34</dd>", "bad.txt", "instruction-like text &lt;b&gt;",
                     "figures differ", "lost text", "《新政策》", "某市人民政府"):
        assert expected in html


def test_citation_cards_and_the_library_show_status_and_basis(services):
    html, _ = h.chat_reply(services, "杭州单家企业每年最多能申领多少算力券?", [])
    assert "现行有效" in html
    library = h.library_html(services)
    assert "现行有效" in library and "国办发〔2018〕37号" in library
