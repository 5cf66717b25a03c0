"""Homophone typo correction (assistant/spelling.py): pinyin IME typos are fixed, correct words never touched."""

from __future__ import annotations

import pytest

from assistant.lexicon import load_lexicon
from assistant.spelling import HomophoneCorrector, lexicon_words
from assistant.understanding import QueryParser

# A small invented corpus: each line one clause.
CLAUSES = (
    "对杭州企业购买算力的,发放算力券,按合同金额的20%给予补贴,单家企业每年申领不超过100万元。",
    "对获评国家级示范工厂的企业给予奖励,可与区县政策叠加享受,补贴比例按年度确定。",
    "二是加强算力保障,近年来赋能制造业,充分利用数据,一是培育数据市场。",
    "本措施自2024年9月1日起施行,由市数据资源局负责实施。市政府人事任免另行公布。",
    "本措施有效期3年。",
)
# The vocabulary holds homophones of everyday words (二是/而是, 近年/今年, 赋能/还能, 一是/也是, 实施/始施, 人事/人是, 利用/力用):
# a question using the everyday word must come out unchanged.
VOCABULARY = ("杭州", "算力券", "补贴", "申领", "奖励", "叠加", "比例", "二是", "近年", "赋能", "一是", "实施", "算力", "人事", "利用", "有效期")


@pytest.fixture(scope="module")
def corrector() -> HomophoneCorrector:
    return HomophoneCorrector.build(VOCABULARY, CLAUSES)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("杭洲算例券每年最多能申零多少?", "杭州算力券每年最多能申领多少?"),
        ("我们公司能那什么补帖?", "我们公司能那什么补贴?"),
        ("算力补帖比列是多少?", "算力补贴比例是多少?"),
        ("示范工厂奖力多少?能和区里的叠家吗?", "示范工厂奖励多少?能和区里的叠加吗?"),
        ("杭州算力卷怎么申请", "杭州算力券怎么申请"),  # 卷 read quan (one of its readings)
        ("由哪个单位负责实思", "由哪个单位负责实施"),  # fuzzy pinyin: si typed for shi
        ("这个政策有效其多久?", "这个政策有效期多久?"),  # 有效期 is rare in the general dictionary, 有效 and 其 common
    ],
)
def test_homophone_typos_are_corrected(corrector, typed, meant):
    assert corrector.correct(typed) == meant


def test_the_corrections_name_each_window(corrector):
    fixes = corrector.corrections("杭洲算例券每年最多能申零多少?")
    assert [(f.start, f.typed, f.word) for f in fixes] == [(0, "杭洲", "杭州"), (2, "算例券", "算力券"), (10, "申零", "申领")]


@pytest.mark.parametrize(
    "question",
    [
        "杭州企业如果使用的不是国产算力,而是其他算力设施,算力券补贴比例是多少?",  # 而是: a dictionary word
        "今年还能拿吗?也是一次性的吗",  # 今年, 还能, 也是: everyday words, never 近年, 赋能, 一是
        "杭州的算力券从什么时候开始施行?",  # 始施 cuts 开始 and 施行 in two
        "我们刚拿到模型备案,今年算力用了1200万,能补多少?",  # 力用 cuts the vocabulary word 算力
        "嘉兴的政策解读人是谁?",  # 人是: two common words read as typed
        "那两边哪个补得多?",  # 补得: a verb and its particle, never 不得
        "这两个都是经信局管的吗?",  # 是 + 经信局: a common character next to a known word, never 市经信局
    ],
)
def test_correct_words_are_untouched(corrector, question):
    assert corrector.corrections(question) == []
    assert corrector.correct(question) == question


def test_ambiguous_homophones_are_left_alone():
    # 比例 and 比力 sound alike and each is in one clause: 比列 could be either
    even = HomophoneCorrector.build(("比例", "比力"), ("补贴比例为20%。", "测量比力的仪器。"))
    assert even.correct("补贴比列是多少") == "补贴比列是多少"
    # the same homophones, 比例 in three times as many clauses: clearly the word meant
    skewed = HomophoneCorrector.build(
        ("比例", "比力"), ("补贴比例为20%。", "奖励比例为10%。", "按比例分担。", "测量比力的仪器。"),
    )
    assert skewed.correct("补贴比列是多少") == "补贴比例是多少"


def test_english_and_digits_are_untouched(corrector):
    english = "What is the compute voucher ratio in Hangzhou? buqie butie 20% 1200"
    assert corrector.correct(english) == english
    assert corrector.correct("Hangzhou 补帖 ratio 30%, 2024年") == "Hangzhou 补贴 ratio 30%, 2024年"


def test_a_typo_of_a_topic_word_reaches_the_parser():
    lexicon = load_lexicon()
    vocabulary, known = lexicon_words(lexicon)  # 杭州, 算力券 are the lexicon's; 申领 a word of the corpus
    corrector = HomophoneCorrector.build(vocabulary | set(VOCABULARY), CLAUSES, known)
    question = "杭洲算例券每年最多能申零多少?"
    plain = QueryParser(["杭州"], lexicon).parse(question)
    fixed = QueryParser(["杭州"], lexicon, corrector).parse(question)
    assert plain.cities == () and "compute_voucher" not in plain.topics  # not understood as typed
    assert fixed.cities == ("杭州",) and fixed.topics[0] == "compute_voucher"
    assert fixed.original == question  # what the user typed is kept
    assert fixed.text == "杭州算力券每年最多能申领多少?" == fixed.rewritten


def test_services_correct_questions_over_the_served_index(synthetic_services):
    bot = synthetic_services.assistant
    typed = bot.understand("杭洲租用算力的补帖比列是多少?")
    assert typed.cities == ("杭州",) and typed.text == "杭州租用算力的补贴比例是多少?"
    fixed, meant = bot.ask("杭洲租用算力的补帖比列是多少?"), bot.ask("杭州租用算力的补贴比例是多少?")
    assert not fixed.refused and "15%" in fixed.text
    assert [h.clause.clause_id for h in fixed.cited] == [h.clause.clause_id for h in meant.cited]
