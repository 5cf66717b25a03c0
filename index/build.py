"""Build, check and extend the on-disk index."""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tqdm import tqdm

from index.corpus import parse_sources
from index.embedders import CachedEmbedder, Embedder
from index.lifecycle import read_overrides
from index.models import Clause, Corpus, Document
from index.rule_extraction import extract_rules
from index.sources import RawSource, SourceError, corpus_files, read_source
from index.store import read_manifest, write_index
from index.tokenize import tokenize

# Bump when cleaning/parsing changes, so `serve` rebuilds indexes made by older code.
PIPELINE_VERSION = "2024.11-3"  # -2: calculator rules in rules.jsonl; -3: page noise, articles, lifecycle, warnings
ADDED_DIR = "added"


@dataclass(frozen=True)
class BuildReport:
    path: Path
    documents: int
    clauses: int
    embedded: int  # passages actually run through the model (the rest came from the cache)
    seconds: float
    rules: int = 0  # calculator rules extracted from the clauses
    skipped: tuple[dict[str, str], ...] = ()  # money sentences read without confidence: no rule, the reason


def source_dirs(corpus_dir: Path, data_dir: Path) -> list[Path]:
    """The bundled/configured corpus plus files ingested with `index add`."""
    dirs = [Path(corpus_dir)]
    added = Path(data_dir) / ADDED_DIR
    if added.is_dir() and any(added.iterdir()):
        dirs.append(added)
    return dirs


def read_all(dirs: Sequence[Path]) -> list[RawSource]:
    files = [p for d in dirs for p in corpus_files(d)]
    if not files:
        raise SourceError(f"no policy files found in {', '.join(map(str, dirs))}")
    return [read_source(p) for p in files]


def corpus_hash(sources: Sequence[RawSource]) -> str:
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    for src in sorted(sources, key=lambda s: s.name):
        h.update(f"{src.name}\x00{src.sha256}\n".encode())
    return h.hexdigest()


def passage_text(clause: Clause, doc: Document) -> str:
    """What gets embedded: the clause with its document title, city and section path as context."""
    context = " ".join(p for p in clause.path[:-1])
    return f"{doc.city or ''} {doc.title} {context} {clause.display_label} {clause.text}".strip()


def search_text(clause: Clause, doc: Document) -> str:
    """What BM25 sees: the same context, so 杭州 or 算力券 in a question matches the document too."""
    return passage_text(clause, doc)


def is_stale(corpus_dir: Path, data_dir: Path, embedder_name: str) -> bool:
    """True when there is no index, or it was built from other files, code or embedder."""
    manifest = read_manifest(data_dir)
    if manifest is None:
        return True
    try:
        sources = read_all(source_dirs(corpus_dir, data_dir))
    except SourceError:
        return True
    return manifest.get("corpus_hash") != corpus_hash(sources) or manifest.get("embedder") != embedder_name


def build_index(
    corpus_dir: Path, data_dir: Path, embedder: Embedder, show_progress: bool = True
) -> BuildReport:
    """Parse, embed (through the cache) and store; the previous index keeps serving until the swap."""
    started = time.perf_counter()
    data_dir = Path(data_dir)
    sources = read_all(source_dirs(corpus_dir, data_dir))
    corpus = parse_sources(sources, overrides=read_overrides(Path(corpus_dir)))
    return _store(corpus, sources, data_dir, embedder, started, show_progress)


def _store(
    corpus: Corpus, sources: Sequence[RawSource], data_dir: Path, embedder: Embedder, started: float, show_progress: bool
) -> BuildReport:
    docs = {d.doc_id: d for d in corpus.documents}
    passages = [passage_text(c, docs[c.doc_id]) for c in corpus.clauses]
    cached = CachedEmbedder(embedder, data_dir / "cache" / f"embeddings-{_safe(embedder.name)}.npz")
    with tqdm(total=len(passages), desc="embedding clauses", unit="clause", disable=not show_progress) as bar:
        bar.update(sum(1 for p in passages if cached._key(p) in cached._cache))
        vectors = cached.embed_passages(passages, progress=bar.update)
    tokens = [tokenize(search_text(c, docs[c.doc_id])) for c in corpus.clauses]
    extraction = extract_rules(corpus.documents, corpus.clauses)
    manifest = {
        "embedder": embedder.name,
        "dim": int(vectors.shape[1]) if len(vectors) else embedder.dim,
        "corpus_hash": corpus_hash(sources),
        "pipeline_version": PIPELINE_VERSION,
        "sources": [{"name": s.name, "sha256": s.sha256} for s in sources],
        "counts": {
            "documents": len(corpus.documents),
            "clauses": len(corpus.clauses),
            "per_document": {d.doc_id: sum(1 for c in corpus.clauses if c.doc_id == d.doc_id) for d in corpus.documents},
            "rules": extraction.counts(),
        },
        "rule_extraction": {"skipped": list(extraction.skipped)},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "warnings": ingestion_warnings(corpus.documents),
    }
    seconds = time.perf_counter() - started
    manifest["build_seconds"] = round(seconds, 3)
    path = write_index(data_dir, corpus.documents, corpus.clauses, vectors, tokens, manifest, rules=extraction.rules)
    cached.save(keep=passages)
    return BuildReport(
        path, len(corpus.documents), len(corpus.clauses), cached.misses, seconds, len(extraction.rules), extraction.skipped
    )


def ingestion_warnings(documents: Sequence[Document]) -> list[dict]:
    """Per-document ingestion warnings (garbled or lost text) for the manifest and `index stats`."""
    return [
        {"document": d.doc_id, "source": source, "kind": kind, "offset": offset, "length": length, "message": message}
        for d in documents
        for kind, source, offset, length, message in d.warnings
    ]


def add_files(files: Sequence[Path], corpus_dir: Path, data_dir: Path, embedder: Embedder, show_progress: bool = True) -> BuildReport:
    """Ingest new files: validate each one fully first, then copy it in and rebuild incrementally."""
    data_dir = Path(data_dir)
    checked = []
    for f in files:
        src = read_source(Path(f))  # raises SourceError naming the file
        parse_sources([src])  # must yield documents on its own
        checked.append(Path(f))
    added = data_dir / ADDED_DIR
    added.mkdir(parents=True, exist_ok=True)
    existing = {p.name for d in source_dirs(corpus_dir, data_dir) for p in corpus_files(d)}
    copied = []
    for f in checked:
        if f.name in existing and not (added / f.name).exists():
            raise SourceError(f"{f.name}: a corpus file with this name already exists; rename the file")
        target = added / f.name
        shutil.copyfile(f, target)
        copied.append(target)
    try:
        return build_index(corpus_dir, data_dir, embedder, show_progress)
    except BaseException:
        for target in copied:
            target.unlink(missing_ok=True)
        raise


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
