"""Where the files shipped with the package are: the bundled corpus and the prompt templates.

In an installed wheel they live inside the package, at `assistant/_data/corpus` and
`assistant/_data/prompts` (setup.py copies them there when the wheel is built). In a source checkout
or an editable install they are the top-level `corpus/` and `prompts/` directories. Nothing here
raises: a missing directory is reported, with its path, by whoever reads it.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_data"  # inside a built wheel
_CHECKOUT = _PACKAGE.parent  # the repository root, for a source checkout or an editable install


def _locate(name: str) -> Path:
    installed = _INSTALLED / name
    if installed.is_dir():
        return installed
    return _CHECKOUT / name


def bundled_corpus_dir() -> Path:
    """The corpus the package ships with (the default POLICY_CORPUS_DIR)."""
    return _locate("corpus")


def prompts_dir() -> Path:
    """The directory holding the LLM prompt templates (answer_system.txt, answer_user.txt)."""
    return _locate("prompts")
