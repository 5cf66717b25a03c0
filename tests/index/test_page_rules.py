"""Each ingestion rule on real text from the wild pages (tests/fixtures/wild) and the bundled corpus."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.cleaning import clean_text, to_simplified
from index.clauses import is_section_heading, parse_clauses
from index.lifecycle import apply_lifecycle, find_superseded, read_overrides, status_on
from index.metadata import find_basis
from index.mojibake import rare_share, repair_mojibake
from index.page_noise import PageFields, is_noise_line, normalize_lines, read_fields, strip_page_noise


# --- page noise -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "您现在的位置: 首页 > 信息公开 > 政策法规",
        "您的位置: 首页 » 法律资料网 » 法律法规 »",
        "当前位置: 首页 > 政策文件 > 政策原文 > 产业政策",
        "无障碍辅助浏览长者助手繁体版简体版市民网页",
        "中国政府网吉林省政府网长春市政府网",
        "作者:法律资料网 时间:2024-07-12 15:53:57 浏览:8047 来源:法律资料网",
        "文章出处:公告通知网责任编辑:金飞鹰阅读量:发表时间:2025-09-02",
        "政策汇编 (9475) 发布于:2020-04-22 更新于:2022-04-22 来自:合肥市人民政府",
        "【字体: 打印",
        "下载地址: 点击此处下载",
        "【图文解读】《广州国家人工智能创新应用先导区建设方案》的政策文件解读材料和解读方案",
        "(本文有删减)",
        "2025-12-17 14:26",
        "《若干政策》全文如下:",
        "午夜论坛丨亚洲日韩欧洲无码av夜夜摸丨可以直接免费观看的av网站丨国产一区99丨2023av在线",
        "项目申报",
    ],
)
def test_page_furniture_lines_are_noise(line):
    assert is_noise_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "长春市人民政府关于加快新一代人工智能发展的实施意见",
        "一、总体要求",
        "第一条 为了促进数字经济发展,建设数字赋能、融合发展的数字强市,根据有关法律、法规,结合本市实际情况,制定本条例。",
        "(此件公开发布)后的正文继续:对符合条件的项目给予最高不超过1000万的支持。",
        "市经信局市新经济委软件和信息服务业处",
        "各区人民政府,市人民政府各部门:",
    ],
)
def test_policy_lines_are_not_noise(line):
    assert not is_noise_line(line)


def test_portal_fields_are_read_before_their_lines_go():
    fields = PageFields()
    assert read_fields("[ 索引号 ] 11500222MB186138XC/2022-00002 [ 发文字号 ] 綦科局〔2021〕28号", fields)
    assert read_fields("[ 发布机构 ] 綦江区科技局 [ 有效性 ] 有效", fields)
    assert read_fields("[ 成文日期 ] 2021-09-08 [ 发布日期 ] 2021-09-29", fields)
    assert (fields.doc_number, fields.issuer, fields.validity) == ("綦科局〔2021〕28号", "綦江区科技局", "有效")
    assert (fields.written_on, fields.posted_on) == ("2021-09-08", "2021-09-29")
    other = PageFields()
    assert read_fields("信息来源:数字产业处 时间:2021-12-10 字体: [大] [中] [小]", other)
    assert other.posted_on == "2021-12-10"
    reposted = PageFields()
    assert not read_fields("政策汇编 (9475) 发布于:2020-04-22 更新于:2022-04-22 来自:合肥市人民政府", reposted)
    assert reposted.posted_on is None  # a reposting site's own time is not the document's date


def test_a_news_lead_goes_and_names_the_policy_and_its_issuer():
    lines = [
        "促进人工智能产业高质量发展,成都出台实施细则",
        "近日,成都市经济和信息化局等六部门印发《成都市进一步促进人工智能产业高质量发展的若干政策措施实施细则》",
        "实施细则具体内容如下:",
        "支持算法工具源头创新",
        "(一)鼓励研制人工智能开发框架",
    ]
    kept, fields = strip_page_noise(lines)
    assert kept == lines[3:]
    assert fields.title_hint == "成都市进一步促进人工智能产业高质量发展的若干政策措施实施细则"
    assert fields.issuer_hint == "成都市经济和信息化局"


def test_a_covering_notice_is_not_a_news_lead():
    lines = [
        "武威市人民政府办公室关于印发武威市新一代人工智能发展实施方案的通知",
        "武政办发〔2018〕250号",
        "现将《武威市新一代人工智能发展实施方案》印发你们,请结合实际,认真贯彻实施。",
    ]
    assert strip_page_noise(lines)[0] == lines


def test_a_title_printed_in_the_header_and_above_the_text_is_kept_once():
    lines = ["长春市人民政府关于加快新一代人工智能发展的实施意见", "时间:2021-01-19 10:25 来源:政策法规与创新体系建设处", "【字体: 打印", "长春市人民政府关于加快新一代人工智能发展的实施意见", "长府发〔2021〕1号"]
    kept, fields = strip_page_noise(lines)
    assert kept == [lines[0], lines[4]] and fields.posted_on == "2021-01-19"


def test_line_shapes_are_normalised():
    assert normalize_lines(["一九九四年五月十八日", "二OO六年二月二十日"]) == ["1994年5月18日", "2006年2月20日"]
    assert normalize_lines(["重庆市人民政府办公厅关于印发《重庆市推动“人工智能+” 行动方案》的通知(渝府办发〔2025〕60号)"]) == [
        "重庆市人民政府办公厅关于印发《重庆市推动“人工智能+” 行动方案》的通知",
        "渝府办发〔2025〕60号",
    ]
    assert normalize_lines(["附件石家庄市数字经济促进条例(草案征求意见稿)"]) == ["附件", "石家庄市数字经济促进条例(草案征求意见稿)"]
    assert normalize_lines(["附件:《石家庄市数字经济促进条例(草案征求意见稿)》"]) == ["附件:《石家庄市数字经济促进条例(草案征求意见稿)》"]
    assert normalize_lines(["一 、总体要求"]) == ["一、总体要求"]


# --- mojibake ---------------------------------------------------------------------------------------------
def test_utf8_read_as_gbk_is_repaired_with_a_warning():
    garbled = "鍏充簬鍗板彂浜哄伐鏅鸿兘"  # 关于印发人工智能, its UTF-8 bytes read as GBK
    text, warnings = repair_mojibake("武汉市人民政府" + garbled + "的通知")
    assert text == "武汉市人民政府关于印发人工智能的通知"
    assert [(w.kind, w.offset, w.length) for w in warnings] == [("mojibake_repaired", 7, len(garbled))]


def test_unrepairable_garble_is_removed_and_clean_text_is_untouched():
    source = "(一)实施一批人工智能技术攻关项目。\n" + "(二)打造一批人工智能应用示范场景。".encode("utf-8").decode("gbk", errors="replace") + "\n(三)集聚一批人才。"
    text, warnings = repair_mojibake(source)
    assert text.split("\n") == ["(一)实施一批人工智能技术攻关项目。", "", "(三)集聚一批人才。"]
    assert warnings[0].kind == "mojibake_removed" and warnings[0].offset == source.index("\n") + 1


def test_traditional_text_is_not_mistaken_for_garble():
    traditional = "為深入貫徹國家推進人工智能發展的戰略部署,全面落實全省“一號創新工程”"
    assert repair_mojibake(traditional) == (traditional, [])
    assert rare_share(traditional) < 0.1 and rare_share("浜哄伐鏅鸿兘鏀跨瓥") > 0.3


def test_lost_characters_and_double_conversion_runs():
    text, warnings = repair_mojibake("第一條??本政策適用於具有獨立法人資格的企業")
    assert text == "第一條本政策適用於具有獨立法人資格的企業" and warnings[0].kind == "lost_characters"
    text, warnings = repair_mojibake("对企业给予奖励锟斤拷锟斤拷最高不超过100万元,按照实际投入的30%给予补助")
    assert "锟" not in text and "最高不超过100万元" in text


# --- Traditional → Simplified -----------------------------------------------------------------------------
def test_protected_names_survive_conversion():
    assert to_simplified("支持基於昇騰芯片的算力中心建設") == "支持基于昇腾芯片的算力中心建设"
    assert to_simplified("昇腾AI生态") == "昇腾AI生态"


def test_simplified_text_passes_through_unchanged(corpus):
    hz = corpus.clause("hangzhou-ai-measures#一.(三)").text
    assert to_simplified(hz) == hz
    assert clean_text("对符合条件的昇腾算力采购给予补贴。") == "对符合条件的昇腾算力采购给予补贴。"


# --- basis --------------------------------------------------------------------------------------------------
def test_basis_titles_and_numbers_from_the_preamble():
    lines = [
        "为贯彻实施国家人工智能强国战略,推进我市人工智能技术发展和应用,促进产业智能化升级,根据《甘肃省人民政府办公厅关于印发"
        "甘肃省新一代人工智能发展实施方案的通知》 (甘政办发〔2018〕151号)精神,结合我市实际,制定本实施方案。",
        "一、总体要求",
    ]
    assert find_basis(lines, 0, 1) == (("甘肃省人民政府办公厅关于印发甘肃省新一代人工智能发展实施方案的通知", "甘政办发〔2018〕151号"),)


def test_an_abbreviation_note_is_not_a_basis():
    lines = ["第一章 总则", "第一条 为保证各级行政机关依法行政,根据《行政复议条例》(以下简称《条例》),制定本规定。"]
    assert find_basis(lines, 0, 0) == (("行政复议条例", None),)


# --- structure ----------------------------------------------------------------------------------------------
def test_a_short_unnumbered_line_above_a_first_item_is_a_heading():
    lines = ["市经信局市新经济委软件和信息服务业处", "(二)鼓励应用人工智能开发框架", "支持算法创新转化", "(一)支持开展核心算法研发"]
    assert not is_section_heading(lines, 0)  # (二) continues a list: the line is the previous item's text
    assert is_section_heading(lines, 2)


def test_articles_inside_chapters():
    lines = [
        "第一章 总则",
        "第一条 为了促进数字经济发展,制定本条例。",
        "第二条 本条例适用于本市行政区域内促进数字经济发展的相关活动。",
        "本条例所称数字经济,是指以数据资源为关键要素的新经济形态。",
        "第二章 数字基础设施",
        "第三条 市人民政府应当统筹推进数字基础设施建设。",
    ]
    clauses = parse_clauses("sjz", lines, 0)
    assert [c.clause_id for c in clauses] == ["sjz#第一条", "sjz#第二条", "sjz#第三条"]
    assert clauses[1].text.endswith("新经济形态。") and clauses[2].path == ("第二章数字基础设施", "第三条市人民政府应当统筹推进数字基础设施建设。")


# --- lifecycle ------------------------------------------------------------------------------------------------
def test_status_on_a_date(corpus):
    hz = corpus.document("hangzhou-ai-measures")  # 2024-08-19 … 2027-12-31
    assert status_on(hz, "2024-08-01", corpus.documents) == "not_yet_effective"
    assert status_on(hz, "2025-06-01", corpus.documents) == "current"
    assert status_on(hz, "2028-01-01", corpus.documents) == "expired"
    assert status_on(replace(hz, validity_status="失效"), "2025-06-01") == "expired"


def test_a_repeal_sentence_supersedes_the_named_document_of_the_same_city(corpus):
    from index.models import Clause, Document

    newer = Document(
        doc_id="hangzhou-ai-measures-2025", title="杭州市进一步支持人工智能全产业链高质量发展的若干措施", city="杭州",
        issuer="杭州市人民政府办公厅", doc_number=None, issued_on="2025-03-01", effective_from="2025-04-01",
        effective_until=None, sources=("new.txt",),
    )
    closing = Clause(
        clause_id="hangzhou-ai-measures-2025#closing", doc_id=newer.doc_id, path=("附则",), label="附则", heading="附则",
        text="本措施自2025年4月1日起施行,原《杭州市人民政府办公厅关于印发支持人工智能全产业链高质量发展若干措施的通知》同时废止。",
    )
    documents = corpus.documents + [newer]
    assert find_superseded(documents, corpus.clauses + [closing]) == {"hangzhou-ai-measures": newer.doc_id}
    updated = {d.doc_id: d for d in apply_lifecycle(documents, corpus.clauses + [closing])}
    old = updated["hangzhou-ai-measures"]
    assert old.superseded_by == newer.doc_id
    assert status_on(old, "2025-03-15", updated) == "current"  # the newer one is not in force yet
    assert status_on(old, "2025-05-01", updated) == "superseded"
    assert all(d.superseded_by is None for d in corpus.documents)  # the bundled corpus states no replacement


def test_overrides_file_next_to_the_corpus(tmp_path, corpus):
    assert read_overrides(tmp_path) == {}
    (tmp_path / "lifecycle.yaml").write_text(
        "zhengzhou-ai-measures:\n  superseded_by: hangzhou-ai-measures\n  effective_until: 2026-05-21\n"
        "jiaxing-ai-plan:\n  superseded_by: not-indexed\n", encoding="utf-8"
    )
    docs = {d.doc_id: d for d in apply_lifecycle(corpus.documents, corpus.clauses, read_overrides(tmp_path))}
    assert docs["zhengzhou-ai-measures"].superseded_by == "hangzhou-ai-measures"
    assert docs["zhengzhou-ai-measures"].effective_until == "2026-05-21"
    assert docs["jiaxing-ai-plan"].superseded_by is None
