"""Read source files (.txt, .md, .html, .docx, .pdf) into raw text, with clear errors naming the file."""

from __future__ import annotations

from index.errors import PolicyError

import hashlib
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MAX_SOURCE_BYTES = 20 * 1024 * 1024
# Per-file limits, checked before the expensive step (issue 18: a 65 KB .docx held 21 MB of XML and took 81 s).
# The bundled policies are 10–60 thousand characters each; these are generous for any real policy file.
MAX_SOURCE_CHARS = 2_000_000  # characters of text after extraction, any type
MAX_HTML_CHARS = 8_000_000  # characters of HTML markup handed to the parser
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024  # sum of the zip members' declared sizes, checked before decompressing
MAX_DOCX_XML = 6 * 1024 * 1024  # of which XML (where the text lives; images do not count): 1.6 MB of plain paragraphs reads in 0.4 s and holds 500k characters
MAX_DOCX_MEMBERS = 2_000
MAX_PDF_PAGES = 500
MAX_EXTRACT_SECONDS = 60.0  # wall-clock budget for extracting one .pdf (checked between pages)


class SourceError(PolicyError, ValueError):
    """A source file cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class RawSource:
    name: str  # file name, as listed in Document.sources
    text: str
    sha256: str


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files in a corpus directory, in a stable order."""
    if not corpus_dir.is_dir():
        raise SourceError(f"corpus directory not found: {corpus_dir}")
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)


def read_source(path: Path) -> RawSource:
    """Read one file as text; reject binary, empty, oversized or undecodable files."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SourceError(f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path.name}: cannot read file ({exc.strerror or exc})") from exc
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"{path.name}: file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
    if suffix == ".docx":
        text = _docx_text(path, data)
    elif suffix == ".pdf":
        text = _pdf_text(path, data)
    else:
        text = _decode(path, data)
        if suffix in (".html", ".htm"):
            if len(text) > MAX_HTML_CHARS:
                raise SourceError(f"{path.name}: HTML is too long ({len(text):,} characters, at most {MAX_HTML_CHARS:,})")
            text = _html_text(text)
    if len(text) > MAX_SOURCE_CHARS:
        raise SourceError(f"{path.name}: too much text ({len(text):,} characters, at most {MAX_SOURCE_CHARS:,}); split the file")
    if not text.strip():
        raise SourceError(f"{path.name}: file is empty (no text after extraction)")
    return RawSource(name=path.name, text=text, sha256=hashlib.sha256(data).hexdigest())


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise SourceError(f"{path.name}: looks like a binary file, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    raise SourceError(f"{path.name}: not valid UTF-8 or GB18030 text (wrong encoding?)")


def _looks_like_text(text: str) -> bool:
    """Reject decodings that are mostly control characters or private-use code points."""
    if not text:
        return True
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / len(text) < 0.01


def _html_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    return soup.get_text("\n")


def _check_docx_sizes(path: Path, data: bytes) -> None:
    """Refuse a zip bomb from the central directory alone: declared sizes, before anything is decompressed."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SourceError(f"{path.name}: not a readable .docx file ({exc.__class__.__name__})") from exc
    if len(members) > MAX_DOCX_MEMBERS:
        raise SourceError(f"{path.name}: .docx has {len(members):,} parts (at most {MAX_DOCX_MEMBERS:,})")
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.lower().endswith((".xml", ".rels")))
    if total > MAX_DOCX_UNCOMPRESSED or xml > MAX_DOCX_XML:
        raise SourceError(
            f"{path.name}: .docx unpacks to {total / 2**20:.1f} MB ({xml / 2**20:.1f} MB of XML); at most "
            f"{MAX_DOCX_UNCOMPRESSED // 2**20} MB ({MAX_DOCX_XML // 2**20} MB of XML) — refused before decompressing"
        )


def _docx_text(path: Path, data: bytes) -> str:
    import io

    _check_docx_sizes(path, data)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        raise SourceError(f"{path.name}: not a readable .docx file ({exc.__class__.__name__})") from exc
    return "\n".join(p.text for p in document.paragraphs)


def _pdf_text(path: Path, data: bytes) -> str:
    import io

    import time

    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
    except Exception as exc:  # pypdf raises many error types for damaged files
        raise SourceError(f"{path.name}: not a readable PDF ({exc.__class__.__name__})") from exc
    if pages > MAX_PDF_PAGES:
        raise SourceError(f"{path.name}: PDF has {pages:,} pages (at most {MAX_PDF_PAGES})")
    deadline = time.monotonic() + MAX_EXTRACT_SECONDS
    parts: list[str] = []
    chars = 0
    for number in range(pages):
        try:
            text = reader.pages[number].extract_text() or ""
        except Exception as exc:
            raise SourceError(f"{path.name}: not a readable PDF ({exc.__class__.__name__} on page {number + 1})") from exc
        parts.append(text)
        chars += len(text)
        if chars > MAX_SOURCE_CHARS:
            raise SourceError(f"{path.name}: too much text (over {MAX_SOURCE_CHARS:,} characters by page {number + 1}); split the file")
        if time.monotonic() > deadline:
            raise SourceError(f"{path.name}: text extraction took over {MAX_EXTRACT_SECONDS:.0f} s (stopped at page {number + 1} of {pages})")
    return "\n".join(parts)
