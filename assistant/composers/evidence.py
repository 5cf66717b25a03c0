"""Everything an answer may take numbers from, for verification (both composers use it)."""

from __future__ import annotations

from typing import Any, Sequence

from assistant.types import Hit
from assistant.understanding import Query


def evidence(cited: Sequence[Hit], calculations: Sequence[Any], query: Query) -> list[str]:
    """The question, the cited clauses with their documents' facts, and every calculation's steps."""
    texts = [query.text, query.rewritten]
    for hit in cited:
        d = hit.document
        texts += [hit.clause.text, hit.clause.display_label, d.title, d.doc_number or "", d.issued_on or "",
                  d.effective_from or "", d.effective_until or "", d.validity_text or ""]
    for calc in calculations:
        texts += list(calc.steps) + [str(v) for v in calc.inputs.values()] + [str(calc.result_yuan)]
        texts += list(getattr(calc, "open_questions", []) or []) + list(getattr(calc, "notes", []) or [])
    return texts
