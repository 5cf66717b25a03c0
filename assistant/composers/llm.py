"""The LLM composer: any OpenAI-compatible endpoint through langchain-openai, the calculator bound as a tool.

It starts from the extractive answer and keeps the model's answer only when it passes the same verification
(citations resolve, every number has a source); on any failure (timeout, HTTP error, dangling citation, a
number without a source) the extractive answer stands and the reason is recorded.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Sequence

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant import planner as kinds
from assistant.calculator.tools import calculator_tools
from assistant.catalogue import Overview
from assistant.composers import Composed, Composer
from assistant.composers.evidence import evidence
from assistant.composers.scope import scope_zh
from assistant.planner import AnswerPlan
from assistant.types import Hit
from assistant.verify import verify_answer

log = logging.getLogger("assistant.llm")

MAX_TOOL_ROUNDS = 3
_MARKER = re.compile(r"\[(\d+)\]")


def load_prompt(name: str, prompts_dir: Path) -> str:
    """A prompt file without its leading `#` comment lines."""
    text = (prompts_dir / name).read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()


class LLMComposer:
    """Composes with a chat model; falls back to the extractive answer when verification fails."""

    def __init__(
        self, chat_model: BaseChatModel, fallback: Composer, overview: Overview, prompts_dir: Path, max_clauses: int = 4,
        rules: Any | None = None,
    ) -> None:
        self.tools = {t.name: t for t in calculator_tools(rules)}
        self.model = chat_model.bind_tools(list(self.tools.values()))
        self.fallback = fallback
        self.system = load_prompt("answer_system.txt", prompts_dir).format(
            cities="、".join(overview.cities), scope=scope_zh(overview),
        )
        self.user = load_prompt("answer_user.txt", prompts_dir)
        self.max_clauses = max_clauses

    @classmethod
    def from_settings(
        cls, settings: Any, fallback: Composer, overview: Overview, prompts_dir: Path, rules: Any | None = None,
    ) -> "LLMComposer":
        from langchain_openai import ChatOpenAI

        if not settings.llm_base_url or not settings.llm_model:
            raise ValueError("POLICY_LLM=openai needs POLICY_LLM_BASE_URL and POLICY_LLM_MODEL")
        model = ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value() or "not-needed",
            timeout=settings.llm_timeout_s,
            max_retries=0,
            temperature=0,
        )
        return cls(model, fallback, overview, prompts_dir, rules=rules)

    def compose(self, plan: AnswerPlan) -> Composed:
        drafted = self.fallback.compose(plan)
        if plan.kind == kinds.REFUSE:
            return drafted
        offered = list(plan.hits[: self.max_clauses])
        calc = plan.calculation
        try:
            text, tool_outputs = self._run(plan, offered, calc)
        except Exception as exc:  # any model/transport failure means: answer extractively
            return self._fallback(drafted, f"LLM call failed: {type(exc).__name__}: {exc}")
        check = verify_answer(text, len(offered), evidence(offered, plan.calculations, plan.query) + tool_outputs)
        if not check.ok:
            return self._fallback(drafted, "; ".join(check.problems))
        return _renumber(text, offered)

    def _run(self, plan: AnswerPlan, offered: Sequence[Hit], calc: Any | None) -> tuple[str, list[str]]:
        clauses = "\n".join(
            f"[{n}] {h.document.city}《{h.document.title}》{h.clause.display_label}:{h.clause.text}" for n, h in enumerate(offered, 1)
        )
        calculation = json.dumps(calc.to_contract(), ensure_ascii=False) if calc is not None else "无"
        messages: list = [
            SystemMessage(self.system),
            HumanMessage(self.user.format(question=plan.query.rewritten, clauses=clauses, calculation=calculation)),
        ]
        tool_outputs: list[str] = []
        for _ in range(MAX_TOOL_ROUNDS):
            reply: AIMessage = self.model.invoke(messages)
            if not reply.tool_calls:
                return str(reply.content).strip(), tool_outputs
            messages.append(reply)
            for call in reply.tool_calls:
                output = self._call_tool(call)
                tool_outputs.append(output)
                messages.append(ToolMessage(content=output, tool_call_id=call["id"]))
        raise RuntimeError(f"no final answer after {MAX_TOOL_ROUNDS} tool rounds")

    def _call_tool(self, call: dict) -> str:
        tool = self.tools.get(call["name"])
        if tool is None:
            return json.dumps({"error": f"unknown tool {call['name']}; available: {sorted(self.tools)}"}, ensure_ascii=False)
        try:
            result = tool.invoke(call["args"])
        except Exception as exc:  # a bad tool call is reported back to the model, not raised
            return json.dumps({"error": str(exc)}, ensure_ascii=False)
        return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)

    def _fallback(self, drafted: Composed, reason: str) -> Composed:
        log.warning("LLM answer rejected, using the extractive answer: %s", reason)
        return Composed(drafted.text, drafted.cited, fallback_reason=reason)


def _renumber(text: str, offered: Sequence[Hit]) -> Composed:
    """Keep only the clauses the answer cites, numbered in order of first use."""
    order: list[int] = []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in order:
            order.append(n)
    mapping = {old: new for new, old in enumerate(order, 1)}
    renumbered = _MARKER.sub(lambda m: f"[{mapping[int(m.group(1))]}]", text)
    return Composed(renumbered, tuple(offered[n - 1] for n in order))
