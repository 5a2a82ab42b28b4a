"""Settings from the environment (``CYBERCOVER_*``), built once by the caller.

Nothing is read at import time: ``Settings()`` is constructed in ``cybercover serve``,
the CLI and tests, and passed down (STYLE.md habit 7).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_SECRET", "DEFAULT_WEBHOOK_SECRET", "Settings"]

DEFAULT_SECRET = "dev-insecure-secret-change-me"
DEFAULT_WEBHOOK_SECRET = "dev-insecure-webhook-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CYBERCOVER_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///cybercover.db"
    # signs the login form's CSRF token (web/pages_auth.py): an HMAC over a nonce kept in
    # a cookie and the time it was issued, so a planted cookie cannot forge a pair
    secret_key: str = DEFAULT_SECRET
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    api_token_days: int = Field(default=90, ge=1, le=3650)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    mail_from: str = "desk@cybercover.invalid"
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    # outbound URLs (partner webhooks) may reach only public addresses; the administrator
    # allows more here: host names or IPs/CIDRs, e.g. ["partner-gw.internal", "10.20.0.0/16"]
    # (services/outbound.py, docs/notifications.md). Env: CYBERCOVER_OUTBOUND_ALLOW='[...]'
    outbound_allow: list[str] = []
    # how long a worker may answer a bearer token from memory; PostgreSQL only, where a
    # revocation clears every worker's cache by NOTIFY (services/token_cache.py); 0: off
    token_cache_seconds: float = Field(default=30.0, ge=0, le=3600)
    # where the generated terms kernels and numba's cache of them are kept: the service
    # user's own folder, mode 0700 (made so if missing), else refused at first use;
    # None: ~/.cache/cybercover/kernels (terms/kernel.py, docs/operations.md)
    kernel_dir: Path | None = None
    # the peers (IPs or CIDRs, e.g. ["10.0.0.5", "10.1.0.0/16"]) whose X-Forwarded-For
    # and X-Forwarded-Proto are believed (api/app.py); none by default: the login limit
    # counts the address that connected. Env: CYBERCOVER_TRUSTED_PROXIES='["10.0.0.5"]'
    trusted_proxies: list[str] = []
    # every request body but an upload (multipart) is held to these before any handler
    # reads it: at most this many bytes (413), this deep in arrays and objects (400)
    # (api/limits.py); uploads have max_upload_bytes
    max_json_bytes: int = Field(default=1_048_576, ge=1024)
    max_json_depth: int = Field(default=32, ge=8, le=256)

    @field_validator("outbound_allow")
    @classmethod
    def _allow_entries(cls, value: list[str]) -> list[str]:
        """A bad entry stops the start (``cybercover serve``, ``outbox deliver``) rather
        than the first partner registration."""
        from cybercover.errors import ConfigurationError
        from cybercover.services.outbound import OutboundPolicy  # its one reading of them

        try:
            OutboundPolicy(allow=tuple(value))
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_only(cls, value: list[str]) -> list[str]:
        checked = []  # no "*" nor host names, which uvicorn's middleware would take as is
        for entry in (e.strip() for e in value):
            try:
                net = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"IPアドレスかCIDRで指定してください / not an IP address or CIDR: {entry!r}"
                ) from None
            checked.append(str(net) if "/" in entry else str(net.network_address))
        return checked

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
