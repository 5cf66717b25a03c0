"""Test doubles that behave like the real parts, deterministically and in microseconds.

- `HashEmbedder` implements `index.embedders.Embedder`: hashed character unigrams and bigrams,
  L2-normalised, so texts that share characters and words are close and unrelated texts are not.
- `InMemoryVectorIndex` implements `index.store.VectorIndex` by brute-force inner product in numpy;
  `tests/index/test_vector_index_contract.py` holds it to the same contract as the FAISS index.
- `ScriptedChatModel` is a langchain `BaseChatModel` that answers from a queue of scripted replies
  (text, tool calls or exceptions), supports `bind_tools` and records every call.
"""

from __future__ import annotations

import itertools
import re
import zlib
from typing import Any, Sequence

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

_SPACE = re.compile(r"\s+")


class HashEmbedder:
    """Bag of hashed character uni- and bigrams; bigrams weigh more, so shared words count most.

    The hash is CRC32 (stable across processes, unlike `hash()`), so vectors are identical in every run.
    Queries and passages are encoded the same way.
    """

    def __init__(self, dim: int = 256, name: str | None = None) -> None:
        if dim < 8:
            raise ValueError("HashEmbedder needs at least 8 dimensions")
        self.dim = dim
        self.name = name or f"fake-hash-{dim}"

    def _features(self, text: str) -> list[tuple[str, float]]:
        text = _SPACE.sub(" ", text.lower()).strip()
        unigrams = [(ch, 1.0) for ch in text if ch != " "]
        bigrams = [(a + b, 2.0) for a, b in zip(text, text[1:]) if " " not in (a, b)]
        return unigrams + bigrams

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for feature, weight in self._features(text):
                h = zlib.crc32(feature.encode("utf-8"))
                sign = 1.0 if (h >> 31) & 1 else -1.0  # signed hashing keeps collisions from piling up
                out[row, h % self.dim] += sign * weight
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts))


class InMemoryVectorIndex:
    """Exact inner-product search over a numpy matrix; same contract as `index.store.FaissVectorIndex`."""

    def __init__(self, vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array (n, dim), got shape {vectors.shape}")
        self.vectors = vectors
        self.dim = int(vectors.shape[1])

    @classmethod
    def from_vectors(cls, vectors: np.ndarray) -> "InMemoryVectorIndex":
        return cls(vectors)

    def __len__(self) -> int:
        return len(self.vectors)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.dim:
            raise ValueError(f"query vector has {query.shape[0]} dimensions but the index has {self.dim}")
        k = min(k, len(self.vectors))
        if k <= 0:
            return []
        scores = self.vectors @ query
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in order]


class ScriptedChatModel(BaseChatModel):
    """A chat model that replies from a script: `say(text)`, `call_tool(name, args)`, `fail(exc)`.

    Every call's messages and bound tools are recorded in `calls`; an empty script raises, as a
    server that has nothing to say would fail, so fallbacks can be tested too.
    """

    replies: list[Any] = Field(default_factory=list)
    calls: list[dict[str, Any]] = Field(default_factory=list)
    bound_tools: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    # ---------------------------------------------------------------- script
    def say(self, content: str) -> "ScriptedChatModel":
        self.replies.append(AIMessage(content=content))
        return self

    def call_tool(self, name: str, args: dict[str, Any], call_id: str | None = None) -> "ScriptedChatModel":
        call_id = call_id or f"call_{next(_call_ids)}"
        self.replies.append(AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}]))
        return self

    def fail(self, error: BaseException) -> "ScriptedChatModel":
        self.replies.append(error)
        return self

    @property
    def last_messages(self) -> list[BaseMessage]:
        return self.calls[-1]["messages"] if self.calls else []

    # ---------------------------------------------------------------- langchain
    def bind_tools(self, tools: Sequence[Any], **kwargs: Any):
        from langchain_core.utils.function_calling import convert_to_openai_tool

        formatted = [convert_to_openai_tool(tool) for tool in tools]
        self.bound_tools = formatted
        return self.bind(tools=formatted, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append({"messages": list(messages), "tools": kwargs.get("tools", [])})
        if not self.replies:
            raise RuntimeError("ScriptedChatModel: no scripted reply left")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, str):
            reply = AIMessage(content=reply)
        return ChatResult(generations=[ChatGeneration(message=reply)])


_call_ids = itertools.count(1)
