"""Issue-16 patterns through the real API: multi-part, follow-up chains, roles, counts and targets, stacking,
comparisons with a missing programme, vague questions, honest lookup."""

from __future__ import annotations

import pytest


def ask(client, question: str, history: list[tuple[str, str]] = (), **extra) -> dict:
    body = {"question": question, "history": [{"role": r, "content": c} for r, c in history], **extra}
    response = client.post("/v1/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def chat(client, questions: list[str]) -> list[dict]:
    """A conversation: each answer is asked with every earlier turn as history."""
    history: list[tuple[str, str]] = []
    answers = []
    for question in questions:
        body = ask(client, question, history)
        answers.append(body)
        history += [("user", question), ("assistant", body["answer"])]
    return answers


def test_multi_part_question_answers_every_part_with_its_own_citation(client):
    body = ask(client, "我们在杭州签了1000万元的国产算力合同,算力券能拿多少?另外我们的模型拿到了中央网信办备案,还能拿多少奖励?")
    lines = body["answer"].splitlines()
    assert "300万元" in lines[0] and "[1]" in lines[0]
    assert "50万元" in lines[1] and "[2]" in lines[1]
    assert [c["id"] for c in body["citations"]] == ["hangzhou-ai-measures#一.(三)", "hangzhou-ai-measures#二.(四)"]
    assert body["calculation"]["result_yuan"] == 3_000_000


def test_several_asks_of_one_clause_quote_a_sentence_for_each(client):
    body = ask(client, "杭州每年算力券总额是多少?单家企业每年上限多少?用其他算力设施的补贴比例是多少?")
    assert all(figure in body["answer"] for figure in ("2.5亿元", "800万元", "20%"))
    assert [c["id"] for c in body["citations"]] == ["hangzhou-ai-measures#一.(三)"]


def test_where_to_apply_and_the_amount_in_one_message(client):
    body = ask(client, "鄭州對獨角獸和潛在獨角獸企業分別獎補多少?由哪個部門負責?")
    assert "500万元" in body["answer"] and "200万元" in body["answer"] and "市工信局" in body["answer"]


def test_option_switch_keeps_city_and_amount(client):
    first, second, third = chat(client, [
        "我们在杭州签了2000万元的国产算力合同,算力券能拿多少?",
        "这个政策有效期到什么时候?",
        "如果用的是其他算力设施呢?",
    ])
    assert first["calculation"]["result_yuan"] == 6_000_000
    assert "2027" in second["answer"]
    assert third["calculation"]["program"] == "hangzhou_compute_voucher"
    assert third["calculation"]["result_yuan"] == 4_000_000  # 2000万 × 20%, still 杭州
    assert "各地" not in third["answer"]


def test_city_switch_keeps_the_programme_and_the_amount(client):
    answers = chat(client, ["我们在嘉兴今年智算实际使用300万元,补贴多少?", "这个补贴需要什么条件?", "同样300万元,放在郑州签算力合同呢?"])
    assert answers[0]["calculation"]["result_yuan"] == 1_500_000
    assert answers[2]["calculation"]["program"] == "zhengzhou_compute_voucher"
    assert answers[2]["calculation"]["result_yuan"] == 600_000


def test_department_follow_up_after_an_award_question(client):
    answers = chat(client, ["郑州小巨人企业奖励多少?", "这个找哪个部门?"])
    assert not answers[1]["refused"] and "市工信局" in answers[1]["answer"]


@pytest.mark.parametrize("question", [
    "我们是共建单位,郑州的人工智能全国重点实验室创建成功后我们能得到多少支持?",
    "我們是共建單位,鄭州人工智能全國重點實驗室創建成功了,給多少獎補?",
])
def test_a_role_word_selects_the_branch_not_a_department_answer(client, question):
    body = ask(client, question)
    assert body["calculation"]["program"] == "zhengzhou_key_laboratory"
    assert body["calculation"]["result_yuan"] == 1_000_000
    assert "责任单位是" not in body["answer"]


def test_role_switch_as_a_follow_up(client):
    answers = chat(client, ["郑州对新创建的人工智能全国重点实验室牵头单位支持多少?", "持续支持多长时间?", "我们是共建单位呢?"])
    assert answers[0]["calculation"]["result_yuan"] == 15_000_000
    assert answers[2]["calculation"]["result_yuan"] == 1_000_000


def test_a_count_question_quotes_the_count_not_an_amount(client):
    body = ask(client, "杭州模型开源社区贡献奖励最多奖励几家企业?")
    assert "10家" in body["answer"] and body["calculation"] is None


def test_a_target_question_cites_the_goals_not_a_subsidy(client):
    body = ask(client, "嘉兴人工智能实施方案到2027年人工智能产业营收规模目标是多少?")
    assert body["citations"][0]["id"] == "jiaxing-ai-plan#一" and "1000亿元" in body["answer"]


def test_combining_with_other_policies_finds_the_stacking_clause(client):
    body = ask(client, "杭州算力券和区里的补贴能叠加吗?")
    assert body["citations"][0]["id"] == "hangzhou-ai-measures#closing" and "从优、就高、不重复" in body["answer"]


def test_a_comparison_names_the_city_without_the_programme(client):
    body = ask(client, "三个城市的融资贴息对比")
    assert "郑州:未找到对应条款" in body["answer"]
    assert not any(c["city"] == "郑州" for c in body["citations"])


@pytest.mark.parametrize("question, cities", [
    ("我们公司能拿什么补贴?", ("杭州", "嘉兴", "郑州")),
    ("What subsidies can my company get?", ("Hangzhou", "Jiaxing", "Zhengzhou")),
])
def test_a_vague_question_gets_an_overview_and_a_question_back(client, question, cities):
    body = ask(client, question)
    assert not body["refused"]
    assert all(c in body["answer"] for c in cities)
    assert "请问贵公司在哪个城市" in body["answer"] or "Which city is your company in" in body["answer"]  # a question back


def test_lookup_marks_clauses_that_contain_the_keyword(client):
    hits = client.post("/v1/search", json={"query": "小巨人", "k": 8}).json()["hits"]
    assert hits[0]["matched"] and "小巨人" in hits[0]["text"]
    assert all(h["matched"] == ("小巨人" in h["text"]) for h in hits)
    none = client.post("/v1/search", json={"query": "火星移民", "k": 3}).json()["hits"]
    assert not any(h["matched"] for h in none)


@pytest.mark.parametrize("turns", [
    ["杭州单家企业每年最多能申领多少算力券?", "那郑州呢?", "嘉兴呢?", "如果合同是300万元呢?", "这个找哪个部门?",
     "杭州呢?", "如果用的是其他算力设施呢?", "这个政策有效期到什么时候?", "郑州小巨人企业奖励多少?", "这个找哪个部门?"],
    ["杭州單家企業每年最多能申領多少算力券?", "那鄭州呢?", "嘉興呢?", "如果合同是300萬元呢?", "這個找哪個部門?",
     "杭州呢?", "如果用的是其他算力設施呢?", "這個政策有效期到什麼時候?", "鄭州小巨人企業獎勵多少?", "這個找哪個部門?"],
    ["What is the annual cap of Hangzhou's compute voucher per company?", "What about Zhengzhou?", "And Jiaxing?",
     "What if the contract is 3 million yuan?", "Which department handles this?", "What about Hangzhou?",
     "What if we use other compute?", "When does this policy expire?", "How much is Zhengzhou's little giant award?",
     "Which department handles this?"],
], ids=["zh", "zh-Hant", "en"])
def test_ten_turn_conversation_keeps_its_context(client, turns):
    answers = chat(client, turns)
    assert not any(a["refused"] for a in answers)
    assert "800万元" in answers[0]["answer"] or "8,000,000" in answers[0]["answer"]
    assert all(c["city"] == "郑州" for c in answers[1]["citations"])
    assert all(c["city"] == "嘉兴" for c in answers[2]["citations"])
    assert answers[3]["calculation"]["result_yuan"] == 1_500_000  # 嘉兴 300万 × 50%
    assert all(c["city"] == "嘉兴" for c in answers[4]["citations"])
    assert answers[6]["calculation"]["program"] == "hangzhou_compute_voucher"
    assert answers[6]["calculation"]["result_yuan"] == 600_000  # 杭州 300万 × 20%
    assert all(c["city"] == "郑州" for c in answers[9]["citations"])


def test_a_message_describing_the_enterprise_runs_the_policy_check(client):
    body = ask(client, "我们是杭州的软件企业,今年签了1000万元国产算力合同,大模型刚备案")
    assert not body["refused"]
    assert "300万元" in body["answer"] and "政策体检" in body["answer"]
    assert {c["id"] for c in body["citations"]} >= {"hangzhou-ai-measures#一.(三)", "hangzhou-ai-measures#二.(四)"}


def test_a_vague_question_offers_the_policy_check(client):
    assert "政策体检" in ask(client, "有哪些人工智能扶持政策?")["answer"]


def test_a_basis_question_names_the_documents_the_policy_implements(client):
    body = ask(client, "嘉兴行政规范性文件清理的通知依据哪些文件?")
    assert "国办发〔2018〕37号" in body["answer"] and "浙司〔2020〕45号" in body["answer"]
    assert body["citations"][0]["id"].startswith("jiaxing-gazette-2024-11-4#")


@pytest.mark.parametrize("first, shown", [
    ("杭州对拿到模型备案的企业奖励多少?", "模型备案奖励"),
    ("杭州新建算力中心项目贷款6000万元,年利率4%,一年能拿多少贴息?", "融资贴息"),
])
def test_a_city_switch_to_a_city_without_the_programme_says_so(client, first, shown):
    answers = chat(client, [first, "那郑州呢?"])
    switched = answers[1]
    assert f"未找到郑州关于“{shown}”的对应条款" in switched["answer"]
    assert switched["calculation"] is None  # never another programme computed from the earlier amount
    # the programme talked about is named as 杭州's, its figures not borrowed; every clause quoted is 郑州's
    where, *quoted = switched["citations"]
    assert where["city"] == "杭州" and f"(该项为杭州{where['clause']}[1]的规定)" in switched["answer"]
    assert quoted and all(c["city"] == "郑州" for c in quoted)


def test_two_levels_of_one_award_asked_in_one_message_are_both_computed(client):
    body = ask(client, "郑州获评国家级智能制造示范工厂奖多少?省级智能车间又是多少?")
    lines = body["answer"].splitlines()
    assert len(lines) == 2 and "300万元" in lines[0] and "30万元" in lines[1]
    assert [c["id"] for c in body["citations"]] == ["zhengzhou-ai-measures#三.7"]


def test_a_further_ask_of_one_clause_quotes_the_sentence_with_its_own_words(client):
    body = ask(client, "嘉兴都市型工业混合产业用地里工业建筑面积占比有要求吗?弹性出让最长几年?")
    assert "51%" in body["answer"] and "一般不超过30年" in body["answer"]


def test_a_yes_no_part_after_a_department_question_is_not_a_second_department_answer(client):
    body = ask(client, "这个是哪些部门负责的?要先报备吗", [
        ("user", "郑州对办人工智能会议论坛有补助吗?"), ("assistant", "对经报备同意的活动给予不超过30万元的资金补助。"),
    ])
    assert "市工信局" in body["answer"] and "经报备同意" in body["answer"]


def test_a_figure_in_a_department_question_describes_the_award(client):
    body = ask(client, "杭州大模型备案拿到了,那个最高50万的一次性奖励去哪个部门申请?")
    assert body["calculation"] is None
    assert "市委网信办" in body["answer"] and "市经信局" in body["answer"]


def test_an_amount_follow_up_after_a_department_question_computes_again(client):
    turns = chat(client, ["郑州人工智能场景应用创新项目实际投资1000万元,能支持多少?", "这个是哪些部门负责?", "投资额提高到2000万元呢?"])
    assert turns[0]["calculation"]["result_yuan"] == 3_000_000
    assert turns[2]["calculation"]["program"] == "zhengzhou_scenario_application"
    assert turns[2]["calculation"]["result_yuan"] == 5_000_000  # 600万 capped at 500万


def test_a_level_named_after_a_stacking_question_recomputes_the_award(client):
    turns = chat(client, ["嘉兴制造业创新中心有什么奖励?", "我们是省级的", "能和其他奖励一起拿吗?", "那国家级的话呢"])
    assert turns[1]["calculation"]["result_yuan"] == 1_500_000
    assert "就高不重复" in turns[2]["answer"]
    assert turns[3]["calculation"]["program"] == "jiaxing_innovation_center_award"
    assert turns[3]["calculation"]["result_yuan"] == 3_000_000


def test_a_role_stated_alone_after_a_department_question_selects_its_award(client):
    turns = chat(client, ["郑州全国重点实验室能支持多少?", "这个归哪个部门管?", "我们是共建单位"])
    assert turns[2]["calculation"]["program"] == "zhengzhou_key_laboratory"
    assert turns[2]["calculation"]["result_yuan"] == 1_000_000


def test_a_city_switch_with_the_sum_after_a_deadline_question_computes_in_the_new_city(client):
    turns = chat(client, ["杭州算力券国产算力补贴比例多少?", "合同金额300万", "有效期到什么时候?", "换成郑州的话呢?同样300万"])
    assert turns[1]["calculation"]["result_yuan"] == 900_000
    assert turns[3]["calculation"]["program"] == "zhengzhou_compute_voucher"
    assert turns[3]["calculation"]["result_yuan"] == 600_000  # 300万 × 20%, under 郑州's 100万 cap
    assert [c["id"] for c in turns[3]["citations"]][0] == "zhengzhou-ai-measures#一.2"


def test_an_english_amount_follow_up_without_the_currency_computes_again(client):
    turns = chat(client, [
        "Hangzhou compute voucher with domestic compute: what rate?", "our contract is 5 million yuan",
        "which department handles it?", "and if the contract were 40 million?",
    ])
    assert turns[1]["calculation"]["result_yuan"] == 1_500_000
    assert turns[3]["calculation"]["program"] == "hangzhou_compute_voucher"
    assert turns[3]["calculation"]["result_yuan"] == 8_000_000  # 40 million × 30% = 12 million, capped at 8 million


def test_a_target_question_naming_an_award_topic_cites_the_goals(client):
    body = ask(client, "嘉兴到2027年,人工智能企业营收总规模的目标是多少?")
    assert body["citations"][0]["id"] in ("jiaxing-ai-plan#一", "jiaxing-ai-plan-interpretation#四")
    assert "1000亿元" in body["answer"] and body["calculation"] is None


def test_a_chain_of_this_questions_keeps_its_first_subject(client):
    turns = chat(client, ["嘉兴人工智能实施方案的政策解读在哪看?", "解读人是谁?", "重点任务有几个方面?", "有问题的话打哪个电话?"])
    assert "0573-82521924" in turns[3]["answer"]
    assert turns[3]["citations"][0]["id"] == "jiaxing-ai-plan-interpretation#六.(三)"


def test_a_quoted_phrase_of_a_clause_is_answered_not_refused(client):
    body = ask(client, "政策解读里的“一中心二地”分别指什么?")
    assert body["refused"] is False
    assert "长三角智算中心" in body["answer"]


def test_a_comparison_computing_for_one_city_returns_that_calculation(client):
    body = ask(client, "我们是信息服务业企业,提升改造项目投资800万元(不含土地),在嘉兴和郑州分别能补多少?")
    assert body["calculation"]["program"] == "jiaxing_info_service_investment"
    assert body["calculation"]["result_yuan"] == 400_000  # 800万 × 5%, under the 150万 upgrade cap
    assert "郑州" in body["answer"] and "未找到" in body["answer"]


def test_a_question_on_the_interpretation_is_answered_from_it(client):
    body = ask(client, "嘉兴这个人工智能方案当初出台背景是什么?")
    assert body["citations"][0]["id"] == "jiaxing-ai-plan-interpretation#一"
    assert "国家枢纽节点" in body["answer"]  # the whole short section, not only its last sentence


def test_a_quoted_term_asked_for_its_meaning_quotes_the_sentence_defining_it(client):
    body = ask(client, "嘉兴推动人工智能的方案里提到的“135N”指的是什么?")
    assert body["citations"][0]["id"] == "jiaxing-ai-plan-interpretation#四"  # the plan only names it
    assert "5个长三角区域性先进制造业集群" in body["answer"]


def test_a_city_switch_after_a_fixed_award_question_computes_the_new_citys_award(client):
    turns = chat(client, ["郑州模型备案有奖励吗,奖多少?", "那嘉兴呢"])
    assert turns[1]["calculation"]["program"] == "jiaxing_model_filing_award"
    assert turns[1]["calculation"]["result_yuan"] == 1_000_000
    assert turns[1]["citations"][0]["id"] == "jiaxing-ai-plan#三.(七)"


def test_a_comparison_follow_up_sets_the_earlier_city_beside_the_named_one(client):
    first, second = chat(client, ["郑州算力券,合同500万能补多少?", "和杭州比呢?"])
    assert first["calculation"]["result_yuan"] == 1_000_000
    assert [c["id"] for c in second["citations"]] == ["zhengzhou-ai-measures#一.2", "hangzhou-ai-measures#一.(三)"]
    assert second["calculation"]["result_yuan"] == 1_000_000  # 郑州's sum is kept, not dropped for 杭州's clause
    assert "30%" in second["answer"]


def test_an_award_the_asker_denies_is_not_the_one_computed(client):
    _, second = chat(client, ["郑州对智能工厂有奖励吗?多少?", "我们不是省级智能工厂,是省级智能车间,能拿多少"])
    assert second["calculation"]["program"] == "zhengzhou_smart_manufacturing_award"
    assert second["calculation"]["result_yuan"] == 300_000


def test_a_sum_after_a_topic_switch_belongs_to_the_new_topic(client):
    turns = chat(client, ["杭州算力券一年最多多少?", "我们的模型过了网信办备案,有什么奖励?", "评测花了20万", "这个找哪些部门?"])
    assert turns[2]["citations"][0]["id"] == "hangzhou-ai-measures#二.(四)"
    assert turns[2]["calculation"]["result_yuan"] == 200_000  # the fees, within the 50万 cap: not 20万 of 算力券
    assert "市委网信办" in turns[3]["answer"]


def test_the_same_contract_in_another_city_said_as_a_condition(client):
    turns = chat(client, ["郑州算力券合同300万能补多少?", "谁负责?", "如果我们公司在杭州,同样300万的合同,用国产算力呢?"])
    assert turns[2]["calculation"]["program"] == "hangzhou_compute_voucher"
    assert turns[2]["calculation"]["result_yuan"] == 900_000


def test_an_english_sum_followed_by_an_adverb_is_computed(client):
    turns = chat(client, [
        "Hangzhou matching funds for national R&D projects?", "we got 4 million from the ministry", "who runs it?",
        "what if 40 million actually came in?",
    ])
    assert turns[3]["calculation"]["result_yuan"] == 5_000_000  # 4000万 × 25% = 1000万, capped at 500万


def test_a_role_stated_in_its_own_words_selects_the_only_award_for_it(client):
    _, second = chat(client, ["郑州全国重点实验室有什么支持?", "我们是参与共建的那一方,不是牵头的,能拿多少?"])
    assert second["calculation"]["program"] == "zhengzhou_key_laboratory"
    assert second["calculation"]["result_yuan"] == 1_000_000


def test_a_level_corrected_with_an_amount_ask_recomputes(client):
    turns = chat(client, ["嘉兴企业技术中心有奖励吗", "我们是省级的", "搞错了,其实是市级的,给多少钱"])
    assert turns[1]["calculation"]["result_yuan"] == 500_000
    assert turns[2]["calculation"]["result_yuan"] == 200_000


def test_an_english_hyphenated_option_switches_the_branch(client):
    turns = chat(client, [
        "Jiaxing information service project subsidy?", "It's an upgrade, 40 million yuan invested.",
        "What if it were a new-build project instead?",
    ])
    assert turns[1]["calculation"]["result_yuan"] == 1_500_000  # 4000万 × 5% = 200万, upgrade cap 150万
    assert turns[2]["calculation"]["result_yuan"] == 2_000_000  # new-build cap 300万


def test_a_figure_part_after_a_department_part_keeps_the_conversation(client):
    _, second = chat(client, ["郑州示范基地有奖励吗", "这个找哪些部门?国家级的给多少"])
    assert "市工信局" in second["answer"]
    assert second["calculation"]["result_yuan"] == 2_000_000


@pytest.mark.parametrize("reply", [
    "郑州对经认定的重大科技专项,每个项目给予不低于1000万元的财政资金支持(二、4.)。",  # names the clause by label
    "Approved major special projects get at least 10 million yuan each.",  # only states its figure
])
def test_this_continues_the_clause_the_last_reply_was_about(client, reply):
    # the question alone fits several clauses; the reply in the history says which one the conversation is on
    body = ask(client, "这个归哪些部门管?", [("user", "郑州对人工智能项目有什么资金支持?"), ("assistant", reply)])
    assert [c["id"] for c in body["citations"]] == ["zhengzhou-ai-measures#二.4"]
    assert "市科技局、市财政局" in body["answer"]


def test_a_short_ask_of_another_kind_is_answered_as_its_own_part(client):
    body = ask(client, "嘉兴的算力补贴按多少比例给?谁负责")
    lines = body["answer"].splitlines()
    assert "50%" in lines[0] and "市经信局、市财政局" in lines[1]


def test_a_self_built_exclusion_said_in_full_words_is_applied(client):
    body = ask(client, "郑州算力券,我们的卡是自己建的机柜自己用,合同300万能补吗")
    assert body["calculation"]["program"] == "zhengzhou_compute_voucher"
    assert body["calculation"]["result_yuan"] == 0
    assert "自建自用除外" in body["answer"]


def test_a_figure_repeated_from_the_answer_is_not_the_askers_sum(client):
    *_, last = chat(client, ["郑州新建全国重点实验室怎么支持", "哪些部门负责", "那1000万分几年到位?", "我们不是牵头单位,是共建的,这样能拿多少?"])
    assert last["calculation"]["program"] == "zhengzhou_key_laboratory"
    assert last["calculation"]["result_yuan"] == 1_000_000  # the co-building unit's award, not 1000万 × a rate


def test_this_asks_about_the_clause_of_the_conversation_not_another_programme(client):
    _, last = chat(client, ["Zhengzhou funding for major AI science and technology projects?", "这个有没有封顶?"])
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#二.4"]
    assert "一事一议" in last["answer"] or "case by case" in last["answer"]  # no ceiling: negotiated


def test_which_document_this_clause_is_from_cites_the_clause_once(client):
    _, last = chat(client, ["郑州智能工厂有奖励吗", "这条出自哪个文件?文号是啥?"])
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#三.7"]
    assert last["answer"].count("郑政文〔2024〕62号") == 1


def test_a_document_listed_in_an_attachment_is_answered_from_the_list(client):
    body = ask(client, "司法鉴定那份文件现在还有效吗,文号是啥")
    assert [c["id"] for c in body["citations"]] == ["jiaxing-gazette-2024-11-4#附件"]
    assert "嘉司发〔2024〕3号" in body["answer"] and "嘉司发〔2022〕20号" in body["answer"]  # the whole short list


def test_the_notices_own_number_is_not_taken_from_its_attachment(client):
    body = ask(client, "嘉兴司法局公布清理结果的那份通知文号是多少?")
    assert "嘉司发〔2024〕22号" in body["answer"]
    assert "jiaxing-gazette-2024-11-4#附件" not in [c["id"] for c in body["citations"]]


@pytest.mark.parametrize("question, unit", [
    ("杭州算力券的申报材料该报给谁?", "市经信局"),
    ("Who should we talk to in Zhengzhou about compute vouchers?", "市工信局"),
])
def test_who_to_hand_it_to_is_a_department_question(client, question, unit):
    body = ask(client, question)
    assert body["calculation"] is None
    assert unit in body["answer"] and ("责任单位" in body["answer"] or "responsible units" in body["answer"])


def test_an_english_option_said_with_not_takes_the_other_branch(client):
    first, second = chat(client, [
        "Hangzhou compute vouchers: we signed a 4 million yuan contract, how much?",
        "our cards aren't chinese-made though",
    ])
    assert first["calculation"] is None and "20%" in first["answer"]  # the rate depends on the compute's origin
    assert second["calculation"]["result_yuan"] == 800_000  # 20% for other compute, not 30% for domestic


@pytest.mark.parametrize("questions, program, result", [
    (["郑州人工智能场景应用项目怎么支持", "我们是做智慧医疗场景的,项目投了800万", "郑州算力券谁负责", "回到医疗那个项目,能拿多少?"],
     "zhengzhou_scenario_application", 2_400_000),  # 800万 × 30%, after a detour to another programme
    (["嘉兴用智算有补贴吗", "我们今年用了300万", "嘉兴首台套有什么奖励", "回到第一个,能拿多少?"],
     "jiaxing_compute_subsidy", 1_500_000),  # 300万 × 50%: "the first one" with the sum given right after it
])
def test_going_back_to_an_earlier_subject_takes_its_programme_and_sums(client, questions, program, result):
    *_, last = chat(client, questions)
    assert last["calculation"]["program"] == program
    assert last["calculation"]["result_yuan"] == result


@pytest.mark.parametrize("question, result", [
    ("嘉兴用超算,今年花了600万,模型还没有备案,补贴多少?", 2_000_000),  # 300万 capped at 200万 without a filing
    ("嘉兴用超算,今年花了600万,模型已经备案了,补贴多少?", 3_000_000),  # under the 500万 cap with one
])
def test_a_yes_no_option_said_with_a_negation_is_a_no(client, question, result):
    body = ask(client, question)
    assert body["calculation"]["program"] == "jiaxing_compute_subsidy"
    assert body["calculation"]["result_yuan"] == result


def test_a_situation_with_an_option_stays_with_the_programme_asked_about(client):
    _, second = chat(client, ["嘉兴智算费用有补贴吗", "今年算力花了800万,模型刚完成网信办备案"])
    assert second["calculation"]["program"] == "jiaxing_compute_subsidy"  # not the filing award of the next clause
    assert second["calculation"]["result_yuan"] == 4_000_000


@pytest.mark.parametrize("questions, program, result", [
    (["郑州算力券比例多少", "合同金额500万", "不过这些卡是我们自建自用的,这样还有吗"], "zhengzhou_compute_voucher", 0),
    (["我们在嘉兴用超算,去年花了300万", "找哪个部门", "那我能拿多少?"], "jiaxing_compute_subsidy", 1_500_000),
])
def test_a_longer_follow_up_on_the_same_programme_keeps_the_sums(client, questions, program, result):
    *_, last = chat(client, questions)
    assert last["calculation"]["program"] == program
    assert last["calculation"]["result_yuan"] == result


def test_an_english_sum_without_yuan_spent_on_something_is_read(client):
    body = ask(client, "We spent 5 million on supercomputing in Jiaxing this year, what subsidy do we get?")
    assert body["calculation"]["result_yuan"] == 2_000_000  # 2.5 million capped at 2 million


@pytest.mark.parametrize("questions, program, result", [
    (["郑州智能工厂奖多少", "我们是省级的", "那如果是智能车间呢"], "zhengzhou_smart_manufacturing_award", 300_000),
    (["Jiaxing awards for first sets and first versions?", "ours is a first version software, first in China"],
     "jiaxing_first_set_award", 1_500_000),
    (["嘉兴人工智能应用场景入选有奖励吗", "我们进的是省级的,能拿多少"], "jiaxing_application_scenario_award", 200_000),
])
def test_the_award_a_follow_up_names_by_what_sets_it_apart(client, questions, program, result):
    *_, last = chat(client, questions)
    assert last["calculation"]["program"] == program
    assert last["calculation"]["result_yuan"] == result


def test_a_partner_unit_is_the_co_building_role(client):
    body = ask(client, "We're only a partner unit on a new national key lab in Zhengzhou, what do we get?")
    assert body["calculation"]["result_yuan"] == 1_000_000


def test_awards_of_two_programmes_in_one_ask_are_both_answered(client):
    body = ask(client, "郑州这边,我们公司进了潜在独角兽榜单,今年还首次被认定为专精特新小巨人,各能拿多少?")
    assert "200万元" in body["answer"] and "100万元" in body["answer"]
    assert body["calculation"] is None or body["calculation"]["result_yuan"] not in (1_000_000, 2_000_000)


@pytest.mark.parametrize("question", [
    "要是一个项目同时符合好几个政策,杭州和嘉兴各自怎么处理?",  # a condition clause, then one ask of two cities
    "杭州的人工智能措施跟其他同类政策重叠时按什么原则?嘉兴又是怎么规定的?",  # the same ask again, of another city
])
def test_the_same_part_of_each_citys_policy_answers_a_comparison_naming_no_programme(client, question):
    body = ask(client, question)
    cited = [c["id"] for c in body["citations"]]
    assert "hangzhou-ai-measures#closing" in cited and "jiaxing-ai-plan#closing" in cited
    assert "从优、就高、不重复" in body["answer"] and "就高不重复" in body["answer"]


def test_stacking_asked_of_two_cities_gives_each_its_principle(client):
    body = ask(client, "杭州和嘉兴的奖励能叠加拿吗?")
    assert {c["id"] for c in body["citations"]} == {"hangzhou-ai-measures#closing", "jiaxing-ai-plan#closing"}


def test_two_documents_is_not_a_stacking_question(client):
    body = ask(client, "杭州和郑州这两份政策各自什么时候到期?")
    assert "2027年12月31日" in body["answer"] and "有效期3年" in body["answer"]


def test_the_same_ask_of_another_city_is_answered_from_the_same_part_of_its_policy(client):
    first, second = chat(client, ["杭州AI措施的奖补资金由谁承担?", "嘉兴那边又是怎么规定的?"])
    assert "按财政体制共同承担" in first["answer"] and "2027年12月31日" not in first["answer"]  # no date for a who-pays ask
    assert [c["id"] for c in second["citations"]] == ["jiaxing-ai-plan#closing"]


def test_a_validity_follow_up_in_another_city_is_still_a_validity_answer(client):
    # guards the same-part rule above: a dates ask of another city gets that city's validity, not a quote
    _, second = chat(client, ["杭州的AI措施什么时候到期?", "郑州呢?"])
    assert "有效期3年" in second["answer"] and "2027年12月31日" not in second["answer"]


def test_an_english_question_about_key_tasks_finds_the_interpretations_count(client):
    body = ask(client, "According to the interpretation, how many key tasks does Jiaxing's AI plan set out, in how many areas?")
    assert "jiaxing-ai-plan-interpretation#二" in [c["id"] for c in body["citations"]]


def test_a_loan_said_in_hundred_millions_with_a_classifier_is_computed(client):
    body = ask(client, "我们在杭州建新的算力中心,跟合作银行贷了3个亿,利率4%,贴息多少?")
    assert body["calculation"]["program"] == "hangzhou_loan_interest"
    assert body["calculation"]["result_yuan"] == 4_500_000  # 3亿 × 1.5 points, under half of the 1200万 interest


def test_english_amounts_go_to_the_inputs_their_words_name_before_or_after(client):
    body = ask(client, "Hangzhou municipal innovation centre for future industries: we have put 20 million in so far, "
                       "and the approved input for this year is 6 million. How much funding is that?")
    assert body["calculation"]["program"] == "hangzhou_innovation_center"
    assert body["calculation"]["inputs"]["approved_investment_yuan"] == 6_000_000
    assert body["calculation"]["result_yuan"] == 3_000_000  # 50% of the approved input, not of the 20 million



def test_which_of_two_awards_pays_more_gives_both_amounts(client):
    *_, last = chat(client, ["嘉兴企业技术中心有奖励吗", "制造业创新中心呢", "我们同时拿到了国家级制造业创新中心和国家级企业技术中心,哪个给得多?"])
    assert "300万元" in last["answer"] and "150万元" in last["answer"]
    assert "jiaxing-ai-plan#三.(四)" in [c["id"] for c in last["citations"]]


def test_which_city_pays_more_after_a_conversation_about_two_cities(client):
    *_, last = chat(client, [
        "Does Jiaxing reward a company whose model gets registered with the Cyberspace Administration?",
        "and Hangzhou?",
        "what's the document number of the Hangzhou measures?",
        "so which city pays more for the registration?",
    ])
    cited = [c["id"] for c in last["citations"]]
    assert "jiaxing-ai-plan#三.(七)" in cited and "hangzhou-ai-measures#二.(四)" in cited


def test_a_short_city_follow_up_with_its_own_ask_keeps_its_ask(client):
    _, second = chat(client, ["嘉兴AI实施方案的文号是多少?", "杭州那边找哪个部门?"])
    assert "责任单位" in second["answer"] and "〔2024〕" not in second["answer"]


@pytest.mark.parametrize("questions, cited, figures", [
    (["郑州对大模型场景应用怎么支持?", "那嘉兴的应用场景呢?"], "jiaxing-ai-plan#三.(七)", ("50万元", "20万元")),
    (["What does Zhengzhou give for a national key lab?", "when does that policy expire?",
      "what about Jiaxing, for a provincial enterprise technology centre?"], "jiaxing-ai-plan#三.(四)", ("500,000",)),
])
def test_a_city_and_programme_follow_up_asks_the_same_of_that_programme(client, questions, cited, figures):
    *_, last = chat(client, questions)
    assert cited in [c["id"] for c in last["citations"]]
    assert all(f in last["answer"] for f in figures)


def test_an_english_department_question_about_a_loan_for_a_computing_centre(client):
    body = ask(client, "Which bureau do we contact in Hangzhou about discounted interest on a bank loan for a new data center?")
    assert [c["id"] for c in body["citations"]] == ["hangzhou-ai-measures#一.(二)"]
    assert "市委金融办" in body["answer"]


def test_a_clause_that_speaks_of_every_programme_named_answers(client):
    body = ask(client, "在杭州建智算中心,找合作银行贷了款,有没有贴息?")
    assert [c["id"] for c in body["citations"]][0] == "hangzhou-ai-measures#一.(二)"  # not the compute voucher


def test_a_figure_named_as_the_limit_is_not_the_askers_sum(client):
    *_, last = chat(client, ["杭州算力券,国产算力合同2000万能拿多少?", "我们是多模态大模型企业,800万上限能放宽吗?", "如果换成非国产算力呢?"])
    assert last["calculation"]["inputs"]["contract_amount_yuan"] == 20_000_000
    assert last["calculation"]["result_yuan"] == 4_000_000


def test_an_english_follow_up_that_goes_on_keeps_the_subject(client):
    *_, last = chat(client, ["Zhengzhou: how much support does a major S&T project get once approved?", "who runs it?",
                             "and for the really big ones, is there a ceiling?"])
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#二.4"]
    assert "一事一议" in last["answer"] or "case by case" in last["answer"]  # no ceiling: negotiated


@pytest.mark.parametrize("question", [
    "嘉兴的AI方案到2027年营收要做到多大?算力规模要到多少",  # the second ask's own sentence, not a sum with a limit
    "嘉兴搞人工智能有什么目标?主要想知道营收和算力两块",  # a piece that asks nothing narrows the ask before it
])
def test_a_target_question_naming_two_aspects_quotes_a_sentence_for_each(client, question):
    body = ask(client, question)
    assert "1000亿元" in body["answer"] and "100EFlops" in body["answer"]


def test_a_persons_name_is_asked_from_the_text_not_the_documents_title(client):
    body = ask(client, "嘉兴10月任命的经济技术开发区管委会副主任叫什么名字?")
    assert "眭永华" in body["answer"]


def test_which_organisation_issued_the_interpretation_is_its_agency_not_the_person(client):
    body = ask(client, "嘉兴AI实施方案的政策解读是哪个单位出的?")
    assert [c["id"] for c in body["citations"]] == ["jiaxing-ai-plan-interpretation#六.(一)"]


def test_a_count_asked_of_it_is_counted_in_the_document_the_conversation_is_on(client):
    *_, last = chat(client, ["嘉兴AI方案的政策解读是谁解读的?", "方案什么时候开始施行?", "它一共从几个方面给政策支持?"])
    assert "10个方面" in last["answer"]


@pytest.mark.parametrize("questions", [
    ["嘉兴AI实施方案文号是多少?", "有效期到什么时候?", "这个方案的政策解读有咨询电话吗?"],
    ["Who interpreted Jiaxing's AI plan?", "What's the compute target?", "And what number do I call to ask about it?"],
])
def test_an_interpretation_question_in_a_conversation_is_answered_from_the_interpretation(client, questions):
    *_, last = chat(client, questions)
    assert [c["id"] for c in last["citations"]] == ["jiaxing-ai-plan-interpretation#六.(三)"]
    assert "0573-82521924" in last["answer"]


def test_a_documents_number_and_its_basis_asked_together_are_both_answered(client):
    body = ask(client, "嘉兴司法局公布清理结果的那份通知文号是多少?依据哪些文件?")
    assert "嘉司发〔2024〕22号" in body["answer"] and "国办发〔2018〕37号" in body["answer"]


def test_which_pays_more_of_the_programmes_talked_about(client):
    *_, last = chat(client, ["嘉兴国家级制造业创新中心奖多少?", "国家级企业技术中心呢?", "要是两个都评上了,哪个给得多?"])
    assert "300万元" in last["answer"] and "150万元" in last["answer"]


def test_english_words_for_mixed_industrial_land(client):
    body = ask(client, "Jiaxing: for mixed-use industrial land, what share of the floor area must be industrial at least?")
    assert "jiaxing-gazette-2024-11-2#三.(二)" in [c["id"] for c in body["citations"]] and "51%" in body["answer"]


def test_a_department_question_finds_the_clause_that_names_units_for_its_words(client):
    body = ask(client, "有企业想在嘉兴都市型工业园区用混合产业用地,这事归哪个部门?")
    assert [c["id"] for c in body["citations"]] == ["jiaxing-gazette-2024-11-2#三.(二)"]
    assert "市自然资源和规划局" in body["answer"]


def test_the_longest_english_phrase_decides_its_chinese_words(client):
    body = ask(client, "Which department handles Jiaxing's award for a growth type Zhejiang digital merchant?")
    assert [c["id"] for c in body["citations"]] == ["jiaxing-ai-plan#三.(八)"]


def test_an_english_chain_through_three_cities_keeps_the_sum_and_switches_options(client):
    answers = chat(client, [
        "What does Zhengzhou give for computing power vouchers?", "Our contract is 3 million yuan.", "Who runs it?",
        "And in Hangzhou, with domestic chips?", "What if the chips were imported?", "We spent 5 million in Jiaxing last year, what about there?",
        "Can these be combined with other subsidies?",
    ])
    assert answers[1]["calculation"]["result_yuan"] == 600_000  # 3 million × 20% in Zhengzhou
    assert answers[3]["calculation"]["result_yuan"] == 900_000  # domestic compute in Hangzhou: 30%
    assert answers[4]["calculation"]["result_yuan"] == 600_000  # imported: 20%
    assert answers[5]["calculation"]["result_yuan"] == 2_000_000  # 5 million × 50%, capped at 2 million
    assert "就高不重复" in answers[6]["answer"]


def test_a_role_switched_back_and_a_department_after_a_stacking_detour(client):
    answers = chat(client, ["郑州对人工智能全国重点实验室怎么支持?", "我们是共建单位", "要是牵头的呢"])
    assert answers[1]["calculation"]["result_yuan"] == 1_000_000
    assert answers[2]["calculation"]["result_yuan"] == 15_000_000  # back to the lead unit: 500万 + 1000万
    *_, last = chat(client, ["嘉兴首台套装备奖励多少?", "浙江制造精品呢?", "这两个能一起拿吗?", "哪个部门受理?"])
    assert "市经信局、市财政局" in last["answer"] and "就高不重复" not in last["answer"]


def test_a_sum_to_take_out_is_added_to_the_sum_stated_not_put_in_its_place(client):
    *_, last = chat(client, ["嘉兴信息服务业提升改造项目有补助吗", "我们投了1000万", "其中土地款300万"])
    assert last["calculation"]["inputs"]["investment_yuan"] == 7_000_000  # 1000万 less the land
    assert last["calculation"]["result_yuan"] == 350_000


def test_a_policy_without_a_stacking_rule_says_it_states_none(client):
    body = ask(client, "郑州的奖补能和其他政策叠加吗?")
    assert not body["refused"] and "未写明" in body["answer"] and body["citations"] == []
    both = ask(client, "杭州和郑州的奖励能叠加吗?")
    assert [c["id"] for c in both["citations"]] == ["hangzhou-ai-measures#closing"]
    assert "从优、就高、不重复" in both["answer"] and "未写明" in both["answer"]


@pytest.mark.parametrize("questions", [
    ["郑州算力券归哪个部门管?", "杭州的呢?", "那哪个补得多?"],
    ["Which bureau runs Zhengzhou's compute vouchers?", "and Hangzhou?", "what's the yearly cap for each?"],
])
def test_which_more_or_each_after_two_cities_on_one_programme_compares_the_cities(client, questions):
    *_, last = chat(client, questions)
    cited = [c["id"] for c in last["citations"]]
    assert sorted(cited) == ["hangzhou-ai-measures#一.(三)", "zhengzhou-ai-measures#一.2"]
    assert "800万元" in last["answer"] and "100万元" in last["answer"]


@pytest.mark.parametrize("question, cited, figure", [
    ("嘉兴那个人工智能实施方案,补助的钱是从哪列支的?", ["jiaxing-ai-plan#closing"], "市工业和信息化专项资金"),
    ("都市型工业那份实施意见由谁来统筹推进?", ["jiaxing-gazette-2024-11-2#四"], "专项小组办公室"),
    ("郑州和杭州的补贴资金谁来出?", ["hangzhou-ai-measures#closing"], "按财政体制共同承担"),
])
def test_an_ask_about_the_policy_as_a_whole_is_answered_from_the_clause_stating_it(client, question, cited, figure):
    body = ask(client, question)
    assert set(cited) <= {c["id"] for c in body["citations"]}
    assert figure in body["answer"]


@pytest.mark.parametrize("questions", [
    ["郑州算力券补多少?", "那独角兽企业奖多少?", "这俩都归哪个局管?"],
    ["嘉兴新认定的国家级企业技术中心奖多少?", "首台套呢?", "这两个都是经信局在管吗?"],
])
def test_a_department_question_about_two_programmes_answers_each(client, questions):
    *_, last = chat(client, questions)
    lines = last["answer"].splitlines()
    assert len(last["citations"]) == 2 and len({c["id"] for c in last["citations"]}) == 2
    assert all("责任单位" in line for line in lines[1:3])


def test_going_back_to_a_city_named_answers_its_programme_with_the_level_asked_now(client):
    *_, last = chat(client, [
        "嘉兴新入选国家级人工智能应用场景的企业奖多少?",
        "郑州有类似的吗?",
        "郑州这个归哪个部门?",
        "刚才说嘉兴那个,省级的奖多少?",
    ])
    assert [c["id"] for c in last["citations"]][0] == "jiaxing-ai-plan#三.(七)"
    assert last["calculation"]["result_yuan"] == 200_000


def test_back_to_the_first_citys_programme_in_english(client):
    *_, last = chat(client, [
        "Does Hangzhou reward open-source model communities?",
        "Does Zhengzhou have that too?",
        "back to Hangzhou's one: how many firms get it?",
    ])
    assert [c["id"] for c in last["citations"]][0] == "hangzhou-ai-measures#二.(五)"


def test_who_pays_asked_of_a_programme_in_a_conversation_is_the_policys_funding_rule(client):
    *_, last = chat(client, ["杭州算力基础设施贷款贴息最多贴多少?", "這筆錢是誰來出?"])
    assert "hangzhou-ai-measures#closing" in [c["id"] for c in last["citations"]]
    assert "按财政体制共同承担" in last["answer"]


def test_a_question_quoting_the_answers_figure_stays_on_its_programme(client):
    *_, last = chat(client, [
        "What does Jiaxing give for AI manufacturing investment projects?",
        "Is the 20 million counted with the building works?",
        "and the ceiling for one project?",
    ])
    assert [c["id"] for c in last["citations"]][0] == "jiaxing-ai-plan#三.(一)"
    assert "15,000,000" in last["answer"] or "1500万元" in last["answer"]


def test_a_department_ask_typed_with_the_wrong_na(client):
    body = ask(client, "郑州人工智能产业园的奖补,要去那个部门申报?")
    assert "zhengzhou-ai-measures#三.9" in [c["id"] for c in body["citations"]]
    assert "市工信局" in body["answer"]


@pytest.mark.parametrize("questions", [
    ["杭州数据标注有补贴吗?", "行,那还有没有别的补贴?"],
    ["What does Zhengzhou pay for compute?", "thanks - anything else a startup like us could apply for?"],
])
def test_asking_for_other_support_after_one_programme_gets_the_overview(client, questions):
    *_, last = chat(client, questions)
    assert all(city in last["answer"] for city in (("Hangzhou", "Jiaxing", "Zhengzhou") if "Zhengzhou" in questions[0] else ("杭州", "嘉兴", "郑州")))
    assert last["citations"] == []


def test_which_pays_more_naming_another_city_compares_it_with_the_one_talked_about(client):
    *_, last = chat(client, ["杭州算力券每家企业一年最多多少?", "郑州那边呢?哪边给得多"])
    cited = sorted(c["id"] for c in last["citations"])
    assert cited == ["hangzhou-ai-measures#一.(三)", "zhengzhou-ai-measures#一.2"]


def test_a_programme_only_one_city_has_compared_after_a_conversation_on_it(client):
    *_, last = chat(client, ["嘉兴首台套奖励怎么给?", "郑州有没有类似的?哪边多"])
    assert [c["id"] for c in last["citations"]] == ["jiaxing-ai-plan#三.(五)"]
    assert "郑州:未找到对应条款" in last["answer"]


@pytest.mark.parametrize("questions, result", [
    (["嘉兴信息服务业项目投资补助怎么算?", "我们新建项目,投了600万", "不对,我是说提升改照项目,金额不变"], 300_000),
    (["Hangzhou matching funds for a provincial key R&D task?", "we got 2 million",
      "sorry, I meant 12 million, not 2 million"], 3_000_000),
    (["郑州算力券怎么补?", "合同额500万", "其实这些算力是我们自己建、自己用的,还能补吗"], 0),
])
def test_a_correction_or_a_fuzzy_pinyin_typo_recomputes_with_what_was_meant(client, questions, result):
    *_, last = chat(client, questions)
    assert last["calculation"]["result_yuan"] == result


def test_a_level_switch_picks_the_award_of_that_level_over_a_sibling_naming_none(client):
    *_, last = chat(client, ["嘉兴首台套装备奖多少?", "我们拿的是国内首台(套)", "那要是只有省内首台(套)呢?"])
    assert last["calculation"]["program"] == "jiaxing_first_set_award"
    assert last["calculation"]["result_yuan"] == 500_000


@pytest.mark.parametrize("question, cited, units", [
    ("嘉兴都市型工业的实施意见是下发给哪些单位的?", "jiaxing-gazette-2024-11-2#preamble", "南湖区人民政府、秀洲区人民政府"),
    # a policy issued by a notice: the notice's salutation
    ("郑州那份人工智能政策措施的主送单位是哪些?", "zhengzhou-ai-measures#notice", "各开发区管委会"),
])
def test_whom_a_document_is_addressed_to_is_read_from_its_first_clause(client, question, cited, units):
    body = ask(client, question)
    assert [c["id"] for c in body["citations"]] == [cited]
    assert units in body["answer"]


@pytest.mark.parametrize("questions, number", [
    (["嘉兴司法局清理行政规范性文件的通知是哪天发的?", "那第一个继续有效的是哪份文件?"], "嘉司发〔2022〕20号"),
    (["嘉兴司法局清理后继续有效的文件有几件?", "第一件是什么?", "那另一个呢,文号多少?"], "嘉司发〔2024〕3号"),
])
def test_an_entry_of_the_attached_list_asked_by_its_place(client, questions, number):
    *_, last = chat(client, questions)
    assert [c["id"] for c in last["citations"]][0] == "jiaxing-gazette-2024-11-4#附件"
    assert number in last["answer"]


def test_the_number_of_this_policy_cites_the_document_not_the_clause_talked_about(client):
    *_, last = chat(client, ["郑州全国重点实验室给多少?", "该政策的文号是什么?"])
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#notice"]
    assert "郑政文〔2024〕62号" in last["answer"]


def test_an_english_question_on_what_a_notice_was_based_on(client):
    body = ask(client, "Which national rules was the Jiaxing justice bureau's clean-up notice based on?")
    assert [c["id"] for c in body["citations"]] == ["jiaxing-gazette-2024-11-4#preamble"]
    assert "国办发〔2018〕37号" in body["answer"]


def test_a_second_contract_said_to_add_up_with_the_first_is_computed_on_their_total(client):
    *_, last = chat(client, ["杭州算力券按多少比例补?", "我们签了2000万国产算力合同", "下半年还要再签1000万,两个加起来能补多少?"])
    assert last["calculation"]["result_yuan"] == 8_000_000  # 3000万 × 30% = 900万, capped at 800万 a year


def test_a_title_only_one_city_rewards_is_said_missing_in_the_others(client):
    body = ask(client, "独角兽企业在杭州、嘉兴、郑州各奖多少?")
    assert [c["id"] for c in body["citations"]] == ["zhengzhou-ai-measures#三.8"]
    assert "杭州:未找到对应条款" in body["answer"] and "嘉兴:未找到对应条款" in body["answer"]
    assert "500万元" in body["answer"]


def test_the_figure_question_asked_of_two_more_cities_compares_all_three(client):
    *_, last = chat(client, ["What's Zhengzhou's yearly cap on compute vouchers per company?",
                             "and for Hangzhou and Jiaxing?"])
    cited = sorted(c["id"] for c in last["citations"])
    assert cited == ["hangzhou-ai-measures#一.(三)", "jiaxing-ai-plan#三.(六)", "zhengzhou-ai-measures#一.2"]


def test_how_each_city_does_it_after_a_stacking_answer(client):
    *_, last = chat(client, ["嘉兴同一个项目符合两项补助,能都拿吗?", "杭州那边呢?两边规定有什么区别"])
    cited = sorted(c["id"] for c in last["citations"])
    assert cited == ["hangzhou-ai-measures#closing", "jiaxing-ai-plan#closing"]


def test_a_similar_award_asked_of_other_cities_keeps_the_city_talked_about(client):
    *_, last = chat(client, ["郑州入选权威榜单的独角兽企业奖多少?", "杭州、嘉兴有没有类似的奖励?比较一下"])
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#三.8"]
    assert "杭州:未找到对应条款" in last["answer"] and "嘉兴:未找到对应条款" in last["answer"]


def test_a_comparison_with_a_city_talked_about_uses_the_programme_discussed_there(client):
    *_, last = chat(client, ["杭州对承担国家重点研发任务的企业配套多少?", "郑州的重大科技专项支持多少,跟杭州比呢?"])
    cited = {c["id"] for c in last["citations"]}
    assert cited == {"zhengzhou-ai-measures#二.4", "hangzhou-ai-measures#一.(一)"}


def test_a_policy_without_a_stacking_rule_quotes_the_programme_asked_about(client):
    body = ask(client, "郑州的算力券和省里的算力券能同时享受吗?")
    assert [c["id"] for c in body["citations"]] == ["zhengzhou-ai-measures#一.2"]
    assert "未写明" in body["answer"] and "省算力券" in body["answer"]


def test_an_option_switch_stating_its_own_sum_is_computed_with_it(client):
    *_, last = chat(client, ["嘉兴信息服务业项目补助怎么算?", "我们新建,投了2000万", "谁负责审核?",
                             "Sorry, it's an upgrade of an existing site, and 3000万. What then?"])
    assert last["calculation"]["result_yuan"] == 1_500_000  # 3000万 × 5% = 150万, the upgrade cap


def test_a_department_after_sums_finds_the_clause_the_answer_was_about_not_one_sharing_the_askers_sum(client):
    *_, last = chat(client, ["我们在嘉兴准备新建一个信息服务项目,投资1200万,能补吗?", "那改造投400万呢", "这个找哪个部门?"])
    assert [c["id"] for c in last["citations"]] == ["jiaxing-ai-plan#三.(二)"]
    assert "市发展改革委" in last["answer"]


def test_a_traditional_question_with_two_asks_answers_both(client):
    *_, last = chat(client, ["請問杭州有獎勵模型開源嗎?", "那模型備案的獎勵呢?是多少?要找誰?"])
    assert {c["id"] for c in last["citations"]} == {"hangzhou-ai-measures#二.(四)"}
    assert "50万元" in last["answer"] and "市委网信办" in last["answer"]


def test_an_english_role_said_as_we_lead_picks_the_lead_award(client):
    *_, last = chat(client, ["Zhengzhou support for a new national key lab in AI?", "We'd only be a co-builder.",
                             "And if we lead a new national technology innovation centre instead?"])
    assert last["calculation"]["result_yuan"] == 5_000_000


def test_the_programme_named_by_its_head_noun_alone_stays_the_subject(client):
    *_, last = chat(client, ["杭州未来产业市级制造业创新中心怎么资助?", "每年还是总共?", "这个中心自己至少要投入多少钱才行?"])
    assert [c["id"] for c in last["citations"]][0] == "hangzhou-ai-measures#三.(七)"
    assert "1000万元" in last["answer"]


def test_a_city_follow_up_on_validity_answers_the_corresponding_policy_of_that_city(client):
    *_, last = chat(client, ["郑州那个人工智能政策措施有效期多久?", "杭州那个是哪个部门牵头实施?", "嘉兴的到什么时候?"])
    assert [c["id"] for c in last["citations"]] == ["jiaxing-ai-plan#closing"]
    assert "2027年12月31日" in last["answer"]


def test_a_count_asked_of_two_programmes_counts_each(client):
    *_, last = chat(client, ["杭州对模型开源社区贡献大的企业奖励吗?", "那赋能制造业的示范方案呢?", "这两个每年各最多选几家、几个?"])
    assert {c["id"] for c in last["citations"]} == {"hangzhou-ai-measures#二.(五)", "hangzhou-ai-measures#三.(八)"}
    assert "不超过10家企业" in last["answer"] and "不超过5个" in last["answer"]


def test_one_sum_asked_of_two_named_cities_is_computed_in_each(client):
    body = ask(client, "同一份500万的算力合同,杭州(国产算力)和嘉兴各能补多少?")
    lines = body["answer"]
    assert "150万元" in lines and "200万元" in lines  # 500万 × 30%; 500万 × 50% = 250万, capped at 200万
    assert sorted(c["id"] for c in body["citations"]) == ["hangzhou-ai-measures#一.(三)", "jiaxing-ai-plan#三.(六)"]


def test_departments_of_both_cities_asked_after_a_city_switch_are_answered_per_city(client):
    *_, last = chat(client, ["郑州给小巨人企业奖励吗?", "杭州那边呢?两边分别找哪个部门"])
    assert "市工信局" in last["answer"] and "市经信局" in last["answer"]


def test_an_english_phrase_hides_the_topic_word_inside_it(client):
    *_, last = chat(client, ["How much land revenue does Jiaxing put into its urban-industry fund?",
                             "Is leasing allowed for mixed-use industrial land?",
                             "And on such mixed land, what minimum share of the floor area must be industrial?"])
    assert [c["id"] for c in last["citations"]][0] == "jiaxing-gazette-2024-11-2#三.(二)"
    assert "51%" in last["answer"]


def test_an_entry_asked_of_the_list_a_notice_attaches(client):
    *_, last = chat(client, ["What came out of the Jiaxing justice bureau's clean-up of normative documents?",
                             "Which one on that list was issued in 2022?"])
    assert [c["id"] for c in last["citations"]][0] == "jiaxing-gazette-2024-11-4#附件"
    assert "嘉司发〔2022〕20号" in last["answer"]


def test_two_asks_of_one_clause_and_a_department_ask_answer_all_three(client):
    body = ask(client, "嘉兴都市型工业的混合产业用地,工业建筑面积至少占多少?弹性出让最长多少年?归哪个局管?")
    assert "51%" in body["answer"] and "30年" in body["answer"] and "市自然资源和规划局" in body["answer"]
    assert [c["id"] for c in body["citations"]] == ["jiaxing-gazette-2024-11-2#三.(二)"]


def test_a_second_ask_naming_one_of_the_compared_cities_keeps_the_programme(client):
    body = ask(client, "创新中心这块杭州和郑州谁给得多?杭州是每年都给吗,给几年?")
    cited = [c["id"] for c in body["citations"]]
    assert set(cited) == {"hangzhou-ai-measures#三.(七)", "zhengzhou-ai-measures#二.6"}
    assert "3年" in body["answer"]


def test_a_one_word_document_question_in_a_conversation_cites_the_notice(client):
    *_, last = chat(client, ["郑州 人工智能政策", "啥时候施行", "几年有效", "文号"])
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#notice"]
    assert "郑政文〔2024〕62号" in last["answer"]


@pytest.mark.parametrize("question", [
    "What AI industry turnover does Jiaxing want to reach by 2027?",  # the plan's revenue award names 营业收入 too
    "嘉兴人工智能产业到2027年力争做到多大规模?",
])
def test_a_target_question_is_answered_from_the_section_that_sets_the_targets(client, question):
    body = ask(client, question)
    assert body["citations"][0]["id"] == "jiaxing-ai-plan#一"
    assert "1000亿" in body["answer"]


def test_a_count_and_a_share_asked_between_commas_are_both_answered(client):
    body = ask(client, "都市型工业意见里,到2027年要建成多少个都市型工业园区,每年从土地收入里提取多少比例?")
    assert "20个" in body["answer"] and "0.5%" in body["answer"]
    cited = [c["id"] for c in body["citations"]]
    assert "jiaxing-gazette-2024-11-2#一" in cited and "jiaxing-gazette-2024-11-2#三.(六)" in cited


def test_a_city_named_with_a_subject_of_its_own_asks_about_that_subject(client):
    # "孵化器" is no programme of the lexicon: the question is about it in 嘉兴, not the 杭州 programme asked before
    _, second = chat(client, ["杭州算力券一年最多补多少?", "嘉兴孵化器有啥说法"])
    assert second["citations"][0]["id"] == "jiaxing-ai-plan#二.(一).3"
    assert "孵化器" in second["answer"]


def test_which_unit_leads_asked_without_the_word_department(client):
    _, second = chat(client, ["嘉兴对语料库建设怎么支持?", "这条牵头的是谁"])
    assert "市数据局" in second["answer"] and "牵头" in second["answer"]


def test_a_development_zone_by_its_short_name(client):
    # 经开区 is written 经济技术开发区; the zone asked before (港区) is named in the other appointment
    *_, last = chat(client, ["嘉兴10月份人事任免有哪些?", "嘉兴港区那个是谁", "经开区那位叫什么?"])
    assert "眭永华任嘉兴经济技术开发区" in last["answer"]


@pytest.mark.parametrize("last", ["三个城市的上限放一起比比", "and all three cities side by side?"])
def test_a_comparison_of_all_three_cities_takes_in_the_one_not_talked_about(client, last):
    *_, body = chat(client, ["郑州算力券每年上限多少?", "嘉兴呢?", last])
    cited = {c["id"] for c in body["citations"]}
    assert {"zhengzhou-ai-measures#一.2", "jiaxing-ai-plan#三.(六)", "hangzhou-ai-measures#一.(三)"} <= cited
    assert "800万" in body["answer"]


def test_a_comparison_line_quotes_the_sentence_on_the_programme_not_a_figure_of_another(client):
    *_, body = chat(client, ["郑州对人工智能人才有什么支持?", "杭州呢?两地在人才上比一比"])
    zhengzhou = next(line for line in body["answer"].splitlines() if line.startswith("- 郑州"))
    assert "职称评审" in zhengzhou and "30万元" not in zhengzhou  # the same clause's forum subsidy is another measure


def test_a_comparison_line_without_figures_quotes_every_sentence_that_answers(client):
    body = ask(client, "贷款贴息这块,嘉兴和杭州分别怎么规定的?")
    jiaxing = next(line for line in body["answer"].splitlines() if line.startswith("- 嘉兴"))
    assert "贴息支持" in jiaxing


def test_anything_like_this_in_another_city_keeps_the_programme(client):
    _, body = chat(client, ["How much can a Jiaxing firm get for a newly filed generative AI model?",
                            "is there a programme like that one in Hangzhou too?"])
    assert body["citations"][0]["id"] == "hangzhou-ai-measures#二.(四)"


def test_asks_listed_with_enumeration_commas_are_each_answered(client):
    body = ask(client, "嘉兴模型备案奖励多少、哪个部门负责、政策到什么时候?")
    cited = [c["id"] for c in body["citations"]]
    assert "jiaxing-ai-plan#三.(七)" in cited and "100万元" in body["answer"]
    assert "市经信局" in body["answer"] and "2027年12月31日" in body["answer"]


@pytest.mark.parametrize("question", ["Which city would suit a small AI start-up best?", "做语音识别的小团队,去哪个城市最合适?"])
def test_which_city_suits_us_best_gets_the_overview(client, question):
    body = ask(client, question)
    assert not body["refused"] and not body["citations"]
    assert all(city in body["answer"] for city in (("Hangzhou", "Jiaxing", "Zhengzhou") if question.isascii() else ("杭州", "嘉兴", "郑州")))


def test_a_sum_pointed_at_is_computed_under_the_programme_it_was_stated_for(client):
    *_, body = chat(client, [
        "杭州用其他算力设施,合同1000万,算力券补多少?",
        "模型备案奖励多少?",
        "那这1000万要是用国产算力呢?",
    ])
    assert body["calculation"]["program"] == "hangzhou_compute_voucher"
    assert body["calculation"]["result_yuan"] == 3_000_000


def test_does_it_meet_the_threshold_checks_the_sums_stated_before(client):
    *_, stated, asked = chat(client, [
        "嘉兴的人工智能技改项目投资补助有什么要求?",
        "我们项目总投资3000万元,其中土建1500万元",
        "那我们这个够不够条件?",
    ])
    for body in (stated, asked):  # 土建 is outside 生产性投入: 1500万 < 2000万
        assert body["calculation"]["program"] == "jiaxing_manufacturing_investment"
        assert body["calculation"]["eligible"] is False
        assert body["calculation"]["inputs"]["productive_investment_yuan"] == 15_000_000


def test_how_much_two_awards_differ_is_computed_from_their_results(client):
    body = ask(client, "嘉兴国家级企业技术中心奖多少?省级的呢?两者差多少?")
    assert "150万元" in body["answer"] and "50万元" in body["answer"]
    assert "相差:150万元 − 50万元 = 100万元" in body["answer"]


def test_how_another_city_stacks_up_is_a_comparison_not_a_stacking_question(client):
    _, body = chat(client, ["Zhengzhou compute voucher: what's the yearly cap per firm?", "How does Jiaxing stack up on that?"])
    cited = [c["id"] for c in body["citations"]]
    assert "zhengzhou-ai-measures#一.2" in cited and "jiaxing-ai-plan#三.(六)" in cited
    assert "combining" not in body["answer"]


def test_a_document_question_of_every_city_is_answered_for_each(client):
    body = ask(client, "三个城市的人工智能政策分别从哪天开始施行?")
    cited = {c["id"] for c in body["citations"]}
    assert {"hangzhou-ai-measures#closing", "jiaxing-ai-plan#closing", "zhengzhou-ai-measures#closing"} <= cited


def test_heard_another_city_gives_more_compares_with_the_city_talked_about(client):
    _, body = chat(client, ["郑州算力券一年最多给多少?", "听说杭州补得更多?"])
    assert "100万" in body["answer"] and "800万" in body["answer"]


def test_english_sums_are_read_with_the_words_of_their_own_clause(client):
    body = ask(client, "Hangzhou: our new computing centre project is 120 million total, with an 80 million bank loan at 3.5%. "
                       "How much interest subsidy per year?")
    inputs = body["calculation"]["inputs"]
    assert inputs["loan_amount_yuan"] == 80_000_000 and inputs["project_investment_yuan"] == 120_000_000
    assert body["calculation"]["result_yuan"] == 1_200_000  # 1.5 points of 80 million, below half of 2.8 million


@pytest.mark.parametrize("last", ["还在有效的是哪两件?", "so which ones are still in force?"])
def test_asking_the_names_of_what_was_counted_quotes_the_attached_list(client, last):
    _, body = chat(client, ["嘉兴市司法局的规范性文件清理结果,继续有效的有几件?", last])
    assert body["citations"][0]["id"] == "jiaxing-gazette-2024-11-4#附件"
    assert "保险理赔司法鉴定" in body["answer"]


def test_the_other_cities_are_compared_with_the_one_talked_about(client):
    _, body = chat(client, ["嘉兴国家级企业技术中心能奖多少?", "那别的城市呢?"])
    lines = body["answer"].splitlines()
    jiaxing = next(line for line in lines if line.startswith("- 嘉兴"))
    assert "150万元" in jiaxing  # the clause that pays, not the task of creating centres
    assert any(line.startswith("- 杭州") for line in lines) and any(line.startswith("- 郑州") for line in lines)


@pytest.mark.parametrize("question, kept", [
    ("嘉兴模型备案奖励要交什么材料?", "交什么"),  # never 叫什么, a cue phrase of the names asked
    ("那两件文件现在还有效吗?", "那两件"),  # never 哪两件
    ("腾笼换鸟专项经费每年提多少?", "提多少"),  # never 低多少
])
def test_everyday_words_that_sound_like_question_phrases_are_not_corrected(client, question, kept):
    assert kept in ask(client, question)["rewritten_question"]


@pytest.mark.parametrize("question, aim", [
    ("郑州这套AI政策定没定具体的量化指标?", "加快推进我市人工智能产业创新发展"),
    ("Does Hangzhou's AI policy put numbers on what it wants to achieve? Any targets?", "全国人工智能产业发展高地"),
])
def test_a_figure_target_asked_of_a_policy_setting_none_says_so_and_quotes_its_aim(client, question, aim):
    body = ask(client, question)
    assert body["citations"][0]["id"].endswith("#preamble")
    assert aim in body["answer"]
    assert "未写明量化目标" in body["answer"] or "sets no figure targets" in body["answer"]


def test_a_dated_figure_target_is_quoted_without_the_no_target_note(client):
    body = ask(client, "嘉兴到2027年要培育多少家链主企业?")
    assert "链主企业10家" in body["answer"] and "未写明量化目标" not in body["answer"]


@pytest.mark.parametrize("question", ["嘉兴推动人工智能高质量发展的方案,重点任务总共有几项?", "嘉兴AI方案分几个方面,提了多少项重点任务?"])
def test_a_count_stated_only_in_a_summary_below_the_best_hits_is_found(client, question):
    body = ask(client, question)
    assert body["citations"][0]["id"] == "jiaxing-ai-plan-interpretation#二"
    assert "十五项重点任务" in body["answer"]


def test_a_count_and_the_names_of_what_was_counted_in_one_message_are_two_asks(client):
    body = ask(client, "嘉兴司法局这次清理之后继续有效的文件有几件?各叫啥")
    assert "继续有效行政规范性文件2件" in body["answer"]
    assert "保险理赔司法鉴定" in body["answer"]
    assert [c["id"] for c in body["citations"]][-1] == "jiaxing-gazette-2024-11-4#附件"


@pytest.mark.parametrize("last", ["发文字号是多少?", "who issued it?"])
def test_a_document_fact_asked_after_a_clause_cites_the_document_not_that_clause(client, last):
    body = ask(client, last, [("user", "郑州人工智能那个政策几年有效?"), ("assistant", "有效期3年。")])
    assert body["citations"][0]["id"] == "zhengzhou-ai-measures#notice"
    assert "郑政文〔2024〕62号" in body["answer"]


@pytest.mark.parametrize("question, productive, short", [
    ("嘉兴技改项目,设备投入1900万,另外土建500万,够门槛吗?", 19_000_000, "还差100万元"),
    ("Jiaxing AI upgrade project: 16 million of equipment investment and 5 million of civil works. Do we qualify?",
     16_000_000, "by 4,000,000 yuan"),
])
def test_a_sum_said_as_productive_investment_is_not_reduced_by_civil_works_said_beside_it(client, question, productive, short):
    body = ask(client, question)
    assert body["calculation"]["inputs"]["productive_investment_yuan"] == productive
    assert body["calculation"]["eligible"] is False and short in body["answer"]


@pytest.mark.parametrize("question", [
    "嘉兴国家级制造业创新中心奖多少,省级的呢?",
    "In Jiaxing, how much for a national manufacturing innovation centre, and for a provincial one?",
])
def test_the_same_ask_of_a_second_award_after_a_comma_is_answered_too(client, question):
    body = ask(client, question)
    answer = body["answer"]
    # each award computed, not only quoted with the clause's list of figures
    assert "国家级制造业创新中心:300万元" in answer or "national manufacturing innovation centre: 3,000,000 yuan" in answer
    assert "省级制造业创新中心:150万元" in answer or "provincial manufacturing innovation centre: 1,500,000 yuan" in answer
    assert [c["id"] for c in body["citations"]] == ["jiaxing-ai-plan#三.(四)"]


def test_a_later_ask_quotes_the_sentences_of_what_it_names_not_of_the_ask_before_it(client):
    body = ask(client, "Jiaxing: how much does a CPMS pilot get in total if it passes acceptance? "
                       "And what about a CDO pilot that passes evaluation and a DCMM pilot at level 3?")
    answer = body["answer"]
    assert "(CDO)制度建设试点且通过评估的企业给予30万元奖励" in answer
    assert "(DCMM)贯标试点且数据管理能力成熟度达到三级及以上的企业给予10万元奖励" in answer
    assert body["calculation"]["result_yuan"] == 500_000  # CPMS: 20万 when listed + 30万 after acceptance


def test_which_city_gives_more_quotes_each_citys_paying_clause_not_its_goals(client):
    _, body = chat(client, ["嘉兴对应用场景有奖励吗", "郑州大模型应用场景能给多少?两座城市谁力度大"])
    lines = body["answer"].splitlines()
    jiaxing = next(line for line in lines if line.startswith("- 嘉兴"))
    assert "50万元、20万元" in jiaxing and "1000亿元" not in jiaxing  # the award, not the plan's revenue goal
    assert "jiaxing-ai-plan#三.(七)" in {c["id"] for c in body["citations"]}


@pytest.mark.parametrize("correction", ["项目总投资搞错了,其实是4500万", "sorry, the total investment is actually 45 million"])
def test_a_corrected_sum_replaces_the_earlier_sum_of_the_same_input_and_keeps_the_others(client, correction):
    _, body = chat(client, ["杭州新建算力中心,贷款2000万,利率3%,项目总投资9000万,贴息多少?", correction])
    inputs = body["calculation"]["inputs"]
    assert inputs["loan_amount_yuan"] == 20_000_000 and inputs["project_investment_yuan"] == 45_000_000
    assert body["calculation"]["eligible"] is False  # below the 5000万 total the clause requires


@pytest.mark.parametrize("question", [
    "我们在嘉兴,去年营收增速8%,今年设备投了3000万,能补多少?",
    "Jiaxing: our revenue grew 8% last year and we spent 30 million on equipment this year. How much subsidy?",
])
def test_a_sum_said_as_equipment_is_not_taken_as_revenue_nor_a_growth_rate_as_the_subsidy_rate(client, question):
    body = ask(client, question)
    assert body["calculation"]["program"] == "jiaxing_manufacturing_investment"  # 三.(一) 生产性投入, not 三.(三) 营业收入
    assert body["citations"][0]["id"] == "jiaxing-ai-plan#三.(一)"
    assert "240" not in body["answer"]  # 3000万 × 8% would read the growth figure as the unpublished subsidy rate
    assert "0元" not in body["answer"] and "RMB 0" not in body["answer"]  # the amount is open, not nil
    assert "无法确定金额" in body["answer"] or "cannot be determined" in body["answer"]


def test_a_growth_rate_and_a_subsidy_rate_in_one_story_each_fill_their_own_input(client):
    body = ask(client, "嘉兴的技改项目,营收增速8%,设备投入5000万,绩效评价定的补助比例是10%,能补多少?")
    assert body["calculation"]["program"] == "jiaxing_manufacturing_investment"
    assert body["calculation"]["result_yuan"] == 5_000_000  # 5000万 × 10%, the 8% growth left aside


def test_which_of_the_two_pays_more_for_a_sum_computes_each_city_talked_about_and_says_which(client):
    *_, last = chat(client, [
        "We're a model-training startup weighing Hangzhou against Zhengzhou. How do Hangzhou's compute vouchers work?",
        "And Zhengzhou's?",
        "For a single 4 million contract on domestic compute, which of the two pays more?",
    ])
    assert [c["id"] for c in last["citations"]] == ["hangzhou-ai-measures#一.(三)", "zhengzhou-ai-measures#一.2"]
    assert "1,200,000" in last["answer"] and "800,000" in last["answer"]  # 400万 × 30%; 400万 × 20%
    assert "Hangzhou gives more: RMB 1,200,000 − RMB 800,000 = RMB 400,000" in last["answer"]


def test_a_comparison_of_computed_amounts_says_which_city_gives_more_and_by_how_much(client):
    body = ask(client, "杭州和郑州的算力券,国产算力合同300万,哪个补得多?")
    assert "90万元" in body["answer"] and "60万元" in body["answer"]
    assert "杭州给得更多,多出90万元 − 60万元 = 30万元" in body["answer"]


@pytest.mark.parametrize("question, result, growth", [
    ("嘉兴的信息服务企业,去年营收4600万,今年5200万,能拿多少奖励?", 1_000_000, "13.04%"),
    ("Jiaxing software firm, revenue 205 million this year against 190 million last year. Any award?", 0, "7.89%"),
])
def test_growth_is_worked_out_from_this_and_last_years_revenue(client, question, result, growth):
    body = ask(client, question)
    assert body["calculation"]["program"] == "jiaxing_revenue_milestone"
    assert body["calculation"]["result_yuan"] == result and growth in body["answer"]


def test_a_sum_said_as_last_years_alone_is_the_year_asked_about(client):
    body = ask(client, "嘉兴做信息服务的,我们去年营收首次突破1亿,同比涨了18%,奖励多少?")
    assert body["calculation"]["inputs"]["revenue_yuan"] == 100_000_000
    assert body["calculation"]["result_yuan"] == 2_000_000


def test_which_side_is_higher_with_words_between_compares_with_the_city_talked_about(client):
    *_, last = chat(client, ["郑州的算力券补贴比例是多少?", "跟杭州比,哪边给的补贴比例更高一些?"])
    assert {c["id"] for c in last["citations"]} == {"zhengzhou-ai-measures#一.2", "hangzhou-ai-measures#一.(三)"}
    assert "20%" in last["answer"] and "30%" in last["answer"]


def test_figures_pointed_back_at_are_the_policys_not_the_askers_sums(client):
    *_, last = chat(client, ["郑州新建人工智能全国重点实验室有什么支持?", "我们只是参与共建的,那500万和1000万我们也有吗?"])
    assert last["calculation"] is None  # no 500万 "investment" computed under another programme
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#二.6"]
    assert "100万元" in last["answer"]  # the co-builder's award


def test_a_follow_up_changes_one_figure_and_keeps_those_said_turns_before(client):
    first, _, _, last = chat(client, [
        "We are building a new computing centre in Hangzhou under the city's unified plan, total investment 1.5 billion "
        "yuan; we borrowed 300 million from a partner bank at 4% a year. How much interest subsidy per year?",
        "Which offices handle it?",
        "Can we also get compute vouchers?",
        "The bank raised the loan to 900 million, the rate stays the same. What is the subsidy per year now?",
    ])
    assert first["calculation"]["result_yuan"] == 4_500_000  # 3亿 × 1.5 points, under half of 1200万 interest
    assert last["calculation"]["program"] == "hangzhou_loan_interest"
    assert last["calculation"]["inputs"]["interest_rate"] == 4  # said three turns before
    assert last["calculation"]["result_yuan"] == 10_000_000  # 9亿 × 1.5% = 1350万, over the 1000万 yearly cap
    assert "hangzhou-ai-measures#一.(二)" in [c["id"] for c in last["citations"]]


def test_a_last_turn_without_figures_is_computed_from_the_sums_said_before(client):
    *_, last = chat(client, [
        "We run an AI scenario application project for smart warehousing in Zhengzhou; actual investment 15 million yuan.",
        "Which office handles it?",
        "How long is the policy valid?",
        "Back to our project then: what would we actually get?",
    ])
    assert last["calculation"]["program"] == "zhengzhou_scenario_application"
    assert last["calculation"]["result_yuan"] == 4_500_000  # 1500万 × 30%, under the 500万 cap
    assert "4,500,000" in last["answer"]


def test_sums_said_together_are_added_when_the_last_turn_asks_for_both(client):
    *_, last = chat(client, [
        "Zhengzhou: we signed two compute contracts with a computing centre this year, 1 million and 2 million yuan.",
        "Who do we apply to?",
        "Altogether, how much voucher can we get for them?",
    ])
    assert last["calculation"]["inputs"]["contract_amount_yuan"] == 3_000_000
    assert last["calculation"]["result_yuan"] == 600_000  # 300万 × 20%


def test_a_sum_said_as_not_counting_a_deduction_is_already_net(client):
    body = ask(client, "Jiaxing: new information-services project, 20 million yuan not counting land. How much subsidy?")
    assert body["calculation"]["program"] == "jiaxing_info_service_investment"
    assert body["calculation"]["result_yuan"] == 1_000_000  # 2000万 × 5%


def test_two_awards_of_one_clause_set_side_by_side_are_each_computed_with_their_difference(client):
    body = ask(client, "郑州:省级智能制造标杆比省级智能车间多奖多少?")
    assert body["calculation"] is None  # two calculator runs: each is in the answer, neither is "the" calculation
    assert "省级智能制造标杆:100万元" in body["answer"] and "省级智能车间:30万元" in body["answer"]
    assert "100万元 − 30万元 = 70万元" in body["answer"]
    assert [c["id"] for c in body["citations"]] == ["zhengzhou-ai-measures#三.7"]


def test_two_awards_named_in_a_conversation_are_added_up_when_asked_together(client):
    *_, last = chat(client, [
        "嘉兴对新认定的省级5G全连接工厂奖励多少?",
        "我们还是新认定的领军型浙江数商,两项加起来能拿多少?",
    ])
    assert "50万元 + 50万元 = 100万元" in last["answer"]


def test_cap_difference_across_two_cities_without_a_sum_is_worked_out(client):
    body = ask(client, "郑州和杭州的算力券,单个企业每年封顶相差多少?")
    assert "800万元 − 100万元 = 700万元" in body["answer"]
    assert {c["id"] for c in body["citations"]} == {"hangzhou-ai-measures#一.(三)", "zhengzhou-ai-measures#一.2"}


def test_what_the_asker_says_of_themselves_after_the_ask_selects_the_cap(client):
    body = ask(client, "嘉兴的算力补贴一年封顶比郑州多多少?本公司刚拿到中央网信办的模型备案")
    assert "500万元 − 100万元 = 400万元" in body["answer"]
    assert "200万元 − 100万元" not in body["answer"]


def test_an_opening_ask_naming_no_city_is_about_the_cities_the_next_ask_names(client):
    body = ask(client, "What's the yearly cap per company on compute vouchers? How far apart are Hangzhou and Zhengzhou?")
    assert "RMB 8,000,000 − RMB 1,000,000 = RMB 7,000,000" in body["answer"]
    assert "jiaxing" not in " ".join(c["id"] for c in body["citations"])


def test_an_award_difference_reads_the_other_citys_award_from_its_earlier_turn(client):
    first, second = chat(client, [
        "Jiaxing: what does a newly recognised national manufacturing innovation centre get?",
        "And in Zhengzhou, as the lead unit of a national industry innovation centre, how much more is that than Jiaxing?",
    ])
    assert "3,000,000" in first["answer"]
    assert "RMB 5,000,000 − RMB 3,000,000 = RMB 2,000,000" in second["answer"]


def test_which_city_gives_more_compares_the_cities_the_conversation_talked_about(client):
    *_, last = chat(client, [
        "Our Hangzhou compute contract on domestic chips is 5 million; how big is the voucher?",
        "Who handles it?",
        "What does Jiaxing's compute subsidy rule say?",
        "We have no model filing yet. Taking the same 5 million, which city gives more and by how much?",
    ])
    assert "Jiaxing gives more: RMB 2,000,000 − RMB 1,500,000 = RMB 500,000 more" in last["answer"]
    assert "Zhengzhou" not in last["answer"]


def test_a_programme_asked_of_another_city_in_a_sentence_of_its_own_is_said_to_be_missing_there(client):
    first, _, last = chat(client, [
        "Jiaxing: what is the award for first-set equipment that is first in China?",
        "Who is responsible for it?",
        "Our sister company is registered in Zhengzhou; is a first-set equipment award available to it there?",
    ])
    assert "1,500,000" in first["answer"]
    assert "No clause on first-of-its-kind equipment" in last["answer"] and "for Zhengzhou" in last["answer"]
    assert "it is Jiaxing's clause 三、(五) [1]" in last["answer"]  # where the programme is, its figures not borrowed
    assert last["citations"][0]["id"] == "jiaxing-ai-plan#三.(五)"
    assert "1,500,000" not in last["answer"]


def test_the_document_pointed_at_is_the_one_the_conversation_is_on(client):
    *_, last = chat(client, ["嘉兴的算力补贴上限是多少?", "谁负责?", "我们准备在项目申报材料里引用这份文件,请给出文号"])
    assert "嘉政办发〔2024〕25号" in last["answer"]
    assert "嘉司发" not in last["answer"]
    assert last["citations"][0]["id"] == "jiaxing-ai-plan#notice"


def test_which_of_the_counted_items_names_them_from_the_list_the_notice_attaches(client):
    *_, last = chat(client, ["嘉兴司法局清理行政规范性文件的那个通知是哪天印发的?", "清理后保留下来的一共几件,是哪几个文号?"])
    assert "2件" in last["answer"]
    assert "嘉司发〔2022〕20号" in last["answer"] and "嘉司发〔2024〕3号" in last["answer"]
    assert [c["id"] for c in last["citations"]] == ["jiaxing-gazette-2024-11-4#preamble", "jiaxing-gazette-2024-11-4#附件"]


def test_awards_added_up_after_a_detour_are_those_of_the_clause_talked_about_before_it(client):
    *_, last = chat(client, ["郑州的潜在独角兽企业奖多少?", "我们同时也是首次认定的小巨人企业,这个奖多少?", "政策哪年到期?", "两个奖加起来有多少?"])
    assert "100万元 + 200万元 = 300万元" in last["answer"]
    assert [c["id"] for c in last["citations"]] == ["zhengzhou-ai-measures#三.8"]


def test_english_asks_each_opened_by_a_question_word_are_each_answered(client):
    body = ask(client, "Hangzhou compute vouchers: what's the annual budget, how much can one firm claim in a year at most, "
                       "and what rate applies to non-domestic compute?")
    assert all(f in body["answer"] for f in ("2.5亿元", "800万元", "20%"))
    assert [c["id"] for c in body["citations"]] == ["hangzhou-ai-measures#一.(三)"]


def test_the_most_we_could_get_after_a_detour_is_computed_from_the_sums_said_first(client):
    *_, last = chat(client, [
        "Hangzhou: our new compute centre in the unified plan costs 400 million yuan in total; we borrowed 300 million "
        "at 3% a year. Is there an interest subsidy?",
        "Is the policy still valid?",
        "Fine — with our loan, what's the most we could get a year?",
    ])
    assert last["calculation"]["program"] == "hangzhou_loan_interest"
    assert last["calculation"]["result_yuan"] == 4_500_000  # min(1.5 points × 3亿, 50% × 900万, 1000万)


def test_an_interpretation_follow_up_is_answered_by_the_clause_its_own_words_name(client):
    *_, last = chat(client, ["嘉兴实施方案的政策解读里,到2027年要培育多少家专精特新小巨人?", "重点任务一共几项?",
                             "解读机关是哪个?有问题打什么电话?"])
    assert "嘉兴市经济和信息化局" in last["answer"] and "0573-82521924" in last["answer"]
    assert all(c["id"].startswith("jiaxing-ai-plan-interpretation#六") for c in last["citations"])


def test_a_follow_up_naming_what_another_document_holds_returns_to_it_and_the_other_one_is_the_other(client):
    *_, back, other = chat(client, [
        "嘉兴市政府10月份人事任免,眭永华任什么职?", "司法局那次规范性文件清理后继续有效的有几件?",
        "眭永华是去哪个管委会挂职?", "另一位呢?",
    ])
    assert back["citations"][0]["id"] == "jiaxing-gazette-2024-11-6#preamble"
    assert "嘉兴经济技术开发区管理委员会" in back["answer"]
    assert other["citations"][0]["id"] == "jiaxing-gazette-2024-11-6#preamble"
    assert "吕文亮" in other["answer"] and "浙江乍浦经济开发区" in other["answer"] and "眭永华" not in other["answer"]


def test_how_long_of_a_notice_that_states_no_validity_is_answered_from_its_clause(client):
    body = ask(client, "嘉兴市政府人事任免(2024年10月份)里的挂职期限是多久?")
    assert "挂职一年" in body["answer"]  # not the notice's title alone, as when it was read as a validity question
    assert body["citations"][0]["id"] == "jiaxing-gazette-2024-11-6#preamble"


@pytest.mark.parametrize("question, line", [
    ("杭州、嘉兴、郑州的人工智能政策,哪个最早到期?", "最先到期的是郑州的政策(2027年5月21日)。"),
    ("Of the AI policies of Hangzhou, Jiaxing and Zhengzhou, which one runs out first?", "Zhengzhou's ends first, on 2027-05-21."),
])
def test_which_policy_ends_first_is_read_from_each_documents_end_date(client, question, line):
    body = ask(client, question)
    assert line in body["answer"]
    assert {c["id"] for c in body["citations"]} >= {"zhengzhou-ai-measures#closing", "hangzhou-ai-measures#closing"}


def test_which_ends_first_after_turns_on_two_cities_compares_those_cities(client):
    *_, last = chat(client, ["郑州的人工智能政策措施有效期多久?", "杭州的呢?", "这两个哪个先到期?"])
    assert "最先到期的是郑州的政策(2027年5月21日)。" in last["answer"]
    assert "嘉兴" not in last["answer"]


@pytest.mark.parametrize("question, clause, aim", [
    ("嘉兴那份行动方案想把嘉兴打造成什么样?", "jiaxing-ai-plan#preamble", "长三角智算中心"),
    ("说到底,杭州出这套措施是要建设成什么?", "hangzhou-ai-measures#preamble", "全国人工智能产业发展高地"),
])
def test_what_a_policy_means_to_make_of_its_city_is_read_from_its_stated_aim(client, question, clause, aim):
    body = ask(client, question)
    assert not body["refused"]
    assert body["citations"][0]["id"] == clause
    assert aim in body["answer"]


@pytest.mark.parametrize("questions, result", [
    (["郑州:我们自建自用的算力集群,能申请算力券吗?", "那如果改成向智算中心租用算力,合同300万呢?"], 600_000),
    (["Zhengzhou: we built our own cluster. Voucher?", "Who handles it?",
      "What if we rent compute from a provider instead, 2 million yuan contract?"], 400_000),
])
def test_compute_bought_from_others_replaces_an_earlier_self_built_cluster(client, questions, result):
    last = chat(client, questions)[-1]
    assert last["calculation"]["program"] == "zhengzhou_compute_voucher"
    assert last["calculation"]["result_yuan"] == result


@pytest.mark.parametrize("question", ["我们是做AI的小团队,有什么政策可以薅的吗?", "刚成立的AI公司,有没有薅羊毛的机会?"])
def test_colloquial_ask_for_support_gets_the_overview_not_a_misread_topic(client, question):
    body = ask(client, question)
    assert not body["refused"] and not body["citations"]
    assert all(city in body["answer"] for city in ("杭州", "嘉兴", "郑州"))


@pytest.mark.parametrize("question", ["郑州办一场人工智能博览会,最多补多少?", "How much can Zhengzhou give us for hosting an AI summit?"])
def test_a_kind_of_meeting_the_clause_does_not_name_finds_the_events_clause(client, question):
    body = ask(client, question)
    assert body["citations"][0]["id"] == "zhengzhou-ai-measures#三.10"
    assert "30万" in body["answer"] or "300,000" in body["answer"]


@pytest.mark.parametrize("question, clause", [
    ("杭州区里已经发过一次算力补贴,市里的算力券我们还能再领一份吗?", "hangzhou-ai-measures#closing"),
    ("In Jiaxing, can one project collect both the 5G factory award and the data merchant award?", "jiaxing-ai-plan#closing"),
])
def test_claiming_again_or_collecting_both_is_a_stacking_question(client, question, clause):
    body = ask(client, question)
    assert clause in [c["id"] for c in body["citations"]]
    assert "不重复" in body["answer"]


def test_what_a_company_named_in_the_third_person_gets_is_computed(client):
    body = ask(client, "Our Jiaxing affiliate just obtained a CAC generative AI model filing. What does it get?")
    assert body["calculation"]["program"] == "jiaxing_model_filing_award"
    assert body["calculation"]["result_yuan"] == 1_000_000


@pytest.mark.parametrize("questions, verdict, result", [
    (["郑州的算力券怎么补?", "我们跟算力中心签了一个700万的合同。", "那就是能拿140万对吧?"], "不对,不是140万元", 1_000_000),
    (["郑州的算力券怎么补?", "我们跟算力中心签了一个700万的合同。", "所以最多就100万是吧?"], "对,是100万元", 1_000_000),
    (["郑州的算力券怎么补?", "我们签了一个300万的合同。", "所以最多就100万是吧?"], "对,上限是100万元", 600_000),
    (["Jiaxing compute subsidy: we used 3 million yuan of intelligent computing this year, how much?",
      "So that's 1.5 million yuan, right?"], "Yes, RMB 1,500,000", 1_500_000),
])
def test_a_figure_of_an_earlier_answer_asked_to_be_confirmed_is_checked_by_the_calculator(client, questions, verdict, result):
    last = chat(client, questions)[-1]
    assert last["answer"].startswith(verdict)
    assert last["calculation"]["result_yuan"] == result


def test_a_question_about_the_nature_of_a_stated_figure_is_no_check_of_it(client):
    last = chat(client, ["郑州的算力券怎么补?", "我们跟算力中心签了一个700万的合同。", "那100万是一次性给的对吧?"])[-1]
    assert not last["answer"].startswith(("对", "不对"))


@pytest.mark.parametrize("questions, threshold", [
    (["嘉兴信息服务企业营收首次突破1亿元,同比增长12%,奖多少?", "找谁申请?", "不对,核对了一下增速实际只有9%,还能拿吗?"], "10%"),
])
def test_a_corrected_rate_asks_the_figure_question_again(client, questions, threshold):
    last = chat(client, questions)[-1]
    assert last["calculation"]["program"] == "jiaxing_revenue_milestone"
    assert last["calculation"]["result_yuan"] == 0
    assert threshold in last["answer"]


def test_an_option_whose_words_name_a_programme_too_recomputes_the_programme_computed(client):
    answers = chat(client, [
        "我们在嘉兴用智算算力,今年实际用了700万,补贴能拿多少?",
        "对了,补充一下,我们前几天刚拿到网信办的生成式模型备案,上限会变吗?那现在能拿多少?",
        "那模型备案本身还有奖励吗?奖励多少?",
    ])
    assert answers[0]["calculation"]["result_yuan"] == 2_000_000
    assert answers[1]["calculation"]["program"] == "jiaxing_compute_subsidy"
    assert answers[1]["calculation"]["result_yuan"] == 3_500_000
    assert answers[2]["calculation"]["program"] == "jiaxing_model_filing_award"  # asks for the award by that word


@pytest.mark.parametrize("questions", [
    ["郑州新建国家重点实验室,我们是牵头单位,有什么支持?", "搞错了,我们只是共建单位,那能拿多少?"],
    ["Zhengzhou: we lead a newly created national key lab in AI. What support is there?",
     "My mistake, we are only a co-builder. What do we get?"],
    # the lead role given to another party is not the asker's
    ["郑州新建的人工智能全国重点实验室,我们牵头,有啥支持?", "更正一下,牵头单位是研究院,我们只是共建单位,我们拿多少?"],
    ["Zhengzhou: we lead a newly created national key lab in AI. What support?",
     "Correction: the institute is the lead unit and we are only a co-builder. What do we get?"],
])
def test_a_corrected_role_asks_the_figure_question_again_for_that_role(client, questions):
    last = chat(client, questions)[-1]
    assert last["calculation"]["program"] == "zhengzhou_key_laboratory"
    assert last["calculation"]["result_yuan"] == 1_000_000


@pytest.mark.parametrize("question, clause, words", [
    ("嘉兴文件里经常出现“135N”,到底指什么?", "jiaxing-ai-plan-interpretation#四", "先进制造业集群"),
    ("嘉兴的材料里总说“135N”,是啥意思?", "jiaxing-ai-plan-interpretation#四", "先进制造业集群"),
    ("What does \"135N\" stand for in Jiaxing's documents?", "jiaxing-ai-plan-interpretation#四", "先进制造业集群"),
])
def test_a_quoted_phrase_is_answered_from_the_clause_that_holds_it(client, question, clause, words):
    body = ask(client, question)
    assert body["citations"][0]["id"] == clause
    assert words in body["answer"]


def test_registered_capital_in_a_story_is_no_sum_to_compute_with(client):
    body = ask(client, "郑州一家做AI质检的公司,注册资金5000万,今年做了个人工智能场景应用项目,实际投资1000万,能拿多少支持?")
    assert body["calculation"]["program"] == "zhengzhou_scenario_application"
    assert body["calculation"]["result_yuan"] == 3_000_000  # 1000万 × 30%, not the registered capital


def test_the_askers_own_sum_to_confirm_is_checked_not_computed_with(client):
    last = chat(client, [
        "嘉兴CPMS产品主数据标准试点,我们是牵头企业,奖励怎么给?",
        "那要是后面验收也过了,总共就是50万,是吧?",
    ])[-1]
    assert last["answer"].startswith("对,是50万元")
    assert last["calculation"]["result_yuan"] == 500_000


def test_a_city_switch_to_a_city_without_the_programme_names_the_clause_the_earlier_answer_rested_on(client):
    last = chat(client, [
        "在杭州新建一个智算中心,已纳入政府统一布局,总投资4亿,准备找合作银行贷3亿,贴息大概多少?",
        "归哪个部门管?",
        "要是把项目放到郑州,郑州有没有这种贴息?",
    ])[-1]
    assert "hangzhou-ai-measures#一.(二)" in [c["id"] for c in last["citations"]]
    assert "一、(二)" in last["answer"] and "1.5个百分点" not in last["answer"]


def test_a_deduction_said_anew_replaces_the_earlier_one_instead_of_adding_to_it(client):
    answers = chat(client, [
        "嘉兴信息服务业新建项目,总共投了3000万,里面土地款600万,一次性补助多少?",
        "这个有效期到哪年?",
        "再说回那个项目,土地款核对下来只有200万,补助是多少?",
    ])
    assert answers[0]["calculation"]["result_yuan"] == 1_200_000  # (3000万 − 600万) × 5%
    assert answers[2]["calculation"]["result_yuan"] == 1_400_000  # (3000万 − 200万) × 5%


def test_a_question_without_a_question_mark_asking_is_it_so_is_an_ask_not_a_statement(client):
    last = chat(client, ["郑州对大模型应用场景有什么支持?", "场景那500万,是不是要用第三方评测过的模型才行"])[-1]
    assert last["calculation"] is None  # a condition asked about, not a sum to compute
    assert "权威第三方评测机构" in last["answer"]


def test_a_corrected_level_asks_the_figure_question_again_at_that_level(client):
    last = chat(client, [
        "Jiaxing: our software firm's R&D centre became a municipal enterprise technology centre. Any reward?",
        "Hold on, I checked the certificate again: it's a provincial-level enterprise technology centre, not a municipal "
        "one. Do we get more? How much?",
    ])[-1]
    assert last["calculation"]["program"] == "jiaxing_tech_center_award"
    assert last["calculation"]["result_yuan"] == 500_000
    assert last["citations"][0]["id"] == "jiaxing-ai-plan#三.(四)"


@pytest.mark.parametrize("question", [
    "Jiaxing information-services company: we're upgrading our data platform, actual investment 8 million yuan, no land "
    "involved. What one-off subsidy?",
    "嘉兴信息服务业企业,平台提升改造项目实际投资800万,没有土地款,一次性补助多少?",
])
def test_a_sum_said_to_include_no_land_is_the_investment_itself(client, question):
    body = ask(client, question)
    assert body["calculation"]["program"] == "jiaxing_info_service_investment"
    assert body["calculation"]["result_yuan"] == 400_000  # 800万 × 5%, upgrade project


def test_a_check_and_a_new_sum_in_one_message_returns_the_new_calculation(client):
    last = chat(client, ["郑州智能物流场景应用项目,实际投资1000万,能拿多少支持?", "所以就是300万对吧?那要是投资2000万呢?"])[-1]
    assert last["answer"].startswith("对,是300万元")
    assert last["calculation"]["result_yuan"] == 5_000_000  # 2000万 × 30% = 600万, capped at 500万


def test_an_english_condition_follow_up_finds_the_condition_by_the_clauses_words(client):
    last = chat(client, ["Zhengzhou large-model application scenarios: what support?",
                         "Does the model have to be evaluated by a third party?"])[-1]
    assert last["citations"][0]["id"] == "zhengzhou-ai-measures#二.5"
    assert "评测" in last["answer"]


@pytest.mark.parametrize("question, verdict", [
    ("郑州这边我们用的是自己建的算力、自己用,算力券能申请吗?", "不符合条件"),
    ("Zhengzhou: we built our own cluster and use it ourselves. Can we get compute vouchers?", "Not eligible"),
])
def test_a_yes_no_question_meeting_an_exclusion_is_answered_no_with_the_clause(client, question, verdict):
    body = ask(client, question)
    assert body["answer"].startswith(verdict)
    assert body["citations"][0]["id"] == "zhengzhou-ai-measures#一.2"


def test_an_english_responsible_unit_answer_names_its_clause_once(client):
    body = ask(client, "Who handles Jiaxing's 5G full-connection factory award?")
    assert body["answer"].count("三、(八)") == 1 and "市经信局" in body["answer"]


@pytest.mark.parametrize("question", [
    "杭州对市级制造业创新中心的资助,整个政策期内总共最多能拿到多少?",
    "Over three years, what is the most Hangzhou's manufacturing innovation centre funding can add up to?",
])
def test_the_most_over_the_years_of_support_is_the_yearly_cap_times_the_years(client, question):
    body = ask(client, question)
    assert body["calculation"]["result_yuan"] == 15_000_000  # 每年不超过500万元 × 资助不超过3年
    assert body["calculation"]["clause_id"] == "hangzhou-ai-measures#三.(七)"
    assert "1500万元" in body["answer"]


def test_one_years_most_is_not_multiplied_by_the_years(client):
    body = ask(client, "杭州对市级制造业创新中心每年最多资助多少?")
    assert "500万元" in body["answer"] and "1500万元" not in body["answer"]


def test_a_programme_named_in_another_verb_form_is_still_that_programme(client):
    body = ask(client, "Our generative model got filed last month. Is there a reward for that anywhere?")
    cited = {c["id"] for c in body["citations"]}
    assert not body["refused"]
    assert {"hangzhou-ai-measures#二.(四)", "jiaxing-ai-plan#三.(七)"} <= cited  # 模型备案 awards, "model filing"


def test_two_awards_said_plus_one_another_are_added_up(client):
    *_, last = chat(client, [
        "郑州的人工智能企业入选了国内权威榜单的潜在独角兽,奖多少?",
        "这事归哪个部门管?",
        "潜在独角兽那笔加上隐形冠军那笔,能拿几多?",
    ])
    assert "200万元 + 100万元 = 300万元" in last["answer"]  # 三.8: 潜在独角兽 200万, “隐形冠军” 100万
    assert {c["id"] for c in last["citations"]} == {"zhengzhou-ai-measures#三.8"}


def test_a_sum_pointed_back_to_keeps_the_programme_the_question_names_itself(client):
    *_, last = chat(client, [
        "嘉兴这边我们去年在智算中心用算力花了300万,能补多少?",
        "我们今年刚拿到网信办的生成式模型备案,上限有变化吗?",
        "还是这300万,如果是跟郑州的算力中心签的合同,郑州的算力券给多少?",
    ])
    assert last["calculation"]["program"] == "zhengzhou_compute_voucher"
    assert last["calculation"]["result_yuan"] == 600_000  # 300万 × 20%, under 郑州's 100万 a year


def test_who_handles_it_after_an_amount_ask_in_one_message_rests_on_that_clause(client):
    # "行业大模型" draws the search to the large-model clause; "部门" is no wording of the clause asked about
    body = ask(client, "郑州,做行业大模型的,400万算力合同,算力券补多少?这事归哪个部门管?")
    assert [c["id"] for c in body["citations"]] == ["zhengzhou-ai-measures#一.2"]
    assert body["calculation"]["result_yuan"] == 800_000 and "市工信局" in body["answer"]


def test_a_figure_checked_as_the_limit_it_names_gets_a_verdict(client):
    first, second = chat(client, [
        "杭州算力券,我们用国产算力训练,合同3000万,能领多少?",
        "也就是说一年最多800万封顶,没错吧?",
    ])
    assert first["calculation"]["result_yuan"] == 8_000_000  # 3000万 × 30% = 900万, capped at 800万
    assert second["answer"].startswith("对,")


def test_a_self_built_cluster_said_in_british_spelling_meets_the_exclusion(client):
    first, second = chat(client, [
        "Zhengzhou compute voucher: our 2 million yuan contract with a computing provider, how much back?",
        "And if those 2 million were spent on our own data centre instead?",
    ])
    assert first["calculation"]["result_yuan"] == 400_000
    assert second["calculation"]["eligible"] is False and second["calculation"]["result_yuan"] == 0  # 自建自用除外


@pytest.mark.parametrize("question, clause", [
    ("嘉兴那个AI实施方案,当初是什么背景下出台的?", "jiaxing-ai-plan-interpretation#一"),  # its interpretation's 制定背景
    ("郑州的人工智能政策措施为什么出台?", "zhengzhou-ai-measures#preamble"),  # no interpretation: its opening sentence
])
def test_why_a_policy_was_made_is_answered_by_its_background(client, question, clause):
    body = ask(client, question)
    assert [c["id"] for c in body["citations"]] == [clause]


def test_a_role_said_of_a_partner_adds_no_award_of_theirs_to_the_askers_total(client):
    *_, last = chat(client, [
        "我们在郑州牵头新建成了人工智能全国重点实验室,一次性给多少?",
        "一起申报的大学作为共建单位,他们能拿啥?",
        "那我们牵头的这边,一次性的加上5年的持续支持,总共多少?",
    ])
    assert last["calculation"]["program"] == "zhengzhou_key_laboratory"
    assert last["calculation"]["result_yuan"] == 15_000_000  # 500万 + 1000万, the lead's; not + the partner's 100万
    assert "1600万元" not in last["answer"]



def test_a_correction_said_as_double_checked_is_no_stacking_question(client):
    *_, last = chat(client, [
        "Zhengzhou: we were just named a unicorn on an authoritative list. Any one-off reward?",
        "I double-checked: we are only a potential unicorn. So what do we get?",
    ])
    assert last["calculation"]["result_yuan"] == 2_000_000  # 潜在独角兽 200万 (三.8)


@pytest.mark.parametrize("question, clause, said", [
    ("杭州的算力贴息政策能享受到啥时候?", "hangzhou-ai-measures#closing", "2027年12月31日"),
    ("嘉兴那个AI方案,哪里看不明白的话,打哪个号码咨询?", "jiaxing-ai-plan-interpretation#六.(三)", "0573-82521924"),
])
def test_colloquial_asks_for_the_end_date_and_the_contact_line(client, question, clause, said):
    body = ask(client, question)
    assert clause in [c["id"] for c in body["citations"]] and said in body["answer"]


def test_the_most_an_unpublished_rate_pays_is_its_cap(client):
    body = ask(client, "嘉兴人工智能技改项目,生产性投入(不含土建)3500万,补助最多能拿到多少?")
    assert body["calculation"]["program"] == "jiaxing_manufacturing_investment"
    assert "最高不超过1500万元" in body["answer"]  # 比例未公布, 单个项目最高不超过1500万元


@pytest.mark.parametrize(("question", "number"), [
    ("Zhengzhou measures - issuing authority and reference number?", "郑政文〔2024〕62号"),
    ("嘉兴那个人工智能方案是哪个机关颁布的?文件编号呢?", "嘉政办发〔2024〕25号"),
])
def test_who_put_a_policy_out_is_a_document_fact_not_a_department(client, question, number):
    body = ask(client, question)
    assert number in body["answer"]
    assert body["citations"][0]["id"].endswith("#notice")


def test_an_english_document_question_ranks_the_notice_first(client):
    body = client.post("/v1/ask", json={"question": "What is the file number of the Jiaxing AI plan, and who issued it?"}).json()
    assert body["citations"][0]["id"] == "jiaxing-ai-plan#notice"
    assert "嘉政办发〔2024〕25号" in body["answer"]


@pytest.mark.parametrize("questions", [
    ["我们在嘉兴新建一个信息服务项目,总投资3000万,其中土地款600万,补助多少?", "如果是改造老项目,不算土地款投了1200万呢?"],
    ["We're building a new info-service project in Jiaxing: 30 million in total, 6 million of it for land. What's the subsidy?",
     "What if it were an upgrade of an old system instead, 12 million not counting land?"],
])
def test_a_sum_said_net_of_land_replaces_the_investment_not_the_land(client, questions):
    first, second = chat(client, questions)
    assert first["calculation"]["result_yuan"] == 1_200_000  # (3000万 − 600万) × 5%
    assert second["calculation"]["result_yuan"] == 600_000  # 1200万 × 5%, nothing more taken out


@pytest.mark.parametrize(("question", "program", "result"), [
    ("郑州的准独角兽企业奖励多少?", "zhengzhou_unicorn_award", 2_000_000),  # 准独角兽: the documents' 潜在独角兽
    ("我们在嘉兴的检测设备被认定为全国第一台,奖多少?", "jiaxing_first_set_award", 1_500_000),  # 国内首台(套)
    ("杭州,总预算两千万的国家项目,实际拨付到位的是800万,市里配套多少?", "hangzhou_rd_matching", 2_000_000),  # the funds that arrived
])
def test_industry_words_for_the_documents_terms(client, question, program, result):
    body = ask(client, question)
    assert body["calculation"]["program"] == program
    assert body["calculation"]["result_yuan"] == result


def test_a_city_switch_after_an_option_keeps_the_programme_the_sums_were_for(client):
    *_, last = chat(client, ["嘉兴,我们买了400万的算力服务,补贴多少?", "如果我们的大模型刚通过网信办备案呢?", "换到郑州呢,同一份合同"])
    assert last["calculation"]["program"] == "zhengzhou_compute_voucher"
    assert last["calculation"]["result_yuan"] == 800_000  # 400万 × 20%, not "no model-filing clause in 郑州"


def test_own_servers_for_own_use_are_the_excluded_self_built_case(client):
    *_, last = chat(client, [
        "We rent GPU time from a compute centre in Zhengzhou under one 5 million yuan contract. How much is subsidised?",
        "And if the same money went into our own servers instead, in-house only?",
    ])
    assert last["calculation"]["result_yuan"] == 0


@pytest.mark.parametrize("question", ["我们团队刚起步,政府那边有啥钱能拿?", "We're a two-person AI studio, just set up. Any government money we could go after?"])
def test_asking_for_money_in_general_gets_the_overview(client, question):
    body = ask(client, question)
    assert not body["refused"] and body["citations"] == []
    assert "请问贵公司在哪个城市" in body["answer"] or "Which city is your company in" in body["answer"]  # a question back


def test_an_equipment_grant_asked_of_a_city_without_one_is_said_to_be_missing(client):
    *_, last = chat(client, [
        "In Jiaxing we're putting 25 million yuan into production equipment for a smart line. Any grant?",
        "Would Hangzhou give the same kind of grant for equipment spending?",
    ])
    assert last["citations"][0]["id"] == "jiaxing-ai-plan#三.(一)"
    assert "No clause" in last["answer"] and "Hangzhou" in last["answer"]


@pytest.mark.parametrize("question", [
    "嘉兴的信息服务企业,去年营收5600万,前年4700万,能拿多少奖励?",
    "Jiaxing info-service firm: revenue was 56 million last year and 47 million the year before. What award?",
    "Our Jiaxing IT-services firm crossed 50 million yuan in revenue for the first time last year: 56 million, against 47 million the year before. What do we get?",
])
def test_revenues_said_with_years_relative_to_now_give_the_growth_the_right_way_round(client, question):
    body = ask(client, question)
    assert body["calculation"]["program"] == "jiaxing_revenue_milestone"
    assert body["calculation"]["result_yuan"] == 1_000_000  # 5600万 reaches the 5000万 tier, growth 19.1%


def test_running_costs_of_an_own_facility_are_no_contract_sum(client):
    body = ask(client, "郑州,我们自己的机房每年电费加运维要700万,另外向一家算力中心租了300万的卡,算力券补多少?")
    assert body["calculation"]["program"] == "zhengzhou_compute_voucher"
    assert body["calculation"]["result_yuan"] == 600_000  # only the 300万 contract: × 20%


@pytest.mark.parametrize(("questions", "result"), [
    (["杭州,我们承担国家重点研发任务,国家经费到账800万,市里配套多少?", "上个月又到账了600万,现在能配套多少?"], 3_500_000),
    (["Hangzhou: 8 million yuan of national R&D funding has arrived for our key project. How much matching?",
      "A further 12 million has now come in. What's the matching now?"], 5_000_000),
    (["杭州,我们承担国家重点研发任务,国家经费到账800万,市里配套多少?", "如果追加到1000万呢?"], 2_500_000),
])
def test_a_sum_said_as_more_of_an_earlier_one_counts_their_total(client, questions, result):
    *_, last = chat(client, questions)
    assert last["calculation"]["result_yuan"] == result


def test_a_case_put_without_an_ask_belongs_to_the_figure_question_after_it(client):
    *_, last = chat(client, [
        "嘉兴的算力补贴,我们今年用了500万的智算算力,还没备案,能补多少?",
        "要是下个月大模型备案批下来了呢?还是这500万,能补多少?",
    ])
    assert len(last["citations"]) == 1
    assert last["calculation"]["result_yuan"] == 2_500_000  # 500万 × 50% under the 500万 cap of a new filing


def test_does_that_change_after_a_sum_asks_the_figure_again_with_the_new_case(client):
    *_, last = chat(client, [
        "In Jiaxing we pay a cloud platform for supercomputing time. How much does the city cover?",
        "Our bill this year is about 8 million yuan.",
        "We've just received the generative-AI registration for our model. Does that change what we get?",
    ])
    assert last["calculation"]["program"] == "jiaxing_compute_subsidy"
    assert last["calculation"]["result_yuan"] == 4_000_000  # 800万 × 50%, under the 500万 cap of a new filing


@pytest.mark.parametrize("questions", [
    ["We're an AI firm in Zhengzhou and made it onto a global unicorn list. Any award from the city?",
     "Our sister firm in Jiaxing is on the same list. Would it get the same there?"],
    ["杭州,我们的模型刚在网信办完成了生成式人工智能登记,评测花了30万,能奖多少?", "那我们在郑州的分公司也有个模型刚备案下来,郑州那边给多少?"],
])
def test_the_same_case_somewhere_else_is_a_city_switch_said_to_be_missing_there(client, questions):
    first, last = chat(client, questions)
    assert last["citations"][0]["id"] == first["citations"][0]["id"]  # the clause talked about, quoted as such
    assert "未找到" in last["answer"] or "No clause" in last["answer"]
    assert last["calculation"] is None


def test_a_sum_pointed_back_to_after_a_detour_is_computed(client):
    *_, last = chat(client, [
        "杭州,我们牵头的市级制造业创新中心(未来产业)刚认定,每年能拿多少?",
        "今年审核确定的投入是1600万。这个归哪个局管?",
        "资助能拿几年?",
        "那按刚才那笔投入算,今年能拿多少?",
    ])
    assert last["calculation"]["result_yuan"] == 5_000_000  # 1600万 × 50% = 800万, capped at 500万


@pytest.mark.parametrize(("question", "clause"), [
    ("We publish open-weight models that are among the most downloaded on model hubs. Does Hangzhou reward that?", "hangzhou-ai-measures#二.(五)"),
    ("嘉兴AI方案里,本地计算能力要堆到多大规模?高性能那部分要到多少?", "jiaxing-ai-plan#一"),
    ("We build agents on top of a registered multimodal foundation model; our Hangzhou compute contract is 5 million yuan. What's the voucher?", "hangzhou-ai-measures#一.(三)"),
])
def test_words_the_clause_does_not_use_find_it(client, question, clause):
    assert ask(client, question)["citations"][0]["id"] == clause


def test_a_red_header_document_number_and_how_long_it_lasts(client):
    body = ask(client, "郑州扶持AI的那份红头文件,编号是多少?能管几年?")
    assert "郑政文〔2024〕62号" in body["answer"] and "3年" in body["answer"]


@pytest.mark.parametrize(("questions", "result"), [
    (["嘉兴,我们是CPMS产品主数据标准试点的牵头企业,有什么奖励?", "验收也过了,前后加起来一共多少?"], "50万元"),
    (["嘉兴,我们牵头的CPMS试点刚通过验收,另外DCMM贯标评估也到了三级。", "这些加在一起一共能拿多少?"], "60万元"),
    (["Jiaxing: we lead a CPMS product master data pilot. What's the award?", "Now it has passed acceptance - what's the total from both parts?"], "500,000"),
])
def test_a_staged_award_is_counted_once_when_its_stages_are_added_up(client, questions, result):
    *_, last = chat(client, questions)
    assert result in last["answer"]
    assert "70万元" not in last["answer"] and "90万元" not in last["answer"]


def test_an_award_named_without_its_siblings_mark_joins_a_sum(client):
    *_, last = chat(client, [
        "郑州的AI企业,今年进了权威独角兽榜单,市里奖多少?",
        "我们还首次被认定为专精特新小巨人企业。",
        "两项加起来一共多少?",
    ])
    assert "600万元" in last["answer"]  # 独角兽 500万 + 小巨人 100万


@pytest.mark.parametrize("question", [
    "比较一下杭州和郑州的算力补贴:补贴比例是多少,单家企业每年上限是多少?",
    "Compare Hangzhou and Zhengzhou on compute subsidies: what percentage do they pay, and what's the annual ceiling per firm?",
])
def test_a_comparison_with_two_asks_quotes_what_answers_each_for_every_city(client, question):
    body = ask(client, question)
    hangzhou = next(line for line in body["answer"].splitlines() if "杭州" in line or "Hangzhou" in line)
    assert "30%" in hangzhou and "800万元" in hangzhou
    zhengzhou = next(line for line in body["answer"].splitlines() if "郑州" in line or "Zhengzhou" in line)
    assert "20%" in zhengzhou and "100万元" in zhengzhou


@pytest.mark.parametrize("questions", [
    ["嘉兴这份人工智能实施方案一共布置了多少项重点任务?"],
    ["嘉兴AI实施方案对“人工智能+制造”具体怎么推进?", "那整个方案一共有几项重点任务?"],
])
def test_a_count_of_a_plans_tasks_is_answered_from_its_interpretation(client, questions):
    *_, last = chat(client, questions)
    assert last["citations"][0]["id"] == "jiaxing-ai-plan-interpretation#二"
    assert "十五项重点任务" in last["answer"]


@pytest.mark.parametrize(("question", "result"), [
    ("郑州,算力来自我们自己建的集群、自己用的,合同400万能补多少?", 0),  # 自建自用 said with its words apart
    ("郑州,我们自己建了机房,算力租给别人用,合同400万,算力券补多少?", 800_000),  # built, but not self-used
])
def test_self_built_for_own_use_said_in_words_apart(client, question, result):
    assert ask(client, question)["calculation"]["result_yuan"] == result


@pytest.mark.parametrize(("questions", "result"), [
    (["Jiaxing rewards first-version software. Ours is a first within the city - how much?",
      "Wait, the certificate says an international first, not only within the city. What's the award now?"], 2_000_000),
    (["Jiaxing: our enterprise technology centre got recognised at city level. What's the award?"], 200_000),
])
def test_a_level_said_in_english_phrases_and_one_denied_select_the_award(client, questions, result):
    *_, last = chat(client, questions)
    assert last["calculation"]["result_yuan"] == result


def test_english_words_glossed_by_a_chinese_term_are_read_as_that_term(client):
    body = ask(client, "In Zhengzhou our project came through the horse-race contest (赛马) route; "
                       "what's the lowest support the city funds a project with?")
    assert body["citations"][0]["id"] == "zhengzhou-ai-measures#二.4"  # not the events clause ("contest")
    assert "1000万元" in body["answer"]


@pytest.mark.parametrize(("question", "line", "result"), [
    ("我们的装备刚被认定为国内首台(套),嘉兴和郑州分别能奖多少?", "嘉兴", "150万元"),
    ("We were just named a provincial-level enterprise technology centre; how much would Jiaxing and Hangzhou each pay us?",
     "Jiaxing", "500,000"),
])
def test_a_comparison_naming_the_askers_level_computes_each_citys_award(client, question, line, result):
    body = ask(client, question)
    city_line = next(text for text in body["answer"].splitlines() if text.startswith(f"- {line}"))
    assert result in city_line


def test_a_staged_award_is_its_first_stage_until_the_later_stage_is_said_and_both_when_added_up(client):
    first, _, total = chat(client, ["嘉兴,我们公司牵头的CPMS试点刚列入名单,奖多少?", "后续还有钱吗?", "前后两笔合起来一共多少?"])
    assert first["calculation"]["result_yuan"] == 200_000  # listed only: acceptance is not said
    assert total["calculation"]["result_yuan"] == 500_000  # 20万 on listing + 30万 after acceptance


def test_a_role_said_in_other_words_switches_the_award(client):
    *_, last = chat(client, ["郑州新建人工智能领域全国重点实验室,牵头单位有什么支持?",
                             "我们其实是参与建设的单位,不是挑头的,那能拿多少?"])
    assert last["calculation"]["result_yuan"] == 1_000_000  # the co-building unit's award, not the lead's 1500万


def test_how_much_after_a_story_stays_on_the_programme_talked_about(client):
    *_, last = chat(client, ["嘉兴对新认定的省级企业技术中心奖多少?",
                             "我们公司主要做工业视觉检测,研发团队五十人左右,这种情况大概能拿多少?"])
    assert last["citations"][0]["id"] == "jiaxing-ai-plan#三.(四)"


def test_a_vague_question_describing_the_firm_cites_the_nearest_clause_of_each_city(client):
    body = ask(client, "我们是一家做自动驾驶算法的公司,郑州有什么补贴能申请?")
    assert [c["id"] for c in body["citations"]] == ["zhengzhou-ai-measures#三.7"]  # the only clause on 自动驾驶
    assert "1份文件" in body["answer"] and "在哪个城市" not in body["answer"]  # its city's documents; no city asked


def test_saying_there_are_few_of_us_asks_no_count(client):
    body = ask(client, "我们是郑州一家做智能网联汽车的企业,人不多,没几个人,有什么扶持政策?")
    assert "1份文件" in body["answer"] and "请问贵公司属于什么行业" in body["answer"]  # the overview, asked once
