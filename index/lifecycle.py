"""Which policy is in force on a date: effective dates, expiry, and one document replacing another.

`superseded_by` comes from the text of the newer document ("原《…》同时废止", "《…》(…号)停止执行") — matched to
an older document of the same city by its title — or from an optional overrides file next to the corpus
(`lifecycle.yaml`), for replacements the text does not state:

    hangzhou-ai-measures:            # doc_id
      superseded_by: hangzhou-ai-measures-2025
      effective_until: 2025-06-30    # optional: an end date the text does not print
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Iterable

import yaml

from index.models import Clause, Document

OVERRIDES_FILE = "lifecycle.yaml"
STATUSES = ("current", "not_yet_effective", "expired", "superseded")
_REPEAL = re.compile(
    r"(?:原|此前印发的|之前印发的)?《(?P<title>[^《》]{4,100})》(?:\([^()]{0,40}\))?(?:同时|即行|自行)?"
    r"(?:废止|停止执行|不再执行|失效)"
)
_ENDED = ("失效", "废止", "已废止", "已失效")


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def status_on(document: Document, on: str | date, documents: Iterable[Document] | dict[str, Document] = ()) -> str:
    """current | not_yet_effective | expired | superseded, for the date `on`.

    Superseded once the replacing document is in force (from its effective date, else its issue date); expired
    after `effective_until` or when a portal marks it 失效/废止; not yet effective before `effective_from`.
    """
    day = _day(on)
    by_id = documents if isinstance(documents, dict) else {d.doc_id: d for d in documents}
    if document.superseded_by:
        newer = by_id.get(document.superseded_by)
        start = (newer.effective_from or newer.issued_on) if newer else None
        if newer is None or start is None or _day(start) <= day:
            return "superseded"
    start = document.effective_from or None
    if start and day < _day(start):
        return "not_yet_effective"
    if document.effective_until and day > _day(document.effective_until):
        return "expired"
    if document.validity_status in _ENDED:
        return "expired"
    return "current"


def _key(title: str) -> str:
    return re.sub(r"[\s《》<>“”\"()]", "", title)


def _core(title: str, city: str | None) -> str:
    """What a title names once the 印发 wrapper, the city and 的 are gone: 杭州市人民政府办公厅关于印发支持…若干措施的通知
    and 支持…的若干措施 both give 支持…若干措施."""
    key = _key(title)
    m = re.match(r"^.{0,30}?关于(?:印发|转发)(.+?)的通知$", key)
    if m:
        key = m.group(1)
    if city and key.startswith(city + "市"):
        key = key[len(city) + 1 :]
    return key.replace("的", "")


def find_superseded(documents: list[Document], clauses: list[Clause]) -> dict[str, str]:
    """{old doc_id: new doc_id} from repeal sentences in the newer document's text (same city only)."""
    text_of: dict[str, str] = {}
    for clause in clauses:
        text_of[clause.doc_id] = text_of.get(clause.doc_id, "") + "\n" + clause.text
    replaced: dict[str, str] = {}
    for newer in documents:
        for m in _REPEAL.finditer(text_of.get(newer.doc_id, "")):
            named = _core(m.group("title"), newer.city)
            for old in documents:
                if old is newer or old.city != newer.city:
                    continue
                titles = [_core(t, old.city) for t in (old.title, old.notice_title) if t]
                if len(named) >= 8 and any(t == named for t in titles):
                    replaced[old.doc_id] = newer.doc_id
    return replaced


def read_overrides(corpus_dir: Path | None) -> dict[str, dict]:
    """The optional lifecycle.yaml next to the corpus; {} when absent."""
    if corpus_dir is None:
        return {}
    path = Path(corpus_dir) / OVERRIDES_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping of doc_id → fields")
    return data


def apply_lifecycle(
    documents: list[Document], clauses: list[Clause], overrides: dict[str, dict] | None = None
) -> list[Document]:
    """Documents with superseded_by filled from their texts, then from overrides (overrides win)."""
    replaced = find_superseded(documents, clauses)
    known = {d.doc_id for d in documents}
    out = []
    for doc in documents:
        changes: dict = {}
        if doc.doc_id in replaced:
            changes["superseded_by"] = replaced[doc.doc_id]
        for name, value in (overrides or {}).get(doc.doc_id, {}).items():
            if name == "superseded_by" and value not in known:
                continue  # an override naming a document that is not indexed changes nothing
            if name in ("superseded_by", "effective_from", "effective_until"):
                changes[name] = str(value) if value is not None else None
        out.append(replace(doc, **changes) if changes else doc)
    return out
