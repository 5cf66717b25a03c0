"""Strip what a web page prints around a policy text, and read the metadata portals print beside it.

Rules are data (`index/data/page_noise.yaml`): breadcrumbs, site headers, time/source/author lines, print and
share furniture, spam keyword headers, a reposter's news lead. Portal metadata fields (发文字号, 发布机构,
成文日期, 发布时间, 有效性, …) are read before their lines are dropped, so they are not lost with the noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from index.cleaning import DOC_NUMBER

_DATE = r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})"
# Portal fields: "[ 发文字号 ] 綦科局〔2021〕28号", "文号: 嘉政办发〔2025〕18号", "发布机构: 市政府办公室".
_FIELD_NAMES = {
    "doc_number": r"发文字号|政策文号|文号|发文号",
    "issuer": r"发布机构|发布单位|发文机关|发文单位|发布部门|签发单位|制发机关|发文机构",
    "written_on": r"成文日期|签发时间|签发日期|印发日期",
    "posted_on": r"发布日期|发布时间|时间|日期",
    "effective_on": r"生效时间|生效日期|实施日期|施行日期",
    "validity": r"有效性|时效性|时效|效力状态",
}
_FIELD = re.compile(
    r"[\[【]?\s*(?P<name>" + "|".join(_FIELD_NAMES.values()) + r")\s*[\]】]?\s*[::]?\s*"
    r"(?P<value>.*?)(?=\s*[\[【]?\s*(?:" + "|".join(_FIELD_NAMES.values()) + r"|索引号|主题分类|体裁分类|公开方式|"
    r"信息来源|来源|浏览次数|索取号|规范性文件统一编号|字体)\s*[\]】]?\s*[::\]]|$)"
)
_REPOST_TIME = re.compile(r"发布于|更新于|发表时间|发表于")
_ISSUER_NAME = r"[\u4e00-\u9fff()]{2,30}?(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|管委会|局|厅|委|办)"


@dataclass
class PageFields:
    """Metadata a portal or a news lead prints around the policy text."""

    doc_number: str | None = None
    issuer: str | None = None
    written_on: str | None = None  # 成文日期 (ISO)
    posted_on: str | None = None  # the portal's posting time (ISO)
    effective_on: str | None = None
    validity: str | None = None  # 有效 / 失效 / 废止 as printed
    title_hint: str | None = None  # the policy a news lead names: 《…》
    issuer_hint: str | None = None  # who the news lead says issued it
    dropped: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def rules() -> dict:
    text = resources.files("index").joinpath("data/page_noise.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {
        "lines": [re.compile(p) for p in data["lines"]],
        "menu": frozenset(data["menu_words"]),
        "lead_start": re.compile(data["lead_start"]),
        "report": re.compile(
            r"(?P<issuer>" + _ISSUER_NAME + r")(?:等[一二三四五六七八九十\d]{1,2}(?:个)?部门)?(?:联合)?(?:"
            + "|".join(map(re.escape, data["report_verbs"]))
            + r")(?:了)?《(?P<title>[^《》]{4,80})》"
        ),
    }


def _iso(text: str) -> str | None:
    m = re.search(_DATE, text)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def read_fields(line: str, fields: PageFields) -> bool:
    """Record the portal fields a line prints; True when the line is a field line."""
    found = False
    if _REPOST_TIME.search(line):
        return False  # a reposting site's own time is not the document's
    for m in _FIELD.finditer(line):
        name, value = m.group("name"), m.group("value").strip()
        if not value:
            continue
        kind = next(k for k, pattern in _FIELD_NAMES.items() if re.fullmatch(pattern, name))
        if kind == "doc_number":
            number = DOC_NUMBER.search(value)
            if number and fields.doc_number is None:
                fields.doc_number, found = number.group(0), True
        elif kind == "issuer":
            name_match = re.match(r"[\u4e00-\u9fff()]{2,30}", value)
            if name_match and fields.issuer is None:
                fields.issuer, found = name_match.group(0), True
        elif kind in ("written_on", "posted_on", "effective_on"):
            iso = _iso(value)
            if iso and getattr(fields, kind) is None:
                setattr(fields, kind, iso)
                found = True
        elif kind == "validity":
            status = re.match(r"(有效|失效|废止|已废止|已失效|部分失效|已修改)", value)
            if status and fields.validity is None:
                fields.validity, found = status.group(1), True
    return found


def is_noise_line(line: str) -> bool:
    r = rules()
    if line in r["menu"]:
        return True
    if "。" in line and not line.startswith("【"):
        return False
    return any(p.fullmatch(line) for p in r["lines"])


def _is_lead(line: str) -> bool:
    """A reporter's sentence about the policy: 近日,X印发《…》… / 2月18日,X发布《…》…"""
    r = rules()
    if re.search(r"现将|印发给你们|印发你们|现予印发|现印发", line):
        return False
    return bool(r["lead_start"].match(line)) and ("《" in line or line.endswith(("。", ",")))


