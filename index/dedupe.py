"""Merge copies of the same document that arrive from several files into one canonical document."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from index.cleaning import CJK, LOST_CHAR
from index.models import Clause, Document

_STRAY_LATIN = re.compile(rf"(?<=[{CJK}])\s*\b[a-z]{{2,}}\b\s*(?=[{CJK}])")


def anomaly_score(text: str) -> int:
    """Signs of a damaged copy: lost characters and stray lowercase English words inside Chinese."""
    return text.count(LOST_CHAR) + len(_STRAY_LATIN.findall(text))


def _title_key(doc: Document) -> tuple[str | None, str]:
    return doc.city, re.sub(r"[《》\s]", "", doc.title)


def merge_duplicates(
    documents: list[Document], clauses: list[Clause]
) -> tuple[list[Document], list[Clause]]:
    """Keep one document per (city, title); for each clause keep the least damaged copy.

    `documents` is in preference order: the first copy of a document gives the canonical id.
    """
    groups: dict[tuple[str | None, str], list[Document]] = defaultdict(list)
    for doc in documents:
        groups[_title_key(doc)].append(doc)
    by_doc: dict[str, list[Clause]] = defaultdict(list)
    for clause in clauses:
        by_doc[clause.doc_id].append(clause)

    merged_docs: list[Document] = []
    merged_clauses: list[Clause] = []
    for doc in documents:
        copies = groups[_title_key(doc)]
        if copies[0] is not doc:
            continue
        canonical, notes = _merge_group(copies, by_doc)
        merged_docs.append(canonical)
        merged_clauses.extend(notes)
    return merged_docs, merged_clauses


def _merge_group(copies: list[Document], by_doc: dict[str, list[Clause]]) -> tuple[Document, list[Clause]]:
    head = copies[0]
    if len(copies) == 1:
        return head, [_finish(c) for c in by_doc[head.doc_id]]
    fields = {}
    for name in ("issuer", "doc_number", "issued_on", "effective_from", "effective_until", "notice_title", "validity_text"):
        fields[name] = next((getattr(d, name) for d in copies if getattr(d, name)), None)
    sources = tuple(s for d in copies for s in d.sources)

    variants: dict[str, list[Clause]] = defaultdict(list)
    order: list[str] = []
    for doc in copies:
        for clause in by_doc[doc.doc_id]:
            key = clause.clause_id.split("#", 1)[1]
            if key not in variants:
                order.append(key)
            variants[key].append(clause)
    notes: list[str] = []
    chosen: list[Clause] = []
    for key in order:
        options = variants[key]
        best = min(options, key=lambda c: anomaly_score(c.text))  # stable: ties keep the preferred copy
        if len({c.text for c in options}) > 1:
            others = [c.doc_id for c in options if c.text != best.text]
            notes.append(f"{key}: copies differ; kept the text from {best.doc_id}, other: {', '.join(others)}")
        chosen.append(_finish(replace(best, doc_id=head.doc_id, clause_id=f"{head.doc_id}#{key}")))
    doc = replace(head, sources=sources, notes=tuple(notes), **fields)
    return doc, chosen


def _finish(clause: Clause) -> Clause:
    """Drop lost-character markers that no cleaner copy could replace."""
    if LOST_CHAR not in clause.text:
        return clause
    return replace(clause, text=clause.text.replace(LOST_CHAR, ""))
