"""Feedback store: ratings and comments in SQLite (WAL), one short transaction per record.

WAL plus `synchronous=FULL` means a record is durable once `add` returns, and a process killed
mid-write leaves the database consistent (the half-written transaction is rolled back on open).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

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


class FeedbackStore:
    """Thread-safe append-only feedback table under the data dir."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def add(self, rating: str, question: str, answer: str = "", citation_ids: Sequence[str] = (), comment: str = "") -> int:
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, citation_ids, comment) VALUES (?, ?, ?, ?, ?, ?)",
                    (created, rating, question, answer, json.dumps(list(citation_ids), ensure_ascii=False), comment),
                )
                conn.execute("COMMIT")
                return int(cur.lastrowid)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.close()

    def records(self) -> Iterator[FeedbackRecord]:
        conn = self._connect()
        try:
            for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id"):
                data = dict(zip(COLUMNS, row))
                data["citation_ids"] = json.loads(data["citation_ids"])
                yield FeedbackRecord(**data)
        finally:
            conn.close()

    def count(self) -> int:
        conn = self._connect()
        try:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        finally:
            conn.close()

    def export(self, fmt: str) -> str:
        """All records as `csv` or `jsonl` text."""
        rows = list(self.records())
        if fmt == "jsonl":
            return "".join(json.dumps(r.__dict__, ensure_ascii=False) + "\n" for r in rows)
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(COLUMNS)
            for r in rows:
                writer.writerow([r.id, r.created_at, r.rating, r.question, r.answer, ";".join(r.citation_ids), r.comment])
            return buf.getvalue()
        raise ValueError(f"unknown export format {fmt!r}; use csv or jsonl")


def feedback_path(data_dir: Path) -> Path:
    return Path(data_dir) / "feedback.sqlite3"
