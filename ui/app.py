"""The Gradio web UI (mounted at /ui by the composition root, `assistant/root.py`): 咨询 · 查询 · 计算器 · 政策库.

`build_ui` takes callables rather than objects so that services reloaded after an ingest (or loaded after
the UI was built, as at start-up) are the ones every request uses. What the page names (header, examples,
cities, documents, programmes) is filled in on page load from those services.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import gradio as gr

from ui import cards
from ui.match import match_tab
from ui import handlers as h

log = logging.getLogger("ui")

TITLE = "政策问答助手"
EXAMPLE_SLOTS = 4
SORRY = "抱歉,系统出了点问题,请稍后再试。"
FEEDBACK_OK = "已记录,谢谢反馈"
FAVICON_LINK = '<link rel="icon" type="image/x-icon" href="/favicon.ico">'  # served by the API (assistant/http/docs.py)


def _fail(exc: Exception) -> str:
    """The message to show for an exception (never a traceback)."""
    if isinstance(exc, h.UserFacingError):
        message = str(exc)
    else:
        log.exception("UI handler failed")
        message = SORRY
    gr.Warning(message)
    return message


def _text_update(spec: dict) -> Any:
    if spec.get("kind") != "text":
        return gr.update(visible=False, value="")
    return gr.update(visible=True, label=spec["label"], placeholder=spec.get("placeholder", ""), value=spec.get("value", ""))


def _choice_update(spec: dict) -> Any:
    if spec.get("kind") != "choice":
        return gr.update(visible=False, choices=[], value=None)
    return gr.update(visible=True, label=spec["label"], choices=spec["choices"], value=spec.get("value"))


def build_ui(get_services: Callable[[], Any], get_feedback: Callable[[], Any]) -> gr.Blocks:
    """Build the four-tab app; nothing here touches the services until a page loads."""

    def bot():
        return get_services()

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        header = gr.Markdown(h.header_markdown(None), elem_id="pa-header")
        with gr.Tabs():
            chat = _chat_tab(bot, get_feedback)
            lookup = _lookup_tab(bot)
            calc = _calculator_tab(bot)
            library = _library_tab(bot)
            match_tab(bot)
            _admin_tab(bot, get_feedback)

        def on_load():
            services = bot()
            cities = h.city_choices(services)
            docs = h.document_choices(services)
            try:
                lib = h.library_html(services)
            except Exception as exc:  # loading, or a broken index: say so in the tab
                lib = cards.notice(_fail(exc), "warn")
            examples = h.example_questions(services, EXAMPLE_SLOTS)
            example_updates = [
                gr.update(value=examples[i], visible=True) if i < len(examples) else gr.update(visible=False)
                for i in range(EXAMPLE_SLOTS)
            ]
            return (
                h.header_markdown(services),
                gr.update(choices=cities, value=h.ALL),
                gr.update(choices=docs, value=h.NO_VALUE),
                gr.update(choices=cities, value=h.ALL),
                lib,
                h.lookup_hint(services),
                *example_updates,
                *calc["on_load"](services),
            )

        demo.load(
            on_load, None,
            [header, lookup["city"], lookup["doc"], library["city"], library["html"], lookup["hint"], *chat["examples"], *calc["outputs"]],
            show_progress="hidden",
        )
        chat["restore"](demo)
    demo.queue(default_concurrency_limit=8)
    return demo


# ------------------------------------------------------------------ 咨询


EMPTY_CONVERSATION = {"messages": [], "turns": [], "records": {}}
CONVERSATION_KEY = "policy-assistant-conversation"  # browser storage key: the conversation survives reloads
COPY_JS = "(text) => { if (text && navigator.clipboard) { navigator.clipboard.writeText(text); } return text; }"


def _chat_tab(bot: Callable[[], Any], get_feedback: Callable[[], Any]) -> dict:
    with gr.Tab("咨询", id="chat"):
        chat = gr.Chatbot(
            label="政策咨询",
            show_label=False,
            height=560,
            elem_id="pa-chat",
            feedback_options=("Like", "Dislike"),  # 👍/👎 under every answer (the `like` event below)
            buttons=[],  # a copy button would copy the message's HTML source; see 复制 / 导出 below
            placeholder="请输入您的问题。回答会附上引用的政策原文,补贴金额由计算器按条款算出。",
        )
        turns = gr.State([])  # plain-text history for AskRequest
        last = gr.State(None)  # the latest answer (question, answer, citation ids) for feedback
        records = gr.State({})  # chat message index (str) → that answer's record, for per-answer feedback and export
        saved = gr.BrowserState(dict(EMPTY_CONVERSATION), storage_key=CONVERSATION_KEY)
        with gr.Row(equal_height=True):
            msg = gr.Textbox(
                show_label=False, placeholder="输入问题后按回车或点“发送”", scale=5, min_width=200,
                submit_btn="发送", elem_id="pa-question", max_length=2000,
            )
            new = gr.Button("新对话", scale=1, min_width=80, elem_id="pa-new")
        gr.Markdown("**试试这些问题:**")
        with gr.Row(elem_classes="pa-examples"):
            example_buttons = [gr.Button("", size="sm", min_width=160, visible=False) for _ in range(EXAMPLE_SLOTS)]
        with gr.Accordion("这个回答有帮助吗?(也可点每条回答下方的 👍/👎)", open=True):
            with gr.Row():
                up = gr.Button("👍 有帮助", size="sm", min_width=90, elem_id="pa-up")
                down = gr.Button("👎 没帮助", size="sm", min_width=90, elem_id="pa-down")
                comment = gr.Textbox(show_label=False, placeholder="补充意见(选填),例如哪里不准确", scale=3, min_width=200, max_length=2000)
            fb_status = gr.HTML("", elem_id="pa-feedback-status")
        with gr.Accordion("复制 / 导出回答(点击对话中的回答可选中它)", open=False, elem_id="pa-export"):
            pick = gr.Dropdown(choices=[], value=None, label="选择回答", elem_id="pa-export-pick")
            export_md = gr.Textbox(label="回答及引用条款(Markdown)", lines=6, max_lines=16, interactive=False, buttons=["copy"], elem_id="pa-export-md")
            with gr.Row():
                copy = gr.Button("复制", size="sm", min_width=90, elem_id="pa-copy")
                download = gr.DownloadButton("导出Markdown", value=None, size="sm", min_width=120, elem_id="pa-export-dl")

        def export_updates(recs: dict, key: str | None) -> tuple:
            record = recs.get(key) if key else None
            return (
                gr.update(choices=h.answer_choices(recs), value=key if record else None),
                h.answer_markdown(record),
                gr.update(value=h.markdown_file(record)),
            )

        def respond(message: str, history: list, plain: list, latest: dict | None, recs: dict):
            message = (message or "").strip()
            keep = (gr.update(),) * 5  # records, saved, pick, export text, download unchanged
            if not message:
                gr.Warning("请先输入问题。")
                yield history, "", plain, latest, gr.update(), *keep
                return
            shown = [*history, {"role": "user", "content": cards.esc(message)}]
            yield shown, "", plain, latest, "", *keep
            try:
                html, record = h.chat_reply(bot(), message, plain)
            except Exception as exc:
                note = _fail(exc)
                yield [*shown, {"role": "assistant", "content": cards.notice(note, "warn")}], "", plain, latest, "", *keep
                return
            plain = h.history_turns([*plain, {"role": "user", "content": record["question"]}, {"role": "assistant", "content": record["answer"]}])
            messages = [*shown, {"role": "assistant", "content": html}]
            key = str(len(messages) - 1)
            recs = {**recs, key: record}
            conversation = {"messages": messages, "turns": plain, "records": recs}
            yield messages, "", plain, record, "", recs, conversation, *export_updates(recs, key)

        exports = [pick, export_md, download]
        outputs = [chat, msg, turns, last, fb_status, records, saved, *exports]
        msg.submit(respond, [msg, chat, turns, last, records], outputs)
        for button in example_buttons:
            button.click(lambda q: q, button, msg, queue=False).then(respond, [msg, chat, turns, last, records], outputs)

        def forget():
            return [], "", [], None, "", "", {}, dict(EMPTY_CONVERSATION), gr.update(choices=[], value=None), "", gr.update(value=None)

        new.click(forget, None, [chat, msg, turns, last, fb_status, comment, records, saved, *exports], queue=False)
        chat.clear(lambda: forget()[2:], None, [turns, last, fb_status, comment, records, saved, *exports], queue=False)  # 🗑

        def rate(rating: str):
            def handler(latest: dict | None, text: str):
                try:
                    h.record_feedback(get_feedback(), rating, latest, text)
                except Exception as exc:
                    return cards.notice(_fail(exc), "warn"), text
                gr.Info(FEEDBACK_OK)
                return cards.notice(FEEDBACK_OK, "ok"), ""
            return handler

        up.click(rate("up"), [last, comment], [fb_status, comment])
        down.click(rate("down"), [last, comment], [fb_status, comment])

        def rate_message(recs: dict, text: str, data: gr.LikeData):
            """👍/👎 under any answer: stored with that answer's question, text and citations."""
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            rating = "up" if data.liked is True else "down" if data.liked is False else None
            if rating is None:  # the rating was taken back; the stored record stays
                return gr.update(), text
            try:
                h.record_feedback(get_feedback(), rating, recs.get(str(index)), text)
            except Exception as exc:
                return cards.notice(_fail(exc), "warn"), text
            gr.Info(FEEDBACK_OK)
            return cards.notice(FEEDBACK_OK, "ok"), ""

        chat.like(rate_message, [records, comment], [fb_status, comment])

        def select_answer(recs: dict, data: gr.SelectData):
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            if str(index) not in recs:
                return gr.update(), gr.update(), gr.update()
            return export_updates(recs, str(index))

        chat.select(select_answer, records, exports)
        pick.input(lambda recs, key: export_updates(recs, key), [records, pick], exports)
        copy.click(None, export_md, None, js=COPY_JS)
        copy.click(lambda: gr.Info("已复制到剪贴板"), None, None, queue=False)

    def restore(demo: gr.Blocks) -> None:
        """On page load: the conversation kept in the browser (messages, plain-text turns, answer records)."""

        def load(conversation: dict | None):
            conversation = conversation if isinstance(conversation, dict) else {}
            messages = list(conversation.get("messages") or [])
            recs = {str(k): v for k, v in dict(conversation.get("records") or {}).items() if isinstance(v, dict)}
            plain = h.history_turns(list(conversation.get("turns") or []))
            latest_key = max(recs, key=int) if recs else None
            return messages, plain, recs.get(latest_key) if latest_key else None, recs, *export_updates(recs, latest_key)

        demo.load(load, saved, [chat, turns, last, records, *exports], show_progress="hidden")

    return {"examples": example_buttons, "restore": restore}


