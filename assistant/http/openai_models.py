"""Pydantic models of the OpenAI Chat Completions format (the subset chat clients send), mapped onto our question
and history: system/developer messages are read by nobody (they never change facts), user and assistant turns
become the history, the last message (a user message) is the question."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from assistant.schemas import MAX_HISTORY, MAX_QUESTION, MAX_TURN, Citation, CalculationOut, clean_user_text

MODEL_ID = "policy-assistant"
MAX_MESSAGES = 200  # a long conversation from a chat client; only the last MAX_HISTORY turns are used
MAX_SYSTEM = 20_000  # system prompts are accepted (and ignored), within the request body limit
ROLES = ("system", "developer", "user", "assistant")


def _text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a content-part list (other parts are refused)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ValueError(f"only text content is supported (got a {kind!r} part)")
            texts.append(part["text"])
        return "\n".join(texts)
    raise ValueError("content must be a string or a list of text parts")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: str = Field(description="system | developer | user | assistant")
    content: str | list[dict[str, Any]] | None = Field(default=None, description="text, or a list of {type: text} parts")

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"role {value!r} is not supported; use one of {', '.join(ROLES)} (tools are not available)")
        return value

    @property
    def text(self) -> str:
        return _text_of(self.content)

    @model_validator(mode="after")
    def _content(self) -> "ChatMessage":
        text = _text_of(self.content)
        if self.role in ("system", "developer") and len(text) > MAX_SYSTEM:
            raise ValueError(f"{self.role} message is too long ({len(text)} characters, at most {MAX_SYSTEM})")
        return self


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: StrictBool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI Chat Completions request; sampling parameters (temperature, max_tokens…) are accepted and ignored.
    Extra fields `city`, `top_k` and `as_of` work as on /v1/ask (openai client: `extra_body`)."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field(default=MODEL_ID, max_length=200, description=f"any name; answered by {MODEL_ID!r}")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    city: str | None = Field(default=None, max_length=20)
    top_k: StrictInt | None = Field(default=None, ge=1, le=20)
    as_of: date | None = None

    @model_validator(mode="after")
    def _conversation(self) -> "ChatCompletionRequest":
        if not any(m.role == "user" for m in self.messages):
            raise ValueError("messages need at least one user message (the question)")
        if self.messages[-1].role != "user":
            raise ValueError(f"the last message must be the user's question (it is {self.messages[-1].role!r})")
        clean_user_text(self.messages[-1].text, "question (the last user message)", MAX_QUESTION)
        return self

    @property
    def question(self) -> str:
        return clean_user_text(self.messages[-1].text, "question (the last user message)", MAX_QUESTION)

    @property
    def history(self) -> list[dict[str, str]]:
        """User and assistant turns before the question (the last MAX_HISTORY, each cut to MAX_TURN characters);
        system and developer messages are left out: they never change the facts an answer rests on."""
        turns = []
        for message in self.messages[:-1]:
            if message.role not in ("user", "assistant"):
                continue
            text = message.text.strip()
            if text:
                turns.append({"role": message.role, "content": text[:MAX_TURN]})
        return turns[-MAX_HISTORY:]


class ChatCompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatCompletionMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """OpenAI chat.completion, plus the `citations` ([n] in the text is citations[n-1]) and `calculation` of /v1/ask."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    system_fingerprint: str | None = None
    citations: list[Citation]
    calculation: CalculationOut | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
