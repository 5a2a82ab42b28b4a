"""Settings from the environment (``CYBERCOVER_*``), built once by the caller.

Nothing is read at import time: ``Settings()`` is constructed in ``cybercover serve``,
the CLI and tests, and passed down (STYLE.md habit 7).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_SECRET", "DEFAULT_WEBHOOK_SECRET", "Settings"]

DEFAULT_SECRET = "dev-insecure-secret-change-me"
DEFAULT_WEBHOOK_SECRET = "dev-insecure-webhook-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CYBERCOVER_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///cybercover.db"
    secret_key: str = DEFAULT_SECRET
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    api_token_days: int = Field(default=90, ge=1, le=3650)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    mail_from: str = "desk@cybercover.invalid"
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    # how long a worker may answer a bearer token from memory; PostgreSQL only, where a
    # revocation clears every worker's cache by NOTIFY (services/token_cache.py); 0: off
    token_cache_seconds: float = Field(default=30.0, ge=0, le=3600)

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "本番環境では CYBERCOVER_SECRET_KEY に32文字以上のランダムな値を設定してください / "
                "CYBERCOVER_SECRET_KEY must be set to a random value of 32+ characters "
                "in production"
            )
        if self.environment == "production" and (
            self.webhook_secret == DEFAULT_WEBHOOK_SECRET or len(self.webhook_secret) < 32
        ):
            raise ValueError(
                "本番環境では CYBERCOVER_WEBHOOK_SECRET に32文字以上のランダムな値を設定してください / "
                "CYBERCOVER_WEBHOOK_SECRET must be set to a random value of 32+ characters "
                "in production"
            )
        return self
