"""Read source files (.txt, .md, .html, .docx, .pdf) into raw text, with clear errors naming the file."""

from __future__ import annotations

from index.errors import PolicyError

import hashlib
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MAX_SOURCE_BYTES = 20 * 1024 * 1024


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
            text = _html_text(text)
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


def _docx_text(path: Path, data: bytes) -> str:
    import io

    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        raise SourceError(f"{path.name}: not a readable .docx file ({exc.__class__.__name__})") from exc
    return "\n".join(p.text for p in document.paragraphs)


def _pdf_text(path: Path, data: bytes) -> str:
    import io

    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception as exc:  # pypdf raises many error types for damaged files
        raise SourceError(f"{path.name}: not a readable PDF ({exc.__class__.__name__})") from exc
