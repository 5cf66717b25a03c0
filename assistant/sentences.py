"""Sentence choice: which sentences of a clause answer a question (shared by the planner and the composers).

Scores each sentence by the question's terms and by what the question asks (a rate, a cap, a count, a
target, a figure it names), so the planner can pick the clause whose sentences answer best and the
composer can quote them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from assistant.calculator import format_yuan
from assistant.lexicon import load_lexicon
from assistant.understanding import Query, without_few
from index.models import Clause
from index.tokenize import bigrams, tokenize

_SENTENCE = re.compile(r"[^。;!?\n]+[。;!?]?")
_RESPONSIBLE = re.compile(r"[((\[][^()()\[\]]*责任(单位|部门)[::][^()()\[\]]*[))\]]")
_HAS_NUMBER = re.compile(r"\d")
_YEAR_ONLY = re.compile(r"\d{4}年(?:度|底|末|前)?")
_COUNTED = re.compile(r"(?:几|多少)(个|项|家|条|件|名)([\u4e00-\u9fff]{0,2})")  # "几个方面", "多少项重点…", "几家"
# "是哪几个?" asks which ones, "好几个政策" says several: neither asks how many
_WHICH = re.compile(r"(?:哪(?:几|些)|好几)(?:个|项|家|条|件|名)?")
_NUMERAL = "[一二三四五六七八九十百两\\d]+"
_ASKS_WHO = re.compile(r"谁|\bwho\b")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元)")
_TARGET_YEAR = re.compile(r"到\d{4}年|\d{4}年(?:前|底|末)|\bby (?:the end of )?\d{4}\b")
_MAX_SENTENCE = 240
ANSWERING_SHARE = 0.6  # of the best sentence's score, for a sentence to answer the question too
ANSWERING_LIMIT = 2  # sentences quoted for a clause in a comparison line when they state no figure
TERM_CAP = 8  # a sentence's score from the question's terms is capped, so a long sentence cannot win on length


def quote(parts: Sequence[str]) -> str:
    """Sentences joined as a quotation, each ending with its punctuation."""
    out = []
    for n, part in enumerate(parts):
        if n < len(parts) - 1 and part.endswith((":", ":")):
            out.append(part)  # "任命:" followed by its list
            continue
        part = part.rstrip(":::,,")  # "…十五项重点任务,具体为:" ends the quote here
        out.append(part if part.endswith(("。", ";", "!", "?")) else part + "。")
    return "".join(out)


_QUOTED = re.compile(r"[「“\"《『]([^」”\"》』]{2,30})[」”\"》』]")


def quoted(text: str) -> list[str]:
    """The phrases a question puts in quotation marks."""
    return _QUOTED.findall(text)


def strip_units(text: str) -> str:
    return _RESPONSIBLE.sub("", text).strip()


def sentences(clause: Clause) -> list[str]:
    body = strip_units(clause.text)
    found = [s.strip() for s in _SENTENCE.findall(body) if s.strip()]
    heading = clause.heading.rstrip("。")
    if len(found) > 1 and found[0].rstrip("。") == heading:
        found = found[1:]
    return found


def _query_terms(query: Query) -> set[str]:
    lex = load_lexicon()
    terms = {t for t in tokenize(query.search_text) if len(t) >= 2}
    for topic_id in query.topics:
        topic = lex.topic(topic_id)
        terms.update(t for t in topic.zh if len(t) >= 2)
        terms.update(t for t in tokenize(topic.expand) if len(t) >= 2)
    return terms - set(query.cities)


def _asked(query: Query) -> str:
    """The question as asked (a follow-up "杭州呢?" asks what the earlier turn asked), lower-cased, with "哪几个"
    (which ones) and "好几个" (several) taken out so that they are not read as "几个" (how many)."""
    return without_few(_WHICH.sub("", (query.rewritten or query.text).lower()))


def asks_count(query: Query) -> bool:
    """"几家/几个/多少项…": answered from the sentence that counts, never computed."""
    low = _asked(query)
    return bool(_COUNTED.search(low)) or load_lexicon().has_cue("count_question", low)


def asks_target(query: Query) -> bool:
    """A development target or goal ("到2027年营收规模要达到多少?")."""
    low = (query.rewritten or query.text).lower()
    return bool(_TARGET_YEAR.search(low)) or load_lexicon().has_cue("target_question", low)


def states_count(clause: Clause, query: Query) -> bool:
    """Whether the clause states the very count asked ("十五项重点任务" for "多少项重点任务?", and for "重点任务有几
    项?", the thing counted said before the count)."""
    asked = _COUNTED.findall(_asked(query))
    nouns = [t for t in _own_terms(query) if re.fullmatch(r"[\u4e00-\u9fff]+", t)]
    return any(re.search(_NUMERAL + re.escape(unit + noun), clause.text)
               for unit, named in asked for noun in ([named] if named else nouns))


def asks_figure(query: Query) -> bool:
    """Asks for a figure ("有没有量化指标?", "规模要到多少?"), not only for a description."""
    return load_lexicon().has_cue("figure_question", _asked(query))


def states_figures(clause: Clause, query: Query) -> bool:
    """Whether the sentences answering the question state a figure (a year alone states none)."""
    return any(_HAS_NUMBER.search(_YEAR_ONLY.sub("", s)) for s in best_sentences(clause, query))


def _own_terms(query: Query) -> set[str]:
    """The question's own words (no topic expansions, no city names)."""
    return {t for t in tokenize(query.own_words) if len(t) >= 2} - set(query.cities)


def sentence_scores(clause: Clause, query: Query) -> list[tuple[int, int, str]]:
    """(score, position, sentence) for every sentence of a clause."""
    lex = load_lexicon()
    terms = _query_terms(query)
    low = _asked(query)
    asks_rate = lex.has_cue("rate_question", low)
    asks_amount = lex.has_cue("amount_question", low)  # may come with a rate question: "比例多少?最多多少?"
    target = asks_target(query)
    # the section that sets the targets, or the preamble stating what the policy is for ("为…,打造…高地")
    sets_goals = target and (clause.kind == "preamble" or any(w in (clause.heading or "") for w in lex.cue("goal_headings")))
    # a sentence with figures answers most questions here, not one that asks who ("资金由谁承担?" wants no date)
    figures_wanted = asks_amount or asks_rate or not _ASKS_WHO.search(low)
    phrases = quoted(query.text)
    named_figures = {format_yuan(a.yuan).removesuffix("元") for a in query.amounts}  # "能超过800万元吗?"
    # "从几个方面提出多少项重点任务?" → sentences stating "五个方面", "十五项重点"
    own_terms = _own_terms(query)
    asked_here = own_terms & _own_terms(replace(query, rewritten=query.text)) if query.rewritten != query.text else set()
    counted = [re.compile(_NUMERAL + re.escape(unit + noun)) for unit, noun in _COUNTED.findall(low)]
    units = [re.compile(_NUMERAL + re.escape(unit) + "(?![元%])") for unit, noun in _COUNTED.findall(low) if noun]
    scored = []
    year = ""  # "到2027年,A;B;C。": the year governs every item of the list it opens
    for pos, sentence in enumerate(sentences(clause)):
        if opened := _TARGET_YEAR.search(sentence):
            year = opened.group(0)
        scope = (year + sentence).lower()  # the words of the item and of the year that governs it ("CPMS" for "cpms")
        score = min(TERM_CAP, sum(min(len(t), 4) for t in terms if t in scope))  # capped: long sentences repeat terms
        # the question's own words break ties, first those of this ask itself, not the ones its rewriting carries
        # ("…CPMS…? And what do a CDO pilot and a DCMM pilot get?")
        matched = (sum(min(len(t), 4) for t in asked_here if t in scope), sum(min(len(t), 4) for t in own_terms if t in scope))
        # a year alone ("到2027年的具体任务目标") states no figure; a target's figure is dated (below), a rate of an
        # award is none
        if (_HAS_NUMBER.search(_YEAR_ONLY.sub("", sentence)) and query.qtype in ("rate", "compare", "eligibility")
                and figures_wanted and not target):
            score += 3
        # a sum with its limit answers "多少钱"; in a target question "多少" asks for the goal's own figure
        if asks_amount and not target and _AMOUNT.search(sentence) and any(w in sentence for w in lex.cue("limit_words")):
            score += 6
        if asks_rate and "%" in sentence:
            score += 6
        if any(figure in sentence for figure in named_figures):
            score += 6
        if any(phrase in sentence for phrase in phrases):  # "“135N”是啥意思?": the sentence holding the phrase
            score += 6
        score += 6 * sum(1 for pattern in counted if pattern.search(sentence))
        score += 3 * sum(1 for pattern in units if pattern.search(sentence))  # "项目40个" for "多少个…项目"
        if target and year:
            score += 6
        if sets_goals:  # the section that sets the targets answers a target question before a dated measure
            score += 4
        year = year if sentence.endswith(";") else ""
        if query.qtype == "eligibility" and any(w in sentence for w in lex.cue("condition_words")):
            score += 2
        scored.append((score, pos, sentence, matched))
    return [(score, pos, sentence) for score, pos, sentence, _ in sorted(scored, key=lambda x: (-x[0], -x[3][0], -x[3][1], x[1]))]


def _answering(clause: Clause, query: Query) -> list[str]:
    """The sentences that answer the question: those scoring near the best one and, when some of them name the
    programme asked about (its own words, not their expansions) and others do not, those that name it (a talent
    comparison does not quote the same clause's forum subsidy)."""
    ranked = sentence_scores(clause, query)
    if not ranked or ranked[0][0] <= 0:
        return [s for _, _, s in ranked]
    near = [s for score, _, s in ranked if score >= ranked[0][0] * ANSWERING_SHARE]
    lex = load_lexicon()
    names = {w for t in query.topics for w in lex.topic(t).zh if len(w) >= 2}
    naming = [s for s in near if any(w in s for w in names)]
    return naming or near


def answer_strength(clause: Clause, query: Query) -> int:
    """How well the clause's best sentence answers the question (the planner compares clauses with it)."""
    return max((score for score, _, _ in sentence_scores(clause, query)), default=0)


def own_terms_held(clause: Clause, query: Query) -> int:
    """How much of the question's own wording the clause holds, each distinct word once (a long clause repeating
    one word does not outweigh a clause holding more of the words asked)."""
    return sum(min(len(t), 4) for t in _own_terms(query) if t in clause.text)


def best_sentences(clause: Clause, query: Query, limit: int = 2) -> list[str]:
    """The sentences of a clause that answer the question, in their original order."""
    candidates = sentences(clause)
    if len(candidates) <= 1 or (len(candidates) <= limit + 1 and _names_heading(clause, query)):
        # "解读里怎么说背景的?" about the section headed 制定背景: the short section is the answer
        return [_shorten(s, query) for s in candidates]
    if clause.kind == "attachment" and len(clause.text) <= _MAX_SENTENCE * 3:
        return candidates  # a short list (继续有效的文件目录): every entry, none picked over another
    top = sentence_scores(clause, query)  # best first; ties go to the sentence with more of the question's terms
    if query.previous is not None and load_lexicon().has_cue("the_other_one", query.text.lower()):
        # "那另一个人呢?": the sentences the last reply did not already say
        said = bigrams(query.previous.reply)
        top = [t for t in top if len(bigrams(t[2]) & said) * 2 < len(bigrams(t[2]))] or top
    best_score = top[0][0]
    chosen = top[:1]
    own = _own_terms(query)
    for _ in range(limit - 1):
        rest = [t for t in top if t not in chosen and t[0] > 0 and t[0] >= best_score * 0.6]
        if not rest:
            break
        # among equally good sentences, the one that answers a part of the question not answered yet ("营收和算力")
        covered = {w for t in chosen for w in own if w in t[2]}
        tied = [t for t in rest if t[0] == rest[0][0]]
        chosen.append(max(tied, key=lambda t: len({w for w in own if w in t[2]} - covered)))
    positions = sorted({p for _, pos, _ in chosen for p in _with_its_list(candidates, pos)})
    return [_shorten(candidates[p], query) for p in positions]


def _names_heading(clause: Clause, query: Query) -> bool:
    """The question names the heading of a section (a two-character run of it), as asking for the whole of it; an
    item's heading is only its measure's name, which most questions about the item name."""
    heading, asked = clause.heading or "", query.rewritten or query.text
    return clause.kind != "item" and any(heading[i:i + 2] in asked for i in range(len(heading) - 1))


def _with_its_list(candidates: Sequence[str], pos: int) -> list[int]:
    """A sentence that opens a list ("任命:") is quoted with the list's items (the sentences up to the one that
    closes it), as long as they stay short; otherwise alone."""
    if not candidates[pos].rstrip().endswith((":", ":")):
        return [pos]
    end = pos + 1
    while end < len(candidates) and candidates[end].endswith(";"):
        end += 1
    items = list(range(pos, min(end + 1, len(candidates))))
    return items if sum(len(candidates[p]) for p in items) <= _MAX_SENTENCE * 2 else [pos]


_PIECE = re.compile(r"[^,。;]+")
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|万元|亿元|元|个百分点)")


