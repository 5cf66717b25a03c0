"""Parse a document's body into clauses along its 一、/(一)/1./(1) hierarchy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.cleaning import DATE_LINE, DOC_NUMBER, ORDER_NUMBER
from index.models import Clause

# (level, pattern); group 1 is the label key used in clause ids.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    # 第X章 / 第X节 group articles (they sit in the path, not in an article's label); 第X条 is an article.
    (-3, re.compile(r"^(第[一二三四五六七八九十百零]{1,4}章)\s*")),
    (-2, re.compile(r"^(第[一二三四五六七八九十百零]{1,4}节)\s*")),
    (-1, re.compile(r"^(第[一二三四五六七八九十百零]{1,4}条)\s*")),
    (1, re.compile(r"^([一二三四五六七八九十]{1,3})、\s*")),
    (2, re.compile(r"^(\([一二三四五六七八九十]{1,3}\))\s*")),
    (3, re.compile(r"^(\d{1,2})[.、](?!\d)\s*")),
    (4, re.compile(r"^(\(\d{1,2}\))\s*")),
)
_CLOSING = re.compile(r"^本(?:《[^》]+》|[\u4e00-\u9fff]{1,6})自.{0,20}(?:施行|实施|执行)")
_ATTACHMENT = re.compile(r"^附件\d*$")
_ISSUER_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,20}(?:人民政府|办公厅|办公室|委员会)$")
_UNITS = re.compile(r"[(\[](?:责任单位|责任部门|牵头单位)\s*:\s*(.+)[)\]]$")


def leading_label(line: str) -> str | None:
    """The structural label a line starts with, as printed ("三、", "(六)", "1."), or None."""
    hit = match_marker(line)
    return hit[2] if hit else None


def match_marker(line: str) -> tuple[int, str, str, str] | None:
    """(level, id key, printed label, rest of line) for a line that starts a numbered item."""
    for level, pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            key = m.group(1)
            printed = key + ("、" if level == 1 else "." if level == 3 else "")
            return level, key, printed, line[m.end() :]
    return None


_FIRST_KEYS = frozenset({"一", "(一)", "1", "(1)", "第一条", "第一节", "第一章"})
_GROUPING = ("chapter", "section")


def is_section_heading(lines: list[str], i: int) -> bool:
    """A short unnumbered line (no final punctuation) directly above the first item of a numbered list."""
    line = lines[i]
    if i + 1 >= len(lines) or match_marker(line) or len(line) > 20 or "。" in line:
        return False
    if line.endswith(("。", ";", ":", ",", "、", "!", "?", ")")) or DATE_LINE.match(line) or DOC_NUMBER.fullmatch(line):
        return False
    nxt = match_marker(lines[i + 1])
    return nxt is not None and nxt[1] in _FIRST_KEYS


def responsible_units(text: str) -> tuple[str, ...]:
    """Units from a trailing (责任单位:…) note; the first listed leads. Notes such as 下同 are dropped."""
    m = _UNITS.search(text.rstrip("。 "))
    if not m:
        return ()
    body = re.split(r"[。;]", m.group(1))[0]
    units: list[str] = []
    for group in body.split(","):
        group = group.strip()
        if not group or "列第一位" in group or "不再列出" in group or "下同" in group:
            continue
        if group.startswith("各"):
            units.append(group)
        else:
            units.extend(u.strip() for u in _split_outside_brackets(group, "、") if u.strip())
    return tuple(units)


def _split_outside_brackets(text: str, sep: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "(〔[【"
        depth -= ch in ")〕]】"
        if ch == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def heading_of(rest: str) -> str:
    """A clause's heading: its first sentence when that is a short title (支持算力应用), else ''."""
    cut = re.search(r"[。:]", rest)
    head = rest[: cut.start()] if cut else rest
    return head if len(head) <= 30 else ""


@dataclass
class _Node:
    level: int
    key: str
    printed: str
    line: str  # the heading line as printed, without the label
    kind: str = "item"
    body: list[str] = field(default_factory=list)
    children: list["_Node"] = field(default_factory=list)
    parent: "_Node | None" = None
    start: int = 0
    end: int = 0


