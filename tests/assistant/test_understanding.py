"""Query understanding: cities in every spelling, question types, options and follow-up rewriting."""

from __future__ import annotations

import pytest

from assistant.understanding import QueryParser, detect_lang, split_parts
from assistant.lexicon import load_lexicon

CITIES = ("嘉兴", "杭州", "郑州")


@pytest.fixture(scope="module")
def parser():
    return QueryParser(CITIES)


@pytest.mark.parametrize(
    "question, cities",
    [
        ("杭州市的算力券怎么申请?", ("杭州",)),
        ("在杭企业能拿多少算力券", ("杭州",)),
        ("嘉興算力補貼多少", ("嘉兴",)),
        ("鄭州小巨人獎勵", ("郑州",)),
        ("What does Zhengzhou give little giants?", ("郑州",)),
        ("杭州和郑州的算力券比较", ("杭州", "郑州")),
    ],
)
def test_cities(parser, question, cities):
    assert parser.parse(question).cities == cities


def test_place_outside_the_corpus(parser):
    query = parser.parse("上海的算力券政策是什么?")
    assert query.cities == () and query.outside_places == ("上海",)
    assert parser.parse("Does Shenzhen subsidise compute?").outside_places == ("Shenzhen",)


@pytest.mark.parametrize(
    "question, qtype",
    [
        ("郑州算力券由哪个部门负责?", "responsible"),
        ("杭州措施什么时候到期?", "dates"),
        ("嘉兴实施方案的文号是什么?", "doc_meta"),
        ("嘉兴政策解读的联系电话是多少?", "interpretation"),
        ("三个城市的算力券对比", "compare"),
        ("营收8000万能不能申请嘉兴的奖励?", "eligibility"),
        ("杭州算力券比例是多少?", "rate"),
        ("Which department is responsible for compute vouchers in Hangzhou?", "responsible"),
    ],
)
def test_question_types(parser, question, qtype):
    assert parser.parse(question).qtype == qtype


def test_languages():
    assert detect_lang("杭州算力券") == "zh"
    assert detect_lang("杭州單家企業算力券") == "zh-Hant"
    assert detect_lang("How much is the compute voucher?") == "en"


def test_amounts_and_options(parser):
    query = parser.parse("我们在杭州用国产算力训练模型,合同1000万元,能拿多少算力券?")
    assert [a.yuan for a in query.amounts] == [10_000_000]
    assert query.options["compute_type"] == "domestic"
    assert query.topics[0] == "compute_voucher"
    assert parser.parse("嘉兴新建信息服务业项目投资2400万").options["project_type"] == "new"
    assert parser.parse("自建自用的算力能申请郑州算力券吗").options["self_built_self_use"] is True


def test_followup_city_switch(parser):
    history = [{"role": "user", "content": "杭州单家企业每年最多能申领多少算力券?"}, {"role": "assistant", "content": "800万元[1]"}]
    query = parser.parse("那郑州呢?", history)
    assert query.followup == "city" and query.cities == ("郑州",)
    assert query.rewritten == "郑州单家企业每年最多能申领多少算力券?"
    assert query.topics[0] == "compute_voucher"


def test_followup_amount_change(parser):
    history = [{"role": "user", "content": "我们在杭州用国产算力训练模型,合同1000万元,能拿多少算力券?"}]
    query = parser.parse("如果是240万呢?", history)
    assert query.followup == "amount" and query.cities == ("杭州",)
    assert "240万" in query.rewritten and "1000万" not in query.rewritten
    assert [a.yuan for a in query.amounts] == [2_400_000]
    assert query.options["compute_type"] == "domestic"


def test_followup_this(parser):
    history = [{"role": "user", "content": "嘉兴信息服务业投资补助怎么给?"}]
    query = parser.parse("这个归哪个部门负责?", history)
    assert query.followup == "this" and query.qtype == "responsible"
    assert query.cities == ("嘉兴",) and "信息服务业" in query.rewritten


def test_new_topic_is_not_a_followup(parser):
    history = [{"role": "user", "content": "杭州算力券上限多少?"}]
    query = parser.parse("郑州的小巨人奖励是多少?", history)
    assert query.followup is None and query.rewritten == "郑州的小巨人奖励是多少?"


def test_off_topic(parser):
    assert parser.parse("明天天气怎么样").off_topic
    assert not parser.parse("杭州算力券税率").off_topic


def test_a_question_naming_no_place_stays_in_the_conversation_s_city(parser):
    history = [{"role": "user", "content": "杭州承担国家重点研发任务有配套资助吗?"}, {"role": "assistant", "content": "有。"}]
    query = parser.parse("国家拨款到账了1600万,能配多少?", history)
    assert query.cities == ("杭州",) and query.followup == "context"
    assert query.topics == parser.parse(history[0]["content"]).topics  # figures without a programme: the same one
    assert query.rewritten.startswith("国家拨款到账了1600万")  # amounts keep their offsets in the text
    other = parser.parse("郑州的算力券呢?", history)
    assert other.cities == ("郑州",)


def test_a_part_naming_no_place_keeps_an_outside_place(parser):
    parts = parser.parse_parts("上海对人工智能企业有算力券吗?补贴比例多少?")
    assert [p.outside_places for p in parts] == [("上海",), ("上海",)]
    assert all(not p.cities for p in parts)


