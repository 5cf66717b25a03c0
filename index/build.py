"""Build, check and extend the on-disk index."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from tqdm import tqdm

from index.corpus import parse_sources
from index.embedders import CachedEmbedder, Embedder
from index.lifecycle import read_overrides
from index.contradictions import conflicting_clauses
from index.injection import find_instruction
from index.models import Clause, Corpus, Document
from index.rule_extraction import extract_rules
from index.sources import RawSource, SourceError, corpus_files, read_source
from index.store import clean_leftovers, read_manifest, write_index
from index.tokenize import tokenize

# Bump when cleaning/parsing changes, so `serve` rebuilds indexes made by older code.
PIPELINE_VERSION = "2024.11-4"  # -2: calculator rules in rules.jsonl; -3: page noise, articles, lifecycle, warnings; -4: conflicts
ADDED_DIR = "added"
QUARANTINE_DIR = "quarantine"  # uploads held back for admin approval, and quarantine.json / approved.json


@dataclass(frozen=True)
class BuildReport:
    path: Path
    documents: int
    clauses: int
    embedded: int  # passages actually run through the model (the rest came from the cache)
    seconds: float
    rules: int = 0  # calculator rules extracted from the clauses
    skipped: tuple[dict[str, str], ...] = ()  # money sentences read without confidence: no rule, the reason
    # (file, reason): documents with instruction-like text, NOT indexed; `approve_quarantined` ingests one anyway
    quarantined: tuple[tuple[str, str], ...] = ()
    # (file, reason): indexed, but its figures differ from an indexed document of the same city and programme
    flagged: tuple[tuple[str, str], ...] = ()


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
    clean_leftovers(data_dir)  # `.partial` builds and temporary cache files of killed builds
    sources = read_all(source_dirs(corpus_dir, data_dir))
    kept, quarantined = screen_sources(sources, data_dir)
    if not kept:
        raise SourceError("every policy file is quarantined (instruction-like text); nothing to index: "
                          + "; ".join(f"{n}: {r}" for n, r in quarantined))
    corpus = parse_sources(kept, overrides=read_overrides(Path(corpus_dir)))
    return _store(corpus, sources, data_dir, embedder, started, show_progress, kept=kept, quarantined=quarantined)


def _store(
    corpus: Corpus, sources: Sequence[RawSource], data_dir: Path, embedder: Embedder, started: float, show_progress: bool,
    kept: Sequence[RawSource] | None = None, quarantined: Sequence[tuple[str, str]] = (),
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
        "sources": [{"name": s.name, "sha256": s.sha256} for s in (sources if kept is None else kept)],
        "quarantined": [{"name": n, "reason": r} for n, r in quarantined],
        "counts": {
            "documents": len(corpus.documents),
            "clauses": len(corpus.clauses),
            "per_document": {d.doc_id: sum(1 for c in corpus.clauses if c.doc_id == d.doc_id) for d in corpus.documents},
            "rules": extraction.counts(),
        },
        "rule_extraction": {"skipped": list(extraction.skipped)},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "warnings": ingestion_warnings(corpus.documents),
        # clauses whose figures differ between documents in force together: answers cite both with their dates
        "conflicts": [list(pair) for pair in conflicting_clauses(corpus.documents, corpus.clauses)],
    }
    seconds = time.perf_counter() - started
    manifest["build_seconds"] = round(seconds, 3)
    path = write_index(data_dir, corpus.documents, corpus.clauses, vectors, tokens, manifest, rules=extraction.rules)
    cached.save(keep=passages)
    return BuildReport(
        path, len(corpus.documents), len(corpus.clauses), cached.misses, seconds, len(extraction.rules), extraction.skipped,
        quarantined=tuple(quarantined),
    )


def ingestion_warnings(documents: Sequence[Document]) -> list[dict]:
    """Per-document ingestion warnings (garbled or lost text) for the manifest and `index stats`."""
    return [
        {"document": d.doc_id, "source": source, "kind": kind, "offset": offset, "length": length, "message": message}
        for d in documents
        for kind, source, offset, length, message in d.warnings
    ]


def add_files(files: Sequence[Path], corpus_dir: Path, data_dir: Path, embedder: Embedder, show_progress: bool = True) -> BuildReport:
    """Ingest new files: validate each one fully first, then copy it in and rebuild incrementally.

    A file with instruction-like text anywhere is quarantined whole: copied to `<data_dir>/quarantine/`,
    not indexed, listed with its reason in the report (and the manifest); see `approve_quarantined`.
    """
    data_dir = Path(data_dir)
    checked = []
    held: list[tuple[str, str]] = []
    to_hold: list[tuple[Path, RawSource, str]] = []
    parsed: list[tuple[RawSource, Corpus]] = []
    for f in files:
        src = read_source(Path(f))  # raises SourceError naming the file
        single = parse_sources([src])  # must yield documents on its own
        match = find_instruction(src.text)
        if match is not None:
            to_hold.append((Path(f), src, match.reason))
            held.append((src.name, match.reason))
            continue
        checked.append(Path(f))
        parsed.append((src, single))
    for path, src, reason in to_hold:  # only once every file has been validated
        _hold(path, src, reason, data_dir)
    flagged = _contradictions(parsed, data_dir)
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
        report = build_index(corpus_dir, data_dir, embedder, show_progress)
    except BaseException:
        for target in copied:
            target.unlink(missing_ok=True)
        raise
    extra = tuple(h for h in held if h not in report.quarantined)
    return replace(report, quarantined=extra + report.quarantined, flagged=tuple(flagged))


def _contradictions(parsed: Sequence[tuple[RawSource, Corpus]], data_dir: Path) -> list[tuple[str, str]]:
    """Figures of the new files that differ from the index in force (flagged, not blocked)."""
    from index.contradictions import find_contradictions
    from index.store import IndexLoadError, load_index

    if not parsed:
        return []
    try:
        current = load_index(data_dir)
    except IndexLoadError:
        return []  # nothing indexed yet to contradict
    flags: list[tuple[str, str]] = []
    for src, single in parsed:
        file_of = {d.doc_id: src.name for d in single.documents}
        flags += find_contradictions(single.documents, single.clauses, current.documents, current.clauses, file_of)
    return flags


# -- quarantine ------------------------------------------------------------------------------------------


def _quarantine_root(data_dir: Path) -> Path:
    return Path(data_dir) / QUARANTINE_DIR


def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def quarantined_files(data_dir: Path) -> list[dict]:
    """Files held back for instruction-like text: name, sha256, reason, held_at, where (`quarantine` or `corpus`)."""
    return list(_read_json(_quarantine_root(data_dir) / "quarantine.json", []))


def _approved(data_dir: Path) -> dict[str, str]:
    return dict(_read_json(_quarantine_root(data_dir) / "approved.json", {}))


def _record(data_dir: Path, name: str, sha256: str, reason: str, where: str) -> None:
    entries = [e for e in quarantined_files(data_dir) if e.get("name") != name]
    entries.append({"name": name, "sha256": sha256, "reason": reason, "where": where,
                    "held_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    _write_json(_quarantine_root(data_dir) / "quarantine.json", entries)


def _hold(path: Path, src: RawSource, reason: str, data_dir: Path) -> None:
    root = _quarantine_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, root / src.name)
    _record(data_dir, src.name, src.sha256, reason, "quarantine")


def screen_sources(sources: Sequence[RawSource], data_dir: Path) -> tuple[list[RawSource], list[tuple[str, str]]]:
    """Split sources into those to index and those quarantined for instruction-like text (unless an admin
    approved that exact file content with `approve_quarantined`)."""
    approved = _approved(data_dir)
    listed = {e.get("name"): e for e in quarantined_files(data_dir)}
    kept, held = [], []
    for src in sources:
        match = find_instruction(src.text)
        if match is None or approved.get(src.name) == src.sha256:
            kept.append(src)
            continue
        held.append((src.name, match.reason))
        if listed.get(src.name, {}).get("sha256") != src.sha256:
            _record(data_dir, src.name, src.sha256, match.reason, "corpus")
    names = {n for n, _ in held}
    held += [  # uploads still waiting for approval are part of every report and manifest
        (e["name"], e["reason"]) for e in listed.values()
        if e.get("where") == "quarantine" and e["name"] not in names and (_quarantine_root(data_dir) / e["name"]).exists()
    ]
    return kept, held


def approve_quarantined(data_dir: Path, name: str, *, corpus_dir: Path, embedder: Embedder, show_progress: bool = False) -> BuildReport:
    """An admin's explicit approval: ingest a quarantined file anyway (this exact content only) and rebuild."""
    data_dir = Path(data_dir)
    entry = next((e for e in quarantined_files(data_dir) if e.get("name") == name), None)
    if entry is None or Path(name).name != name:
        raise SourceError(f"{name}: not in quarantine (held: {', '.join(e['name'] for e in quarantined_files(data_dir)) or 'none'})")
    held = _quarantine_root(data_dir) / name
    approvals = _approved(data_dir)
    approvals[name] = entry["sha256"]
    _write_json(_quarantine_root(data_dir) / "approved.json", approvals)
    moved = None
    if held.exists():
        added = data_dir / ADDED_DIR
        added.mkdir(parents=True, exist_ok=True)
        if any((d / name).exists() for d in source_dirs(corpus_dir, data_dir)) and not (added / name).exists():
            raise SourceError(f"{name}: a corpus file with this name already exists; rename the file")
        moved = added / name
        shutil.copyfile(held, moved)
    entries = quarantined_files(data_dir)
    _write_json(_quarantine_root(data_dir) / "quarantine.json", [e for e in entries if e.get("name") != name])
    try:
        report = build_index(corpus_dir, data_dir, embedder, show_progress)
    except BaseException:  # nothing changes: the file stays held, unapproved
        if moved is not None:
            moved.unlink(missing_ok=True)
        approvals.pop(name, None)
        _write_json(_quarantine_root(data_dir) / "approved.json", approvals)
        _write_json(_quarantine_root(data_dir) / "quarantine.json", entries)
        raise
    held.unlink(missing_ok=True)
    return report


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
