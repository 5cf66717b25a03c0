"""What the knowledge base covers, in words: the refusal's scope sentence, written from the index's overview."""

from __future__ import annotations

from decimal import Decimal

from assistant.calculator import format_yuan
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
        lines = [f"The knowledge base holds {overview.documents_of(cities)} documents: the {overview.name_en} of "
                 f"{', '.join(display_name_en(c) for c in cities)}. Main programmes:"]
        for city in cities:
            titles = [en for _, en in programmes.get(city, ())] or list(overview.topics_en[:MAX_TOPICS])
            lines.append(f"- {display_name_en(city)}: {'; '.join(titles[:MAX_PROGRAMMES])}")
        ask = ("what does it do, and what is its situation (e.g. a contract or investment amount, titles or filings "
               "obtained)? Describe it in one message and I will check every programme it may claim, with amounts and "
               "clauses.")
        # a city said is not asked again
        lines.append(ask[0].upper() + ask[1:] if query.cities else f"Which city is your company in, {ask}")
        return "\n".join(lines)
    lines = [f"目前知识库收录了{'、'.join(cities)}的{overview.name_zh}({overview.documents_of(cities)}份文件),主要支持项目有:"]
    for city in cities:
        titles = [zh for zh, _ in programmes.get(city, ())] or list(overview.topics_zh[:MAX_TOPICS])
        lines.append(f"- {city}:{'、'.join(titles[:MAX_PROGRAMMES])}")
    where = "" if query.cities else "在哪个城市、"
    lines.append(f"请问贵公司{where}属于什么行业、具体情况如何(如合同或投资金额、已获得的认定或备案)?"
                 "直接描述贵公司情况,我会做一次政策体检:逐项列出可申报的政策、测算金额并附条款。")
    return "\n".join(lines)


MAX_LISTED = 6  # eligible programmes listed in a chat answer (the 政策体检 tab shows all)


def profile_check_text(query: Query, result, cite) -> str:
    """The policy check of a profile-like message, in chat: eligible programmes with amounts and clauses."""
    eligible = result.by_status("eligible")
    en = query.lang == "en"
    lines = ["Programmes your company may claim:" if en else "根据您描述的情况,可申报的政策有:"]
    for n, match in enumerate(eligible[:MAX_LISTED], 1):
        marker = cite(match.hit) if match.hit is not None else ""
        amount = format_yuan(Decimal(str(match.amount_yuan))) if match.amount_yuan is not None else ("amount not stated" if en else "金额原文未明确")
        bound = (" (upper bound)" if en else "(上限)") if match.upper_bound else ""
        counted = "" if match.counted else (" — not counted: the higher measure applies" if en else "——按就高不重复原则不计入合计")
        city = display_name_en(match.city) if en else match.city
        lines.append(f"{n}. {city} {match.title}{'' if en else ':'}{' ' if en else ''}{amount}{bound}{marker}{counted}")
    others = len(result.by_status("needs_info"))
    total = format_yuan(Decimal(str(result.total_yuan)))
    if en:
        lines.append(f"Total that can be combined: {total}. {others} more programme(s) need more information; "
                     "the 政策体检 tab lists them all.")
    else:
        lines.append(f"可合计申报约{total};另有{others}项需补充信息才能判断,完整清单见“政策体检”。")
    return "\n".join(lines)
