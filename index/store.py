"""The on-disk index: clauses, documents, FAISS vectors, BM25 tokens and a manifest with checksums.

Layout under `<data_dir>/index/`: one directory per build (`build-<time>`) and a `current` symlink that
is swapped atomically, so readers never see a half-written index and a failed build changes nothing.
"""

from __future__ import annotations

from index.errors import PolicyError

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Sequence

import faiss
import numpy as np

from index.bm25 import SparseBM25
from index.models import Clause, Document

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_FILES = ("documents.json", "clauses.jsonl", "vectors.faiss", "bm25_tokens.json")
RULES_FILE = "rules.jsonl"  # calculator rules extracted from the clauses (index/rule_extraction.py)


class IndexLoadError(PolicyError, RuntimeError):
    """The index is missing, damaged, or was built differently from what is asked; rebuild it."""


class VectorIndex(Protocol):
    """Nearest-neighbour search over clause vectors (inner product on normalised vectors)."""

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]: ...


class FaissVectorIndex:
    """Exact inner-product search; fine up to ~1e5 clauses, swap for HNSW/IVF beyond that."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    def from_vectors(cls, vectors: np.ndarray) -> "FaissVectorIndex":
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        query = np.asarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.index.d:
            raise ValueError(f"query vector has {query.shape[1]} dimensions but the index has {self.index.d}")
        k = min(k, self.index.ntotal)
        if k <= 0:
            return []
        scores, ids = self.index.search(np.ascontiguousarray(query), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


@dataclass
class LoadedIndex:
    """Everything the assistant reads at start-up."""

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    clauses: list[Clause]
    vectors: VectorIndex
    bm25: SparseBM25
    tokens: list[list[str]] = field(repr=False, default_factory=list)
    rules: list[dict[str, Any]] = field(repr=False, default_factory=list)  # extracted calculator rules

    def clause_by_id(self) -> dict[str, Clause]:
        return {c.clause_id: c for c in self.clauses}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def index_root(data_dir: Path) -> Path:
    return Path(data_dir) / "index"


def current_path(data_dir: Path) -> Path:
    return index_root(data_dir) / "current"


def write_index(
    data_dir: Path,
    documents: Sequence[Document],
    clauses: Sequence[Clause],
    vectors: np.ndarray,
    tokens: Sequence[Sequence[str]],
    manifest: dict[str, Any],
    rules: Sequence[dict[str, Any]] = (),
) -> Path:
    """Write a complete build into a fresh directory, then point `current` at it atomically."""
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    build = root / f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging = root / (build.name + ".partial")
    staging.mkdir()
    try:
        (staging / "documents.json").write_text(
            json.dumps([d.to_dict() for d in documents], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        with (staging / "clauses.jsonl").open("w", encoding="utf-8") as fh:
            for clause in clauses:
                fh.write(json.dumps(clause.to_dict(), ensure_ascii=False) + "\n")
        faiss.write_index(FaissVectorIndex.from_vectors(vectors).index, str(staging / "vectors.faiss"))
        (staging / "bm25_tokens.json").write_text(json.dumps(list(map(list, tokens)), ensure_ascii=False), encoding="utf-8")
        with (staging / RULES_FILE).open("w", encoding="utf-8") as fh:
            for rule in rules:
                fh.write(json.dumps(rule, ensure_ascii=False) + "\n")
        files = {n: _sha256(staging / n) for n in (*_FILES, RULES_FILE)}
        manifest = dict(manifest, format_version=FORMAT_VERSION, files=files)
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        staging.rename(build)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = root / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(build.name)
    os.replace(link, current_path(data_dir))
    _prune(root, keep=build.name)
    return build


def _prune(root: Path, keep: str) -> None:
    """Remove older builds and abandoned partial ones; `current` and the newest stay."""
    for child in root.iterdir():
        if child.name.startswith("build-") and child.name != keep and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)


LEFTOVER_MAX_AGE_S = 3600.0  # a leftover whose writer cannot be identified is removed after this long


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _abandoned(path: Path, pid: int | None) -> bool:
    """Left by a killed writer: its process is gone, or (writer unknown) it is older than LEFTOVER_MAX_AGE_S."""
    if pid is not None:
        return not _pid_alive(pid)
    try:
        return time.time() - path.lstat().st_mtime > LEFTOVER_MAX_AGE_S
    except OSError:
        return False


def _pid_in(name: str, pattern: str) -> int | None:
    import re

    m = re.fullmatch(pattern, name)
    return int(m.group("pid")) if m and m.group("pid") else None


def clean_leftovers(data_dir: Path) -> list[Path]:
    """Remove what killed builds leave behind: `build-*.partial` dirs, `.current-<pid>` links and temporary
    embedding-cache files whose writing process is gone. Files of a build still running are kept.
    Returns what was removed; never raises (a read-only data dir just keeps its leftovers)."""
    removed: list[Path] = []
    root = index_root(data_dir)
    candidates: list[tuple[Path, int | None]] = []
    try:
        if root.is_dir():
            for child in root.iterdir():
                if child.name.endswith(".partial") and child.name.startswith("build-"):
                    candidates.append((child, _pid_in(child.name, r"build-\d{8}-\d{6}-(?P<pid>\d+)-\d+\.partial")))
                elif child.name.startswith(".current-"):
                    candidates.append((child, _pid_in(child.name, r"\.current-(?P<pid>\d+)")))
        cache = Path(data_dir) / "cache"
        if cache.is_dir():
            for child in cache.iterdir():
                if child.name.endswith(".tmp.npz"):
                    candidates.append((child, _pid_in(child.name, r"\..*\.(?P<pid>\d+)\.tmp\.npz|.*")))
    except OSError:
        return removed
    for path, pid in candidates:
        if not _abandoned(path, pid):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


def read_manifest(data_dir: Path) -> dict[str, Any] | None:
    path = current_path(data_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def load_index(data_dir: Path, expected_embedder: str | None = None) -> LoadedIndex:
    """Load and verify the current build; any inconsistency raises IndexLoadError with the reason
    (never a numpy/faiss/json exception), so the caller can rebuild."""
    clean_leftovers(data_dir)
    path = current_path(data_dir)
    if not path.exists():
        raise IndexLoadError(f"no index at {index_root(data_dir)}; run `policy-assistant index build`")
    manifest = read_manifest(data_dir)
    if manifest is None:
        raise IndexLoadError(f"index manifest missing or unreadable in {path}; rebuild the index")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexLoadError(f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}; rebuild the index")
    if expected_embedder and manifest.get("embedder") != expected_embedder:
        raise IndexLoadError(
            f"index was built with embedder {manifest.get('embedder')!r}, but {expected_embedder!r} is configured; rebuild the index"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or set(_FILES) - set(files):
        raise IndexLoadError(f"index manifest in {path} does not list the checksums of {', '.join(_FILES)}; rebuild the index")
    for name, digest in files.items():
        file = path / name
        if not file.exists():
            raise IndexLoadError(f"index file {name} is missing; rebuild the index")
        try:
            matches = _sha256(file) == digest
        except OSError as exc:
            raise IndexLoadError(f"index file {name} cannot be read ({exc.strerror or exc}); rebuild the index") from exc
        if not matches:
            raise IndexLoadError(f"index file {name} fails its checksum (truncated or modified); rebuild the index")
    try:
        documents = [Document.from_dict(d) for d in json.loads((path / "documents.json").read_text(encoding="utf-8"))]
        with (path / "clauses.jsonl").open(encoding="utf-8") as fh:
            clauses = [Clause.from_dict(json.loads(line)) for line in fh if line.strip()]
        vectors = faiss.read_index(str(path / "vectors.faiss"))
        tokens = json.loads((path / "bm25_tokens.json").read_text(encoding="utf-8"))
        rules = []
        if (path / RULES_FILE).exists():  # indexes built before rule extraction have none
            with (path / RULES_FILE).open(encoding="utf-8") as fh:
                rules = [json.loads(line) for line in fh if line.strip()]
    except Exception as exc:  # json, KeyError in a record, faiss RuntimeError, MemoryError on a bogus header…
        raise IndexLoadError(f"index in {path} cannot be read ({exc.__class__.__name__}: {exc}); rebuild the index") from exc
    if not isinstance(tokens, list) or vectors.ntotal != len(clauses) or len(tokens) != len(clauses):
        raise IndexLoadError("index files disagree on the number of clauses; rebuild the index")
    if vectors.d != manifest.get("dim"):
        raise IndexLoadError(f"index vectors have {vectors.d} dims, manifest says {manifest.get('dim')}; rebuild")
    return LoadedIndex(
        path=path.resolve(),
        manifest=manifest,
        documents={d.doc_id: d for d in documents},
        clauses=clauses,
        vectors=FaissVectorIndex(vectors),
        bm25=SparseBM25(tokens),
        tokens=tokens,
        rules=rules,
    )
