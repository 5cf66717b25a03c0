"""Homophone typo correction for questions typed with a pinyin input method (补帖 → 补贴, 杭洲 → 杭州).

A pinyin IME offers every character that sounds alike, so a user's typo is mostly a homophone of the word meant.
The corrector knows two things, both taken from the served corpus and the lexicon, never from a list of typos:

- a vocabulary: the words a question is understood by (the lexicon's terms) and the words of the index (the BM25
  tokens of every clause), each of 2–4 Chinese characters, grouped by toneless pinyin;
- the known n-grams: every 2/3/4-character substring of the clause texts and of the lexicon's words. A window of the
  question that occurs in the corpus or the lexicon is never a typo.

A window of a question that is not known, and that sounds like a vocabulary word (toneless pinyin, any reading of a
character with several) is replaced by that word, when the choice is unambiguous: one word, or one word found in
clearly more clauses than any other. A typo keeps most of the word: the window and the word share at least one
character and differ in at most half of them (an IME typo is one wrong pick, not a different word that sounds alike).

What a question's everyday words are is read from jieba's dictionary (the index's tokenizer), so that a correct
question comes out unchanged (tried on every dev question of the bundled gold set: only its typos change, and one
adverb before a verb, 还评上 → 环评上, which changes no answer):
- a window that is a dictionary word is known too (而是, 今年, 复核 are words, not typos of 二是, 近年, 复合);
- a window that cuts a word of the question in two is no typo (最高支持 holds no 高支, 算力用了 no 力用);
- the noisy channel: the word meant must be far likelier (dictionary counts) than the typed characters read as the
  words they are (也是 is two common words, never 一是; 补帖 is two rare characters, 补贴 a common word).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from typing import Any, Iterable, Mapping

from pypinyin import Style, lazy_pinyin, pinyin

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_HAN_WORD = re.compile(r"[\u3400-\u9fff]{2,4}")
_PARTICLES = "的得地了着过"  # structural and aspect particles, which follow a word rather than end one
WINDOWS = (4, 3, 2)
COMMON_CHAR = 150_000  # a character this frequent in the dictionary (是, 的, 在, 都, 和 …) is typed on purpose  # window lengths, scanned longest first
DOMINANCE = 3  # among several homophone words, one wins when found in at least this many times as many clauses
MARGIN = 3.0  # the word meant must be at least e**MARGIN (20) times as probable as the typed characters
MAX_READINGS = 16  # at most this many pinyin spellings tried for one window (characters with several readings)


@dataclass(frozen=True)
class Correction:
    start: int  # offset in the text
    typed: str
    word: str


@dataclass(frozen=True)
class HomophoneCorrector:
    """`correct(text)` replaces the unknown homophones of vocabulary words in a (simplified) question."""

    words_by_pinyin: Mapping[str, tuple[str, ...]]  # toneless pinyin → vocabulary words, most frequent first
    frequency: Mapping[str, int]  # vocabulary word → number of texts (clauses) holding it
    known: frozenset[str] = field(repr=False)  # 2–4 character strings that occur in the corpus or the lexicon
    dictionary: Any = field(default=None, repr=False, compare=False)  # a jieba Tokenizer: general Chinese words
    usual_count: int = 1  # dictionary count taken for a vocabulary word the dictionary lacks (到账): their median

    @classmethod
    def build(
        cls, vocabulary: Iterable[str], texts: Iterable[str], known_words: Iterable[str] = (), dictionary: Any = None,
    ) -> "HomophoneCorrector":
        """From vocabulary words, the corpus texts (clauses), further known words (the lexicon's) and a dictionary of
        general Chinese (a jieba Tokenizer; by default the index's own, with its policy terms)."""
        dictionary = dictionary if dictionary is not None else _default_dictionary()
        document_frequency: Counter[str] = Counter()
        for text in texts:
            document_frequency.update(_ngrams(text))
        known = set(document_frequency)
        words = {w for w in vocabulary if _HAN_WORD.fullmatch(w)}
        for word in (*words, *known_words):
            known.update(_ngrams(word))
        by_pinyin: dict[str, list[str]] = {}
        for word in words:
            by_pinyin.setdefault("".join(map(_fuzzy, lazy_pinyin(word))), []).append(word)
        frequency = {w: document_frequency.get(w, 0) for w in words}
        counts = sorted(c for w in words if (c := dictionary.FREQ.get(w)))
        return cls(
            words_by_pinyin={k: tuple(sorted(v, key=lambda w: (-frequency[w], w))) for k, v in by_pinyin.items()},
            frequency=frequency,
            known=frozenset(known),
            dictionary=dictionary,
            usual_count=counts[len(counts) // 2] if counts else 1,
        )

    def correct(self, text: str) -> str:
        fixes = self.corrections(text)
        if not fixes:
            return text
        out, at = [], 0
        for fix in fixes:
            out.append(text[at:fix.start])
            out.append(fix.word)
            at = fix.start + len(fix.typed)
        out.append(text[at:])
        return "".join(out)

    def corrections(self, text: str) -> list[Correction]:
        """The replacements `correct` makes, in order of position (windows of 4, then 3, then 2 characters)."""
        fixes: list[Correction] = []
        for run in _HAN_RUN.finditer(text):
            chars = run.group()
            taken = [False] * len(chars)
            inside: set[int] | None = None  # offsets strictly inside a word of the run, found only when needed
            for size in WINDOWS:
                for i in range(len(chars) - size + 1):
                    if any(taken[i:i + size]):
                        continue
                    window = chars[i:i + size]
                    if window in self.known or self.dictionary.FREQ.get(window):
                        continue  # in the corpus, the lexicon or the dictionary: a word, not a typo
                    if inside is None:
                        inside = {p for a, b in self._words(chars) for p in range(a + 1, b)}
                    if i in inside or i + size in inside:
                        continue  # cuts a word of the question in two ("最高支持" holds no "高支", "算力用了" no "力用")
                    word = self._word_for(window)
                    if word is not None and window[-1] in _PARTICLES and word[-1] == window[-1]:
                        continue  # a verb and its particle ("补得多" is no "不得多"): the typo would be the verb itself
                    if word is not None and self._word_and_common_char(window, word):
                        continue  # "都是经信局管吗" holds 是 and 经信局, no typo of 市经信局
                    if word is not None:
                        fixes.append(Correction(run.start() + i, window, word))
                        taken[i:i + size] = [True] * size
        return sorted(fixes, key=lambda f: f.start)

    def _words(self, chars: str) -> list[tuple[int, int]]:
        """Spans of the words of a run: its dictionary segmentation (no guessed words) and its vocabulary words."""
        spans, at = [], 0
        for word in self.dictionary.lcut(chars, HMM=False):
            if len(word) > 1:
                spans.append((at, at + len(word)))
            at += len(word)
        for size in WINDOWS:
            spans.extend((i, i + size) for i in range(len(chars) - size + 1) if chars[i:i + size] in self.frequency)
        return spans

    def _word_for(self, window: str) -> str | None:
        """The one vocabulary word `window` is a typo of, or None (no such word, or several alike)."""
        candidates: dict[str, None] = {}
        for key in _spellings(window):
            for word in self.words_by_pinyin.get(key, ()):
                if _one_pick_away(window, word):
                    candidates[word] = None
        if not candidates:
            return None
        ranked = sorted(candidates, key=lambda w: -self.frequency.get(w, 0))
        if len(ranked) > 1:
            best, second = (self.frequency.get(w, 0) for w in ranked[:2])
            if best < DOMINANCE * max(second, 1):
                return None
        return ranked[0] if self._likelier(ranked[0], window) else None

    def _word_and_common_char(self, typed: str, word: str) -> bool:
        """The window differs from `word` only at one end, in one of the commonest characters (是, 的, 在, 都 …),
        and the rest of it is a known word: that character was meant, next to the word."""
        freq = self.dictionary.FREQ
        if typed[0] != word[0] and typed[1:] == word[1:]:
            char, rest = typed[0], typed[1:]
        elif typed[-1] != word[-1] and typed[:-1] == word[:-1]:
            char, rest = typed[-1], typed[:-1]
        else:
            return False
        known = rest in self.known or bool(freq.get(rest))
        return len(rest) >= 2 and known and (freq.get(char) or 0) >= COMMON_CHAR

    def _likelier(self, word: str, typed: str) -> bool:
        """The noisy channel: `word` is far more probable than the typed characters read as the words they are
        ("也是" is two common words, not a typo of 一是; "补帖" is two rare characters, and 补贴 a common word)."""
        freq, total = self.dictionary.FREQ, self.dictionary.total
        as_typed = sum(math.log((freq.get(w) or 1) / total) for w in self.dictionary.lcut(typed, HMM=False))
        # a vocabulary word is at least as usual as the median one: the general dictionary undercounts policy
        # words (有效期 is rarer there than 到账 is taken to be)
        meant = math.log(max(freq.get(word) or 0, self.usual_count) / total)
        return meant - as_typed >= MARGIN


def _default_dictionary():
    from index.tokenize import _tokenizer  # the index's jieba, with its dictionary of policy terms

    tokenizer = _tokenizer()
    tokenizer.check_initialized()
    return tokenizer


def _ngrams(text: str) -> set[str]:
    """Every 2/3/4-character substring of the runs of Chinese characters in `text`."""
    grams: set[str] = set()
    for run in _HAN_RUN.findall(text):
        for size in WINDOWS:
            grams.update(run[i:i + size] for i in range(len(run) - size + 1))
    return grams


def _one_pick_away(typed: str, word: str) -> bool:
    """A typo of `word`: the same length, sharing a character, differing in at most half of the characters."""
    differ = sum(a != b for a, b in zip(typed, word))
    return len(typed) == len(word) and 0 < differ <= len(word) // 2


@lru_cache(maxsize=8192)
def _readings(char: str) -> tuple[str, ...]:
    """A character's toneless readings, the usual one first (卷 → juan, quan, …)."""
    usual = lazy_pinyin(char)[0]
    others = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
    return tuple(dict.fromkeys([usual, *others]))


def _fuzzy(syllable: str) -> str:
    """A syllable as a fuzzy-pinyin input method reads it: zh/ch/sh typed as z/c/s (改照 for 改造)."""
    return syllable[0] + syllable[2:] if syllable[:2] in ("zh", "ch", "sh") else syllable


def _spellings(window: str) -> list[str]:
    """The toneless pinyin spellings of a window: the usual reading of each character first, then the others (bounded)."""
    spellings: dict[str, None] = {}
    for combo in product(*(_readings(c) for c in window)):
        if len(spellings) >= MAX_READINGS:
            break
        spellings["".join(map(_fuzzy, combo))] = None
    return list(spellings)


def lexicon_words(lexicon) -> tuple[set[str], set[str]]:
    """(vocabulary, every Chinese word) of the lexicon: the vocabulary is its topic, cue, award, option, amount-cue
    and city words; every word (question types, off-topic words, places, …) is known, never corrected."""
    vocabulary: set[str] = set()
    for topic in lexicon.topics:
        vocabulary.update(topic.zh)
    for words in (*lexicon.cues.values(), *lexicon.award_roles.values(), *lexicon.award_levels.values(),
                  *lexicon.amount_cues.values(), *lexicon.city_aliases.values()):
        vocabulary.update(words)
    for choices in lexicon.options.values():
        for words in choices.values():
            vocabulary.update(words["zh"])
    known = set(vocabulary)
    for words in lexicon.question_types.values():
        known.update(words["zh"])
    for words in lexicon.amount_deductions.values():
        known.update(words)
    known.update(lexicon.off_topic_zh)
    known.update(lexicon.other_places_zh)
    known.update(lexicon.all_cities)
    return vocabulary, known


def corrector_for(index, lexicon) -> HomophoneCorrector:
    """The corrector of one served index (`LoadedIndex`) and the lexicon; built once per index load."""
    vocabulary, known = lexicon_words(lexicon)
    vocabulary.update(t for tokens in index.tokens for t in tokens)
    texts = []
    for clause in index.clauses:
        doc = index.documents.get(clause.doc_id)
        texts.append(f"{doc.title if doc else ''} {' '.join(clause.path)} {clause.text}")
    return HomophoneCorrector.build(vocabulary, texts, known)
