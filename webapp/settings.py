"""Settings of the web application: environment prefix ``GUIDANCE_WEB_`` (pydantic-settings, `.env` too)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE_NAME = "web-secret"


class WebSettings(BaseSettings):
    """Where the web app listens, how it signs cookies and feed tokens, who may sign in.

    Without ``GUIDANCE_WEB_SECRET`` the app keeps a random secret in ``<data_dir>/web-secret`` (made on
    first start), so sessions and calendar-feed addresses survive a restart of `make dev`.
    """

    model_config = SettingsConfigDict(env_prefix="GUIDANCE_WEB_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    #: Signs session cookies, CSRF tokens and derives the calendar-feed tokens. At least 32 characters.
    secret: str | None = Field(default=None, min_length=32)
    #: A TOML file of users (see `webapp.users`); none: the documented development users.
    users_file: Path | None = None
    #: The Temporal Web UI each period page links to.
    temporal_ui_url: str = "http://localhost:8233"
    temporal_namespace: str = "default"
    #: Set the Secure flag on cookies: on behind HTTPS (any real deployment), off for http://localhost.
    secure_cookies: bool = False
    #: Seconds a signed-in session lasts.
    session_max_age: int = Field(default=8 * 3600, ge=60)


def load_secret(settings: WebSettings, data_dir: Path) -> str:
    """The configured secret, else the one kept in ``<data_dir>/web-secret`` (created, mode 0600, if missing)."""
    if settings.secret is not None:
        return settings.secret
    path = data_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret, encoding="utf-8")
    return secret
