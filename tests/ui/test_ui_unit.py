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
    card = cards.clause_card(services.catalogue.clause(HZ_VOUCHER).to_dict(), number=1)
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
    assert labels == {"咨询", "查询", "计算器", "政策库", "政策体检"}


def test_ui_is_mounted_at_slash_ui(settings, services):
    from fastapi.testclient import TestClient

    from assistant.root import web_app

    with TestClient(web_app(settings, services)) as client:
        root = client.get("/", follow_redirects=False)
        assert root.status_code in (302, 307) and root.headers["location"] == "/ui"
        page = client.get("/ui/")
        assert page.status_code == 200 and "政策问答助手" in page.text
