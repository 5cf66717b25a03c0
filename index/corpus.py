"""From source files to documents and clauses: load → clean → split → metadata → clauses → dedupe."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from index.cleaning import finish_cleaning, prepare_text
from index.clauses import parse_clauses
from index.dedupe import merge_duplicates
from index.metadata import extract_facts
from index.models import Clause, Corpus, Document
from index.lifecycle import apply_lifecycle, read_overrides
from index.mojibake import repair_mojibake
from index.page_noise import strip_page_noise
from index.sources import RawSource, SourceError, corpus_files, read_source


class NoPolicyTextError(SourceError):
    """A page holds no policy text (a site index, a news list, a login page); the message names the file."""


_SENTENCE = re.compile(r"[\u4e00-\u9fff]")


_NUMBERED = re.compile(r"^\s*(第[一二三四五六七八九十百]+条|[一二三四五六七八九十]+、|[((][一二三四五六七八九十]+[))]|\d+[.、.])")


def has_policy_text(lines: list[str]) -> bool:
    """At least two lines of running Chinese text (30+ characters with a 。 or ;) survive cleaning, or one
    numbered clause of running text (a short one-measure notice is still a policy)."""
    sentences = [ln for ln in lines if ("。" in ln or ";" in ln) and len(_SENTENCE.findall(ln)) >= 30]
    numbered = [ln for ln in sentences if _NUMBERED.match(ln)]
    return len(sentences) >= 2 or bool(numbered)


def parse_corpus(corpus_dir: Path) -> Corpus:
    """Parse every supported file in a directory."""
    files = corpus_files(Path(corpus_dir))
    if not files:
        raise SourceError(f"no .txt/.md/.html/.docx/.pdf files in {corpus_dir}")
    return parse_sources([read_source(p) for p in files], overrides=read_overrides(Path(corpus_dir)))


def parse_sources(sources: list[RawSource], overrides: dict | None = None) -> Corpus:
    """Parse already-read sources; single-document files come first so their ids are canonical."""
    parsed: list[tuple[list[Document], list[Clause]]] = [_parse_source(s) for s in sources]
    parsed.sort(key=lambda pair: len(pair[0]) > 1)
    documents = [d for docs, _ in parsed for d in docs]
    clauses = [c for _, cls in parsed for c in cls]
    documents, clauses = merge_duplicates(documents, clauses)
    documents, clauses = _link_interpretations(documents, clauses)
    documents = apply_lifecycle(documents, clauses, overrides)
    return Corpus(documents=documents, clauses=clauses)


def source_slug(name: str) -> str:
    """File name → id stem: jiaxing-ai-plan-2024.txt → jiaxing-ai-plan."""
    stem = Path(name).stem.lower()
    stem = re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "-", stem).strip("-") or "doc"
    return stem


def _parse_source(source: RawSource) -> tuple[list[Document], list[Clause]]:
    from index.splitting import split_documents

    text, text_warnings = repair_mojibake(source.text)
    page_lines, fields = strip_page_noise(prepare_text(text).split("\n"))
    lines = finish_cleaning("\n".join(page_lines)).split("\n")
    if not has_policy_text(lines):
        raise NoPolicyTextError(
            f"{source.name}: no recognisable policy text (a site index, news list or login page?); not ingested"
        )
    parts = [p for p in split_documents(lines) if p]
    if not parts:
        raise SourceError(f"{source.name}: no text left after cleaning")
    stem = source_slug(source.name)
    documents: list[Document] = []
    clauses: list[Clause] = []
    for n, part in enumerate(parts, start=1):
        doc_id = re.sub(r"-\d{4}(?:-\d{1,2})?$", "", stem) if len(parts) == 1 else f"{stem}-{n}"
        facts = extract_facts(part, fields if len(parts) == 1 else None)
        warnings = tuple(
            (w.kind, source.name, w.offset, w.length, w.describe()) for w in (text_warnings if n == 1 else [])
        )
        documents.append(
            Document(
                doc_id=doc_id,
                title=facts.title,
                city=facts.city,
                issuer=facts.issuer,
                doc_number=facts.doc_number,
                issued_on=facts.issued_on,
                effective_from=facts.effective_from,
                effective_until=facts.effective_until,
                sources=(source.name,),
                kind=facts.kind,
                notice_title=facts.notice_title,
                validity_text=facts.validity_text,
                basis=facts.basis,
                validity_status=facts.validity_status,
                warnings=warnings,
            )
        )
        clauses.extend(
            parse_clauses(doc_id, part, facts.body_start, facts.kind, facts.header_end, facts.title_printed)
        )
    return documents, clauses


def _link_interpretations(documents: list[Document], clauses: list[Clause]) -> tuple[list[Document], list[Clause]]:
    """An interpretation takes the id `<policy>-interpretation` of the policy its title names."""
    renamed: dict[str, str] = {}
    out: list[Document] = []
    for doc in documents:
        if doc.kind == "interpretation":
            target = next(
                (d for d in documents if d is not doc and d.kind != "interpretation" and _names(doc.title, d)), None
            )
            if target is not None:
                new_id = f"{target.doc_id}-interpretation"
                renamed[doc.doc_id] = new_id
                doc = replace(doc, doc_id=new_id, related_doc_id=target.doc_id, city=doc.city or target.city)
        out.append(doc)
    if not renamed:
        return out, clauses
    fixed = [
        replace(c, doc_id=renamed[c.doc_id], clause_id=renamed[c.doc_id] + "#" + c.clause_id.split("#", 1)[1])
        if c.doc_id in renamed
        else c
        for c in clauses
    ]
    return out, fixed


def _names(title: str, doc: Document) -> bool:
    return bool(doc.title and doc.title in title) or bool(doc.notice_title and doc.notice_title in title)