@pytest.mark.parametrize("typed", [
    "嘉兴的模型备案奖励多少?由哪个部门负责?",  # half-width, as most test questions are written
    "嘉兴的模型备案奖励多少？由哪个部门负责？",  # full-width, as a Chinese IME types them
    "嘉興的模型備案獎勵多少？由哪個部門負責；",
])
def test_asks_are_split_whatever_the_punctuation_width(parser, typed):
    parts = parser.parse_parts(typed)
    assert len(parts) == 2
    assert parts[1].qtype == "responsible" and parts[1].cities == ("嘉兴",)


@pytest.mark.parametrize("typed, asks", [
    ("这份通知的文号是多少,从哪天起施行", ["这份通知的文号是多少", "从哪天起施行"]),
    ("When did the Zhengzhou measures take effect, and which bureau runs them?",
     ["When did the Zhengzhou measures take effect", "and which bureau runs them?"]),  # the ask keeps its "and"
    ("郑州国家级智能制造优秀场景奖多少,省级智能车间呢?", ["郑州国家级智能制造优秀场景奖多少", "省级智能车间呢?"]),  # the same ask of another award
    ("How much for a national smart factory, and for a provincial one?",
     ["How much for a national smart factory", "and for a provincial one?"]),
    ("what about Jiaxing, for a national-level manufacturing innovation centre?",
     ["what about Jiaxing, for a national-level manufacturing innovation centre?"]),  # one ask
    ("郑州算力券,合同300万,自建自用的能补多少", ["郑州算力券,合同300万,自建自用的能补多少"]),  # facts, then one ask
    ("投了几千万,能补多少", ["投了几千万,能补多少"]),  # two asks of one kind stay one
])
def test_asks_of_different_kinds_between_commas_are_parts(typed, asks):
    assert split_parts(typed) == asks


@pytest.mark.parametrize("question, self_built", [
    ("我们的算力是自己建机房自己用的,投了500万", True),
    ("我们用的是自建自用的算力", True),
    ("我们不是自己建机房自己用的,是租的", None),
    ("我们自己建了机房,算力租给别人用", None),  # 自…建…自…用 too far apart: not the term
])
def test_a_four_character_term_said_in_full_is_an_option(parser, question, self_built):
    assert parser.parse(question).options.get("self_built_self_use") is self_built


@pytest.mark.parametrize("question, name, value", [
    ("we're building a new information-services project in jiaxing", "project_type", "new"),  # words between
    ("模型还没有备案", "new_model_filing", False),  # a yes/no option said with a negation
    ("我们的模型刚过了网信办备案", "new_model_filing", True),  # said in full with words between
    ("we haven't filed the model yet", "new_model_filing", False),
    ("we built our own cluster and only use it ourselves", "self_built_self_use", True),
])
def test_options_as_people_say_them(parser, question, name, value):
    assert parser.parse(question).options[name] == value


def test_a_situation_with_an_option_keeps_the_programme_it_is_about(parser):
    query = parser.parse("今年算力花了800万,模型刚完成网信办备案", [{"role": "user", "content": "嘉兴智算费用有补贴吗"}])
    assert query.topics[0] == "compute_voucher" and query.options["new_model_filing"] is True


@pytest.mark.parametrize("text, asks", [
    ("哪边给得多?", True),
    ("那哪个补得多", True),
    ("哪家给的钱更多", True),
    ("which one pays more per contract?", True),
    ("哪个部门负责?", False),
    ("哪里申请,最多能拿多少?", False),  # where to apply, and the most one gets
    ("what is the maximum?", False),
])
def test_which_gives_more_is_read_from_a_which_word_then_a_more_word(text, asks):
    assert load_lexicon().asks_which_more(text) is asks


@pytest.mark.parametrize("question, lang", [
    ("Our Zhengzhou firm bids through the open-competition (揭榜挂帅) scheme. What is the funding?", "en"),
    ("Jiaxing: our equipment was recognised as a municipal first-of-its-kind (首台套) set. Reward?", "en"),
    ("杭州的MaaS算力券补贴多少?", "zh"),
    ("嘉兴CPMS试点牵头企业有什么奖励", "zh"),
])
def test_an_english_question_quoting_a_chinese_term_is_english(question, lang):
    assert detect_lang(question) == lang


def test_a_chinese_programme_term_quoted_in_english_outweighs_a_generic_english_word(parser):
    query = parser.parse("Our Zhengzhou company bids for a project via the open-competition (揭榜挂帅) mechanism. Funding?")
    assert query.topics[0] == "major_project"


@pytest.mark.parametrize("text, asks", [
    ("那三年加起来最多可以拿多少?", True),
    ("政策期内总共最多多少?", True),
    ("What's the max we could get over the whole period?", True),
    ("一年一共能拿多少?", False),  # one year's amount
    ("每年最多多少?", False),
    ("2024年一共有多少家?", False),  # a calendar year is no span of years
    ("these two combined?", False),
])
def test_a_total_over_the_years_of_support_is_told_from_one_years(text, asks):
    assert load_lexicon().asks_period_total(text) is asks


@pytest.mark.parametrize("text, term", [
    ("we run our own data centre", "own data center"),
    ("a municipal innovation center", "innovation centre"),
    ("which organization handles it", "organisation"),
])
def test_an_english_word_is_matched_in_either_spelling(text, term):
    from assistant.understanding import _en_match

    assert _en_match(text, term)
