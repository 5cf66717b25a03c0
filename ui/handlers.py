"""What the web UI does, without Gradio: each function takes the services (or feedback store) and
plain values and returns HTML strings / plain data. `ui.app` wires them to components.

Everything the UI names — cities, documents, programmes, examples — comes from the loaded services
(index, rule book, corpus profile), never from code.

Problems the user can fix raise `UserFacingError` with a Chinese message; anything else is logged
and turned into a generic apology by the wiring layer, never shown as a traceback.
"""

from __future__ import annotations

import logging
from datetime import date
import os
import re
import tempfile
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping, Sequence

from pydantic import ValidationError

from assistant.composers.wording import book_title
from ui import cards

log = logging.getLogger("ui")

ALL = "全部"
MAX_TURNS = 20  # AskRequest accepts at most 20 history turns
MAX_TURN_CHARS = 4000
SLOTS = 6  # input fields rendered for the calculator form (the largest programme has 4)
COMPARE_SLOTS = 3
NO_VALUE = ""

AMOUNT_HINT = "元,可写 1000万、1.5亿 或 500000"
PERCENT_HINT = "%,如 3.85 或 3.85%"


class UserFacingError(Exception):
    """A problem the user can act on; the message is shown as is (Chinese)."""


def _require(services):
    if services is None:
        raise UserFacingError("政策库正在加载,请稍候几秒再试。")
    return services


def _validation_message(exc: ValidationError, what: str = "问题") -> str:
    for err in exc.errors():
        msg = str(err.get("msg", ""))
        if "too long" in msg or "at most" in msg or err.get("type") == "string_too_long":
            return f"{what}太长了,请精简到2000字以内再试。"
        if "empty" in msg or err.get("type") == "string_too_short":
            return f"请先输入{what}。"
    return f"{what}格式不正确,请修改后再试。"


# ------------------------------------------------------------------ chat


def history_turns(turns: Sequence[Mapping[str, str]]) -> list[dict]:
    """The last turns as AskRequest history (plain text, trimmed to the contract's limits)."""
    kept = [
        {"role": t["role"], "content": str(t.get("content", ""))[:MAX_TURN_CHARS]}
        for t in turns
        if t.get("role") in ("user", "assistant") and str(t.get("content", "")).strip()
    ]
    return kept[-MAX_TURNS:]


def chat_reply(services, question: str, turns: Sequence[Mapping[str, str]]) -> tuple[str, dict]:
    """Ask the assistant; returns (assistant message HTML, record for history and feedback)."""
    from assistant.schemas import AskRequest

    services = _require(services)
    try:
        request = AskRequest(question=question or "", history=history_turns(turns))
    except ValidationError as exc:
        raise UserFacingError(_validation_message(exc)) from None
    if not_understood(request.question):
        text = not_understood_reply(services)
        record = {"question": request.question, "answer": text, "citation_ids": [], "citations": [], "refused": True}
        return cards.answer_html(text, [], refused=True), record
    answer = services.assistant.ask(request.question, [t.model_dump() for t in request.history])
    statuses = answer.statuses or ("current",) * len(answer.cited)
    views = [dict(view.to_dict(), status=status) for view, status in zip(answer.cited_views, statuses)]
    card_html = [cards.clause_card(view, number=i) for i, view in enumerate(views, 1)]
    calc_html = ""
    if answer.calculation is not None:
        calc = answer.calculation
        calc_html = cards.calculation_block(calc, program_label(services, calc.program), _clause_or_none(services, calc.clause_id))
    record = {
        "question": request.question,
        "answer": answer.text,
        "citation_ids": [h.clause.clause_id for h in answer.cited],
        "citations": [
            {"n": i, "clause_id": v.get("clause_id"), "source": f"{v.get('city') or ''} {cards.source_line(v).removeprefix('来源:')}".strip(), "text": str(v.get("text", ""))}
            for i, v in enumerate(views, 1)
        ],
        "refused": answer.refused,
    }
    table = cards.comparison_table(answer.text, views, city_names(services))
    return cards.answer_html(answer.text, card_html, calc_html, refused=answer.refused, table=table), record