# ------------------------------------------------------------------ 查询


def _lookup_tab(bot: Callable[[], Any]) -> dict:
    with gr.Tab("查询", id="lookup"):
        hint = gr.Markdown(h.lookup_hint(None))
        with gr.Row(equal_height=True):
            query = gr.Textbox(show_label=False, placeholder="关键词或条款编号", scale=4, min_width=200, elem_id="pa-lookup-query", max_length=200)
            go = gr.Button("查询", variant="primary", scale=1, min_width=80, elem_id="pa-lookup-go")
        with gr.Row():
            city = gr.Dropdown(choices=[h.ALL], value=h.ALL, label="城市", min_width=120)
            doc = gr.Dropdown(choices=[("全部文件", h.NO_VALUE)], value=h.NO_VALUE, label="文件", scale=2, min_width=200)
        results = gr.HTML(cards.notice("输入关键词后点“查询”。"), elem_id="pa-lookup-results")
        found_state = gr.State([])
        with gr.Group():
            pick = gr.Dropdown(choices=[], value=None, label="选择条款生成答复话术", visible=False)
            script = gr.Textbox(label="复制答复话术(条款原文 + 来源)", lines=5, max_lines=12, buttons=["copy"], interactive=False, visible=False, elem_id="pa-script")

        def search(text: str, city_value: str, doc_value: str):
            try:
                found, mode = h.find_clauses(bot(), text, city_value, doc_value)
            except Exception as exc:
                return cards.notice(_fail(exc), "warn"), [], gr.update(visible=False), gr.update(visible=False, value="")
            html = h.lookup_html(text, found, mode)
            if not found:
                return html, [], gr.update(visible=False, choices=[], value=None), gr.update(visible=False, value="")
            choices = h.script_choices(found)
            return (
                html, found,
                gr.update(visible=True, choices=choices, value=choices[0][1]),
                gr.update(visible=True, value=h.answer_script(found[0])),
            )

        def choose(clause_id: str, found: list):
            info = next((f for f in found if f.get("clause_id") == clause_id), None)
            return h.answer_script(info)

        def filter_docs(city_value: str):
            return gr.update(choices=h.document_choices(bot(), city_value), value=h.NO_VALUE)

        outs = [results, found_state, pick, script]
        query.submit(search, [query, city, doc], outs)
        go.click(search, [query, city, doc], outs)
        pick.input(choose, [pick, found_state], script)
        city.input(filter_docs, city, doc)
    return {"city": city, "doc": doc, "hint": hint}


