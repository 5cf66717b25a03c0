"""Which clause an earlier answer rested on, read off that answer's own text.

A conversation arrives as OpenAI-style `messages`: the clauses the assistant cited before are recorded nowhere but
in its replies. A follow-up about "this" continues the clause the last reply was about — which is not always the
best clause for the last question asked again (an English question the lexicon reads poorly, an answer that
settled on the second hit). The reply names it by its label ("一、2." / "[三.(六)]" / "clause 三.7"), or at least
states its figures and wording.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from assistant.calculator.amounts import money_figures
from assistant.types import Hit
from index.tokenize import bigrams

_NUMERAL = "一二三四五六七八九十"
# a label as printed or cited: "三、(六)", "三.(六)", "一、2.", "二.4", "(三)"
_LABEL = re.compile(rf"[{_NUMERAL}]+[、.]?(?:\s*(?:[((][{_NUMERAL}\d]+[))]|[{_NUMERAL}\d]+)[、.]?)*|[((][{_NUMERAL}]+[))]")


def label_key(label: str) -> str:
    """A label without its punctuation, so "三、(六)" and "三.(六)" agree."""
    return re.sub(r"[、.\s]", "", label.replace("(", "(").replace(")", ")"))


def _cited_labels(reply: str) -> set[str]:
    return {label_key(m.group()) for m in _LABEL.finditer(reply) if len(label_key(m.group())) >= 2}


def answered_clause(
    reply: str, candidates: Sequence[Hit], clauses_of: Callable[[str], Sequence[Hit]] = lambda doc_id: (),
    asked: frozenset = frozenset(),
) -> Hit | None:
    """The clause among `candidates` (and the other clauses of their documents, when the reply cites one by label)
    that `reply` speaks of: the one it cites by label, else the one sharing most of its figures (not the sums the
    asker stated, `asked`, which a reply repeats), else most of its wording (ties go to the earlier candidate).
    None when the reply shares nothing with any."""
    if not reply.strip() or not candidates:
        return None
    labels = _cited_labels(reply)
    pool = list(candidates)
    if labels:
        seen = {h.clause.clause_id for h in pool}
        for doc_id in dict.fromkeys(h.document.doc_id for h in candidates):
            pool += [h for h in clauses_of(doc_id) if h.clause.clause_id not in seen and _key_of(h) in labels]
    figures = money_figures(reply) - asked
    words = bigrams(reply)

    def support(hit: Hit) -> tuple[bool, int, int]:
        text = hit.clause.text
        return (
            _key_of(hit) in labels,
            len(figures & money_figures(text)),
            len(words & bigrams(text)),
        )

    scored = [(support(h), -i, h) for i, h in enumerate(pool)]
    best = max(scored, key=lambda s: (s[0], s[1]))
    return None if best[0] == (False, 0, 0) else best[2]


def _key_of(hit: Hit) -> str:
    return label_key(hit.clause.clause_id.split("#", 1)[-1])
