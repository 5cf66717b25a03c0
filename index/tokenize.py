"""Word segmentation for BM25: jieba with a dictionary of policy terms."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

import jieba

jieba.setLogLevel(logging.WARNING)

_KEEP = re.compile(r"[\w\u3400-\u9fff%]")
_STOP = frozenset("的 了 和 与 及 或 等 对 在 按 给予 是 为 其 中 我们 我 能 可以 多少 什么 吗 呢 哪些 怎么 如何 一个 这个 那".split())


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    tok.tmp_dir = None
    with resources.as_file(resources.files("index").joinpath("data/userdict.txt")) as path:
        tok.load_userdict(str(path))
    return tok


def tokenize(text: str) -> list[str]:
    """Search-mode tokens, lower-cased, without punctuation and filler words."""
    words = _tokenizer().cut_for_search(text.lower())
    return [w for w in (w.strip() for w in words) if w and _KEEP.search(w) and w not in _STOP]


def words(text: str) -> list[str]:
    """Precise-mode words (no sub-words: 金融资本 is not read as containing 融资), lower-cased."""
    return [w for w in (w.strip() for w in _tokenizer().lcut(text.lower())) if w and _KEEP.search(w)]


_HAN = re.compile(r"[\u4e00-\u9fff]+")


def bigrams(text: str) -> set[str]:
    """Character pairs of the Chinese runs of a text (wording overlap without a segmenter's word choices)."""
    return {run[i:i + 2] for run in _HAN.findall(text) for i in range(len(run) - 1)}