# ------------------------------------------------------------------ 计算器


def _calculator_tab(bot: Callable[[], Any]) -> dict:
    """Programme form and cross-city comparison; programmes come from the services' rule book on page load."""
    with gr.Tab("计算器", id="calculator"):
        gr.Markdown("选择补贴项目并填写情况,按政策条款逐步计算可获得的金额。")
        prog = gr.Dropdown(choices=[], value=None, label="计算项目(城市 · 政策)", elem_id="pa-program")
        intro = gr.HTML(cards.notice("请选择一个计算项目。"))
        texts, choices = [], []
        with gr.Column():
            for _ in range(h.SLOTS):
                texts.append(gr.Textbox(label="", visible=False, max_length=100))
                choices.append(gr.Dropdown(choices=[], value=None, label="", visible=False))
        calc_btn = gr.Button("计算", variant="primary", elem_id="pa-calc-go")
        result = gr.HTML("", elem_id="pa-calc-result")

        def form_updates(services, program_id: str | None) -> list:
            try:
                slot_specs, note = h.form_for(services, program_id)
            except Exception as exc:
                slot_specs, note = [h.field_spec(None)] * h.SLOTS, cards.notice(_fail(exc), "warn")
            return [note, *[_text_update(s) for s in slot_specs], *[_choice_update(s) for s in slot_specs], ""]

        def change(program_id: str):
            return form_updates(bot(), program_id)

        def compute(program_id: str, *values):
            text_values, choice_values = values[: h.SLOTS], values[h.SLOTS:]
            try:
                return h.run_calculation(bot(), program_id, text_values, choice_values)
            except Exception as exc:
                return cards.notice(_fail(exc), "warn")

        prog.input(change, prog, [intro, *texts, *choices, result])
        calc_btn.click(compute, [prog, *texts, *choices], result)

        gr.Markdown("### 跨城市对比\n同一笔金额,在各城市同类政策下分别能拿多少。")
        with gr.Row():
            tag = gr.Dropdown(choices=[], value=None, label="政策类别", min_width=240, elem_id="pa-compare-tag")
            amount = gr.Textbox(label="金额", placeholder="例如 1000万", value="1000万", min_width=240, max_length=100, elem_id="pa-compare-amount")
        option_boxes = [gr.Dropdown(choices=[], value=None, label="", visible=False) for _ in range(h.COMPARE_SLOTS)]
        compare_btn = gr.Button("对比", elem_id="pa-compare-go")
        table = gr.HTML("", elem_id="pa-compare-result")

        def tag_updates(services, tag_value: str | None) -> list:
            fields = h.compare_fields(services, tag_value)
            return [gr.update(label=h.compare_amount_label(services, tag_value)), *[_choice_update(s) for s in fields], ""]

        def change_tag(tag_value: str):
            return tag_updates(bot(), tag_value)

        def compare(tag_value: str, amount_text: str, *option_values):
            try:
                return h.run_compare(bot(), tag_value, amount_text, option_values)
            except Exception as exc:
                return cards.notice(_fail(exc), "warn")

        tag.input(change_tag, tag, [amount, *option_boxes, table])
        compare_btn.click(compare, [tag, amount, *option_boxes], table)
        amount.submit(compare, [tag, amount, *option_boxes], table)

    def on_load(services) -> list:
        default = h.default_program(services)
        tags = h.comparable_choices(services)
        first_tag = tags[0][1] if tags else None
        return [
            gr.update(choices=h.program_choices(services), value=default),
            *form_updates(services, default),
            gr.update(choices=tags, value=first_tag),
            *tag_updates(services, first_tag),
        ]

    outputs = [prog, intro, *texts, *choices, result, tag, amount, *option_boxes, table]
    return {"outputs": outputs, "on_load": on_load}


