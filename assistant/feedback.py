"""Feedback store: ratings and comments in SQLite (WAL), one short transaction per record.

WAL plus `synchronous=FULL` means a record is durable once `add` returns, and a process killed
mid-write leaves the database consistent (the half-written transaction is rolled back on open).

Faults never take the service down:
- a damaged database file at start is moved aside (``feedback.sqlite3.damaged-<time>``, with its
  -wal/-shm files), a fresh one is created, and `degraded_reason` says so (for /healthz);
- a full disk, a read-only data dir or a file that cannot be opened gives `StorageUnavailableError`
  (HTTP 503 "storage unavailable") from every call, never a raw `sqlite3` error, and `degraded_reason`
  carries the reason until a later write succeeds.
Stored text has control characters (NUL, bidi overrides, lone surrogates…) removed; the CSV export
prefixes cells that a spreadsheet would run as a formula (= + - @ tab CR) with a single quote.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from assistant.errors import InputError, StorageUnavailableError

log = logging.getLogger(__name__)

MAX_COMMENT = 2_000  # characters, after control characters are removed
MAX_CITATION_IDS = 20
MAX_CITATION_ID = 200  # characters per id
MAX_QUESTION = 2_000
MAX_ANSWER = 20_000
RATINGS = ("up", "down")
# SQLite result codes (sqlite3.Error.sqlite_errorname) that mean the file itself is damaged; every other
# sqlite/OS error (SQLITE_FULL, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_IOERR, busy for 30 s…) means the
# storage cannot be used right now
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")  # LF too: stored CR becomes LF

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citation_ids TEXT NOT NULL,
    comment TEXT NOT NULL
)
"""
COLUMNS = ("id", "created_at", "rating", "question", "answer", "citation_ids", "comment")


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    created_at: str
    rating: str
    question: str
    answer: str
    citation_ids: list[str]
    comment: str


def clean_text(text: str) -> str:
    """Remove control characters (keeping newline and tab), bidi overrides and lone surrogates; CRLF → LF."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch for ch in text
        if ch in "\n\t" or (unicodedata.category(ch) not in {"Cc", "Cs"} and ch not in _BIDI)
    )


def csv_cell(value: object) -> object:
    """Text a spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets a leading single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _code(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _is_damaged(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return _code(exc) in _DAMAGED or "malformed" in text or "not a database" in text


class FeedbackStore:
    """Thread-safe append-only feedback table under the data dir."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.recovered: str | None = None  # set when a damaged file was moved aside at start
        self.unavailable: str | None = None  # set while the storage cannot be used
        try:
            self._open()
        except (sqlite3.Error, OSError) as exc:
            if isinstance(exc, sqlite3.Error) and _is_damaged(exc):
                self._move_aside(exc)
            else:
                self._storage_failed(exc)

    # -- state -----------------------------------------------------------------------------

    @property
    def degraded_reason(self) -> str | None:
        """Why feedback is degraded (for /healthz), or None when all is well."""
        reasons = [r for r in (self.unavailable, self.recovered) if r]
        return "; ".join(reasons) or None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(SCHEMA)
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed (quick_check: {result})")
        finally:
            conn.close()

    def _move_aside(self, exc: BaseException) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while moved.exists():
            moved = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
            n += 1
        try:
            self.path.replace(moved)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.replace(moved.with_name(moved.name + suffix))
            self._open()
        except (sqlite3.Error, OSError) as again:
            self._storage_failed(again)
            return
        self.recovered = (
            f"the feedback database was damaged ({exc}); it was moved aside to {moved.name} and a fresh one was created"
        )
        log.error("feedback: %s", self.recovered)

    def _storage_failed(self, exc: BaseException) -> StorageUnavailableError:
        detail = getattr(exc, "strerror", None) or str(exc)
        self.unavailable = f"feedback storage unavailable ({detail}) at {self.path.parent}"
        log.error("feedback: %s", self.unavailable)
        return StorageUnavailableError(
            "storage unavailable: feedback cannot be saved right now (disk full, read-only or damaged data dir); "
            "questions are still answered / 反馈暂时无法保存"
        )

    def _guarded(self, work):
        """Run `work(conn)` under the lock; storage faults become StorageUnavailableError."""
        with self._lock:
            try:
                if self.unavailable:  # try again: the disk may have been freed, the mount made writable
                    self._open()
                result = work()
            except (sqlite3.Error, OSError) as exc:
                if isinstance(exc, sqlite3.IntegrityError):
                    raise
                raise self._storage_failed(exc) from None
            self.unavailable = None
            return result

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    # -- records ---------------------------------------------------------------------------

    def add(self, rating: str, question: str, answer: str = "", citation_ids: Sequence[str] = (), comment: str = "") -> int:
        if rating not in RATINGS:
            raise InputError(f"rating must be one of {', '.join(RATINGS)} (got {rating!r})")
        question, answer, comment = clean_text(question), clean_text(answer), clean_text(comment)
        ids = [clean_text(c) for c in citation_ids]
        if len(comment) > MAX_COMMENT:
            raise InputError(f"comment is too long ({len(comment)} characters, at most {MAX_COMMENT}) / 评论过长")
        if len(ids) > MAX_CITATION_IDS or any(len(c) > MAX_CITATION_ID for c in ids):
            raise InputError(f"at most {MAX_CITATION_IDS} citation ids of at most {MAX_CITATION_ID} characters each")
        if len(question) > MAX_QUESTION or len(answer) > MAX_ANSWER:
            raise InputError(f"question (≤ {MAX_QUESTION}) or answer (≤ {MAX_ANSWER} characters) is too long")
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z")

        def insert() -> int:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, citation_ids, comment) VALUES (?, ?, ?, ?, ?, ?)",
                    (created, rating, question, answer, json.dumps(ids, ensure_ascii=False), comment),
                )
                conn.execute("COMMIT")
                return int(cur.lastrowid)
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise
            finally:
                conn.close()

        return self._guarded(insert)

    def records(self) -> Iterator[FeedbackRecord]:
        def read() -> list[FeedbackRecord]:
            conn = self._connect()
            try:
                out = []
                for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id"):
                    data = dict(zip(COLUMNS, row))
                    data["citation_ids"] = json.loads(data["citation_ids"])
                    out.append(FeedbackRecord(**data))
                return out
            finally:
                conn.close()

        yield from self._guarded(read)

    def count(self) -> int:
        def read() -> int:
            conn = self._connect()
            try:
                return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
            finally:
                conn.close()

        return self._guarded(read)

    def export(self, fmt: str) -> str:
        """All records as `csv` or `jsonl` text; CSV cells that would run as formulas are escaped."""
        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"unknown export format {fmt!r}; use csv or jsonl")
        rows = list(self.records())
        if fmt == "jsonl":
            return "".join(json.dumps(r.__dict__, ensure_ascii=False) + "\n" for r in rows)
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(COLUMNS)
        for r in rows:
            cells = [r.id, r.created_at, r.rating, r.question, r.answer, ";".join(r.citation_ids), r.comment]
            writer.writerow([csv_cell(c) for c in cells])
        return buf.getvalue()


def feedback_path(data_dir: Path) -> Path:
    return Path(data_dir) / "feedback.sqlite3"