def key_pieces(clause: Clause, query: Query, limit: int = 4, also: Sequence[Query] = ()) -> str:
    """The comma-separated pieces of a clause that state its figures (rates, caps), in order, verbatim: pieces of the
    sentences that answer the question (a talent comparison does not quote the same clause's forum subsidy) and
    each further ask of it (`also`: "…what rate, and what's the yearly cap?"); when those state no figure, the
    sentences themselves."""
    terms = set(_query_terms(query)).union(*(_query_terms(q) for q in also))
    answering = [s for q in (query, *also) for s in _answering(clause, q)]
    pieces = [p.strip() for sentence in sentences(clause) if sentence in answering for p in _PIECE.findall(sentence) if p.strip()]
    scored = []
    for pos, piece in enumerate(pieces):
        if not _FIGURE.search(piece):
            continue
        score = 2 * len(_FIGURE.findall(piece)) + sum(1 for t in terms if t in piece)
        if any(w in piece for w in load_lexicon().cue("limit_words")):
            score += 2
        scored.append((score, pos, piece))
    if not scored:  # the answering sentences state no figure: they are the line, in their order
        return quote([_shorten(s, query) for s in sentences(clause) if s in answering][:ANSWERING_LIMIT])
    chosen, seen = [], set()
    for score, pos, piece in sorted(scored, key=lambda x: (-x[0], x[1])):
        figures = set(_FIGURE.findall(piece))
        if figures <= seen:
            continue  # the same rate restated for another case adds nothing to a comparison
        seen |= figures
        chosen.append((score, pos, piece))
    chosen = sorted(chosen[:limit + 2 * len(also)], key=lambda x: x[1])
    return ",".join(p for _, _, p in chosen) + "。"


def _shorten(sentence: str, query: Query) -> str:
    if len(sentence) <= _MAX_SENTENCE:
        return sentence
    terms = _query_terms(query)
    pieces = sentence.split(",")
    keep = [p for p in pieces if any(t in p for t in terms) or _HAS_NUMBER.search(p)] or pieces[:3]
    text = ",".join(keep)
    return text if len(text) <= _MAX_SENTENCE * 2 else text[: _MAX_SENTENCE * 2] + "…"


