"""HTML rendering for the web UI: clause cards, calculation blocks, tables, the clause tree.

Pure functions over plain dicts / result objects; every piece of text that comes from the corpus,
the calculator or the user goes through `esc` (html.escape) before it reaches the page. The HTML
is kept on one line per block (no blank lines) so the chat's Markdown renderer passes it through.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from assistant.composers.wording import book_title

KIND_ZH = {
    "policy": "政策文件",
    "notice": "通知",
    "interpretation": "政策解读",
    "other": "其他",
}


def esc(value: Any) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


def multiline(text: str) -> str:
    """Escaped text with line breaks kept as <br> (no raw newlines: Markdown would split the block)."""
    return "<br>".join(esc(line) for line in str(text or "").splitlines() if line.strip()) or ""


def yuan(value: Any) -> str:
    """300万元 / 1234567元 — the calculator's own formatting."""
    from assistant.calculator import format_yuan

    try:
        return format_yuan(Decimal(str(int(float(value)))))
    except (TypeError, ValueError, ArithmeticError):
        return f"{value}元"


def period(info: Mapping[str, Any]) -> str:
    start, end = info.get("effective_from"), info.get("effective_until")
    if start and end:
        return f"{start} 至 {end}"
    if start:
        return f"{start} 起施行"
    if end:
        return f"至 {end}"
    return "原文未注明"


def doc_number(value: str | None) -> str:
    return value or "无文号"


def source_line(info: Mapping[str, Any]) -> str:
    """来源:《title》文号 clause label — the line a hotline answer ends with."""
    number = f"{info['doc_number']} " if info.get("doc_number") else ""
    return f"来源:{book_title(info.get('doc_title') or '')}{number}{info.get('display_label') or info.get('clause', '')}"


# ------------------------------------------------------------------ highlighting


def highlight(text: str, terms: Iterable[str]) -> str:
    """Escaped text with every occurrence of the terms wrapped in <mark> (longest term first)."""
    text = str(text or "")
    wanted = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not wanted:
        return multiline(text)
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        out, pos = [], 0
        for m in pattern.finditer(line):
            out.append(esc(line[pos:m.start()]))
            out.append(f"<mark>{esc(m.group(0))}</mark>")
            pos = m.end()
        out.append(esc(line[pos:]))
        lines.append("".join(out))
    return "<br>".join(lines)


_SPLIT = re.compile(r"[\s,,。、;;::??!!()()《》“”\"'‘’\[\]【】/|]+")


def query_terms(query: str) -> list[str]:
    """Words of a search query worth highlighting: its segments and their (jieba) words of 2+ characters."""
    segments = [s for s in _SPLIT.split(query or "") if s]
    terms = {s for s in segments if len(s) >= 2 or not s.isascii()}
    try:
        from index.tokenize import tokenize

        terms |= {t for t in tokenize(query or "") if len(t) >= 2}
    except Exception:  # highlighting is a nicety; never fail a search over it
        pass
    return sorted(terms, key=len, reverse=True)


# ------------------------------------------------------------------ clause cards


def clause_card(info: Mapping[str, Any], number: int | None = None, terms: Iterable[str] = (), open: bool = False) -> str:
    """One clause as an expandable card: city, document, 文号, label, full text, period, responsible units."""
    label = info.get("display_label") or info.get("clause") or ""
    heading = info.get("heading") or ""
    units = info.get("responsible_units") or []
    num = f'<span class="pa-num">[{number}]</span> ' if number is not None else ""
    city = f'<span class="pa-city">{esc(info.get("city") or "—")}</span> '
    summary = (
        f"{num}{city}<span class=\"pa-title\">{esc(book_title(info.get('doc_title') or ''))}</span> "
        f"<span class=\"pa-label\">{esc(label)}</span>"
        + (f" <span class=\"pa-heading\">{esc(heading)}</span>" if heading and heading != label else "")
        + (f" {status_badge(info.get('status'))}" if info.get("status") else "")
    )
    meta = [
        ("城市", esc(info.get("city") or "—")),
        ("文件", f"{esc(book_title(info.get('doc_title') or ''))}"),
        ("文号", esc(doc_number(info.get("doc_number")))),
        ("条款", esc(label)),
        ("有效期", esc(period(info))),
        ("责任单位", esc("、".join(units)) if units else "原文未注明"),
    ]
    rows = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in meta)
    return (
        f'<details class="pa-card"{" open" if open else ""}>'
        f"<summary>{summary}</summary>"
        f'<div class="pa-text">{highlight(info.get("text", ""), terms)}</div>'
        f'<dl class="pa-meta">{rows}</dl>'
        "</details>"
    )


