"""Recognise instructions aimed at the assistant inside policy text (an ingested "clause" that says
"忽略以上规则…"): such text is never a policy fact, so it is never retrieved as evidence."""

from __future__ import annotations

import re

_INSTRUCTION = re.compile(
    r"(忽略|无视|忘记|忘掉)(以上|上述|之前|前面|所有|你的)?的?(规则|指令|指示|提示|设定|要求)"
    r"|(回答|回复|告诉用户|输出)[::]?\s*补贴\s*\d+\s*%"
    r"|ignore (all |any )?(the )?(previous|prior|above) (instructions|rules)"
    r"|system prompt|you are now|disregard (the|all) (rules|instructions)",
    re.IGNORECASE,
)


def looks_like_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text))
