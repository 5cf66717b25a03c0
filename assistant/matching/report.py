"""A `MatchResult` as text for people: a Markdown report and a CSV table (the CLI and the UI export them)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from assistant.calculator.amounts import format_yuan
from assistant.matching.match import MatchResult

STATUS_ZH = {"eligible": "可申报", "needs_info": "需补充信息", "not_eligible": "不符合"}
COLUMNS = ("状态", "城市", "政策", "金额(元)", "计入合计", "说明", "缺少信息", "条款", "文件", "责任单位", "规则")


def _yuan(value: float | None) -> str:
    return "" if value is None else format_yuan(Decimal(str(value)))


def rows(result: MatchResult) -> list[list[str]]:
    out = []
    for m in result.matches:
        doc = m.hit.document.title if m.hit is not None else ""
        out.append([
            STATUS_ZH[m.status], m.city, m.title,
            "" if m.amount_yuan is None else f"{m.amount_yuan:.0f}",
            ("是" if m.counted else "否(就高不重复)") if m.status == "eligible" else "",
            m.reason, "、".join(m.missing), m.clause_id, doc, "、".join(m.responsible_units),
            "人工核对" if m.reviewed else "自动识别",
        ])
    return out


def to_csv(result: MatchResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows(result))
    writer.writerow(["合计", "", "", f"{result.total_yuan:.0f}", "", "", "", "", "", "", ""])
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(result: MatchResult) -> str:
    lines = ["# 政策体检结果", ""]
    facts = result.profile.to_dict()
    if facts:
        lines.append("企业信息:" + ";".join(f"{k}={v}" for k, v in facts.items()))
        lines.append("")
    lines.append(f"**可申报合计:{format_yuan(Decimal(str(result.total_yuan)))}**(已按叠加原则去重)")
    lines.append("")
    lines.append("| 状态 | 城市 | 政策 | 金额 | 说明 | 条款 |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for m in result.matches:
        amount = _yuan(m.amount_yuan) if m.status == "eligible" else ""
        if m.status == "eligible" and not m.counted:
            amount += "(不计入合计)"
        detail = m.reason if m.status != "needs_info" else "需补充:" + "、".join(m.missing)
        lines.append(f"| {STATUS_ZH[m.status]} | {m.city} | {_cell(m.title)} | {amount} | {_cell(detail)} | {m.clause_id} |")
    if result.notes:
        lines += ["", "说明:"] + [f"- {n}" for n in result.notes]
    eligible = [m for m in result.matches if m.status == "eligible"]
    if eligible:
        lines += ["", "## 计算过程"]
        for m in eligible:
            lines += ["", f"### {m.city} {m.title}({m.clause_id})"] + [f"{i}. {s}" for i, s in enumerate(m.steps, 1)]
    return "\n".join(lines) + "\n"
