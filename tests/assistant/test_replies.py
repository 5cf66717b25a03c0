"""How a reply in the history names the clause it rests on (assistant/replies.py)."""

from __future__ import annotations

import pytest

from assistant.replies import _cited_labels, answered_clause, label_key


@pytest.mark.parametrize("printed, cited", [
    ("三、(六)", "[三.(六)]"),  # the product's label and a hand-written bracket citation
    ("一、2.", "(一.2)"),
    ("三、7.", "clause 三.7"),
])
def test_a_label_and_its_citation_forms_agree(printed, cited):
    assert label_key(printed) in _cited_labels(cited)


def test_a_reply_without_labels_figures_or_wording_points_at_nothing():
    assert answered_clause("OK.", []) is None
    assert _cited_labels("Yes, 50% up to 2 million yuan.") == set()