# A message is understood when it has a CJK character or at least one real word: a word of the assistant's
# English vocabulary (lexicon) or of the common English function words (ui/data/english_words.txt).
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1)
def known_english_words() -> frozenset[str]:
    from assistant.lexicon import load_lexicon

    words = set()
    for line in resources.files("ui").joinpath("data/english_words.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            words.add(line)
    lex = load_lexicon()
    phrases = [*lex.en_cues, *lex.departments_en.values(), *lex.off_topic_en, *lex.other_places_en]
    phrases += [w for names in lex.city_en.values() for w in names]
    phrases += [w for t in lex.topics for w in (t.en_name, *t.en)]
    phrases += [w for words_ in lex.cues.values() for w in words_]
    for phrase in phrases:
        words.update(w.lower() for w in _WORD.findall(str(phrase)) if len(w) >= 2)
    return frozenset(words)


def not_understood(question: str) -> bool:
    """True for a message the assistant cannot read: no CJK character and no real word (e.g. a keyboard mash)."""
    text = question or ""
    if _CJK_CHAR.search(text):
        return False
    known = known_english_words()
    return not any(w.lower() in known for w in _WORD.findall(text))


def not_understood_reply(services) -> str:
    """The Chinese help message for a message that could not be read, naming what the knowledge base covers."""
    overview = services.catalogue.overview if services is not None else None
    scope = f"本助手可以回答{'、'.join(overview.cities)}的{overview.name_zh}问题" if overview and overview.cities else "本助手可以回答政策问题"
    examples = example_questions(services, 2)
    tip = f",例如“{examples[0]}”" if examples else ""
    return f"没听懂您的问题。{scope},请用中文描述您想了解的内容(城市、政策项目、金额等){tip}。"


def city_names(services) -> list[str]:
    """The corpus cities and their English names (comparison lines start with one of them)."""
    from assistant.composers.wording import city_name_en

    cities = list(services.catalogue.cities) if services is not None else []
    return [*cities, *(city_name_en(c) for c in cities)]


def answer_markdown(record: Mapping[str, Any] | None) -> str:
    """One answer as Markdown: the question, the answer text and the numbered source list with clause text."""
    if not record or not record.get("answer"):
        return ""
    lines = [f"**问:** {record.get('question', '')}", "", str(record["answer"]).strip()]
    cited = list(record.get("citations") or [])
    if cited:
        lines += ["", "**来源:**", ""]
        for c in cited:
            text = re.sub(r"\s*\n\s*", "", str(c.get("text", ""))).strip()
            lines.append(f"{c.get('n')}. {c.get('source', '')}")
            if text:
                lines.append(f"   > {text}")
    return "\n".join(lines) + "\n"


def markdown_file(record: Mapping[str, Any] | None, directory: str | None = None) -> str | None:
    """The answer's Markdown written to a temporary .md file (for the download button); None without an answer."""
    text = answer_markdown(record)
    if not text:
        return None
    folder = tempfile.mkdtemp(prefix="pa-answer-", dir=directory)
    path = os.path.join(folder, "answer.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def answer_choices(records: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(label, message index) of every answer in the conversation, oldest first."""
    out = []
    for n, key in enumerate(sorted(records, key=int), 1):
        question = str(records[key].get("question", ""))
        out.append((f"第{n}条回答:{question[:30]}{'…' if len(question) > 30 else ''}", key))
    return out


def _clause_or_none(services, clause_id: str) -> dict | None:
    catalogue = services.catalogue
    return catalogue.clause(clause_id).to_dict() if catalogue.has_clause(clause_id) else None


def record_feedback(store, rating: str, record: Mapping[str, Any] | None, comment: str = "") -> int:
    """Store 👍/👎 (+ optional comment) for the latest answer; returns the record id."""
    if store is None:
        raise UserFacingError("反馈功能暂不可用,请稍后再试。")
    if not record or not record.get("question"):
        raise UserFacingError("请先提问,再对回答进行评价。")
    if rating not in ("up", "down"):
        raise UserFacingError("评价无效。")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise UserFacingError("意见太长了,请精简到2000字以内。")
    return store.add(rating, record["question"], record.get("answer", ""), list(record.get("citation_ids", [])), comment)


# ------------------------------------------------------------------ lookup (hotline)


def city_choices(services) -> list[str]:
    return [ALL, *(services.catalogue.cities if services is not None else ())]


def document_choices(services, city: str | None = None) -> list[tuple[str, str]]:
    """(label, doc_id) pairs for the document filter; "" means every document."""
    choices = [("全部文件", NO_VALUE)]
    if services is None:
        return choices
    for d in services.catalogue.documents.values():
        if city and city != ALL and d.city != city:
            continue
        choices.append((f"{d.city or '—'} · {d.title}", d.doc_id))
    return choices


_LABELISH = re.compile(r"[一二三四五六七八九十]+、|[((][一二三四五六七八九十]+[))]|\d+[.、.]|序言|附则|附件|第[一二三四五六七八九十百]+条")


def lookup_hint(services) -> str:
    """An example query for the hotline tab, from this corpus: "小巨人" or a clause number like "宁波 (三)"."""
    label = services.catalogue.example_label() if services is not None else "(三)"
    return f"输入关键词或条款编号(如“{label}”)查找政策原文。"


def find_clauses(services, query: str, city: str | None = None, doc_id: str | None = None, k: int = 10) -> tuple[list[dict], str]:
    """Clauses for a hotline query: a direct clause lookup (a city and a printed label) first, else ranked search.

    Returns (clause records, mode) with mode "lookup" or "search". Every record carries `matched`: the clause
    contains the query's keywords (`PolicyAssistant.contains_keywords`). Search results list the keyword hits
    first (up to k), then up to `RELATED` semantically related clauses without the keyword.
    """
    services = _require(services)
    bot = services.assistant
    query = (query or "").strip()
    if not query:
        raise UserFacingError("请输入要查询的关键词或条款编号," + lookup_hint(services))
    if len(query) > 200:
        raise UserFacingError("查询内容太长了,请输入关键词或条款编号(200字以内)。")
    city = None if not city or city == ALL else city
    doc_id = doc_id or None

    def keep(info: Mapping[str, Any]) -> bool:
        return (city is None or info.get("city") == city) and (doc_id is None or info.get("doc_id") == doc_id)

    if _LABELISH.search(query):
        found = [dict(f, matched=True) for f in (_record(h) for h in bot.lookup(query)) if keep(f)]
        if found:
            return found[:k], "lookup"
    hits = [h for h in bot.search(query, k=max(SEARCH_POOL, k), city=city) if keep(_record(h))]
    matched = bot.contains_keywords(hits, query)
    exact = [dict(_record(h), matched=True) for h, m in zip(hits, matched) if m]
    related = [dict(_record(h), matched=False) for h, m in zip(hits, matched) if not m]
    return exact[:k] + related[:RELATED], "search"


SEARCH_POOL = 50  # clauses ranked before the keyword filter (the bundled corpus has fewer than 100)
RELATED = 5  # related clauses (without the keyword) shown after the keyword hits


def _record(hit) -> dict:
    from assistant.types import ClauseView

    return ClauseView(hit.clause, hit.document).to_dict()


def lookup_html(query: str, found: Sequence[Mapping[str, Any]], mode: str) -> str:
    """Keyword hits (highlighted) first, then a labelled group of related clauses without the keyword."""
    if not found:
        return cards.notice("没有找到相关条款。可以换个说法,或输入条款编号。", "warn")
    if mode == "lookup":
        body = "".join(cards.clause_card(info, number=i, open=i == 1) for i, info in enumerate(found, 1))
        return cards.notice(f"按条款编号直接定位到 {len(found)} 条") + body
    terms = cards.query_terms(query)
    exact = [f for f in found if f.get("matched")]
    related = [f for f in found if not f.get("matched")]
    parts = []
    if exact:
        parts.append(cards.notice(f"{len(exact)} 条条款包含“{query}”(黄色为命中的词)", "ok"))
        parts.append('<div class="pa-group pa-exact">' + "".join(
            cards.clause_card(info, number=i, terms=terms, open=i == 1) for i, info in enumerate(exact, 1)) + "</div>")
    else:
        parts.append(cards.notice(f"没有条款包含“{query}”。下面是语义相关的条款,仅供参考,不能作为答复依据。", "warn"))
    if related:
        parts.append(f'<div class="pa-group-title">相关条款(不含该关键词)· {len(related)} 条</div>')
        parts.append('<div class="pa-group pa-related">' + "".join(
            cards.clause_card(info, number=i) for i, info in enumerate(related, len(exact) + 1)) + "</div>")
    return "".join(parts)


def script_choices(found: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Clauses a copy-ready script may be built from: only those containing the keyword."""
    return [
        (f"[{i}] {f.get('city') or ''} {book_title(f.get('doc_title') or '')} {f.get('display_label')}", f["clause_id"])
        for i, f in enumerate(found, 1)
        if f.get("matched", True)
    ]


def answer_script(info: Mapping[str, Any] | None) -> str:
    """What hotline staff read out or paste: the clause text, then the source line (keyword hits only)."""
    if not info or not info.get("matched", True):
        return ""
    text = re.sub(r"\s*\n\s*", "", str(info.get("text", ""))).strip()
    return f"{text}\n{cards.source_line(info)}"


# ------------------------------------------------------------------ calculator


def programs(services) -> list[dict]:
    return list(services.rules.programs_schema()) if services is not None else []


def program(services, program_id: str) -> dict:
    for p in programs(services):
        if p["program"] == program_id:
            return p
    raise UserFacingError("请选择一个计算项目。")


def program_label(services, program_id: str) -> str:
    try:
        p = program(services, program_id)
    except UserFacingError:
        return program_id
    return f"{p['city']} · {p['title']}"


def program_choices(services) -> list[tuple[str, str]]:
    """(label, id); a rule read automatically from the clause text says so in its label."""
    return [
        (f"{p['city']} · {p['title']}" + ("" if p.get("reviewed", True) else "(自动识别,未经人工核对)"), p["program"])
        for p in programs(services)
    ]


def default_program(services) -> str | None:
    """The profile's default programme when the rule book has it, else the first programme."""
    ids = [p["program"] for p in programs(services)]
    wanted = services.profile.default_program if services is not None else None
    return wanted if wanted in ids else (ids[0] if ids else None)


def example_questions(services, limit: int = 4) -> list[str]:
    """The profile's example questions, else one per city derived from its programmes."""
    if services is None:
        return []
    if services.profile.examples:
        return list(services.profile.examples[:limit])
    seen, out = set(), []
    for p in programs(services):
        if p["city"] in seen:
            continue
        seen.add(p["city"])
        out.append(f"{p['city']}{p['title']}最多能拿多少?")
    return out[:limit]


def header_markdown(services) -> str:
    """The page header: what the knowledge base holds, from the index and the profile."""
    if services is None:
        return "## 政策问答助手\n政策库正在加载……"
    overview = services.catalogue.overview
    years = "、".join(overview.years)
    return (
        f"## {overview.name_zh}问答助手\n"
        f"{' · '.join(overview.cities)} {years + '年' if years else ''}{overview.name_zh}({overview.documents}份文件)。"
        "回答均附政策原文条款;补贴金额由计算器按条款逐步算出。"
    )


def label_from_id(clause_id: str) -> str:
    """'hangzhou-ai-measures#一.(三)' → '一、(三)' (the label as printed in the document)."""
    parts = clause_id.split("#", 1)[-1].split(".")
    out = []
    for part in parts:
        if re.fullmatch(r"[一二三四五六七八九十]+", part):
            out.append(part + "、")
        elif re.fullmatch(r"\d+", part):
            out.append(part + ".")
        else:
            out.append(part)
    return "".join(out)


def _field_label(spec: Mapping[str, Any]) -> str:
    need = "" if spec.get("required") else "(选填)"
    return f"{spec['description_zh']}{need}"


def field_spec(spec: Mapping[str, Any] | None) -> dict:
    """How one calculator input is shown: a text box (amount/percent/int) or a dropdown (choice/bool)."""
    if spec is None:
        return {"visible": False, "kind": None}
    kind = spec["type"]
    if kind in ("choice", "bool"):
        if kind == "bool":
            options = [("是", "true"), ("否", "false")]
        else:
            options = [(o["zh"], o["value"]) for o in spec.get("options", [])]
        default = spec.get("default")
        value = None if default is None else ("true" if default is True else "false" if default is False else str(default))
        if not spec.get("required"):
            options = [("不填", NO_VALUE), *options] if kind == "choice" else options
            value = NO_VALUE if value is None else value
        return {"visible": True, "kind": "choice", "label": _field_label(spec), "choices": options, "value": value, "name": spec["name"]}
    hint = {"amount_yuan": AMOUNT_HINT, "percent": PERCENT_HINT}.get(kind, "整数")
    placeholder = {"amount_yuan": "例如 1000万", "percent": "例如 3.85%"}.get(kind, "")
    return {
        "visible": True, "kind": "text", "label": f"{_field_label(spec)}({hint})", "placeholder": placeholder,
        "value": "" if spec.get("default") is None else str(spec["default"]), "name": spec["name"],
    }


def form_for(services, program_id: str | None) -> tuple[list[dict], str]:
    """Slot specs for a programme's inputs plus an intro block (its clause reference and hints)."""
    if not program_id:
        return [field_spec(None)] * SLOTS, cards.notice("请选择一个计算项目。")
    p = program(services, program_id)
    specs = [field_spec(s) for s in p["inputs"]][:SLOTS]
    specs += [field_spec(None)] * (SLOTS - len(specs))
    intro = f"依据条款:{p['city']} {label_from_id(p['clause_id'])}(计算结果下方附条款原文)。"
    intro += "此项目无需填写,直接点击“计算”。" if not p["inputs"] else "金额可写“1000万”“1.5亿”或阿拉伯数字。"
    return specs, cards.notice(intro)


def _friendly_amount(text: str, label: str, percent: bool = False) -> None:
    from assistant.calculator import parse_amount, parse_percent
    from assistant.errors import AmountParseError

    try:
        value = parse_percent(text) if percent else parse_amount(text)
    except AmountParseError:
        example = "3.85% 或 3.85" if percent else "1000万、1.5亿 或 500000"
        raise UserFacingError(f"“{label}”无法识别,请填写如 {example}。") from None
    if value < 0:
        raise UserFacingError(f"“{label}”不能为负数。")


def collect_inputs(services, program_id: str, text_values: Sequence[Any], choice_values: Sequence[Any]) -> dict[str, Any]:
    """The form's slots → calculator inputs, checked with Chinese messages first."""
    p = program(services, program_id)
    inputs: dict[str, Any] = {}
    for i, spec in enumerate(p["inputs"][:SLOTS]):
        kind = spec["type"]
        raw = choice_values[i] if kind in ("choice", "bool") else text_values[i]
        raw = "" if raw is None else str(raw).strip()
        if not raw:
            if spec.get("required"):
                verb = "选择" if kind in ("choice", "bool") else "填写"
                raise UserFacingError(f"请{verb}“{spec['description_zh']}”。")
            continue
        if kind == "amount_yuan":
            _friendly_amount(raw, spec["description_zh"])
        elif kind == "percent":
            _friendly_amount(raw, spec["description_zh"], percent=True)
        elif kind == "int" and not re.fullmatch(r"-?\d+", raw):
            raise UserFacingError(f"“{spec['description_zh']}”请填写整数。")
        inputs[spec["name"]] = raw
    return inputs


def run_calculation(services, program_id: str, text_values: Sequence[Any], choice_values: Sequence[Any]) -> str:
    """Calculate one programme from the form; HTML with the steps, the result and the clause text."""
    from assistant.errors import InputError

    services = _require(services)
    if not program_id:
        raise UserFacingError("请先选择计算项目。")
    inputs = collect_inputs(services, program_id, text_values, choice_values)
    try:
        calc = services.rules.calculate(program_id, inputs, lang="zh")
    except InputError as exc:
        log.info("calculator refused inputs: %s", exc)
        raise UserFacingError("输入的内容无法计算,请检查金额、比例和选项后重试。") from None
    clause = _clause_or_none(services, calc.clause_id)
    html = cards.calculation_block(calc, f"{calc.city} {calc.title}", clause)
    if clause:
        html += cards.clause_card(clause, open=True)
    return html


def comparable_choices(services) -> list[tuple[str, str]]:
    """(label, tag): the label names the programmes being compared, e.g. 算力券 / 算力应用补贴."""
    out = []
    tags: dict[str, list[str]] = {}
    for p in programs(services):
        if p.get("comparable"):
            titles = tags.setdefault(p["comparable"], [])
            if p["title"] not in titles:
                titles.append(p["title"])
    for tag, titles in tags.items():
        out.append((" / ".join(titles), tag))
    return out


def compare_fields(services, tag: str | None) -> list[dict]:
    """Option slots (choices and yes/no) the compared programmes ask for besides the amount."""
    specs: list[dict] = []
    if tag and services is not None:
        schemas = programs(services)
        for rule in services.rules:
            if rule.comparable != tag:
                continue
            schema = next((p for p in schemas if p["program"] == rule.program), None)
            for spec in (schema or {}).get("inputs", []):
                if spec["name"] == rule.base or spec["type"] not in ("choice", "bool"):
                    continue
                field = field_spec(spec)
                field["label"] = f"{rule.city} · {field['label']}"
                if field["value"] in (None, NO_VALUE) and field["choices"]:
                    field["value"] = field["choices"][0][1] if spec.get("required") else field["value"]
                specs.append(field)
    specs = specs[:COMPARE_SLOTS]
    return specs + [field_spec(None)] * (COMPARE_SLOTS - len(specs))


def compare_amount_label(services, tag: str | None) -> str:
    """What the amount means for this comparison, e.g. 金额:算力合同费用 / 实际使用智算算力的费用."""
    rules = list(services.rules) if services is not None else []
    names: list[str] = []
    for rule in rules:
        if tag and rule.comparable == tag and rule.base:
            text = rule.input(rule.base).description.zh
            if text not in names:
                names.append(text)
    what = " / ".join(names) or "金额"
    optional = all(not rule.input(rule.base).is_required for rule in rules if tag and rule.comparable == tag and rule.base)
    return f"金额:{what}({AMOUNT_HINT}{';可不填' if optional and names else ''})"


def run_compare(services, tag: str | None, amount: str, option_values: Sequence[Any]) -> str:
    """The same amount under every city's comparable programme, as a table."""
    from assistant import calculator
    from assistant.errors import InputError

    if not tag:
        raise UserFacingError("请选择要对比的政策类别。")
    amount = (amount or "").strip()
    if amount:
        _friendly_amount(amount, "金额")
    fields = compare_fields(services, tag)
    options = {
        f["name"]: v for f, v in zip(fields, option_values)
        if f.get("visible") and v not in (None, NO_VALUE)
    }
    try:
        results = calculator.compare_cities(tag, amount or None, options)
    except InputError as exc:
        log.info("compare refused inputs: %s", exc)
        if not amount:
            raise UserFacingError("请填写金额后再对比。") from None
        raise UserFacingError("输入的内容无法对比,请检查金额和选项后重试。") from None
    rows = []
    for r in results:
        if not r.eligible:
            remark = next((s for s in r.steps if s.startswith("不符合条件")), "不符合条件")
        else:
            remark = ";".join([*r.open_questions, *r.notes])
        rows.append({
            "city": r.city, "title": r.title,
            "result": cards.yuan(r.result_yuan) if r.eligible else "0元(不符合条件)",
            "cap": "是" if r.cap_applied else "否", "remark": remark,
        })
    return cards.compare_table(rows)


# ------------------------------------------------------------------ policy library


def library_html(services, city: str | None = None) -> str:
    """Every document with its metadata and clause tree."""
    catalogue = _require(services).catalogue
    counts = catalogue.clause_counts()
    docs = [d for d in catalogue.documents.values() if not city or city == ALL or d.city == city]
    if not docs:
        return cards.notice("该城市暂无收录文件。", "warn")
    head = cards.notice(f"共收录 {len(docs)} 份文件,点击文件名展开元数据和条款目录,点击条款查看原文。")
    sections = "".join(
        cards.document_section(
            dict(d.to_dict(), clauses=counts.get(d.doc_id, 0), status=catalogue.status(d, date.today())),
            [v.to_dict() for v in catalogue.document_clauses(d.doc_id)],
        )
        for d in docs
    )
    return head + sections


# ------------------------------------------------------------------ admin


def check_admin(settings, token: str | None) -> None:
    """The admin token typed in the UI against the server's (constant-time); a Chinese message otherwise."""
    import hmac

    if settings is None or not settings.admin_enabled:
        raise UserFacingError("管理功能未启用:服务器没有配置管理员令牌(POLICY_ADMIN_TOKEN)。")
    supplied = (token or "").strip()
    expected = settings.admin_token.get_secret_value()
    if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise UserFacingError("管理员令牌不正确。")


MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def admin_upload(services, token: str | None, file_path: str | None) -> str:
    """Ingest one uploaded file the way POST /v1/admin/documents does; the ingestion report as HTML."""
    from assistant.errors import InputError
    from assistant.http.routers.admin import ingest_bytes, upload_name

    services = _require(services)
    check_admin(services.settings, token)
    if not file_path:
        raise UserFacingError("请先选择要上传的文件。")
    try:
        name = upload_name(os.path.basename(str(file_path)))
    except InputError:
        raise UserFacingError("不支持的文件类型,请上传 .txt、.md、.html、.docx 或 .pdf 文件。") from None
    if os.path.getsize(file_path) > MAX_UPLOAD_BYTES:
        raise UserFacingError("文件太大了(上限5MB)。")
    with open(file_path, "rb") as f:
        data = f.read()
    try:
        report = ingest_bytes(services, name, data)
    except InputError as exc:
        log.info("admin upload refused: %s", exc)
        raise UserFacingError(f"文件无法解析,没有加入政策库:{exc}") from None
    return cards.ingest_report(report, _added_documents(services, report))


def _added_documents(services, report: Mapping[str, Any]) -> list[dict]:
    """The documents built from the uploaded file (by source file name), with their clause counts."""
    name = str(report.get("added", ""))
    counts = services.catalogue.clause_counts()
    out = []
    for d in services.catalogue.documents.values():
        info = d.to_dict()
        if any(name and (str(s) == name or str(s).endswith(name)) for s in info.get("sources") or []):
            out.append(dict(info, clauses=counts.get(d.doc_id, 0)))
    return out


def admin_feedback(settings, store, token: str | None, limit: int = 50) -> str:
    """The latest feedback records as a table (newest first)."""
    check_admin(settings, token)
    if store is None:
        raise UserFacingError("反馈功能暂不可用。")
    records = list(store.records())
    return cards.feedback_table([r.__dict__ for r in reversed(records[-limit:])], total=len(records))


def admin_feedback_csv(settings, store, token: str | None, directory: str | None = None) -> str:
    """All feedback exported as CSV (the feedback store's own export) in a temporary file; returns its path."""
    check_admin(settings, token)
    if store is None:
        raise UserFacingError("反馈功能暂不可用。")
    folder = tempfile.mkdtemp(prefix="pa-feedback-", dir=directory)
    path = os.path.join(folder, "feedback.csv")
    with open(path, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens UTF-8 CSV correctly
        f.write(store.export("csv"))
    return path