# ------------------------------------------------------------------ 政策库


def _library_tab(bot: Callable[[], Any]) -> dict:
    with gr.Tab("政策库", id="library"):
        with gr.Row():
            city = gr.Dropdown(choices=[h.ALL], value=h.ALL, label="城市", min_width=120, scale=1)
            refresh = gr.Button("刷新", size="sm", scale=0, min_width=80)
        html = gr.HTML(cards.notice("正在加载政策库……"), elem_id="pa-library")

        def show(city_value: str):
            try:
                return h.library_html(bot(), city_value)
            except Exception as exc:
                return cards.notice(_fail(exc), "warn")

        city.input(show, city, html)
        refresh.click(show, city, html)
    return {"city": city, "html": html}


# ------------------------------------------------------------------ 管理


def _admin_tab(bot: Callable[[], Any], get_feedback: Callable[[], Any]) -> None:
    """Admin (token): upload a document into the index (published at once) and review / export feedback."""
    with gr.Tab("管理", id="admin"):
        gr.Markdown("管理员功能:上传政策文件入库、查看入库报告、查看并导出用户反馈。需要服务器配置的管理员令牌。")
        token = gr.Textbox(label="管理员令牌", type="password", max_length=200, elem_id="pa-admin-token")
        gr.Markdown("### 上传政策文件\n支持 .txt、.md、.html、.docx、.pdf(5MB以内);入库后立即可被检索。")
        upload = gr.File(label="政策文件", file_count="single", file_types=[".txt", ".md", ".html", ".htm", ".docx", ".pdf"], type="filepath", elem_id="pa-admin-file")
        ingest = gr.Button("上传并入库", variant="primary", elem_id="pa-admin-upload")
        report = gr.HTML("", elem_id="pa-admin-report")
        gr.Markdown("### 用户反馈")
        with gr.Row():
            review = gr.Button("查看反馈", elem_id="pa-admin-feedback")
            export = gr.DownloadButton("导出CSV", value=None, elem_id="pa-admin-csv", visible=False)
            prepare = gr.Button("生成CSV", elem_id="pa-admin-csv-make")
        feedback = gr.HTML("", elem_id="pa-admin-feedback-list")

        def settings():
            services = bot()
            return services.settings if services is not None else None

        def do_ingest(token_value: str, path: str | None):
            try:
                return h.admin_upload(bot(), token_value, path)
            except Exception as exc:
                return cards.notice(_fail(exc), "warn")

        def do_review(token_value: str):
            try:
                return h.admin_feedback(settings(), get_feedback(), token_value)
            except Exception as exc:
                return cards.notice(_fail(exc), "warn")

        def do_export(token_value: str):
            try:
                path = h.admin_feedback_csv(settings(), get_feedback(), token_value)
            except Exception as exc:
                return gr.update(visible=False, value=None), cards.notice(_fail(exc), "warn")
            return gr.update(visible=True, value=path), gr.update()

        ingest.click(do_ingest, [token, upload], report)
        review.click(do_review, token, feedback)
        prepare.click(do_export, token, [export, feedback])
