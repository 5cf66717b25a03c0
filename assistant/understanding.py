"""Query understanding: language, cities, topics, question type, amounts and follow-up resolution.

Deterministic and fast (no model): vocabulary comes from `data/lexicon.yaml`, amounts from the
calculator's parser. Follow-ups are resolved against the conversation history into a standalone
`rewritten` question that is used for retrieval and answering.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Iterable, Iterator, Sequence

from assistant.calculator import find_amounts, find_percents
from assistant.calculator.amounts import format_yuan, money_figures
from assistant.lexicon import Lexicon, load_lexicon, without_words
from assistant.places import english_names
from assistant.spelling import HomophoneCorrector, lexicon_words
from assistant.sum_cues import deductions, input_of, said_unless_after
from index.cleaning import normalize_width, to_simplified
from index.tokenize import bigrams, tokenize

_CJK = re.compile(r"[\u3400-\u9fff]")
# "刚起步没几个人", "就几个人", "才几家": says there are few, asks no count
_FEW = re.compile(r"(?:没有?|就|才|只有|只)(?:几|多少)(?:个|家|名|位)?人?")
# up to three English words glossed by the Chinese term in brackets right after them
_GLOSSED = re.compile(r"((?:[a-z][a-z'-]*\s+){0,2}[a-z][a-z'-]*)\s*[((]\s*([\u3400-\u9fff]{2,12})\s*[))]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_THIS = re.compile(r"(这个|这项|这条|该项|该条|这一条|这笔|这种|这类|该政策|这个政策|这项政策|这条政策|它|其)")
_THIS_EN = re.compile(r"\b(this|that|it|these)\b", re.I)
_FOLLOWUP_TAIL = re.compile(r"(呢|吗)?[??。.!!]*\s*$")
_CITY_SWITCH = re.compile(r"^(那|那么|换成|如果是|要是|换到|在)?\s*(?P<city>.{1,8}?)(的话)?(呢|怎么样|如何|又如何|那边)[??。.!!]*$")
# "嘉兴那边又是按什么原则?": the same ask again, of another city
_CITY_AGAIN = re.compile(r"^(那|那么)?\s*(?P<city>[^,,]{1,8}?)(那边|这边|方面)?(又|也|则)(是|怎么|如何|按)")
_NAMES_LIMIT = re.compile(r"\s*元?的?(?:上限|封顶|限额|cap\b|ceiling\b|limit\b)", re.I)
_GOES_ON = re.compile(r"^(?:ok(?:ay)?[.,!]?\s*)?(?:and|so|then)\b|^(?:那么?|那这)(?![个些里边样])", re.I)
_WHAT_ABOUT = re.compile(r"^(what|how) about\b|^and\b|^same for\b", re.I)
# what may stand between a figure and the tag asking to confirm it ("140万元了吧", "1.5 million yuan, right"), a word
# saying it is the limit included ("1500万封顶,对吧?", "5 million max, right?")
_CHECK_GAP = re.compile(r"[\s,,]*(?:元|yuan|rmb)?[\s,,]*(?:封顶|为限|顶格|上限|tops|at most|max|maximum|cap|capped)?[了啊呀\s,,]*", re.I)
CITY_TOPIC_CHARS = 24  # a city-and-programme "…呢?" longer than this asks something of its own
_NEGATIONS = ("非", "不是", "不用", "没用", "未使用", "没", "未")  # "没" also ends 没有, 还没


# Question types that ask who handles a measure, until when, or which document: never for a figure.
DOCUMENT_QUESTION_TYPES = ("dates", "doc_meta", "responsible")


def _negated(text: str, start: int) -> bool:
    return any(text[:start].endswith(n) for n in _NEGATIONS)


def _affirmed(text: str, word: str) -> bool:
    """`word` occurs in `text` at least once not right after a negation ("非国产" does not affirm 国产)."""
    start = text.find(word)
    while start >= 0:
        if not _negated(text, start):
            return True
        start = text.find(word, start + 1)
    return False


def _spelled_out(text: str, word: str, max_gap: int = 4) -> bool:
    """A four-character term said in full: its characters in order with at most `max_gap` Chinese characters
    between each ("自己建的机房自己用" says 自建自用), affirmed, within one clause of the sentence."""
    if len(word) != 4 or not all(_CJK.match(ch) for ch in word):
        return False
    gaps = "".join(f"{re.escape(ch)}[\u3400-\u9fff、]{{0,{max_gap}}}?" for ch in word[:-1]) + re.escape(word[-1])
    return any(not _negated(text, m.start()) for m in re.finditer(gaps, text))


# A follow-up rewrites the previous question (swapped cities, an appended amount); over a history of turns
# that could grow past any question a client may send (issue 18 saw 4,000 characters). Kept at most
# MAX_REWRITTEN characters: the opening (a prefixed city or subject) and the end (an appended amount).
MAX_REWRITTEN = 2000
_REWRITTEN_TAIL = 200


def _bounded(query: "Query") -> "Query":
    text = query.rewritten
    if len(text) <= MAX_REWRITTEN:
        return query
    return replace(query, rewritten=f"{text[: MAX_REWRITTEN - _REWRITTEN_TAIL - 1]} {text[-_REWRITTEN_TAIL:]}")


_ASKS_BACK = re.compile(r"(的话)?呢[??]?\s*$")
_SAME_SITUATION = re.compile(r"^(同样|一样|相同|同一|换成|换到|放在|如果在|要是在|若在)")
# "Would it get the same there?", "郑州的子公司也有个模型刚备案下来,郑州那边给多少?": the same case, somewhere else
_SAME_THERE = re.compile(r"\bthe same\b.{0,25}\bthere\b|\bthere (?:instead|too|as well)\b|也有.{0,12}(?:那边|那里)", re.I)
_IF_THERE = re.compile(r"^(如果|要是|假如|若)[\u4e00-\u9fff]{1,4}?在")  # "如果公司在郑州…": the same case in another city
_AMOUNT_SWITCH = re.compile(r"(如果|要是|假如|换成|改成|若|\bif\b|\binstead\b)", re.I)


# "三个城市", "仨城市", "三地", "all three cities", "the three of them": a number of cities
_COUNTED_CITIES = re.compile(
    r"([两二三四五六七八九十仨俩]|\d+)\s*(?:个|座)?(?:城市|地(?![方区])|城(?!区))"
    r"|\b(?:all|the|these|those)\s+(two|three|four|five|six|seven|eight|nine|ten)\s+(?:cities|places|of them)\b"
)
_NUMERALS = {"两": 2, "二": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _numeral_value(word: str) -> int:
    return int(word) if word.isdigit() else _NUMERALS.get(word, 0)


# a sum pointed at ("这600万", "那笔500万", "that 6 million"): one the conversation stated
_POINTED = re.compile(r"(?:这|那|该|这笔|那笔|这个|那个|\bthis|\bthat|\bthose|\bthe same)\s*(?:rmb|¥)?\s*$", re.I)
# "另外900万" is one more sum of the same ask, not another ask
_PART_END = re.compile(r"(?<=[??])|[;;]\s*|(?=另外(?![\d一二三四五六七八九十两几]))|(?=此外|同时还|还想问|还有就是|and also\b|also,)", re.I)
_CONTINUES = re.compile(r"^(其中|分别|那么?|它们?|其|这些?|该|此)")  # a part that continues the one before it
MIN_PART_CHARS = 4  # a piece shorter than this is not a question of its own ("呢?")


def split_parts(text: str) -> list[str]:
    """The asks of a multi-part question, in order ("…能拿多少?另外…还能拿多少奖励?" → two parts)."""
    pieces = [p.strip(" ,。") for p in _PART_END.split(normalize_width(text))]  # "？" as typed is "?"
    pieces = [clause for piece in pieces for clause in _comma_asks(piece)]
    parts: list[str] = []
    lex = load_lexicon()
    opening_says_only = condition_only = False
    for piece in filter(None, pieces):
        short = len(re.sub(r"[\W_]", "", piece)) < MIN_PART_CHARS and not _asks_other_kind(piece, parts, lex)
        # "主要问营收和算力这两块": no ask and no kind of its own narrows the ask before it; so does what the asker
        # says of themselves after an ask ("…能多拿多少?我们是刚拿到备案的企业": its role or option)
        low = piece.lower()
        asks = lex.has_cue("asks_any", low) or asks_names(piece)
        says_only = not asks and question_type(low, lex) == "rate"
        if says_only and lex.has_cue("self_reference", low) and parts and _ASKS_BACK.search(parts[-1]):
            says_only = False  # "杭州呢?我们用的是非国产的卡": the switch, then an option follow-up of its own
        if parts and (short or _only_figures(piece) or says_only):
            parts[-1] += f" {piece}"  # too short, only figures ("同样250万") or no ask: belongs to the ask before it
        elif (len(parts) == 1 and opening_says_only) or (
                parts and condition_only and _ask_words(piece, lex) and question_type(low, lex) == "rate"):
            # "我们在郑州也有个厂;那边首台套奖多少?": the opening statement sets up this ask; so does a case put
            # without an ask before a figure question ("要是下个月备案批下来了呢?同样600万能补多少?"), not before
            # an ask of another kind ("要是按新建算呢?另外找哪个部门")
            parts[-1] += f" {piece}"
        else:
            parts.append(piece)
        opening_says_only = len(parts) == 1 and says_only
        condition_only = _CONDITION.match(piece) is not None and not _ask_words(piece, lex)
    return parts


def _ask_words(piece: str, lex: Lexicon) -> bool:
    """Asks in words, not only by a question mark or 呢 ("同样600万能补多少?", not "要是备案批下来了呢?")."""
    return lex.has_cue("asks_any", piece.lower().rstrip(" ?？呢吗"))


def _asks_other_kind(piece: str, parts: list[str], lex: Lexicon) -> bool:
    """A short piece that asks a question of its own kind ("…用在哪些地方?谁负责"), or the names of what the ask
    before it counts ("还剩几件?分别叫啥"), not the ask before it again."""
    if not parts:
        return False
    kind = question_type(piece.lower(), lex)
    return (kind != "rate" and kind != question_type(parts[-1].lower(), lex)) or (asks_names(piece) and not asks_names(parts[-1]))


# "哪两件", "哪几份", "哪几个文号", "分别是哪些", "叫什么名字": the names of the items counted (a pattern, not lexicon
# words, which the typo corrector would take as words to correct towards: 那两件 is no typo of 哪两件)
_ASKS_WHICH_ITEMS = re.compile(r"哪[两几三四五六七八九十]?(?:件|份)|哪[两几三四五六七八九十](?:个|项|条)|分别是哪些|叫什么|什么名字")


def asks_names(text: str) -> bool:
    """Asks the names of the items counted or listed ("分别叫啥", "哪两件", "which ones")."""
    return bool(_ASKS_WHICH_ITEMS.search(text)) or load_lexicon().has_cue("asks_names", text.lower())


_COMMA = re.compile(r"\s*(?:,\s*(?=and\b)|,|、)\s*", re.I)  # "补多少、归哪个部门管、啥时候到期?"
_SAME_ASK_OF = re.compile(r"^and\s+(?:for|what about|how about)\b|^(?:what|how) about\b", re.I)  # "…, and for Y?"
_WH_OPENING = re.compile(r"(?:^|(?<=[:;]\s)|(?<=[:;]))(?:and\s+)?(?:how|what|what's|which|who|when|where)\b", re.I)
_CONDITION = re.compile(r"^[^,]{0,8}?(如果|要是|假如|假设|万一)|^if\b", re.I)


def _comma_asks(piece: str) -> list[str]:
    """A piece holding several asks of different kinds between commas ("文号是多少,什么时候开始施行", "when did it
    take effect, and which bureau leads it"): one piece per ask. Words before an ask belong to it ("合同1000万,能补
    多少"), and asks of one kind stay together ("投资了几千万,能补多少")."""
    lex = load_lexicon()
    groups: list[list[str]] = [[]]
    for clause in _COMMA.split(piece):
        groups[-1].append(clause)
        # "如果能享受好几个政策," states the case the next ask is about; it asks nothing of its own
        if lex.has_cue("asks_any", without_few(clause).lower()) and not _CONDITION.match(clause):
            groups.append([])
    groups = [g for g in groups if g]
    last = groups[-1][-1] if groups else ""
    if len(groups) > 1 and (_ASKS_BACK.search(last) or _SAME_ASK_OF.match(last)) and len(groups[-1]) == 1:
        # "…奖多少,省级智能车间呢?", "how much for X, and for Y?": the same ask of another subject
        return [", ".join(g) for g in groups]
    if len(groups) > 1 and not any(lex.has_cue("asks_any", c.lower()) for c in groups[-1]):
        groups[-2:] = [groups[-2] + groups[-1]]  # words after the last ask belong to it
    asks = [", ".join(g) for g in groups]
    # each ask's kind is read from the words that ask it, not from the context before them ("看了政策解读,…哪天施行");
    # a count or a target is an ask of its own beside an amount ("how many parks by 2027, and what share of …")
    asking = [" ".join(c for c in g if lex.has_cue("asks_any", c.lower())) or " ".join(g) for g in groups]
    kinds = [(question_type(a.lower(), lex), lex.has_cue("count_question", a), lex.has_cue("target_question", a)) for a in asking]
    # "how big is the pool, what's the max per company, and what rate applies": English asks each opened by a
    # question word are asks of their own, of one kind or not
    opened = len(asks) > 1 and _WH_OPENING.search(asks[0]) is not None and all(_WH_OPENING.match(a.strip()) for a in asks[1:])
    if len(asks) <= 1 or (len(set(kinds)) == 1 and not opened):
        return [piece]
    return asks


def without_few(text: str) -> str:
    """The text without what says there are few ("没几个人"): such words ask no count."""
    return _FEW.sub(" ", text)


def question_type(low: str, lex: Lexicon) -> str:
    """The lexicon's first question type whose words the (lower-cased) text holds; `rate` by default."""
    for qtype, words in lex.question_types.items():
        if _contains_any(low, words["zh"]) or any(_en_match(low, w) for w in words["en"]):
            return qtype
    return "rate"


def _size(text: str) -> int:
    """A question's length in Chinese characters' worth: an English word counts as two (a 20-character Chinese
    question says about as much as ten English words), so the short-follow-up limits hold in both."""
    rest = re.sub(r"\s", "", _LATIN_WORD.sub("", text))
    return len(rest) + 2 * len(_LATIN_WORD.findall(text))


def _only_figures(piece: str) -> bool:
    """A piece that states figures and asks nothing ("同样250万", "增速一样"): it completes the ask before it."""
    asks = load_lexicon().has_cue("asks_any", piece)
    return bool(find_amounts(normalise(piece))) and len(piece) <= FIGURES_ONLY_CHARS and not asks


FIGURES_ONLY_CHARS = 10
MIN_EN_WORDS = 4  # English words a question needs to be read as English despite Chinese characters in it
ZH_CHAR_LETTERS = 3  # how many letters of an English topic word one character of a Chinese one counts as
IMPLICIT_SUBJECT_CHARS = 16
ELLIPSIS_CHARS = 10  # "算力规模呢?": a short "…呢?" that names neither a city nor an amount repeats the earlier ask  # a question this short that names no city, topic or amount continues the conversation


def _asker_sums(text: str) -> tuple:
    """The sums a text states, not those it names as the policy's limit ("800万上限能不能更高?")."""
    return tuple(a for a in find_amounts(text) if not _NAMES_LIMIT.match(text, a.end))


def _confirming_tag(low: str, lex: Lexicon) -> int | None:
    """Where the tag asking to confirm what was just said ("对吧?", "right?") starts, when the question ends with one."""
    tail = low.rstrip(" ??!!。.")
    tag = next((w for w in lex.cue("checks_figure") if tail.endswith(w)), None)
    return None if tag is None else len(tail) - len(tag)


def _without_quoted_figures(query: "Query", previous: "Query", lex: Lexicon) -> "Query":
    """"那1000万是一次性给的吗?" after an answer that stated 1000万: a figure the assistant stated and the asker never
    did is the policy's, not a sum of the asker's — unless the asker says it is theirs ("我们", "合同") or asks what it
    yields ("500万能补多少")."""
    if not query.amounts:
        return query
    low = query.text.lower()
    # "那500万和1000万有我们的份吗?": figures pointed back at are the ones stated, whatever else the question says
    pointed: set = set()
    for before, amount in zip((None, *query.amounts), query.amounts):
        listed = before is not None and before.yuan in pointed and _LISTED.fullmatch(low[before.end:amount.start])
        if listed or _POINTED_BACK.search(low[max(0, amount.start - 5):amount.start]):
            pointed.add(amount.yuan)
    cued = any(_contains_any(low, words) for words in (*lex.amount_cues.values(), *lex.amount_deductions.values()))
    # "所以最多就100万是吧?": a figure asked to be confirmed is the answer's, whatever amount words come with it
    asks_amount = lex.has_cue("amount_question", low) and _confirming_tag(low, lex) is None
    if (cued or lex.has_cue("self_reference", low) or asks_amount) and not pointed:
        return query
    answered: set = set()
    turn: Query | None = previous
    while turn is not None:
        answered |= money_figures(normalise(turn.reply)) if turn.reply else frozenset()
        turn = turn.previous
    quoted = answered - stated_sums(previous)
    if pointed:  # when some are pointed at, only those are taken for the assistant's
        quoted &= pointed
    return replace(query, amounts=tuple(a for a in query.amounts if a.yuan not in quoted))


_POINTED_BACK = re.compile(r"(?:那|这|那个|这个|\bthat|\bthe|\bthose|\bthese)\s*$")
_LISTED = re.compile(r"\s*(?:和|与|跟|及|、|,|and|or)\s*")  # "那500万和1000万": one more of the figures pointed at


def stated_sums(turn: "Query | None") -> frozenset:
    """Every sum (yuan) the asker stated in this turn and the turns before it."""
    sums: set = set()
    while turn is not None:
        sums |= {a.yuan for a in turn.amounts}
        turn = turn.previous
    return frozenset(sums)


_STATE_FOLLOWUPS = ("amount", "option", "context")  # follow-ups that add figures or choices to the same question


def earlier_turns(query: "Query") -> list["Query"]:
    """The earlier turns of a query's conversation, the latest first."""
    turns, turn = [], query.previous
    while turn is not None:
        turns.append(turn)
        turn = turn.previous
    return turns


def talked_cities(query: "Query") -> tuple[str, ...]:
    """The cities a question and the turns before it named, those named now first."""
    return tuple(dict.fromkeys(c for turn in (query, *earlier_turns(query)) for c in turn.cities))


def _state_amounts(previous: "Query | None") -> tuple:
    """The amounts the conversation last stated (a follow-up about dates does not forget the contract sum)."""
    while previous is not None:
        if previous.amounts:
            return previous.amounts
        previous = previous.previous
    return ()


@dataclass(frozen=True)
class Query:
    """What the question asks, resolved against the conversation."""

    original: str
    text: str  # width-normalised, simplified, lower-cased where Latin
    lang: str  # zh | zh-Hant | en
    cities: tuple[str, ...] = ()  # corpus cities asked about
    outside_places: tuple[str, ...] = ()  # places named that the corpus has no policy for
    topics: tuple[str, ...] = ()
    qtype: str = "rate"  # rate | responsible | dates | doc_meta | interpretation | compare | eligibility
    amounts: tuple = ()  # calculator Amounts, in order of appearance
    percents: tuple[Decimal, ...] = ()
    options: dict = field(default_factory=dict)
    off_topic: bool = False
    followup: str | None = None  # city | amount | option | ellipsis | this | compare | context (only the place carried on)
    rewritten: str = ""
    previous: "Query | None" = None
    subject: str = ""  # what a follow-up about "this" was taken to be about (carried, never re-grown, along a chain)
    reply: str = ""  # the assistant's answer to this question (normalised like questions), when the conversation records one
    # figures the asker asks to have confirmed ("那就是能拿140万对吧?", "前后一共就是50万,对吧?"): the figure question is
    # asked again and its answer says whether they hold
    checked: tuple[Decimal, ...] = ()

    @property
    def search_text(self) -> str:
        """The rewritten question plus Chinese expansions of its topics (English questions need them for BM25)."""
        lex = load_lexicon()
        extra = " ".join(lex.topic(t).expand for t in self.topics)
        low = self.rewritten.lower()
        extra += " " + self._in_clause_words()
        extra += " " + " ".join(lex.clause_words(low))  # "哪个单位出的" → 机关
        extra += " " + " ".join(wide.words if (wide := lex.policy_wide_ask(low)) else ())  # "钱谁出?" → 所需资金
        return f"{self.rewritten} {' '.join(self.cities)} {extra}".strip()


    @property
    def own_words(self) -> str:
        """The question's own wording, its English words with the clauses' Chinese for them (no topic expansions)."""
        return f"{self.rewritten or self.text} {self._in_clause_words()}".strip()

    def _in_clause_words(self) -> str:
        """The Chinese the clauses use for the English words of the question ("嘉兴AI实施方案", "revenue target")."""
        lex = load_lexicon()
        low = (self.rewritten or self.text).lower()
        said = [cue for cue in lex.en_cues if _en_match(low, cue)]
        # the longest phrase wins: "growth type" (成长型) is not "growth" (同比增速)
        said = [cue for cue in said if not any(cue != other and cue in other for other in said)]
        return " ".join(lex.en_cues[cue] for cue in said)


def normalise(text: str) -> str:
    return to_simplified(normalize_width(text)).strip()


def detect_lang(text: str) -> str:
    width = normalize_width(text)
    cjk = len(_CJK.findall(width))
    latin = len(_LATIN_WORD.findall(width))
    # an English question may quote a policy's Chinese term ("through the open-competition (揭榜挂帅) scheme")
    if (cjk == 0 and latin) or (latin >= MIN_EN_WORDS and cjk <= latin):
        return "en"
    if cjk and to_simplified(width) != width:
        return "zh-Hant"
    return "zh"


def _contains_any(text: str, terms: Iterable[str]) -> bool:
    return any(t and t in text for t in terms)


_EN_NEGATION = re.compile(r"(?:\bnot|\bno|\bnever|\bnon|n't)[\s-]+(?:\w+\s+)?$")


def _en_affirmed(text: str, term: str, gap: int = 0) -> bool:
    """`term` occurs as English words at least once not just after a negation ("aren't chinese-made")."""
    if not _en_match(text, term, gap):
        return False
    return any(_EN_NEGATION.search(text[: m.start()]) is None for m in _en_pattern(term, gap).finditer(text))


def _en_match(text: str, term: str, gap: int = 0, forms: bool = False) -> bool:
    """`term` occurs in `text` as whole English words (with up to `gap` other words between them: "a new
    information-services project" says "new project"; with `forms`, a verb form of each word: "model filing" is said
    by "model filed"); Chinese text is never searched for English terms."""
    first = (_en_stem(term.split()[0]) if forms else term.split()[0])[:4]  # a quick test, whatever the spelling
    return _LATIN_WORD.search(text) is not None and first in text and _en_pattern(term, gap, forms).search(text) is not None


_INFLECTED = re.compile(r"([a-z]{3,}?)(?:ing|ed)")


def _en_stem(word: str) -> str:
    return m.group(1) if (m := _INFLECTED.fullmatch(word)) is not None else word


# British and American spellings of one word ("centre"/"center", "organisation"/"organization"): either says it
_EN_SPELLINGS = ((re.compile(r"(?<=cent)(?:re|er)$"), "(?:re|er)"), (re.compile(r"(?<=i)[sz](?=e$|ed$|ing$|ation)"), "[sz]"),
                 (re.compile(r"(?<=program)(?:me)?$"), "(?:me)?"), (re.compile(r"(?<=licen)[cs](?=e$)"), "[cs]"))


def _en_spelled(word: str) -> str:
    """A pattern for one English word in either spelling."""
    pattern = re.escape(word)
    for form, either in _EN_SPELLINGS:
        pattern = form.sub(either, pattern, count=1)
    return pattern


def _en_word(word: str, forms: bool) -> str:
    """A word of an English term in either spelling, with its verb forms when `forms` ("filing" also says "filed",
    "file", "files")."""
    stem = _en_stem(word) if forms else word
    return rf"{_en_spelled(stem)}(?:e|ed|ing)?" if stem != word else _en_spelled(word)


@lru_cache(maxsize=4096)
def _en_pattern(term: str, gap: int = 0, forms: bool = False) -> re.Pattern:
    # "vouchers" names a voucher; "new-build" says "new build"
    between = rf"(?:[\s-]+[a-z]+){{0,{gap}}}?[\s-]+" if gap else r"[\s-]+"
    words = between.join(_en_word(w, forms) for w in term.split())
    return re.compile(rf"(?<![a-z]){words}(?:e?s)?(?![a-z])")


_NEW_TOTAL = ("到", "至", "达", "为", " to")  # words right before a sum that make it the new total
GROWTH_WINDOW = 10  # characters before a sum in which "another", "又", "追加" say it adds to an earlier one
TOPIC_WORD_GAP = 1  # English words a topic phrase in another verb form may have between its words ("model got filed")
OPTION_WORD_GAP = 2  # English words an option's words may have between them ("new information-services project")


class QueryParser:
    """Parses questions for one corpus (its cities come from the index, not from a fixed list)."""

    def __init__(
        self, corpus_cities: Iterable[str], lexicon: Lexicon | None = None, corrector: HomophoneCorrector | None = None,
        award_words: Iterable[str] = (), corpus_words: Iterable[str] = (),
    ) -> None:
        self.lex = lexicon or load_lexicon()
        # words of the clauses that are no question words of the lexicon ("孵化", "语料库"): a short question naming
        # a city and one of them asks about that subject there, not what the earlier question asked
        # a word inside one of them (牵头 in 谁牵头) is no subject
        inside = {w[i:j] for w in lexicon_words(self.lex)[1] for i in range(len(w)) for j in range(i + 2, len(w) + 1)}
        self._subject_words = frozenset(w for w in corpus_words if len(w) >= 2) - inside
        # the words that tell one award of a programme from its siblings ("车间", "workshop"), from the rules
        self._award_zh = tuple(w for w in award_words if not w.isascii())
        self._award_en = frozenset(w for w in award_words if w.isascii())
        self.corrector = corrector  # homophone typos (补帖 → 补贴) fixed before the question is read
        self.corpus_cities = tuple(sorted(set(c for c in corpus_cities if c)))
        # Cities named by their aliases and English names: the corpus's own (whatever they are) and the lexicon's.
        named = sorted(set(self.corpus_cities) | set(self.lex.city_aliases))
        self._zh_aliases = {c: self.lex.city_aliases.get(c) or (c + "市", c) for c in named}
        self._en_names = {c: english_names(c) for c in named}
        covered_en = {n for names in self._en_names.values() for n in names}
        # Other places: every known city's pinyin (so "Ningbo" is outside until a 宁波 document arrives) and the
        # lexicon's list of foreign and other places; never a name of a city the corpus covers.
        others = {n: n.title() for c in self.lex.all_cities if c not in self._zh_aliases for n in english_names(c) if " " not in n}
        others.update({p: p.title() for p in self.lex.other_places_en})
        others = {n: shown for n, shown in others.items() if n not in covered_en}
        self._other_en = re.compile(
            r"\b(" + "|".join(re.escape(n) for n in sorted(others, key=len, reverse=True)) + r")\b"
        ) if others else None
        self._other_en_shown = others

    # -- single question -------------------------------------------------------------------
    def parse_parts(self, question: str, history: Sequence[dict] = ()) -> list[Query]:
        """Each ask of a question, understood in order; a part that names no city takes the one asked before."""
        parts = split_parts(normalise(question))  # the cue words are simplified: "要找誰?" is an ask of its own
        if len(parts) <= 1:
            return [self.parse(question, history)]
        lang = detect_lang(question)
        queries: list[Query] = []
        earlier = list(history)
        for part in parts:
            query = replace(self.parse(part, earlier), lang=lang)  # answered in the language asked
            before = queries[-1] if queries else None
            if before is not None and (query.followup in ("this", "ellipsis") or _CONTINUES.match(query.text)):
                # "分别是什么?", "其中高性能算力要达到多少?": continues the ask before it
                elliptic = query.followup == "ellipsis" or _CONTINUES.match(query.text)  # "省级呢?" asks the same
                query = replace(
                    query, cities=query.cities or before.cities, topics=before.topics or query.topics,
                    qtype=before.qtype if elliptic and query.qtype == "rate" else query.qtype,
                    # an ask about "it" in words of its own keeps them with the subject it carries
                    rewritten=f"{before.rewritten} {query.text}" if elliptic else query.rewritten,
                )
            elif before is not None and not query.cities and before.cities and not query.outside_places:
                query = replace(query, cities=before.cities, rewritten=f"{'、'.join(before.cities)} {query.rewritten}")
            elif before is not None and not query.cities and not query.outside_places and before.outside_places:
                query = replace(query, outside_places=before.outside_places)  # "上海有算力券吗?比例多少?": still 上海
            elif (before is not None and query.cities and set(query.cities) <= set(before.cities or query.cities)
                  and before.topics and not query.topics and query.qtype in ("rate", "eligibility", "compare")):
                # "创新中心杭州跟郑州谁给得多?杭州是每年给吗?": one of those cities, the programme asked about
                query = replace(query, topics=before.topics, rewritten=f"{query.rewritten} {self._topic_names(before.topics)}")
            queries.append(query)
            # a follow-up part stays a follow-up of the conversation ("这个找哪些部门?省级的给多少"); another part
            # carries the cities it was asked about
            shown = part if query.followup and query.followup != "context" else query.rewritten if query.cities else part
            earlier = [*earlier, {"role": "user", "content": shown}]
        # "算力券一年最多能拿多少?杭州跟郑州差多少?": asks before the first that names a city, naming none and
        # finding none in the conversation, are about the cities it names
        naming = next((q for q, part in zip(queries, parts) if self._places(part.lower(), lang)[0]), None)
        if naming is not None:
            for i, query in enumerate(queries):
                if query is naming:
                    break
                if not query.cities and not query.outside_places:
                    queries[i] = replace(
                        query, cities=naming.cities, rewritten=f"{'、'.join(naming.cities)} {query.rewritten}")
        return queries

    def parse(self, question: str, history: Sequence[dict] = ()) -> Query:
        """The question understood in its conversation; a comparison or a document question of "三个城市"/"all three
        cities"/"各地" takes in every city of the corpus (the ones named or talked about first)."""
        query = self._parse_in_conversation(question, history)
        low = query.text.lower()
        if query.followup and self.lex.has_cue("other_cities", low) and not self._places(low, query.lang)[0]:
            # "那别的城市呢?": the cities talked about beside the others, the same ask of each
            others = tuple(c for c in self.corpus_cities if c not in query.cities)
            if others:
                query = replace(
                    query, cities=(*query.cities, *others), followup="compare",
                    qtype="compare" if query.qtype == "rate" else query.qtype,
                )
        compared = query.followup == "compare" or query.qtype == "compare"
        if (compared or query.qtype in DOCUMENT_QUESTION_TYPES) and self._says_every_city(query.text):
            return replace(query, cities=tuple(dict.fromkeys((*query.cities, *self.corpus_cities))))
        if query.qtype == "dates" and len(query.cities) < 2 and self.lex.has_cue("asks_ends_first", low):
            # "三个里面哪个最先到期?": the policies of the cities talked about, else of every city
            cities = talked_cities(query)
            return replace(query, cities=cities if len(cities) >= 2 else self.corpus_cities)
        return query

    def _parse_in_conversation(self, question: str, history: Sequence[dict]) -> Query:
        previous = None
        turns: list[Query] = []
        for turn in history:
            if turn.get("role") == "user" and str(turn.get("content", "")).strip():
                previous = _bounded(self._resolve(self._parse_one(turn["content"]), previous))
                turns.append(previous)
            elif turn.get("role") == "assistant" and previous is not None:
                previous = turns[-1] = replace(previous, reply=normalise(str(turn.get("content") or "")))
        query = self._parse_one(question)
        if (compared := self._compared_across_conversation(query, turns)) is not None:
            return _bounded(compared)
        back = self._returned_to(query, turns)
        if back is None:
            return _bounded(self._resolve(query, previous))
        # "那回到物流那个项目,能拿多少?": that question again, with its programme, place and sums
        resolved = self._resolve(query, back)
        if resolved.rewritten == query.text:  # "上面说嘉兴那个,省级的多少?": asked in the words of that question
            resolved = replace(resolved, rewritten=f"{back.rewritten} {query.text}")
        return _bounded(replace(
            resolved, cities=resolved.cities or back.cities, topics=resolved.topics or back.topics,
            options={**back.options, **resolved.options},  # its sums: the calculator reads them from the turns that said them
        ))

    def _compared_across_conversation(self, query: Query, turns: Sequence[Query]) -> Query | None:
        """"so which city pays more?": the latest programme asked about, across every city the conversation named.
        "哪个给得多?" or "and the yearly cap for each?" compares the cities too when the conversation went through
        one programme only (with two programmes of one city it compares the programmes)."""
        if query.cities or query.outside_places or not turns:
            return None
        talked = {t for turn in turns for t in self.lex.programmes(turn.topics)}
        if not set(self.lex.programmes(query.topics)) <= talked:  # a programme not talked about yet is a new subject
            return None
        low = query.text.lower()
        across = self.lex.asks_which_more(low) or self.lex.has_cue("asks_each", low)
        if query.qtype != "compare" and not (across and len(self._programmes_talked_about(turns[-1])) <= 1):
            return None
        cities = tuple(dict.fromkeys(c for turn in turns for c in turn.cities))
        base = next((t for t in reversed(turns) if t.topics and t.qtype not in DOCUMENT_QUESTION_TYPES), None)
        if base is None and across:  # "杭州算力券谁负责" "郑州呢" "哪个给得多?": the programme those turns were about
            base = next((t for t in reversed(turns) if t.topics), None)
        if len(cities) < 2 or base is None:
            return None
        return replace(
            # "两边分别找哪个部门?": a document question keeps its kind and is answered per city
            query, followup="compare", cities=cities, topics=base.topics,
            qtype=query.qtype if query.qtype in DOCUMENT_QUESTION_TYPES else "compare",
            amounts=query.amounts or _state_amounts(base), options={**base.options, **query.options},
            rewritten=f"{base.rewritten} {query.text}", previous=turns[-1],
        )

    def _returned_to(self, query: Query, turns: Sequence[Query]) -> Query | None:
        """The earlier turn a follow-up goes back to ("那回到物流那个项目,能拿多少?"): the first question about a
        programme when it says so ("the first one"), the latest one in the city it names ("上面说嘉兴那个"), else the
        latest turn before the last that shares the most of its own words; None when it does not point back."""
        low = query.text.lower()
        if len(turns) < 2 or not self.lex.has_cue("returns_to", low):
            return None
        earlier = list(turns[:-1])
        if self.lex.has_cue("returns_to_first", low):
            start = next((i for i, t in enumerate(earlier) if t.topics), None)
        elif query.cities and any(set(t.cities) & set(query.cities) for t in earlier):
            # "back to Hangzhou's one": the latest programme asked about in that city
            there = [i for i, t in enumerate(earlier) if t.topics and set(t.cities) & set(query.cities)]
            start = max(there, default=None)
        elif self.lex.has_cue("points_to_sum", low) and any(t.amounts for t in earlier):
            # "按刚才说的那笔投入": the latest turn that stated a sum, whatever words it shares
            start = max(i for i, t in enumerate(earlier) if t.amounts)
        else:
            own = bigrams(without_words(low, self.lex.cue("returns_to")))
            shared, start = max(((len(own & bigrams(t.text)), i) for i, t in enumerate(earlier)), default=(0, None))
            # "back to our project then": sharing no words, the latest turn that stated the asker's sums
            start = start if shared else max((i for i, t in enumerate(earlier) if t.topics and t.amounts), default=None)
        if start is None:
            return None
        end = start  # with the follow-ups that went on about it ("我们合同400万" after "杭州算力券国产算力补多少")
        while end + 1 < len(earlier) and earlier[end + 1].followup in _STATE_FOLLOWUPS and earlier[end + 1].topics == earlier[start].topics:
            end += 1
        return earlier[end]

    def _parse_one(self, question: str) -> Query:
        lang = detect_lang(question)
        text = normalise(question)
        if self.corrector is not None:
            text = self.corrector.correct(text)  # `original` keeps what the user typed
        text = self.lex.in_document_terms(text)
        low = text.lower()
        cities, outside = self._places(low, lang)
        topics = self._topics(low)
        qtype = self._qtype(low)
        if qtype in ("rate", "eligibility", "interpretation") and len(cities) >= 2:  # the same ask of each city
            qtype = "compare"
        amounts = _asker_sums(text)
        percents = tuple(p.value for p in find_percents(text))
        off_topic = not topics and (
            _contains_any(low, self.lex.off_topic_zh) or any(_en_match(low, t) for t in self.lex.off_topic_en)
        )
        return Query(
            original=question, text=text, lang=lang, cities=cities, outside_places=outside, topics=topics,
            qtype=qtype, amounts=amounts, percents=percents, options=self._options(low), off_topic=off_topic,
            rewritten=text,
        )

    def _places(self, low: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        found: list[tuple[int, str]] = []
        for city, aliases in self._zh_aliases.items():
            for alias in aliases:
                if (pos := low.find(alias)) >= 0:
                    found.append((pos, city))
                    break
            else:
                for alias in self._en_names[city]:
                    if (m := re.search(rf"\b{re.escape(alias)}\b", low)) is not None:
                        found.append((m.start(), city))
                        break
        for city in self.lex.all_cities:
            if city not in self._zh_aliases and (pos := low.find(city)) >= 0:
                found.append((pos, city))
        for place in self.lex.other_places_zh:
            if (pos := low.find(place)) >= 0:
                found.append((pos, place))
        if self._other_en is not None:
            for m in self._other_en.finditer(low):
                found.append((m.start(), self._other_en_shown[m.group(1)]))
        ordered = list(dict.fromkeys(city for _, city in sorted(found)))
        inside = tuple(c for c in ordered if c in self.corpus_cities)
        outside = tuple(c for c in ordered if c not in self.corpus_cities)
        return inside, outside

    def _topics(self, low: str) -> tuple[str, ...]:
        hits: list[tuple[int, str]] = []
        low = self._without_glosses(low)
        # an English phrase with a meaning of its own hides the topic word inside it ("land revenue" is no revenue)
        topic_words = {w for t in self.lex.topics for w in t.en}
        phrases = [c for c in self.lex.en_cues if " " in c and c not in topic_words and _en_match(low, c)]
        low = without_words(low, phrases) if phrases else low
        for topic in self.lex.topics:
            # "新建一个项目" says 新建项目: a four-character term with a measure word or two inside
            # a Chinese character says about as much as a short English word: "揭榜挂帅" quoted in an English question
            # outweighs "competition"
            best = max((len(t) * ZH_CHAR_LETTERS for t in topic.zh if t in low or _spelled_out(low, t, max_gap=2)), default=0)
            # a phrase in another verb form, a word apart ("model got filed") names its topic; a lone word ("filed")
            # may be an option
            best = max(best, max((len(t) for t in topic.en if _en_match(low, t) or (
                " " in t and _en_match(low, t, gap=TOPIC_WORD_GAP, forms=True))), default=0))
            if best:
                hits.append((-best, topic.topic_id))
        return tuple(t for _, t in sorted(hits))

    def _without_glosses(self, low: str) -> str:
        """An English phrase glossed by a Chinese term of a topic ("the open-competition (揭榜挂帅) route") is read as
        that term: its own words name no topic of their own ("competition" is no event here)."""

        def term_names_topic(term: str) -> bool:
            return any(t in term or term in t for topic in self.lex.topics for t in topic.zh)

        return _GLOSSED.sub(lambda m: f" {m.group(2)}" if term_names_topic(m.group(2)) else m.group(0), low)

    def _qtype(self, low: str) -> str:
        return question_type(low, self.lex)

    def _options(self, low: str) -> dict:
        """Calculator options the question states; the longest matching word wins ("非国产" over "国产"); a choice
        said with a negation ("aren't chinese-made") is the choice the lexicon names as its negation, if any."""
        chosen: dict = {}
        for name, choices in self.lex.options.items():
            best: tuple[int, str] | None = None
            for choice, words in choices.items():
                for word in words["zh"]:
                    said = _affirmed(low, word) or _spelled_out(low, word)
                    meant = choice if said else words["negated"] if word in low else None
                    if meant and (best is None or len(word) > best[0]):
                        best = (len(word), meant)
                for word in words["en"]:
                    said = _en_affirmed(low, word, OPTION_WORD_GAP)
                    meant = choice if said else words["negated"] if _en_match(low, word, OPTION_WORD_GAP) else None
                    if meant and (best is None or len(word) > best[0]):
                        best = (len(word), meant)
            if best is not None:
                chosen[name] = {"true": True, "false": False}.get(best[1], best[1])
        return chosen

    # -- follow-ups ------------------------------------------------------------------------
    def _says_every_city(self, text: str) -> bool:
        low = text.lower()
        if self.lex.has_cue("every_city", low):
            return True
        counted = [_numeral_value(m.group(1) or m.group(2)) for m in _COUNTED_CITIES.finditer(low)]
        return len(self.corpus_cities) >= 2 and len(self.corpus_cities) in counted

    def _resolve(self, query: Query, previous: Query | None) -> Query:
        if previous is None or previous.off_topic or (previous.outside_places and not previous.cities):
            return query
        low = query.text.lower()
        if not (query.topics or query.amounts or query.cities) and self.lex.has_cue("asks_other", low) and (
                self.lex.has_cue("support_words", low)):
            return query  # "还有别的补贴吗?": what else there is, not more of the programme talked about
        stated = len(query.amounts)
        before = query.amounts
        query = _without_quoted_figures(query, previous, self.lex)
        # "那就是能拿140万对吧?", "前后一共就是50万,对吧?": a figure to confirm, the answer's or the asker's own sum of
        # it, is no sum to compute with
        # …also one named as the limit ("最多也就1500万封顶,对吧?"), which is no sum of the asker's either
        if checked := self._checked(low, find_amounts(query.text)):
            query = replace(query, checked=checked, amounts=tuple(a for a in query.amounts if a.yuan not in checked))
        query = self._added_up(query, previous)
        pointed = self._turn_of_pointed_sum(query, previous)
        if pointed is not None and set(pointed.topics) != set(query.topics) and not (
                query.topics and set(query.topics) < set(pointed.topics)):
            # "那这600万能拿多少?": about the programme that sum was stated for (拿到备案 being a condition of it) —
            # unless the question names one of that turn's programmes itself ("这260万…能拿多少算力券?")
            query = replace(query, topics=pointed.topics, rewritten=f"{query.rewritten} {self._topic_names(pointed.topics)}")
        if self._compares_with_earlier(query, previous):
            # "那跟嘉兴比呢?", "how does that compare with Hangzhou?": the last figure question, in the earlier
            # cities and the ones named, side by side
            base = self._figure_question(previous, query.topics)
            return replace(
                query, followup="compare", cities=tuple(dict.fromkeys((*previous.cities, *query.cities))),
                topics=query.topics or base.topics, qtype="compare", amounts=query.amounts or _state_amounts(base),
                percents=query.percents or base.percents, options={**previous.options, **query.options},
                rewritten=f"{base.rewritten} {query.text}", previous=previous,
            )
        if not query.cities and (anew := self._deduction_said_anew(query, previous)) is not None:
            return anew
        if (corrected := self._corrected(query)) is not None:
            query, kind = corrected
        elif query.checked and not (query.cities or query.topics):
            kind = "option"  # the figure question again, nothing changed: its answer confirms or corrects the figure
        else:
            kind = self._restates_slot(query, previous) or self._followup_kind(query)
        if kind == "this" and query.qtype == "eligibility" and not query.amounts and _state_amounts(self._figure_question(previous)):
            kind = "option"  # "那我们这个够不够门槛?" after stating sums: the figure question again, its conditions checked
        if kind is None:
            return self._in_context(query, previous, quotes=len(query.amounts) < stated)
        if kind == "city":
            # "换成郑州呢?同样250万": with figures, the last figure question is asked again in the new city; naming a
            # programme ("嘉兴对应用场景呢?"), the last figure question about that programme, sums only if the same one
            other = bool(query.topics) and not set(query.topics) & set(previous.topics)
            # …and so does one naming an option ("And in Hangzhou, with domestic chips?" after "Who runs it?")
            base = self._figure_question(previous) if query.amounts or query.topics or query.options else previous
            if query.topics and (other or base.qtype in DOCUMENT_QUESTION_TYPES):
                base = replace(query, qtype="rate")  # another programme: its own words, asked as the figure question was
            rewritten = self._swap_cities(base.rewritten, base.cities, query.cities, base.lang)
            rewritten = f"{rewritten} {query.text}" if query.topics and base.text != query.text else rewritten
            # "who handles it in Hangzhou" after a question on Jiaxing's document: its own ask, in the new city
            own = query.qtype if query.qtype not in ("rate", "compare") else None
            return replace(
                query, followup=kind, topics=query.topics or base.topics,
                qtype=own or (base.qtype if base.qtype != "compare" else "rate"),
                amounts=query.amounts or (() if other else _state_amounts(previous)), percents=query.percents or previous.percents,
                options={**previous.options, **query.options}, rewritten=rewritten, previous=previous,
            )
        if kind == "ellipsis":
            # "算力规模呢?" after "营收规模要达到多少?": the same ask about what this turn names
            return replace(
                query, followup=kind, cities=previous.cities, topics=query.topics or previous.topics, qtype=previous.qtype,
                options={**previous.options, **query.options}, rewritten=f"{previous.rewritten} {query.text}",
                previous=previous,
            )
        if kind == "option":
            # "如果用的是其他算力设施呢?", "增速只有9%呢?", "我们是共建单位呢?": the last question that asked for a
            # figure, asked again with only the named slot changed
            base = self._figure_question(previous, query.topics)
            amounts = _state_amounts(base)
            # "what if our model were filed with the CAC?" after sums for the compute subsidy: the option's words name
            # a programme too, but the sums stated are for the one asked about
            topics = (base.topics or query.topics) if amounts and query.options else query.topics or base.topics
            if query.amounts:  # "换成提升改造,投800万呢?": the sums it states replace the earlier ones
                shift = len(base.rewritten) + 1
                amounts = tuple(replace(a, start=a.start + shift, end=a.end + shift) for a in query.amounts)
            return replace(
                query, followup=kind, cities=previous.cities, topics=topics, qtype=base.qtype,
                amounts=amounts, percents=query.percents or base.percents,
                options={**previous.options, **query.options}, rewritten=f"{base.rewritten} {query.text}",
                previous=previous,
            )
        if kind == "amount":
            # "投资额提高到2000万元呢?" asks the last figure question again, even after "这个是哪些部门负责?"; "那这1000万
            # 要是用国产的呢?" the one that stated that sum
            base = pointed or self._figure_question(previous)
            query = self._grown(base, query)
            if self._deducts(query) and _state_amounts(base):
                # "土地款200万也算在里面": a sum to take out of the one stated, not a new one; both are read from
                # the earlier question followed by this one
                shift = len(base.rewritten) + 1
                added = tuple(replace(a, start=a.start + shift, end=a.end + shift) for a in query.amounts)
                return replace(
                    query, followup="option", cities=previous.cities, topics=base.topics or previous.topics,
                    qtype=base.qtype, amounts=(*_state_amounts(base), *added), percents=query.percents or base.percents,
                    options={**previous.options, **query.options}, rewritten=f"{base.rewritten} {query.text}",
                    previous=previous,
                )
            rewritten = self._swap_amount(base, query)
            if len(base.amounts) >= 2 and self._same_input_amount(base, query) is not None:
                # "total investment is 40 million not 80" among a loan and a total: the figure question again with
                # every sum it stated, the one said anew in place of the earlier one of the same input, each read
                # with the words said of it there
                return self._asked_again(query, base, previous, rewritten)
            return replace(
                query, followup=kind, cities=previous.cities, topics=base.topics or previous.topics, qtype=base.qtype,
                options={**previous.options, **query.options}, rewritten=rewritten, previous=previous,
                percents=query.percents or base.percents,
            )
        subject = self._subject(previous)
        # a function, not a template: a subject with a backslash ("\\") is text, not an escape
        rewritten = _THIS.sub(lambda _: subject, query.text, count=1) if query.lang != "en" else f"{query.text} ({subject})"
        if rewritten == query.text:
            rewritten = f"{subject} {query.text}"
        topics = previous.topics
        talked = self._programmes_talked_about(previous, 2)
        if self.lex.has_cue("both_of_them", query.text) and len(talked) == 2:
            topics = talked[::-1]  # "这俩归哪个局管?": the two programmes the conversation went through, in order
        return replace(
            query, followup=kind, cities=query.cities or previous.cities, topics=topics,
            options={**previous.options, **query.options}, rewritten=rewritten, previous=previous, subject=subject,
        )

    def _in_context(self, query: Query, previous: Query, quotes: bool = False) -> Query:
        """A question that is no short follow-up still happens where the conversation is: naming no place, it keeps
        the earlier cities; giving figures but naming no programme, it keeps the programme too ("国家拨款到账了
        1600万,能配多少?" after a question on 杭州's matching grants), as does one quoting a figure of the answer
        (`quotes`: "Does the building count toward the 20 million?")."""
        if query.cities or query.outside_places or not previous.cities or query.off_topic or query.qtype == "compare":
            return replace(query, previous=previous)  # its own question, still said after the earlier ones
        # "我们今年用了700万,刚拿到网信办备案": figures with an option are the asker's situation under the programme
        # asked about, even when the option's words name a programme too
        figures = bool(query.amounts or query.percents or quotes) and (not query.topics or bool(query.options))
        # "if we landed both titles, which one pays more, and can we take both?": the programmes talked about
        relates = not self.lex.programmes(query.topics) and (
            bool(query.topics) or self.lex.asks_which_more(query.text))
        if relates:  # both ("两个都…") of the programmes the conversation went through
            talked = self._programmes_talked_about(previous)
            topics = tuple(dict.fromkeys((*talked, *query.topics)))
            subject = "、".join(previous.cities) + self._topic_names(talked)
        elif figures or (not query.topics and (self._names_head_of(query, previous) or self._asks_its_amount(query))):
            # "what's the minimum input the centre needs?" after turns on innovation centres: that programme
            topics = tuple(dict.fromkeys((*previous.topics, *query.topics)))
            subject = self._subject(previous)
        else:
            topics, subject = query.topics, "、".join(previous.cities)
        return replace(
            query, followup="context", cities=previous.cities, topics=topics,
            # the subject goes after the question: the amounts' offsets stay those of the text
            options={**previous.options, **query.options}, rewritten=f"{query.text} {subject}", previous=previous,
        )

    def _asks_its_amount(self, query: Query) -> bool:
        """Asks how much, naming no programme ("我们只是参与建设的合作方,那能拿多少?", "前后两笔加起来总共多少?"): the
        sum of the programme the conversation is about, not of whatever the story's words match."""
        low = query.text.lower()
        return (
            query.qtype == "rate" and self.lex.has_cue("amount_question", low)
            and not any(self.lex.has_cue(c, low) for c in ("support_words", "rate_question"))
        )

    def _names_head_of(self, query: Query, previous: Query) -> bool:
        """Names the programme asked about by its head noun alone: the last two characters of one of its Chinese
        terms ("这个中心" for 创新中心), the last word of an English one ("the centre")."""
        low = query.text.lower()
        for topic in map(self.lex.topic, self.lex.programmes(previous.topics)):
            if any(len(t) >= 4 and t[-2:] in low for t in topic.zh):
                return True
            if any(" " in t and re.search(rf"\b{re.escape(t.split()[-1])}s?\b", low) for t in topic.en):
                return True
        return False

    def _programmes_talked_about(self, previous: Query | None, most: int = 3) -> tuple[str, ...]:
        """The programme topics of the latest turns (the latest first), at most `most`."""
        found: list[str] = []
        while previous is not None and len(found) < most:
            found += [t for t in self.lex.programmes(previous.topics) if t not in found]
            previous = previous.previous
        return tuple(found[:most])

    def _restates_slot(self, query: Query, previous: Query) -> str | None:
        """An option follow-up in more words: a question that names no other programme than the one asked about and
        changes one of its options ("这批算力其实是我们自己建的自己用的,还能拿吗?"), or asks what the asker gets
        from it ("那我能拿多少算力补贴?") when the conversation stated the asker's sums: the sums still hold."""
        if query.cities or query.amounts or query.qtype != "rate" or query.outside_places:
            return None
        low = query.text.lower()
        asks_own = self.lex.has_cue("amount_question", low) and self.lex.has_cue("self_reference", low)
        if not query.options and not asks_own:
            return None
        base = self._figure_question(previous, query.topics)
        # "忘了说,我们刚拿到模型备案,这样上限是不是不一样?" after sums for the compute subsidy: an option whose words
        # name a programme too is still an option of the one computed, unless the question asks for an award
        option_named = bool(query.options) and bool(_state_amounts(base)) and not self.lex.has_cue("asks_award", low)
        if not (set(query.topics) <= set(base.topics) or option_named) or (not query.options and not _state_amounts(base)):
            return None
        return "option"

    def _checked(self, low: str, said: Sequence) -> tuple[Decimal, ...]:
        """The figures said right before a tag asking to confirm them ("那就是能拿140万对吧?", "so that's 1.5 million,
        right?"); not a figure asked about ("那500万是一次性给的对吧?")."""
        if (asked_at := _confirming_tag(low, self.lex)) is None:
            return ()
        return tuple(a.yuan for a in said if a.end <= asked_at and _CHECK_GAP.fullmatch(low[a.end:asked_at]))

    def _corrected(self, query: Query) -> tuple[Query, str] | None:
        """"sorry, the funds were 30 million, not 3 million", "说错了,是提升改造项目": a correction of what the asker
        stated asks the last figure question again with the corrected sum (the one denied dropped) or option."""
        if query.cities or not self.lex.has_cue("corrects_earlier", query.text.lower()):
            return None
        denied = self.lex.cue("denies_amount")
        kept = tuple(a for a in query.amounts if not any(
            query.text[max(0, a.start - len(w) - 1):a.start].rstrip().lower().endswith(w) for w in denied))
        query = replace(query, amounts=kept)
        # a corrected rate ("增速其实只有8%"), role or level ("说错了,我们只是共建单位", "it's provincial, not
        # municipal") is a slot of the figure question, as a corrected option is
        slot = query.options or query.percents or self._names_slot(query.text.lower())
        kind = "option" if slot else "amount" if query.amounts else None
        return (query, kind) if kind else None

    def _compares_with_earlier(self, query: Query, previous: Query) -> bool:
        """Asks to compare what was asked with other cities: one city named ("跟嘉兴比呢?"), or several with a word
        pointing back ("杭州、郑州有没有这种奖励,比较一下"); a question of which pays more or of how each does it
        ("那嘉兴呢,哪个多?", "杭州也是这样吗?两边有啥不一样"); the figure question asked of several other cities
        ("how about Hangzhou and Jiaxing, what's their yearly cap?")."""
        if not query.cities or not previous.cities or set(previous.cities) <= set(query.cities):
            return False
        text, low = query.text, query.text.lower()
        more = self.lex.asks_which_more(text) and len(self._programmes_talked_about(previous)) == 1
        each = self.lex.has_cue("asks_each", low)
        several = len(query.cities) >= 2 and query.qtype in ("rate", "compare") and not query.topics
        if query.qtype != "compare" and not (more or each or several):
            return False
        points_back = bool(_THIS.search(text) or _THIS_EN.search(text)) or self.lex.has_cue("points_back", low)
        return len(query.cities) == 1 or more or each or several or points_back

    def _followup_kind(self, query: Query) -> str | None:
        text = query.text.strip()
        size = _size(text)
        if size > 40:
            return None
        if query.amounts and not query.cities and (
                _AMOUNT_SWITCH.search(text) or _ASKS_BACK.search(text) or size <= 14 or self._said_as_more(query)):
            return "amount"  # "如果是提升改造项目,投资1000万元呢?" keeps the earlier subject even when it names a topic
        if query.cities and (
                _SAME_SITUATION.match(text) or _SAME_THERE.search(text) or (not query.topics and _IF_THERE.match(text))):
            return "city"
        switches = bool(_ASKS_BACK.search(text) or _AMOUNT_SWITCH.search(text) or _WHAT_ABOUT.match(text)
                        or self.lex.has_cue("asks_change", text))  # "封顶会变吗?", "does that change what we get?"
        states = not self.lex.has_cue("asks_any", text)  # "ours is a first version, first in China"
        # another award of the same programme is a slot when said as a switch ("如果是智能车间呢?") or a statement
        slot = query.percents or query.options or self._names_slot(text) or ((switches or states) and self._names_award(text))
        if (not query.cities and not query.amounts and slot and query.qtype in ("rate", "eligibility")
                and (switches or states or (not query.topics and self.lex.has_cue("amount_question", text)))):
            return "option"  # "省级呢?", "要是用的其他算力", "我们是共建单位", "是市级的,给多少": one slot changed
        if not query.cities and not query.amounts and size <= ELLIPSIS_CHARS and _ASKS_BACK.search(text):
            return "ellipsis"
        if (query.cities and query.topics and not query.amounts and query.qtype == "rate" and size <= CITY_TOPIC_CHARS
                and (_ASKS_BACK.search(text) or _WHAT_ABOUT.match(text)) and not self.lex.has_cue("amount_question", text)):
            return "city"  # "嘉兴对应用场景呢?", "what about Jiaxing, for a manufacturing innovation centre?": the same ask
        if query.topics:
            return None
        if query.cities and (_CITY_SWITCH.match(text) or _CITY_AGAIN.match(text) or _WHAT_ABOUT.match(text)):
            return "city"
        if query.cities and query.amounts and query.qtype == "rate":
            return "city"  # "We spent 5 million in Jiaxing last year": the programme asked about, there, with this sum
        if query.amounts and (_AMOUNT_SWITCH.search(text) or size <= 14):
            return "amount"
        if not query.cities and (_THIS.search(text) or _THIS_EN.search(text)):
            return "this"
        if query.cities and size <= 12 and not self._names_own_subject(query):
            return "city"
        if query.cities and self.lex.has_cue("points_back", text.lower()):
            return "city"  # "is there anything like this in Zhengzhou?": what was talked about, in that city
        if not query.cities and not query.amounts and (size <= IMPLICIT_SUBJECT_CHARS or _GOES_ON.match(text)):
            # "需要什么条件?": a short question without a subject asks about the earlier one; so does one that says it
            # goes on ("and for the really big ones, is there a ceiling?")
            return "this"
        return None

    def _names_own_subject(self, query: Query) -> bool:
        """The question names a subject of the clauses that the lexicon does not know ("嘉兴对孵化这块是怎么说的")."""
        named = set(query.cities) | {a for c in query.cities for a in self._zh_aliases.get(c, ())}
        return any(t in self._subject_words and t not in named for t in tokenize(query.text))

    def _figure_question(self, previous: Query, topics: Sequence[str] = ()) -> Query:
        """The latest earlier question (about one of `topics`; by default those of the latest question about a
        programme) that gave amounts or asked for one; else the latest about a programme (an award, not stacking or
        a department); else the previous question."""

        def programme(q: Query) -> bool:  # about a measure, not about how measures combine
            kinds = [self.lex.topic(t).answer_kind for t in q.topics]
            return None in kinds and not any(kinds)

        def earlier() -> Iterator[Query]:
            q: Query | None = previous
            while q is not None:
                about_measure = not q.topics or programme(q)
                if q.qtype not in DOCUMENT_QUESTION_TYPES and about_measure and (not topics or set(topics) & set(q.topics)):
                    yield q  # not "这个找哪个部门?" + the sum, nor "能和别的奖励一起拿吗?"
                q = q.previous

        def asks_figure(q: Query) -> bool:  # gives or asks a sum, or names the level or role an award depends on
            return bool(q.amounts) or self.lex.has_cue("amount_question", q.rewritten or q.text) or self._names_slot(q.text)

        asked_about = bool(topics)
        if not topics:  # the conversation's current programme: a figure question from before a topic switch is stale
            topics = next((q.topics for q in earlier() if programme(q)), ())
        # a question that stated sums before one that only asked a figure ("is there a yearly limit?" states none)
        found = (next((q for q in earlier() if q.amounts), None) or next((q for q in earlier() if asks_figure(q)), None)
                 or next((q for q in earlier() if programme(q)), None))
        if found is None and asked_about:
            return self._figure_question(previous)  # no earlier question on these topics: the conversation's own
        return found or previous

    def _added_up(self, query: Query, previous: Query) -> Query:
        """"再签一个400万的合同,两个加起来一共能拿多少?": a sum said to add to the one stated is asked as their total."""
        if len(query.amounts) != 1 or not self.lex.has_cue("adds_up", query.text.lower()):
            return query
        earlier = _state_amounts(self._figure_question(previous))
        if len(earlier) != 1:
            return query
        new = query.amounts[0]
        return replace(query, amounts=(replace(new, yuan=new.yuan + earlier[0].yuan),))

    def _turn_of_pointed_sum(self, query: Query, previous: Query) -> Query | None:
        """The earlier turn that stated a sum this one points at ("这600万", "that 6 million"), with its programme."""
        for amount in query.amounts:
            if not _POINTED.search(query.text[:amount.start]):
                continue
            turn: Query | None = previous
            while turn is not None:
                if turn.topics and any(a.yuan == amount.yuan for a in turn.amounts):
                    return turn
                turn = turn.previous
        return None

    def _deduction_said_anew(self, query: Query, previous: Query) -> Query | None:
        """"土地款其实只有100万" after "一共投了2400万,其中土地款400万", however many turns later: the sum taken out,
        said anew in place of the earlier one; the figure question again with every other sum it stated."""
        base = self._figure_question(previous)
        if (same := self._same_deduction(base, query)) is None:
            return None
        rewritten = f"{base.rewritten[:same.start]}{query.amounts[0].text}{base.rewritten[same.end:]}"
        return self._asked_again(query, base, previous, rewritten)

    def _asked_again(self, query: Query, base: Query, previous: Query, rewritten: str) -> Query:
        """The figure question `base` asked again in the words `rewritten` (a sum said anew in place of an earlier
        one), every sum read from them with the words said of it there."""
        return replace(
            query, followup="option", cities=previous.cities, topics=base.topics or previous.topics,
            qtype=base.qtype, amounts=_asker_sums(rewritten), percents=query.percents or base.percents,
            options={**previous.options, **query.options}, rewritten=rewritten, previous=previous,
        )

    def _same_deduction(self, base: Query, query: Query) -> Any | None:
        """The earlier sum said as the same deduction ("其中土地款400万") as the question's one sum ("土地款其实只有
        100万"), when the earlier question states it where its offsets say."""
        if len(query.amounts) != 1:
            return None
        said = deductions(query.text, query.amounts, self.lex).get(0)
        if said is None:
            return None
        kinds = deductions(base.rewritten, base.amounts, self.lex)
        return next((a for i, a in enumerate(base.amounts)
                     if kinds.get(i) == said and base.rewritten[a.start:a.end] == a.text), None)

    def _deducts(self, query: Query) -> bool:
        """Names its sum as one taken out of an input ("土地款", "land"), not as a sum net of it ("不算土地款投了1200万")."""
        low, excludes = query.text.lower(), self.lex.cue("excludes")
        return any(said_unless_after(low, w, excludes) for words in self.lex.amount_deductions.values() for w in words)

    def _names_slot(self, text: str) -> bool:
        """Names the applicant's role or a level of government: a slot of an award, as options are."""
        return any(w in text for w in self.lex.slot_words)

    def _names_award(self, text: str) -> bool:
        """Names one award of a programme by what sets it apart from its siblings ("智能车间", "workshop")."""
        low = text.lower()
        return any(w in low for w in self._award_zh) or not self._award_en.isdisjoint(re.findall(r"[a-z]+", low))

    def _swap_cities(self, text: str, old: Sequence[str], new: Sequence[str], lang: str) -> str:
        target = "、".join(new)
        aliases = {a for city in old for a in (*self._zh_aliases.get(city, (city,)), *self._en_names.get(city, ()))}
        # one pass, longest alias first, so a replaced name is not read again ("在郑州" is not "在郑" + 州)
        pattern = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
        replaced = re.sub(pattern, lambda _: target, text, flags=re.I) if pattern else text
        if replaced == text:
            replaced = f"{target} {text}"
        return replaced

    def _same_input_amount(self, previous: Query, query: Query) -> Any | None:
        """The earlier sum said of the input the question's one sum is said of ("total investment is 40 million not
        80" after a loan and a total: the total), when the words said with both name it."""
        if len(query.amounts) != 1 or not (said := input_of(query.text, query.amounts[0].text, self.lex.amount_cues)):
            return None
        return next((a for a in previous.amounts if input_of(previous.rewritten, a.text, self.lex.amount_cues) == said), None)

    def _grown(self, base: Query, query: Query) -> Query:
        """"another 10 million just arrived", "又到账了1000万": a sum said as more of an earlier one stands for their
        total (the earlier sum of the same input, or the earlier question's only sum)."""
        if not self._said_as_more(query):
            return query
        new = query.amounts[0]
        old = self._same_input_amount(base, query) or (base.amounts[0] if len(base.amounts) == 1 else None)
        if old is None:
            return query
        total = old.yuan + new.yuan  # said as the total from here on (a rewritten question states it)
        return replace(query, amounts=(replace(new, yuan=total, text=format_yuan(total)),))

    def _said_as_more(self, query: Query) -> bool:
        """Its one sum is said as more of an earlier one ("又到账了600万", "another 10 million")."""
        if len(query.amounts) != 1:
            return False
        start = query.amounts[0].start
        phrase = re.split(r"[,，;；。!！?？]", query.text.lower()[max(0, start - GROWTH_WINDOW):start])[-1]
        # "又问一下,如果是800万呢" adds nothing; "追加到800万" says the new total
        return self.lex.has_cue("adds_to_earlier", phrase) and not phrase.rstrip().endswith(_NEW_TOTAL)

    def _swap_amount(self, previous: Query, query: Query) -> str:
        """The earlier question with the new sum in place of the earlier one of the same input, else of the first."""
        new = query.amounts[0]
        if previous.amounts:
            old = self._same_input_amount(previous, query) or previous.amounts[0]
            return previous.rewritten.replace(old.text, new.text, 1) if old.text in previous.rewritten else f"{previous.rewritten} 金额{new.text}"
        return f"{previous.rewritten} 金额为{new.text}"

    def _topic_names(self, topics: Sequence[str]) -> str:
        """The Chinese names of topics, as a rewritten question names them ("嘉兴算力券(算力补贴)、模型备案奖励")."""
        return "、".join(self.lex.topic(t).zh_name for t in topics)

    def _subject(self, previous: Query) -> str:
        city = "、".join(previous.cities)
        if previous.topics:
            return f"{city}{self.lex.topic(previous.topics[0]).zh_name}"
        # a chain of "this" questions keeps its first subject: "解读人是谁?" then "打哪个电话?" is not about 解读人
        return previous.subject or _FOLLOWUP_TAIL.sub("", previous.rewritten)
