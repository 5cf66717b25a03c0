"""Optional LLM composer: any OpenAI-compatible endpoint through langchain-openai, calculator bound as a tool.

Its answer passes the same verification as the extractive one; on any failure (timeout, HTTP
error, dangling citation, a number without a source) the extractive answer is returned instead
and the reason is logged.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Sequence

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.calculator.tools import calculator_tools
from assistant.chain import Composed, evidence
from assistant.retriever import ScoredClause
from assistant.settings import Settings
from assistant.understanding import Query
from assistant.verify import verify_answer

log = logging.getLogger("assistant.llm")

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
MAX_TOOL_ROUNDS = 3
_MARKER = re.compile(r"\[(\d+)\]")


def load_prompt(name: str, prompts_dir: Path = PROMPTS_DIR) -> str:
    """A prompt file without its leading `#` comment lines."""
    text = (prompts_dir / name).read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()


class LLMComposer:
    """Composes with a chat model; falls back to the extractive draft when verification fails."""

    def __init__(self, chat_model: BaseChatModel, cities: str = "杭州、嘉兴、郑州", max_clauses: int = 4) -> None:
        self.tools = {t.name: t for t in calculator_tools()}
        self.model = chat_model.bind_tools(list(self.tools.values()))
        self.system = load_prompt("answer_system.txt").format(cities=cities)
        self.user = load_prompt("answer_user.txt")
        self.max_clauses = max_clauses
        self.last_fallback_reason: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "LLMComposer":
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
        return cls(model)

    def compose(self, query: Query, hits: Sequence[ScoredClause], calc: Any | None, fallback: Composed) -> Composed:
        offered = list(hits[: self.max_clauses])
        try:
            text, tool_outputs = self._run(query, offered, calc)
        except Exception as exc:  # any model/transport failure means: answer extractively
            return self._fallback(fallback, f"LLM call failed: {type(exc).__name__}: {exc}")
        check = verify_answer(text, len(offered), evidence(offered, calc, query) + tool_outputs)
        if not check.ok:
            return self._fallback(fallback, "; ".join(check.problems))
        self.last_fallback_reason = None
        return _renumber(text, offered)

    def _run(self, query: Query, offered: Sequence[ScoredClause], calc: Any | None) -> tuple[str, list[str]]:
        clauses = "\n".join(
            f"[{n}] {h.document.city}《{h.document.title}》{h.clause.display_label}:{h.clause.text}" for n, h in enumerate(offered, 1)
        )
        calculation = json.dumps(calc.to_contract(), ensure_ascii=False) if calc is not None else "无"
        messages: list = [
            SystemMessage(self.system),
            HumanMessage(self.user.format(question=query.rewritten, clauses=clauses, calculation=calculation)),
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

    def _fallback(self, fallback: Composed, reason: str) -> Composed:
        self.last_fallback_reason = reason
        log.warning("LLM answer rejected, using the extractive answer: %s", reason)
        return fallback


def _renumber(text: str, offered: Sequence[ScoredClause]) -> Composed:
    """Keep only the clauses the answer cites, numbered in order of first use."""
    order: list[int] = []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in order:
            order.append(n)
    mapping = {old: new for new, old in enumerate(order, 1)}
    renumbered = _MARKER.sub(lambda m: f"[{mapping[int(m.group(1))]}]", text)
    return Composed(renumbered, [offered[n - 1] for n in order])
