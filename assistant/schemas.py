"""Request and response models of the HTTP contract (DESIGN.md §6); the chain speaks them too."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from assistant.feedback import MAX_CITATION_ID, MAX_CITATION_IDS, MAX_COMMENT

MAX_QUESTION = 2000
MAX_HISTORY = 20
MAX_TURN = 4000


def clean_user_text(value: str, field_name: str, max_len: int) -> str:
    """Drop control and bidi-override characters, keep newlines; reject empty or over-long text."""
    if not isinstance(value, str):
        raise ValueError(f"{field_name} must be text")
    kept = "".join(
        ch for ch in value
        if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    kept = kept.strip()
    if not kept:
        raise ValueError(f"{field_name} is empty: please type a question / 请输入问题")
    if len(kept) > max_len:
        raise ValueError(f"{field_name} is too long ({len(kept)} characters, at most {max_len}) / 问题过长")
    return kept


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_TURN)

    @field_validator("content")
    @classmethod
    def _content(cls, value: str) -> str:
        return clean_user_text(value, "history content", MAX_TURN) if value.strip() else ""


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(min_length=1, max_length=MAX_QUESTION, description="1–2000 characters")
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY)
    city: str | None = Field(default=None, max_length=20, description="restrict to one city of the corpus (GET /v1/documents lists them)")
    top_k: StrictInt | None = Field(default=None, ge=1, le=20)  # strict: `true` or "5" is not a number
    as_of: date | None = Field(default=None, description="answer as of this date (YYYY-MM-DD); default today")

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        return clean_user_text(value, "question", MAX_QUESTION)


class Citation(BaseModel):
    id: str
    city: str | None
    doc_title: str
    doc_number: str | None
    clause: str
    text: str
    score: float
    status: Literal["current", "not_yet_effective", "expired", "superseded"] = "current"


class CalculationOut(BaseModel):
    program: str
    inputs: dict[str, Any]
    steps: list[str]
    result_yuan: float
    cap_applied: bool
    eligible: bool
    clause_id: str
    reviewed: bool = True


class AskResponse(BaseModel):
    answer: str
    citations: list[Citation]
    calculation: CalculationOut | None = None
    refused: bool = False
    rewritten_question: str
    latency_ms: float


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    query: str = Field(min_length=1, max_length=MAX_QUESTION)
    k: StrictInt = Field(default=5, ge=1, le=50)
    city: str | None = Field(default=None, max_length=20)

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        return clean_user_text(value, "query", MAX_QUESTION)


class SearchHit(Citation):
    matched: bool = Field(description="the clause contains the query's keywords; related-only hits are false")


class SearchResponse(BaseModel):
    hits: list[SearchHit]


class CalculateRequest(BaseModel):
    program: str = Field(min_length=1, max_length=100)
    inputs: dict[str, Any] = Field(default_factory=dict)
    lang: Literal["zh", "en"] = "zh"


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    answer: str = Field(default="", max_length=20000)
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=MAX_COMMENT)
    citation_ids: list[Annotated[str, Field(max_length=MAX_CITATION_ID)]] = Field(default_factory=list, max_length=MAX_CITATION_IDS)


class FeedbackResponse(BaseModel):
    id: int
    stored: bool = True


MAX_PROFILE_TEXT = 2000


class MatchRequest(BaseModel):
    """POST /v1/match: an enterprise's description (free text and/or facts) → every programme it may claim."""

    model_config = ConfigDict(extra="ignore")

    profile_text: str | None = Field(default=None, max_length=MAX_PROFILE_TEXT, description="≤ 2000 characters")
    profile: dict[str, Any] | None = Field(default=None, description="{fact: value}; see assistant/data/profile_facts.yaml")
    city: str | None = Field(default=None, max_length=20)
    as_of: date | None = Field(default=None, description="documents in force on this date (YYYY-MM-DD); default today")

    @field_validator("profile_text")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return value
        return clean_user_text(value, "profile_text", MAX_PROFILE_TEXT)

    @field_validator("profile")
    @classmethod
    def _size(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(value) > 100:
            raise ValueError("at most 100 facts")
        return value


class MatchOut(BaseModel):
    program: str | None
    title: str
    city: str
    status: Literal["eligible", "needs_info", "not_eligible"]
    amount_yuan: float | None
    steps: list[str]
    missing: list[str]
    reason: str
    citation: Citation | None
    responsible_units: list[str]
    reviewed: bool


class MatchResponse(BaseModel):
    profile: dict[str, Any]
    matches: list[MatchOut]
    total_yuan: float
    notes: list[str]
