from index.cleaning import clean_text, rejoin_broken_lines, strip_pinyin_glosses


def test_pinyin_glosses_are_removed_but_latin_abbreviations_stay():
    assert strip_pinyin_glosses("發(fā)展和區(qū)域") == "發展和區域"
    assert strip_pinyin_glosses("模型服務(MaaS)、(DCMM)貫標、(REITs)產品") == "模型服務(MaaS)、(DCMM)貫標、(REITs)產品"


def test_traditional_becomes_simplified_and_widths_are_normalised():
    assert clean_text("支持人工智能全產業鏈高質量發展的若幹措施（試行）：１０％") == "支持人工智能全产业链高质量发展的若干措施(试行):10%"


def test_words_broken_across_page_breaks_are_rejoined():
    text = "1. 加大项目招引。绘制细化产业链图谱,发\n\n挥算力基础设施先发优势。\n2. 加快平台建设。"
    assert clean_text(text).split("\n") == ["1. 加大项目招引。绘制细化产业链图谱,发挥算力基础设施先发优势。", "2. 加快平台建设。"]


def test_headings_titles_and_signatures_are_not_glued():
    lines = "一、主要目标\n到2027年,培育链主企业10家。\n嘉兴市人民政府办公室\n2024年10月10日"
    assert rejoin_broken_lines(lines).split("\n") == lines.split("\n")


def test_layout_spaces_between_han_and_digits_are_dropped():
    assert clean_text("本《实施方案》自 2024 年 10 月 10 日起正式施行") == "本《实施方案》自2024年10月10日起正式施行"


def test_web_boilerplate_is_dropped():
    raw = (
        "《某某措施》(杭州)\n2024-07-29 18:00:22    編輯: robot\n導讀     某某措施 为…...\n"
        "某某措施\n一、总则\n(一)正文。\n標題:《某某措施》(杭州)\n地址:https://example.com/1.html\n"
        "鄭重聲明:本文版權歸原作者所有。\n猜你喜歡\n我要評論"
    )
    assert clean_text(raw).split("\n") == ["某某措施", "一、总则", "(一)正文。"]


def test_gazette_masthead_toc_and_colophon_are_dropped():
    raw = (
        "嘉兴市人民政府公报\n\nGAZETTE OF THE PEOPLE'S GOVERNMENT\nOF JIAXING MUNICIPALITY\n\n2024\n\n第11期（总第257期）\n\n"
        "目 录\n\n【市政府文件】\n\n某某通知\n\n(嘉政发[2024]19号) (2)\n\n政策解读目录 (9)\n\n"
        "某某通知\n\n嘉政发[2024]19号\n\n正文。\n\n嘉兴市人民政府公报\n\n2024年第11期（总第257期）\n2024年11月25日出版\n\n准印证：浙内准字第F031号\n邮 编：314050\n"
    )
    assert clean_text(raw).split("\n") == ["某某通知", "嘉政发〔2024〕19号", "正文。"]