def strip_page_noise(lines: list[str]) -> tuple[list[str], PageFields]:
    """Drop page furniture and a news lead; read portal fields and what the lead says about the policy."""
    fields = PageFields()
    r = rules()
    kept: list[str] = []
    for line in normalize_lines(lines):
        if read_fields(line, fields):
            fields.dropped.append(line)
            continue
        if is_noise_line(line):
            m = r["report"].search(line)
            if m and fields.title_hint is None:
                fields.title_hint, fields.issuer_hint = m.group("title"), m.group("issuer")
            fields.dropped.append(line)
            continue
        kept.append(line)
    kept = _drop_lead(kept, fields)
    kept = _drop_repeated_title(kept)
    return kept, fields


def _drop_lead(lines: list[str], fields: PageFields) -> list[str]:
    """A news lead before the policy text: everything up to a '全文如下' line, or lead sentences at the top."""
    r = rules()
    end = 0
    for i, line in enumerate(lines[:8]):
        m = r["report"].search(line)
        if _is_lead(line) or (m and i + 1 < len(lines) and _names_following(m.group("title"), lines[i + 1 :])):
            if m and fields.title_hint is None:
                fields.title_hint, fields.issuer_hint = m.group("title"), m.group("issuer")
            end = i + 1
        elif end and i == end:
            break
    if end:
        # a news headline above the lead ("…,成都出台实施细则") goes with it
        fields.dropped.extend(lines[:end])
        return lines[end:]
    return lines


def _names_following(title: str, rest: list[str]) -> bool:
    """The lead names a policy whose own title (or its first line) follows, or whose text follows at once."""
    key = _squash(title)
    head = _squash(rest[0])
    return bool(head) and (key.startswith(head) or head.startswith(key) or not _looks_like_title(rest[0]))


def _squash(text: str) -> str:
    return re.sub(r"[\s《》<>]", "", text)


_TITLE_LIKE = re.compile(
    r"^[^。;]{4,90}(?:通知|方案|措施|意见|办法|规定|决定|细则|公告|通告|决议|政策|规划|条例|计划|指南|规程|规则)"
    r"(?:\([^)]{1,20}\))?$"
)


def _looks_like_title(line: str) -> bool:
    return bool(_TITLE_LIKE.match(line))


def _drop_repeated_title(lines: list[str]) -> list[str]:
    """A portal prints the title in its header and again above the text: keep the copy above the text."""
    out = [ln for i, ln in enumerate(lines) if i == 0 or ln != lines[i - 1]]
    for i, line in enumerate(out[:6]):
        if not _looks_like_title(line):
            continue
        key = _squash(line)
        for j in range(i + 1, min(len(out), i + 6)):
            if out[j].endswith("。"):
                break
            joined = ""
            for k in range(j, min(len(out), j + 4)):
                joined += _squash(out[k])
                if joined == key:
                    return out[j:]
                if not key.startswith(joined):
                    break
        break
    return out


_CN_NUM = {"〇": 0, "零": 0, "O": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"^([〇零O○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_TITLE_WITH_NUMBER = re.compile(r"^(.{6,}(?:通知|方案|措施|意见|办法|规定|决定|细则|公告|通告|政策|条例|计划))\s*\((" + DOC_NUMBER.pattern + r")\)$")
_GLUED_ATTACHMENT = re.compile(r"^(附件\d*)[::]?(?=[^::\d《])(.{6,})$")


def _cn_small(text: str) -> int:
    """十二 → 12, 二十 → 20, 五 → 5."""
    if "十" not in text:
        return _CN_NUM[text]
    tens, _, ones = text.partition("十")
    return (_CN_NUM[tens] if tens else 1) * 10 + (_CN_NUM[ones] if ones else 0)


def normalize_lines(lines: list[str]) -> list[str]:
    """Line shapes pages print that the parser reads in one form.

    一九九四年五月十八日 → 1994年5月18日 (a date line in Chinese numerals); a title with its 文号 glued on in
    brackets → two lines; 附件 glued to the title it carries → two lines; "一 、" → "一、".
    """
    out: list[str] = []
    for line in lines:
        line = re.sub(r"^([一二三四五六七八九十]{1,3})\s+、", r"\1、", line)
        m = _CN_DATE.match(line)
        if m:
            year = "".join(str(_CN_NUM[c]) for c in m.group(1))
            out.append(f"{year}年{_cn_small(m.group(2))}月{_cn_small(m.group(3))}日")
            continue
        m = _TITLE_WITH_NUMBER.match(line)
        if m:
            out.extend([m.group(1), m.group(2)])
            continue
        m = _GLUED_ATTACHMENT.match(line)
        if m and _looks_like_title(m.group(2)):
            out.extend([m.group(1), m.group(2)])
            continue
        out.append(line)
    return out
