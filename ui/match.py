"""The 政策体检 tab: an enterprise's description (free text and a small form) → every programme it may claim.

Handlers are plain functions taking `services` (testable without Gradio); the tab wires them. Results are a table
sorted by amount (eligible first), each row expandable to the clause card and the calculation steps, with
CSV and Markdown exports.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import gradio as gr

from assistant.calculator.amounts import format_yuan
from assistant.errors import PolicyError
from assistant.matching.report import STATUS_ZH, to_csv, to_markdown
from assistant.matching.service import run_match
from ui import cards

STATUS_CLASS = {"eligible": "ok", "needs_info": "info", "not_eligible": "warn"}


def form_profile(compute: str, compute_type: str, investment: str, revenue: str, growth: str,
                 filed: bool, certifications: list[str] | None) -> dict[str, Any]:
    """The form's fields as structured facts (blank fields left out)."""
    facts: dict[str, Any] = {}
    for name, value in (("compute_contract_yuan", compute), ("investment_yuan", investment),
                        ("revenue_yuan", revenue), ("revenue_growth", growth), ("compute_type", compute_type)):
        if value and str(value).strip():
            facts[name] = str(value).strip()
    if filed:
        facts["model_filed"] = True
    if certifications:
        facts["certifications"] = list(certifications)
    return facts


def result_html(result: Any) -> str:
    if not result.matches:
        return cards.notice(";".join(result.notes) or "没有可体检的政策", "warn")
    head = (f'<div class="pa-match-total">可申报合计:<b>{cards.esc(format_yuan(Decimal(str(result.total_yuan))))}</b>'
            f"(已按叠加原则去重)</div>")
    rows = []
    for m in result.matches:
        amount = format_yuan(Decimal(str(m.amount_yuan))) if m.status == "eligible" and m.amount_yuan is not None else ""
        if m.status == "eligible" and not m.counted:
            amount += "(不计入合计)"
        detail = m.reason if m.status != "needs_info" else "需补充:" + "、".join(m.missing)
        card = ""
        if m.hit is not None:
            info = {**m.hit.clause.to_dict(), "display_label": m.hit.clause.display_label, "city": m.hit.document.city,
                    "doc_title": m.hit.document.title, "doc_number": m.hit.document.doc_number,
                    "effective_from": m.hit.document.effective_from, "effective_until": m.hit.document.effective_until}
            card = cards.clause_card(info, open=True)
        steps = "".join(f"<li>{cards.esc(s)}</li>" for s in m.steps)
        rows.append(
            f'<details class="pa-match pa-{STATUS_CLASS[m.status]}"><summary>'
            f'<span class="pa-status">{STATUS_ZH[m.status]}</span> <span class="pa-city">{cards.esc(m.city)}</span> '
            f'<span class="pa-title">{cards.esc(m.title)}</span> <b>{cards.esc(amount)}</b> '
            f'<span class="pa-reason">{cards.esc(detail)}</span></summary>'
            + (f"<ol>{steps}</ol>" if steps else "") + card + "</details>"
        )
    notes = "".join(f"<li>{cards.esc(n)}</li>" for n in result.notes)
    return head + "".join(rows) + (f'<ul class="pa-notes">{notes}</ul>' if notes else "")


def check(services: Any, text: str, city: str, form: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(HTML, CSV path, Markdown path) for one check; a readable notice for bad input."""
    try:
        result = run_match(services, text or "", form, city=(city or "").strip() or None)
    except PolicyError as exc:
        return cards.notice(str(exc), "warn"), None, None
    out = Path(tempfile.mkdtemp(prefix="policy-check-"))
    csv_path, md_path = out / "政策体检.csv", out / "政策体检.md"
    csv_path.write_text("\ufeff" + to_csv(result), encoding="utf-8")
    md_path.write_text(to_markdown(result), encoding="utf-8")
    return result_html(result), str(csv_path), str(md_path)


def match_tab(bot: Callable[[], Any]) -> dict:
    with gr.Tab("政策体检", id="match"):
        text = gr.Textbox(label="企业情况", lines=3, elem_id="pa-match-text", placeholder="例如:我们是一家软件企业,今年签了1000万元国产算力合同,大模型刚备案")
        with gr.Accordion("或填写表单", open=False):
            with gr.Row():
                city = gr.Textbox(label="城市(可空:全部城市)", max_lines=1)
                compute = gr.Textbox(label="算力合同金额", max_lines=1, placeholder="1000万")
                compute_type = gr.Dropdown(
                    choices=[("不填", ""), ("国产算力", "domestic"), ("其他算力", "other"), ("MaaS/智能体应用", "maas_agent")],
                    value="", label="算力类型",
                )
            with gr.Row():
                investment = gr.Textbox(label="项目投资额", max_lines=1)
                revenue = gr.Textbox(label="年度营业收入", max_lines=1)
                growth = gr.Textbox(label="营收增速", max_lines=1, placeholder="12%")
            with gr.Row():
                filed = gr.Checkbox(label="已获生成式人工智能模型备案")
                certs = gr.CheckboxGroup(choices=["专精特新小巨人", "隐形冠军", "独角兽", "潜在独角兽", "人工智能标杆企业"], label="认定")
        run = gr.Button("开始体检", variant="primary", elem_id="pa-match-go")
        html = gr.HTML(elem_id="pa-match")
        with gr.Row():
            csv_file = gr.File(label="导出 CSV")
            md_file = gr.File(label="导出 Markdown")

        def on_run(t, c, comp, ctype, inv, rev, gr_, fil, cer):
            return check(bot(), t, c, form_profile(comp, ctype, inv, rev, gr_, fil, cer))

        run.click(on_run, [text, city, compute, compute_type, investment, revenue, growth, filed, certs], [html, csv_file, md_file])
    return {"html": html}
