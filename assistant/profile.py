"""The optional corpus profile: how a deployment names its knowledge base and which questions it suggests.

A `profile.yaml` next to the policy files (in the corpus directory) may set::

    name_zh: 人工智能产业支持政策
    name_en: AI-industry support policies
    examples: [杭州单家企业每年最多能申领多少算力券?, …]
    default_program: some_program_id

Everything else (cities, documents, topics, programmes) comes from the index and the rule book; without a
profile the names are generic and the examples are derived from the programmes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import InputError

PROFILE_FILE = "profile.yaml"


@dataclass(frozen=True)
class CorpusProfile:
    name_zh: str = "产业支持政策"
    name_en: str = "industry support policies"
    examples: tuple[str, ...] = ()
    default_program: str | None = None


def load_profile(corpus_dir: Path | None) -> CorpusProfile:
    """The profile next to the corpus, or the generic one."""
    path = Path(corpus_dir) / PROFILE_FILE if corpus_dir else None
    if path is None or not path.is_file():
        return CorpusProfile()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of settings")
    defaults = CorpusProfile()
    return CorpusProfile(
        name_zh=str(raw.get("name_zh") or defaults.name_zh),
        name_en=str(raw.get("name_en") or defaults.name_en),
        examples=tuple(str(q) for q in raw.get("examples") or ()),
        default_program=raw.get("default_program"),
    )
