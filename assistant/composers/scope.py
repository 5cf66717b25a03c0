"""What the knowledge base covers, in words: the refusal's scope sentence, written from the index's overview."""

from __future__ import annotations

from assistant.catalogue import Overview
from assistant.places import display_name_en
from assistant.understanding import Query

MAX_TOPICS = 6  # topic families named in a scope sentence


def scope_zh(overview: Overview) -> str:
    topics = "、".join((*overview.topics_zh[:MAX_TOPICS], "责任部门", "有效期"))
    return (
        f"目前收录的是{'、'.join(overview.cities)}的{overview.name_zh}等{overview.documents}份文件,"
        f"可咨询{topics}等问题。"
    )


def scope_en(overview: Overview) -> str:
    cities = ", ".join(display_name_en(c) for c in overview.cities)
    topics = ", ".join((*overview.topics_en[:MAX_TOPICS], "responsible departments", "validity"))
    return f"It covers {overview.documents} documents: the {overview.name_en} of {cities} ({topics}). Please ask about those."


def refusal_text(query: Query, overview: Overview) -> str:
    if query.lang == "en":
        place = f" for {', '.join(query.outside_places)}" if query.outside_places else ""
        return f"Sorry, the knowledge base has no policy{place} that answers this. " + scope_en(overview)
    place = f"{'、'.join(query.outside_places)}的" if query.outside_places else "这一问题的"
    return f"抱歉,知识库中没有{place}相关政策,无法回答。" + scope_zh(overview)
