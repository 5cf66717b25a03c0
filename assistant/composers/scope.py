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


MAX_PROGRAMMES = 6  # programme titles listed per city in an overview


def overview_text(query: Query, overview: Overview, programmes: dict[str, tuple[tuple[str, str], ...]]) -> str:
    """Help for a vague question: what the knowledge base covers, by city, and one clarifying question."""
    cities = [c for c in overview.cities if not query.cities or c in query.cities]
    if query.lang == "en":
        lines = [f"The knowledge base holds {overview.documents} documents: the {overview.name_en} of "
                 f"{', '.join(display_name_en(c) for c in cities)}. Main programmes:"]
        for city in cities:
            titles = [en for _, en in programmes.get(city, ())] or list(overview.topics_en[:MAX_TOPICS])
            lines.append(f"- {display_name_en(city)}: {'; '.join(titles[:MAX_PROGRAMMES])}")
        lines.append("Which city is your company in, what does it do, and what is its situation (e.g. a contract or "
                     "investment amount, titles or filings obtained)? I can then find the clauses that apply and "
                     "calculate the amount.")
        return "\n".join(lines)
    lines = [f"目前知识库收录了{'、'.join(cities)}的{overview.name_zh}({overview.documents}份文件),主要支持项目有:"]
    for city in cities:
        titles = [zh for zh, _ in programmes.get(city, ())] or list(overview.topics_zh[:MAX_TOPICS])
        lines.append(f"- {city}:{'、'.join(titles[:MAX_PROGRAMMES])}")
    lines.append("请问贵公司在哪个城市、属于什么行业、具体情况如何(如合同或投资金额、已获得的认定或备案)?"
                 "我可以据此查找适用的条款并测算可获金额。")
    return "\n".join(lines)
