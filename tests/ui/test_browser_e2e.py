"""The web UI in a real browser against the real server: chat with follow-up, feedback stored in
SQLite, hotline lookup, calculator, policy library; screenshots of every tab go to docs/screenshots/."""

from __future__ import annotations

from contextlib import contextmanager

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.live_server import REPO, live_server

pytestmark = pytest.mark.e2e

SHOTS = REPO / "docs" / "screenshots"
TIMEOUT_MS = 30_000
ADMIN_TOKEN = "browser-test-admin-token-0123456789"


@pytest.fixture(scope="module")
def server(built_data_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ui-live") / "data"
    shutil.copytree(built_data_dir, data_dir, symlinks=True)
    with live_server(data_dir, POLICY_ADMIN_TOKEN=ADMIN_TOKEN) as (base, _proc):
        yield base, data_dir


@contextmanager
def _open(browser, base: str, width: int = 1280, height: int = 900):
    """A fresh browser context on the UI, closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{base}/ui/", wait_until="domcontentloaded")
        page.locator("#pa-question textarea").wait_for()
        yield page
    finally:
        context.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let the last paint settle
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _ask(page, question: str, answers_before: int):
    box = page.locator("#pa-question textarea")
    box.fill(question)
    box.press("Enter")
    answer = page.locator("#pa-chat .pa-answer").nth(answers_before)
    answer.wait_for()
    return answer


def _feedback_rows(data_dir: Path) -> list[tuple]:
    conn = sqlite3.connect(data_dir / "feedback.sqlite3")
    try:
        return conn.execute("SELECT rating, question, answer, citation_ids, comment FROM feedback ORDER BY id").fetchall()
    finally:
        conn.close()


def test_chat_follow_up_citations_and_feedback(server, browser):
    base, data_dir = server
    with _open(browser, base) as page:
        first = _ask(page, "杭州单家企业每年最多能申领多少算力券?", 0)
        assert "800万" in first.inner_text()
        card = page.locator("#pa-chat .pa-card").first
        card.wait_for()
        assert "支持人工智能全产业链高质量发展的若干措施" in card.inner_text()

        second = _ask(page, "那郑州呢?", 1)
        assert "100万" in second.inner_text()
        assert page.locator("#pa-chat .pa-card").count() >= 2
        page.locator("#pa-chat .pa-card summary").last.click()  # expand the 郑州 clause
        page.locator("#pa-chat .pa-card[open]").last.wait_for()
        assert "郑州" in page.locator("#pa-chat .pa-card").last.inner_text()
        _shot(page, "chat.png")

        page.locator("#pa-feedback-status").locator("xpath=..").scroll_into_view_if_needed()
        page.get_by_placeholder("补充意见(选填),例如哪里不准确").fill("希望附上申报入口")
        page.locator("#pa-down").click()
        page.locator("#pa-feedback-status").get_by_text("已记录,谢谢反馈").wait_for()
        rows = _feedback_rows(data_dir)
        assert rows, "no feedback stored"
        rating, question, answer, citation_ids, comment = rows[-1]
        assert (rating, question, comment) == ("down", "那郑州呢?", "希望附上申报入口")
        assert "100万" in answer
        assert any(cid.startswith("zhengzhou-ai-measures#") for cid in json.loads(citation_ids))

        page.locator("#pa-new").click()  # 新对话 empties the chat and forgets the history
        page.locator("#pa-chat .pa-answer").first.wait_for(state="detached")
        page.locator("#pa-feedback-status").get_by_text("已记录,谢谢反馈").wait_for(state="detached")


def test_lookup_tab_finds_zhengzhou_little_giant_clause(server, browser):
    base, _ = server
    with _open(browser, base) as page:
        page.get_by_role("tab", name="查询").click()
        page.locator("#pa-lookup-query textarea, #pa-lookup-query input").first.fill("小巨人")
        page.locator("#pa-lookup-go").click()
        first = page.locator("#pa-lookup-results .pa-card").first
        first.wait_for()
        text = first.inner_text()
        assert "郑州" in text and "小巨人" in text
        assert page.locator("#pa-lookup-results .pa-card mark").first.inner_text() == "小巨人"
        script = page.locator("#pa-script textarea")
        script.wait_for()
        assert "来源:《郑州市支持人工智能创新发展若干政策措施》郑政文〔2024〕62号" in script.input_value()
        _shot(page, "lookup.png")


def test_calculator_tab_computes_and_compares(server, browser):
    from playwright.sync_api import expect  # present: the browser fixture skips without it

    base, _ = server
    with _open(browser, base) as page:
        page.get_by_role("tab", name="计算器").click()
        page.get_by_label("算力合同费用", exact=False).first.fill("1000万")
        compute_type = page.get_by_label("算力类型", exact=False).first
        compute_type.click()
        page.get_by_role("option", name="使用国产算力设施开展模型训练、推理和应用").click()
        # the choice reaches the server with the dropdown's own event: click 计算 once the page shows it (under load
        # a click right after the option could compute without it and show the missing-input notice instead)
        expect(compute_type).to_have_value("使用国产算力设施开展模型训练、推理和应用")
        page.locator("#pa-calc-go").click()
        result = page.locator("#pa-calc-result .pa-calc")
        result.wait_for()
        assert "300万元" in result.inner_text()
        assert "1000万元 × 30% = 300万元" in result.inner_text()

        page.locator("#pa-compare-go").click()
        table = page.locator("#pa-compare-result table")
        table.wait_for()
        rows = table.inner_text()
        assert "杭州" in rows and "嘉兴" in rows and "郑州" in rows
        assert "300万元" in rows and "200万元" in rows and "100万元" in rows
        _shot(page, "calculator.png")


def test_library_tab_lists_documents_with_clause_tree(server, browser):
    base, _ = server
    with _open(browser, base) as page:
        page.get_by_role("tab", name="政策库").click()
        docs = page.locator("#pa-library .pa-doc")
        docs.first.wait_for()
        assert docs.count() >= 3
        docs.first.locator("summary").first.click()
        opened = page.locator("#pa-library .pa-doc[open]").first
        opened.wait_for()
        text = opened.inner_text()
        assert "杭州市人民政府办公厅" in text and "2027-12-31" in text and "加快算力设施建设" in text
        _shot(page, "library.png")


def test_policy_check_tab_lists_claimable_programmes_with_amounts(server, browser):
    base, _ = server
    with _open(browser, base) as page:
        page.get_by_role("tab", name="政策体检").click()
        page.locator("#pa-match-text textarea").fill("我们是杭州的软件企业,今年签了1000万元国产算力合同,大模型刚备案")
        page.locator("#pa-match-go").click()
        first = page.locator("#pa-match details.pa-match").first
        first.wait_for(timeout=60_000)
        text = page.locator("#pa-match").inner_text()
        assert "算力券" in text and "300万元" in text and "可申报合计" in text
        first.locator("summary").first.click()  # a row opens to its clause and steps
        assert "1000万元 × 30% = 300万元" in first.inner_text()
        _shot(page, "match.png")


def test_chat_on_a_phone_width_screen(server, browser):
    base, _ = server
    with _open(browser, base, width=390, height=844) as page:
        page.get_by_role("button", name="我们在杭州用国产算力训练模型,合同1000万元,能拿多少算力券?").click()  # an example
        answer = page.locator("#pa-chat .pa-answer").first
        answer.wait_for()
        assert "300万元" in answer.inner_text()
        calc = page.locator("#pa-chat .pa-calc").first
        calc.wait_for()
        assert "300万元" in calc.inner_text()
        # nothing wider than the screen: no horizontal scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        _shot(page, "chat-mobile.png")


# ------------------------------------------------------------------ a whole working day


DISLIKE = re.compile("Dislike|不喜欢|踩|不赞")


def test_conversation_survives_a_reload_and_new_conversation_clears_it(server, browser):
    base, _ = server
    with _open(browser, base) as page:
        first = _ask(page, "杭州单家企业每年最多能申领多少算力券?", 0)
        assert "800万" in first.inner_text()
        page.wait_for_timeout(500)  # the browser storage is written after the answer
        page.reload(wait_until="domcontentloaded")
        restored = page.locator("#pa-chat .pa-answer").first
        restored.wait_for()
        assert "800万" in restored.inner_text()
        assert "杭州单家企业每年最多能申领多少算力券?" in page.locator("#pa-chat").inner_text()
        second = _ask(page, "那郑州呢?", 1)  # the restored history still carries the follow-up
        assert "100万" in second.inner_text()
        _shot(page, "chat-restored.png")
        page.locator("#pa-new").click()
        page.locator("#pa-chat .pa-answer").first.wait_for(state="detached")
        page.wait_for_timeout(500)
        page.reload(wait_until="domcontentloaded")
        page.locator("#pa-question textarea").wait_for()
        page.wait_for_timeout(1500)
        assert page.locator("#pa-chat .pa-answer").count() == 0


def test_answer_export_as_markdown_with_sources(server, browser):
    base, _ = server
    with _open(browser, base) as page:
        answer = _ask(page, "杭州单家企业每年最多能申领多少算力券?", 0)
        assert "800万" in answer.inner_text()
        page.locator("#pa-export").get_by_text("复制 / 导出回答").click()
        md_box = page.locator("#pa-export-md textarea")
        md_box.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelector('#pa-export-md textarea').value.includes('来源')", timeout=60_000,
        )
        with page.expect_download(timeout=60_000) as info:
            page.locator("#pa-export-dl").click()
        path = info.value.path()
        text = Path(path).read_text(encoding="utf-8")
        assert "800万" in text and "**来源:**" in text
        assert "1. 杭州 《支持人工智能全产业链高质量发展的若干措施》一、(三)" in text
        assert "单家企业每年“算力券”申领不超过800万元" in text
        assert text == md_box.input_value()
        _shot(page, "chat-export.png")


def test_feedback_on_the_first_of_two_answers(server, browser):
    base, data_dir = server
    with _open(browser, base) as page:
        _ask(page, "杭州单家企业每年最多能申领多少算力券?", 0)
        _ask(page, "那郑州呢?", 1)
        before = len(_feedback_rows(data_dir))
        dislikes = page.locator("#pa-chat").get_by_role("button", name=DISLIKE)
        assert dislikes.count() >= 2, "no 👎 under every answer"
        dislikes.first.click()
        page.locator("#pa-feedback-status").get_by_text("已记录,谢谢反馈").wait_for()
        rows = _feedback_rows(data_dir)
        assert len(rows) == before + 1
        rating, question, answer, citation_ids, _ = rows[-1]
        assert (rating, question) == ("down", "杭州单家企业每年最多能申领多少算力券?")
        assert "800万" in answer and "hangzhou-ai-measures#一.(三)" in json.loads(citation_ids)


def test_comparison_in_chat_is_a_table(server, browser):
    base, _ = server
    with _open(browser, base) as page:
        _ask(page, "杭州、嘉兴和郑州的算力券,合同1000万分别能拿多少?", 0)
        table = page.locator("#pa-chat .pa-compare table")
        table.wait_for()
        text = table.inner_text()
        assert "嘉兴" in text and "郑州" in text and "200万元" in text and "100万元" in text
        assert page.locator("link[rel='icon'][href='/favicon.ico']").count() >= 1
        _shot(page, "chat-compare.png")


def test_zz_admin_upload_shows_the_ingestion_report_and_feedback_export(server, browser, tmp_path):
    """Runs last in this module: the upload adds a document to the live server's index."""
    base, _ = server
    policy = tmp_path / "test-upload-policy.txt"
    policy.write_text(
        "测试市人民政府办公厅关于印发测试市促进机器人产业发展若干措施的通知\n测政办发〔2025〕3号\n"
        "各区人民政府,市政府各部门:\n现将《测试市促进机器人产业发展若干措施》印发给你们,请认真贯彻执行。\n"
        "测试市人民政府办公厅\n2025年3月1日\n测试市促进机器人产业发展若干措施\n"
        "一、支持机器人整机研发。对年度研发投入超过1000万元的机器人整机企业,按研发投入的10%给予补助,最高不超过300万元。(责任单位:市工信局)\n"
        "二、本措施自2025年3月1日起施行,有效期至2027年12月31日。\n",
        encoding="utf-8",
    )
    with _open(browser, base) as page:
        page.get_by_role("tab", name="管理").click()
        page.locator("#pa-admin-token input").fill("wrong-token-wrong-token")
        page.locator("#pa-admin-feedback").click()
        page.locator("#pa-admin-feedback-list").get_by_text("管理员令牌不正确").wait_for()
        page.locator("#pa-admin-token input").fill(ADMIN_TOKEN)
        page.locator("#pa-admin-file input[type=file]").set_input_files(str(policy))
        page.wait_for_timeout(1000)  # the file is uploaded to the server first
        page.locator("#pa-admin-upload").click()
        report = page.locator("#pa-admin-report .pa-report")
        report.wait_for(timeout=120_000)
        text = page.locator("#pa-admin-report").inner_text()
        assert "test-upload-policy.txt" in text and "已加入政策库并发布" in text
        assert "促进机器人产业发展若干措施" in text and "测政办发〔2025〕3号" in text
        _shot(page, "admin.png")
        page.locator("#pa-admin-feedback").click()
        page.locator("#pa-admin-feedback-list .pa-table, #pa-admin-feedback-list .pa-msg").first.wait_for()
        page.locator("#pa-admin-csv-make").click()
        page.locator("#pa-admin-csv").wait_for()
        with page.expect_download() as info:
            page.locator("#pa-admin-csv").click()
        assert Path(info.value.path()).read_text(encoding="utf-8-sig").startswith("id,created_at,rating,question")
