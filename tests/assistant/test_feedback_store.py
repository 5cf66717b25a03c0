"""Feedback store faults and hygiene: damaged file moved aside, storage faults → StorageUnavailableError,
control characters stripped, CSV formula cells escaped, size limits (issue 18 items 5–7)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from pydantic import ValidationError

from assistant.errors import AssistantError, InputError, StorageUnavailableError
from assistant.feedback import MAX_CITATION_IDS, MAX_COMMENT, FeedbackStore, feedback_path
from assistant.schemas import AskRequest, FeedbackRequest, SearchRequest


def _filled(tmp_path, rows: int = 300) -> FeedbackStore:
    store = FeedbackStore(feedback_path(tmp_path))
    for i in range(rows):
        store.add("up", f"杭州算力券问题 {i} " + "问" * 400, "答" * 800, ["hangzhou-compute#一"], "")
    return store


def test_garbage_feedback_file_is_moved_aside_and_a_fresh_db_created(tmp_path):
    db = feedback_path(tmp_path)
    db.write_bytes(b"this is not a database, it is a cat photo\x00" * 200)
    store = FeedbackStore(db)
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("feedback.sqlite3.damaged-")]
    assert [p.read_bytes()[:14] for p in moved if not p.name.endswith(("-wal", "-shm"))] == [b"this is not a "]
    assert store.degraded_reason and "moved aside" in store.degraded_reason and moved[0].name in store.degraded_reason
    assert store.count() == 0
    new_id = store.add("down", "杭州算力券补贴比例是多少?")
    assert new_id == 1 and store.count() == 1


def test_truncated_feedback_db_is_recovered_not_fatal(tmp_path):
    _filled(tmp_path)
    db = feedback_path(tmp_path)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    store = FeedbackStore(db)  # used to raise sqlite3.DatabaseError and stop the service
    assert "damaged" in store.degraded_reason
    store.add("up", "after recovery")
    assert [r.question for r in store.records()] == ["after recovery"]


def test_healthy_store_is_not_degraded(tmp_path):
    store = _filled(tmp_path, rows=3)
    again = FeedbackStore(feedback_path(tmp_path))
    assert store.degraded_reason is None and again.degraded_reason is None and again.count() == 3


def test_disk_full_gives_storage_unavailable_not_a_raw_sqlite_error(tmp_path, monkeypatch):
    store = _filled(tmp_path, rows=5)
    connect = FeedbackStore._connect

    def full_disk(self):  # SQLite's own SQLITE_FULL: the file may not grow by a single page
        conn = connect(self)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")
        return conn

    monkeypatch.setattr(FeedbackStore, "_connect", full_disk)
    with pytest.raises(StorageUnavailableError, match="storage unavailable") as info:
        for i in range(200):
            store.add("up", f"question {i} " + "x" * 1500, "y" * 4000)
    assert not isinstance(info.value, sqlite3.Error) and isinstance(info.value, AssistantError)
    assert "full" in store.degraded_reason
    monkeypatch.setattr(FeedbackStore, "_connect", connect)  # space freed: writes work again, not degraded
    store.add("up", "after the disk was freed")
    assert store.degraded_reason is None


def test_read_only_database_gives_storage_unavailable(tmp_path, monkeypatch):
    store = _filled(tmp_path, rows=2)

    def read_only(self):
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)

    monkeypatch.setattr(FeedbackStore, "_connect", read_only)
    with pytest.raises(StorageUnavailableError):
        store.add("up", "杭州")
    assert "readonly" in store.degraded_reason


def test_unusable_data_dir_at_start_does_not_raise(tmp_path):
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("a file where the data dir should be")
    store = FeedbackStore(feedback_path(not_a_dir))  # the service must still start
    assert store.degraded_reason and "unavailable" in store.degraded_reason
    with pytest.raises(StorageUnavailableError):
        store.add("up", "q")
    with pytest.raises(StorageUnavailableError):
        store.export("csv")


def test_control_characters_are_stripped_from_stored_text(tmp_path):
    store = FeedbackStore(feedback_path(tmp_path))
    store.add("up", "杭州\x00算力券\x07补贴\u202e比例\ud800?", "答案\x1b[31m红色", ["hz\x00#一"], "评论\r\n第二行\x0b")
    record = next(store.records())
    assert record.question == "杭州算力券补贴比例?"
    assert record.answer == "答案[31m红色"
    assert record.citation_ids == ["hz#一"] and record.comment == "评论\n第二行"


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil\",\"click\")", "@SUM(A1:A9)", "+1+1", "-2+3", "\t=1", "\r=1"])
def test_csv_export_escapes_formula_cells(tmp_path, cell):
    store = FeedbackStore(feedback_path(tmp_path))
    store.add("down", cell, cell, [cell], cell)
    rows = list(csv.reader(io.StringIO(store.export("csv"))))
    stored = cell.replace("\r", "\n")  # CR is normalised to LF on the way in
    for value in rows[1][3:]:
        assert value.startswith("'") and value[1:] == stored
    assert json.loads(store.export("jsonl"))["question"] == stored  # JSON is data, not a spreadsheet: kept as is


def test_store_enforces_size_limits(tmp_path):
    store = FeedbackStore(feedback_path(tmp_path))
    with pytest.raises(InputError, match="too long"):
        store.add("up", "q", comment="评" * (MAX_COMMENT + 1))
    with pytest.raises(InputError, match="citation ids"):
        store.add("up", "q", citation_ids=[f"c{i}" for i in range(MAX_CITATION_IDS + 1)])
    with pytest.raises(InputError, match="rating"):
        store.add("sideways", "q")
    assert store.count() == 0


def test_feedback_request_limits_and_strict_integers():
    ok = FeedbackRequest(question="q", rating="up", comment="c" * 2000, citation_ids=["a"] * 20)
    assert len(ok.citation_ids) == 20
    with pytest.raises(ValidationError):
        FeedbackRequest(question="q", rating="up", comment="c" * 2001)
    with pytest.raises(ValidationError):
        FeedbackRequest(question="q", rating="up", citation_ids=["a"] * 21)
    with pytest.raises(ValidationError):
        FeedbackRequest(question="q", rating="up", citation_ids=["a" * 5_000_000])
    for body in ('{"query": "算力券", "k": true}', '{"query": "算力券", "k": "5"}', '{"query": "算力券", "k": 5.5}'):
        with pytest.raises(ValidationError):
            SearchRequest.model_validate_json(body)
    assert SearchRequest.model_validate_json('{"query": "算力券", "k": 7}').k == 7
    with pytest.raises(ValidationError):
        AskRequest.model_validate_json('{"question": "算力券", "top_k": true}')
    assert AskRequest.model_validate_json('{"question": "算力券", "top_k": 3}').top_k == 3
