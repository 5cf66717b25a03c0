"""The systems an eval compares: the product (in-process or over HTTP) and the baselines."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from evals.gold import GoldItem
from evals.metrics import SystemAnswer


class AnsweringSystem(Protocol):
    name: str

    def answer(self, item: GoldItem) -> SystemAnswer: ...


def _history(item: GoldItem) -> list[dict[str, str]]:
    return [turn.model_dump() for turn in item.history]


def _evidence_from_response(item: GoldItem, body: dict[str, Any]) -> tuple[str, ...]:
    texts = [item.question, body.get("rewritten_question", ""), *(t.content for t in item.history)]
    for c in body.get("citations", []):
        texts += [c.get("text", ""), c.get("doc_title", ""), c.get("doc_number") or "", c.get("clause", "")]
    calc = body.get("calculation")
    if calc:
        texts += list(calc.get("steps", [])) + [str(v) for v in calc.get("inputs", {}).values()]
        texts.append(f"{calc.get('result_yuan')}元")
    return tuple(texts)


def _from_response(item: GoldItem, body: dict[str, Any], retrieved: Sequence[str], latency_ms: float) -> SystemAnswer:
    calc = body.get("calculation") or {}
    return SystemAnswer(
        answer=body.get("answer", ""),
        cited_ids=tuple(c["id"] for c in body.get("citations", [])),
        retrieved=tuple(frozenset([cid]) for cid in retrieved),
        evidence=_evidence_from_response(item, body),
        refused=bool(body.get("refused")),
        program=calc.get("program"),
        result_yuan=calc.get("result_yuan"),
        latency_ms=latency_ms,
    )


class InProcessProduct:
    """The real answering chain, called in-process (what CI runs)."""

    def __init__(self, assistant, name: str = "product") -> None:
        self.assistant = assistant
        self.name = name

    def answer(self, item: GoldItem) -> SystemAnswer:
        from assistant.http.edge import ask_response

        started = time.perf_counter()
        answer = self.assistant.ask(item.question, _history(item))
        latency = (time.perf_counter() - started) * 1000
        retrieved = [h.clause.clause_id for h in self.assistant.retrieve(item.question, _history(item), k=10)]
        return _from_response(item, ask_response(answer).model_dump(), retrieved, latency)


class HttpProduct:
    """A running server, over its public HTTP contract (`--against URL`); honours 429 Retry-After."""

    name = "product"

    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        import httpx

        self.client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        for _ in range(10):
            response = self.client.post(path, json=payload)
            if response.status_code == 429:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            response.raise_for_status()
            return response.json()
        raise RuntimeError(f"{path}: still rate-limited after 10 tries")

    def answer(self, item: GoldItem) -> SystemAnswer:
        started = time.perf_counter()
        try:
            body = self._post("/v1/ask", {"question": item.question, "history": _history(item)})
        except Exception as exc:  # a failed request is scored as a wrong answer, not a crashed run
            return SystemAnswer(answer="", error=f"{type(exc).__name__}: {exc}")
        latency = (time.perf_counter() - started) * 1000
        hits = self._post("/v1/search", {"query": body.get("rewritten_question") or item.question, "k": 10})["hits"]
        return _from_response(item, body, [h["id"] for h in hits], latency)


def _comparable(text: str) -> str:
    from index.cleaning import normalize_width, strip_pinyin_glosses, to_simplified

    return re.sub(r"\s+", "", to_simplified(normalize_width(strip_pinyin_glosses(text))))


def _grams(text: str, n: int = 4) -> set[str]:
    return {text[i:i + n] for i in range(max(0, len(text) - n + 1))}


@dataclass(frozen=True)
class _Chunk:
    text: str
    clause_ids: frozenset[str]


class NewcomerBaseline:
    """The plain LangChain recipe: raw files, RecursiveCharacterTextSplitter(500, 50), same embedder, FAISS top-k.

    No cleaning, no clause structure, no history, no calculator, never refuses. Its "answer" is the
    top-k chunks it would stuff into a prompt, its "citations" the clauses those chunks overlap.
    """

    name = "newcomer_langchain"

    def __init__(self, corpus_dir: Path, embedder, clauses: Sequence, k: int = 3) -> None:
        import faiss
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
        texts: list[str] = []
        from index.sources import corpus_files

        for path in corpus_files(Path(corpus_dir)):  # the policy files, not the corpus profile
            texts += splitter.split_text(path.read_text(encoding="utf-8", errors="replace"))
        clause_grams = [(c.clause_id, _grams(_comparable(c.text))) for c in clauses]
        self.chunks = [_Chunk(t, _covered_clauses(_grams(_comparable(t)), clause_grams)) for t in texts]
        self.embedder = embedder
        vectors = np.asarray(embedder.embed_passages(texts), dtype=np.float32)
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)
        self.k = k

    def answer(self, item: GoldItem) -> SystemAnswer:
        started = time.perf_counter()
        vector = np.asarray(self.embedder.embed_queries([item.question]), dtype=np.float32)
        _, ids = self.index.search(vector, 10)
        ranked = [self.chunks[i] for i in ids[0] if i >= 0]
        top = ranked[: self.k]
        cited = tuple(dict.fromkeys(cid for chunk in top for cid in sorted(chunk.clause_ids)))
        return SystemAnswer(
            answer="\n".join(chunk.text for chunk in top),
            cited_ids=cited,
            retrieved=tuple(chunk.clause_ids for chunk in ranked),
            evidence=tuple(chunk.text for chunk in top) + (item.question,),
            refused=False,
            latency_ms=(time.perf_counter() - started) * 1000,
        )


def _covered_clauses(chunk_grams: set[str], clause_grams: Sequence[tuple[str, set[str]]]) -> frozenset[str]:
    """Clauses a raw chunk holds at least half of, or that make up at least a third of the chunk."""
    covered = set()
    for clause_id, grams in clause_grams:
        if not grams:
            continue
        shared = len(chunk_grams & grams)
        if shared >= 0.5 * len(grams) or shared >= 0.33 * len(chunk_grams):
            covered.add(clause_id)
    return frozenset(covered)