# ------------------------------------------------------------------ calculations


def calculation_block(calc: Any, program_title: str = "", clause: Mapping[str, Any] | None = None) -> str:
    """Steps and result of one calculation (CalculationOut from /ask or a calculator Calculation)."""
    steps = "".join(f"<li>{esc(s)}</li>" for s in getattr(calc, "steps", []) or [])
    eligible = bool(getattr(calc, "eligible", True))
    badges = []
    if getattr(calc, "cap_applied", False):
        badges.append('<span class="pa-badge pa-cap">已按上限封顶</span>')
    if not eligible:
        badges.append('<span class="pa-badge pa-no">不符合条件</span>')
    if getattr(calc, "partial", False):
        badges.append('<span class="pa-badge pa-part">部分金额原文未明确</span>')
    result = yuan(getattr(calc, "result_yuan", 0))
    title = f"测算 · {esc(program_title)}" if program_title else "测算"
    extra = ""
    notes = list(getattr(calc, "notes", []) or [])
    open_q = list(getattr(calc, "open_questions", []) or [])
    if notes:
        extra += '<div class="pa-notes"><b>说明</b><ul>' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul></div>"
    if open_q:
        extra += '<div class="pa-notes"><b>请注意</b><ul>' + "".join(f"<li>{esc(q)}</li>" for q in open_q) + "</ul></div>"
    basis = ""
    if clause:
        basis = f'<div class="pa-basis">依据:{esc(source_line(clause).removeprefix("来源:"))}</div>'
    return (
        '<div class="pa-calc">'
        f'<div class="pa-calc-title">{title}</div>'
        f'<ol class="pa-steps">{steps}</ol>'
        f'<div class="pa-result">测算结果:<strong>{esc(result)}</strong> {"".join(badges)}</div>'
        f"{extra}{basis}"
        "</div>"
    )