def parse_clauses(
    doc_id: str, lines: list[str], body_start: int, kind: str = "policy", header_end: int = 1, title_printed: bool = True
) -> list[Clause]:
    """Clauses of one document: notice, preamble, numbered items, closing provisions, attachments."""
    offsets = _line_offsets(lines)
    roots: list[_Node] = []
    notice = _Node(0, "notice", "", "", kind="notice")
    for i in range(header_end, body_start):
        ln = lines[i]
        if (i == body_start - 1 and title_printed) or DOC_NUMBER.fullmatch(ln) or DATE_LINE.match(ln) or _is_signature(lines, i):
            continue
        if ORDER_NUMBER.match(ln) or _ATTACHMENT.match(ln) or _ISSUER_ONLY.match(ln):
            continue  # 令 number, a bare 附件 label, an issuer line printed under the title
        notice.body.append(ln)
        notice.start = notice.start or offsets[i]
        notice.end = offsets[i] + len(ln)
    if notice.body:
        roots.append(notice)

    stack: list[_Node] = []
    preamble = _Node(0, "preamble", "", "", kind="preamble")
    current: _Node | None = None
    for i in range(body_start, len(lines)):
        ln = lines[i]
        if _is_signature(lines, i) or DATE_LINE.match(ln):
            continue
        hit = match_marker(ln)
        if _CLOSING.match(ln) and kind != "interpretation":
            node = _Node(0, "closing", "", "", kind="closing", body=[ln], start=offsets[i], end=offsets[i] + len(ln))
            roots.append(node)
            stack, current = [], node
            continue
        if _ATTACHMENT.match(ln):
            node = _Node(0, ln, ln, "", kind="attachment", start=offsets[i], end=offsets[i] + len(ln))
            roots.append(node)
            stack, current = [], node
            continue
        if hit is None and is_section_heading(lines, i):
            # an unnumbered sub-heading groups the numbered list under it, one level above that list
            level = match_marker(lines[i + 1])[0] - 0.5
            hit = (level, ln, ln, "")
        if hit:
            level, key, printed, rest = hit
            while stack and stack[-1].level >= level:
                stack.pop()
            node = _Node(level, key, printed, rest, start=offsets[i], end=offsets[i] + len(ln))
            if level in (-3, -2):
                node.kind = "chapter"
            elif level != int(level):
                node.kind = "section"
            if stack:
                node.parent = stack[-1]
                stack[-1].children.append(node)
            else:
                roots.append(node)
            stack.append(node)
            current = node
            continue
        target = current if current is not None else preamble
        if target is preamble and not preamble.body:
            preamble.start = offsets[i]
            roots.append(preamble)
        target.body.append(ln)
        target.end = offsets[i] + len(ln)
    return _to_clauses(doc_id, roots, kind)


def _is_signature(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and DATE_LINE.match(lines[i + 1]) is not None and len(lines[i]) <= 30 and "。" not in lines[i]


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, pos = [], 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    return offsets


def _emitted(node: _Node) -> bool:
    bare_heading = not node.body and not node.children and "。" not in node.line and len(node.line) <= 15
    if node.kind in _GROUPING and not node.body:
        return False
    if node.level == -1 and node.line:
        return True  # an article's own sentence is content even when items follow it
    return bool(node.body or not node.children) and not bare_heading


def _labelled_chain(chain: list[_Node], qualify: bool) -> list[_Node]:
    """The nodes that name a clause: chapters never (articles are numbered through the document), unnumbered
    sub-headings only when numbering restarts under them (qualify)."""
    return [n for n in chain if n.kind != "chapter" and (n.kind != "section" or qualify)]


def _needs_qualifying(roots: list[_Node]) -> bool:
    """True when numbering restarts under different unnumbered sub-headings (the same key twice)."""
    keys: list[str] = []

    def walk(node: _Node, chain: list[_Node]) -> None:
        chain = chain + [node]
        if node.kind not in _GROUPING and any(n.kind == "section" for n in chain):
            keys.append(".".join(n.key for n in _labelled_chain(chain, False)))
        for child in node.children:
            walk(child, chain)

    for root in roots:
        walk(root, [])
    return len(keys) != len(set(keys))


def _to_clauses(doc_id: str, roots: list[_Node], doc_kind: str) -> list[Clause]:
    clauses: list[Clause] = []
    seen: set[str] = set()
    qualify = _needs_qualifying(roots)

    def visit(node: _Node, ancestors: list[_Node]) -> None:
        chain = ancestors + [node]
        named = _labelled_chain(chain, qualify)
        if _emitted(node) and named:
            key = ".".join(n.key for n in named)
            clause_id = f"{doc_id}#{key}"
            while clause_id in seen:
                clause_id += "~"
            seen.add(clause_id)
            text = "\n".join(([node.line] if node.line else []) + node.body)
            end = max([node.end] + [c.end for c in node.children])
            kind = node.kind if node.kind != "item" else ("interpretation" if doc_kind == "interpretation" else "item")
            clauses.append(
                Clause(
                    clause_id=clause_id,
                    doc_id=doc_id,
                    path=tuple((n.printed + n.line) if n.printed else _KIND_NAMES.get(n.kind, n.key) for n in chain),
                    label=node.printed or _KIND_NAMES.get(node.kind, node.key),
                    heading=heading_of(node.line) if node.line else _KIND_NAMES.get(node.kind, ""),
                    text=text,
                    responsible_units=responsible_units(text),
                    start=node.start,
                    end=end if not node.children else node.end,
                    label_path=tuple(n.printed for n in named if n.printed) or (_KIND_NAMES.get(node.kind, node.key),),
                    kind=kind,
                )
            )
        for child in node.children:
            visit(child, chain)

    for root in roots:
        visit(root, [])
    return clauses


_KIND_NAMES = {"notice": "印发通知", "preamble": "序言", "closing": "附则", "attachment": "附件"}