def compare_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """City comparison: city, programme, result, cap applied, remarks."""
    if not rows:
        return notice("没有可对比的项目。")
    body = "".join(
        "<tr>"
        f"<td>{esc(r['city'])}</td><td>{esc(r['title'])}</td>"
        f"<td class=\"pa-num-cell\">{esc(r['result'])}</td><td>{esc(r['cap'])}</td><td>{esc(r['remark'])}</td>"
        "</tr>"
        for r in rows
    )
    return (
        '<div class="pa-table-wrap"><table class="pa-table">'
        "<thead><tr><th>城市</th><th>项目</th><th>测算结果</th><th>触及上限</th><th>说明</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


# ------------------------------------------------------------------ chat messages


def answer_html(answer: str, cards: Sequence[str], calc_html: str = "", refused: bool = False, table: str = "") -> str:
    """An assistant chat message: the answer, a comparison table, the calculation block, then the citation cards."""
    parts = [f'<div class="pa-answer{" pa-refused" if refused else ""}">{multiline(answer)}</div>']
    if table:
        parts.append(table)
    if calc_html:
        parts.append(calc_html)
    if cards:
        parts.append(f'<div class="pa-cites"><div class="pa-cites-title">引用条款({len(cards)}条,点击展开原文)</div>{"".join(cards)}</div>')
    return "".join(parts)


_REF = re.compile(r"\[(\d+)\]")
_FIGURES = re.compile(r"(?:RMB\s*)?\d[\d,]*(?:\.\d+)?\s*(?:亿元|万元|元|亿|万|%|个|家|年)|\d+(?:\.\d+)?\s*(?:million|billion|percent)", re.IGNORECASE)


def comparison_rows(answer: str, cited: Sequence[Mapping[str, Any]], cities: Iterable[str]) -> list[dict]:
    """The per-city lines of a comparison answer ("- 城市(条款)[n]:…" or "- 城市:结果[n](步骤)") as rows:
    city, clause (label and [n]), key figures, content. A line counts only when it starts with a corpus city."""
    names = sorted({c for c in cities if c}, key=len, reverse=True)
    if not names:
        return []
    line_re = re.compile(
        r"^\s*[-•]\s*(?P<city>" + "|".join(re.escape(c) for c in names) + r")\s*"
        r"(?:[((](?P<label>(?:[^()()]|[((][^()()]{0,12}[))]){1,40})[))])?\s*(?P<ref>\[\d+\])?\s*[::]\s*(?P<rest>.*)$"
    )
    rows = []
    for line in str(answer or "").splitlines():
        m = line_re.match(line)
        if not m:
            continue
        rest = m.group("rest").strip()
        refs = _REF.findall((m.group("ref") or "") + rest)
        n = int(refs[0]) if refs else None
        label = m.group("label") or ""
        if not label and n is not None and 0 < n <= len(cited):
            label = str(cited[n - 1].get("display_label") or "")
        content = _REF.sub("", rest).strip()
        figures: list[str] = []
        lead = _FIGURES.match(content)
        for f in [lead.group(0)] if lead else _FIGURES.findall(content):  # a calculated result, else the clause's figures
            f = f.strip()
            if f not in figures:
                figures.append(f)
        rows.append({"city": m.group("city"), "clause": label, "ref": n, "figures": figures, "content": content})
    return rows


def comparison_table(answer: str, cited: Sequence[Mapping[str, Any]], cities: Iterable[str]) -> str:
    """A comparison answer's per-city lines as a table (at least two cities); "" for any other answer."""
    rows = comparison_rows(answer, cited, cities)
    if len({r["city"] for r in rows}) < 2:
        return ""
    cells = []
    for r in rows:
        ref = f' <span class="pa-num">[{r["ref"]}]</span>' if r["ref"] else ""
        figures = "<br>".join(esc(f) for f in r["figures"][:4]) or "—"
        cells.append(
            f"<tr><td>{esc(r['city'])}</td><td>{esc(r['clause']) or '—'}{ref}</td>"
            f'<td class="pa-num-cell">{figures}</td><td>{esc(r["content"])}</td></tr>'
        )
    body = "".join(cells)
    return (
        '<div class="pa-table-wrap pa-compare"><table class="pa-table">'
        "<thead><tr><th>城市</th><th>条款</th><th>结果 / 关键数字</th><th>说明 / 原文要点</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def notice(text: str, kind: str = "info") -> str:
    """A small message block (info / warn / ok)."""
    return f'<div class="pa-msg pa-msg-{esc(kind)}">{esc(text)}</div>'


# ------------------------------------------------------------------ policy library


def document_meta(doc: Mapping[str, Any]) -> str:
    rows = [
        ("城市", doc.get("city") or "—"),
        ("发文机关", doc.get("issuer") or "原文未注明"),
        ("文号", doc_number(doc.get("doc_number"))),
        ("类型", KIND_ZH.get(doc.get("kind") or "", doc.get("kind") or "—")),
        ("发布日期", doc.get("issued_on") or "原文未注明"),
        ("有效期", period(doc)),
        ("条款数", doc.get("clauses", "—")),
        ("来源文件", "、".join(doc.get("sources") or []) or "—"),
    ]
    if doc.get("notice_title"):
        rows.insert(0, ("印发通知", doc["notice_title"]))
    if doc.get("validity_text"):
        rows.append(("施行条款", doc["validity_text"]))
    if doc.get("basis"):
        rows.append(("依据", "、".join(book_title(t) + (f"({n})" if n else "") for t, n in doc["basis"])))
    return '<dl class="pa-meta pa-doc-meta">' + "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in rows) + "</dl>"


def clause_tree(clauses: Sequence[Mapping[str, Any]]) -> str:
    """The clauses of one document, parent headings shown once, each level indented."""
    out: list[str] = []
    shown: set[tuple[str, ...]] = set()
    for c in clauses:
        labels = tuple(c.get("label_path") or (c.get("label") or "",))
        path = list(c.get("path") or [])
        for depth in range(len(labels) - 1):
            key = labels[: depth + 1]
            if key in shown:
                continue
            shown.add(key)
            title = path[depth] if depth < len(path) else labels[depth]
            if len(title) > 60:
                title = title[:60] + "…"
            out.append(f'<div class="pa-tree-head pa-lvl{depth}">{esc(title)}</div>')
        shown.add(labels)
        level = len(labels) - 1
        heading = c.get("heading") or ""
        label = c.get("display_label") or c.get("label") or ""
        out.append(
            f'<details class="pa-tree-item pa-lvl{min(level, 3)}">'
            f'<summary><span class="pa-label">{esc(labels[-1])}</span> {esc(heading if heading != labels[-1] else "")}</summary>'
            f'<div class="pa-text">{multiline(c.get("text", ""))}</div>'
            + (f'<div class="pa-units">责任单位:{esc("、".join(c["responsible_units"]))}</div>' if c.get("responsible_units") else "")
            + f'<div class="pa-units">条款编号:{esc(label)}</div>'
            "</details>"
        )
    return '<div class="pa-tree">' + "".join(out) + "</div>"


STATUS_ZH = {"current": "现行有效", "not_yet_effective": "尚未生效", "expired": "已失效", "superseded": "已被取代"}


def status_badge(status: str | None) -> str:
    """A document's lifecycle status on the answer's date (DESIGN §3), as a small badge."""
    if not status:
        return ""
    return f'<span class="pa-badge pa-status-{esc(status)}">{esc(STATUS_ZH.get(status, status))}</span>'


def document_section(doc: Mapping[str, Any], clauses: Sequence[Mapping[str, Any]], open: bool = False) -> str:
    title = (f"<span class=\"pa-city\">{esc(doc.get('city') or '—')}</span> {esc(book_title(doc.get('title') or ''))}"
             f" {status_badge(doc.get('status'))}")
    number = f" <span class=\"pa-docno\">{esc(doc['doc_number'])}</span>" if doc.get("doc_number") else ""
    return (
        f'<details class="pa-doc"{" open" if open else ""}><summary>{title}{number}</summary>'
        f"{document_meta(doc)}{clause_tree(clauses)}</details>"
    )


# ------------------------------------------------------------------ styles

CSS = """
.pa-card,.pa-doc,.pa-calc,.pa-msg{font-size:14px;line-height:1.6}
.pa-card{border:1px solid #d0d7de;border-radius:8px;margin:6px 0;padding:0;background:#fff;color:#1f2328}
.pa-card>summary{cursor:pointer;padding:8px 10px;list-style-position:inside}
.pa-card[open]>summary{border-bottom:1px solid #eaeef2}
.pa-card .pa-text{padding:8px 10px;white-space:normal;word-break:break-word}
.pa-num{color:#0969da;font-weight:600}
.pa-city{display:inline-block;background:#ddf4ff;color:#0550ae;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}
.pa-title{font-weight:600}
.pa-label{color:#8250df;font-weight:600}
.pa-heading{color:#57606a}
.pa-meta{display:grid;grid-template-columns:1fr;gap:2px 12px;margin:0;padding:6px 10px 10px;font-size:13px;color:#57606a}
@media (min-width:700px){.pa-meta{grid-template-columns:1fr 1fr}}
.pa-meta div{display:flex;gap:6px}
.pa-meta dt{flex:none;font-weight:600;color:#424a53;margin:0}
.pa-meta dt::after{content:":"}
.pa-meta dd{margin:0;word-break:break-word}
.pa-calc{border:1px solid #54aeff;background:#f3f9ff;border-radius:8px;padding:8px 12px;margin:8px 0;color:#1f2328}
.pa-calc-title{font-weight:700;color:#0550ae}
.pa-steps{margin:4px 0 4px 1.2em;padding:0}
.pa-result{font-size:16px}
.pa-result strong{color:#1a7f37;font-size:20px}
.pa-status-current{background:#e7f6ec;color:#1f7a3d}.pa-status-expired,.pa-status-superseded{background:#fdecea;color:#b3261e}
.pa-status-not_yet_effective{background:#fff4e5;color:#8a5300}
.pa-badge{display:inline-block;font-size:12px;border-radius:10px;padding:0 8px;margin-left:4px}
.pa-cap{background:#fff8c5;color:#7d4e00}.pa-no{background:#ffebe9;color:#a40e26}.pa-part{background:#eee;color:#333}
.pa-notes ul{margin:2px 0 2px 1.2em;padding:0}
.pa-basis{color:#57606a;font-size:13px}
.pa-answer{margin-bottom:6px}
.pa-refused{color:#7d4e00}
.pa-cites-title{font-size:13px;color:#57606a;margin-top:6px}
.pa-msg{border-radius:8px;padding:8px 12px;margin:4px 0}
.pa-msg-info{background:#ddf4ff;color:#0550ae}.pa-msg-warn{background:#fff8c5;color:#7d4e00}.pa-msg-ok{background:#dafbe1;color:#116329}
.pa-table-wrap{overflow-x:auto}
.pa-table{border-collapse:collapse;width:100%;font-size:14px}
.pa-table th,.pa-table td{border:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
.pa-table th{background:#f6f8fa}
.pa-num-cell{font-weight:700;color:#1a7f37;white-space:nowrap}
.pa-doc{border:1px solid #d0d7de;border-radius:8px;margin:8px 0;padding:0 10px;background:#fff;color:#1f2328}
.pa-doc>summary{cursor:pointer;padding:10px 0;font-weight:600;font-size:15px}
.pa-docno{color:#57606a;font-weight:400;font-size:13px}
.pa-doc-meta{padding:0 0 8px}
.pa-tree{padding-bottom:10px}
.pa-tree-head{font-weight:700;margin-top:8px}
.pa-tree-item>summary{cursor:pointer;padding:3px 0}
.pa-tree-item .pa-text{padding:4px 0 4px 1em;border-left:3px solid #d0d7de;margin-left:4px}
.pa-units{color:#57606a;font-size:12px;padding-left:1em}
.pa-lvl0{margin-left:0}.pa-lvl1{margin-left:1.2em}.pa-lvl2{margin-left:2.4em}.pa-lvl3{margin-left:3.6em}
.pa-group-title{font-weight:600;color:#57606a;margin:12px 0 4px;border-top:1px dashed #d0d7de;padding-top:8px}
.pa-related .pa-card{background:#f6f8fa}
.pa-compare{margin:6px 0}
.pa-fb-up{color:#1a7f37}.pa-fb-down{color:#a40e26}
mark{background:#fff3a3;color:inherit;padding:0 1px;border-radius:2px}
.pa-examples button{white-space:normal!important;text-align:left!important;height:auto!important}
@media (max-width:480px){.pa-lvl1{margin-left:.6em}.pa-lvl2{margin-left:1.2em}.pa-lvl3{margin-left:1.8em}}
"""


# ------------------------------------------------------------------ admin


def ingest_report(report: Mapping[str, Any], added: Sequence[Mapping[str, Any]] = ()) -> str:
    """What an upload did: the new documents with their metadata, the index totals, extracted rules,
    quarantined and flagged files with their reasons, and the ingestion warnings."""
    quarantined = list(report.get("quarantined") or [])
    flagged = list(report.get("flagged") or [])
    warnings = list(report.get("warnings") or [])
    skipped = list(report.get("skipped_rules") or [])
    status = "已隔离,未加入政策库" if quarantined and not added else "已加入政策库并发布"
    summary = [
        ("文件", report.get("added", "")),
        ("结果", status),
        ("政策库文件数", report.get("documents", "—")),
        ("条款总数", report.get("clauses", "—")),
        ("新嵌入条款", report.get("embedded", "—")),
        ("计算规则", report.get("rules", "—")),
        ("未抽取为规则的金额句", len(skipped)),
    ]
    parts = [
        notice(f"上传完成:{report.get('added', '')}({status})", "warn" if quarantined else "ok"),
        '<dl class="pa-meta pa-report">' + "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in summary) + "</dl>",
    ]
    for doc in added:
        parts.append(f'<div class="pa-group-title">新文件:{esc(book_title(doc.get("title") or ""))}</div>{document_meta(doc)}')

    def listing(title: str, items: Sequence[Any], kind: str) -> None:
        if not items:
            return
        lines = []
        for item in items:
            if isinstance(item, Mapping):
                who = item.get("file") or item.get("source") or item.get("doc_id") or ""
                why = item.get("reason") or item.get("message") or item.get("kind") or ""
                lines.append(f"<li><b>{esc(who)}</b>:{esc(why)}</li>")
            else:
                lines.append(f"<li>{esc(item)}</li>")
        parts.append(f'<div class="pa-notes pa-{kind}"><b>{esc(title)}({len(items)})</b><ul>{"".join(lines)}</ul></div>')

    listing("隔离的文件(含疑似指令文本,未索引)", quarantined, "quarantined")
    listing("需复核的文件(数字与同城同类文件不一致)", flagged, "flagged")
    listing("入库警告", warnings, "warnings")
    listing("未抽取为计算规则的金额句", [f"{s.get('clause_id', '')} {s.get('reason', '')}" if isinstance(s, Mapping) else s for s in skipped], "skipped")
    return "".join(parts)


RATING_ZH = {"up": "👍 有帮助", "down": "👎 没帮助"}


def feedback_table(records: Sequence[Mapping[str, Any]], total: int | None = None) -> str:
    """Feedback records (newest first): time, rating, question, answer, cited clauses, comment."""
    if not records:
        return notice("还没有反馈。")
    body = "".join(
        "<tr>"
        f"<td>{esc(r.get('id'))}</td><td>{esc(r.get('created_at'))}</td>"
        f"<td class=\"pa-fb-{esc(r.get('rating'))}\">{esc(RATING_ZH.get(str(r.get('rating')), r.get('rating')))}</td>"
        f"<td>{esc(r.get('question'))}</td><td>{esc(str(r.get('answer') or '')[:200])}</td>"
        f"<td>{esc('、'.join(r.get('citation_ids') or []))}</td><td>{esc(r.get('comment'))}</td>"
        "</tr>"
        for r in records
    )
    head = notice(f"共 {total if total is not None else len(records)} 条反馈,显示最新 {len(records)} 条。")
    return (
        head + '<div class="pa-table-wrap"><table class="pa-table pa-feedback">'
        "<thead><tr><th>#</th><th>时间</th><th>评价</th><th>问题</th><th>回答</th><th>引用条款</th><th>意见</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )
