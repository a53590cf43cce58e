"""Settings of the web application: environment prefix ``GUIDANCE_WEB_`` (pydantic-settings, `.env` too)."""

from __future__ import annotations

import secrets
from pathlib import Path

import asyncpg
import structlog
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE_NAME = "web-secret"
#: Characters a secret has at least (the table `web_secret` checks the same).
MIN_SECRET_LENGTH = 32
#: Digdir's Designsystemet as `make` installs it from npm (package.json): the pages' components and theme.
log = structlog.get_logger("webapp")
INSTALLED_STYLE_DIR = Path(__file__).resolve().parent.parent / "node_modules/@digdir/designsystemet-css/dist"


class WebSettings(BaseSettings):
    """Where the web app listens, how it signs cookies and feed tokens, who may sign in.

    Without ``GUIDANCE_WEB_SECRET`` the app keeps a random secret in the database (`shared_secret`, made on
    first start), so every instance signs alike and sessions and calendar-feed addresses survive a restart.
    """

    model_config = SettingsConfigDict(env_prefix="GUIDANCE_WEB_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    #: Processes serving the port (`python -m webapp`; webapp/processes.py): a page is Python work under one
    #: interpreter lock, so one process uses one core. Each keeps its own pool of `DATABASE_URL` connections (4).
    processes: int = Field(default=1, ge=1, le=64)
    #: Signs session cookies, CSRF tokens and derives the calendar-feed tokens. At least 32 characters.
    secret: str | None = Field(default=None, min_length=MIN_SECRET_LENGTH)
    #: A TOML file of users (see `webapp.users`); none: the documented development users.
    users_file: Path | None = None
    #: The identity provider people sign in through (OpenID Connect): its issuer, whose discovery document is
    #: ``{issuer}/.well-known/openid-configuration``. None: only the local users (development).
    oidc_issuer: str | None = Field(default=None, pattern=r"^https?://[^\s]+$", max_length=500)
    oidc_client_id: str | None = Field(default=None, min_length=1, max_length=500)
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile"
    #: The claim that names the person: their user name here, and an adviser's id on the periods ("a.hansen";
    #: an address such as "a.hansen@udir.no" counts by its part before the @).
    oidc_name_claim: str = "preferred_username"
    #: The claim holding the person's groups or roles (a list or one text), and the values that make a
    #: coordinator or an adviser; anyone with neither is refused.
    oidc_role_claim: str = "groups"
    oidc_coordinator_values: list[str] = Field(default_factory=lambda: ["veilederkorpset-koordinator"])
    oidc_adviser_values: list[str] = Field(default_factory=lambda: ["veilederkorpset-veileder"])
    #: A county governor's group is this prefix and their county's number ("veilederkorpset-statsforvalter-46":
    #: Statsforvalteren i Vestland), in the same claim: they see only the assessment of their county.
    oidc_county_governor_prefix: str = Field(default="veilederkorpset-statsforvalter-", min_length=1, max_length=200)
    #: What the sign-in button calls the provider.
    oidc_provider_name: str = Field(default="ID-porten", max_length=80)
    #: Where the provider sends people back (``https://host/login/oidc/callback``); none: from the request.
    oidc_redirect_url: str | None = None
    #: Sign-in with the local users' passwords. Unset: on only while no identity provider is configured; a
    #: deployment with one turns it on only as an explicit development option.
    password_sign_in: bool | None = None
    #: The Temporal Web UI each period page links to.
    temporal_ui_url: str = "http://localhost:8233"
    temporal_namespace: str = "default"
    #: Set the Secure flag on cookies: on behind HTTPS (any real deployment), off for http://localhost.
    secure_cookies: bool = False
    #: Seconds a signed-in session lasts.
    session_max_age: int = Field(default=8 * 3600, ge=60)
    #: Bytes a form post may carry (any form but the sign-in and the indicator file's upload, which have their own).
    max_form_bytes: int = Field(default=256 * 1024, ge=4 * 1024)
    #: Fields a form post may carry (the selection decision has four per owner, at most 200 owners).
    max_form_fields: int = Field(default=1000, ge=10)
    #: Failed sign-ins per user name, and per client address, within `sign_in_window_seconds`; then 429.
    sign_in_failures_per_name: int = Field(default=5, ge=1)
    sign_in_failures_per_address: int = Field(default=20, ge=1)
    sign_in_window_seconds: int = Field(default=15 * 60, ge=1)
    #: How long a failed sign-in waits before its answer (slows guessing; other requests go on meanwhile).
    sign_in_failure_delay: float = Field(default=0.5, ge=0, le=10)
    #: Chromium renders (PDF reports) at once; each takes a few hundred MB and a core for a second or two.
    pdf_renders_at_once: int = Field(default=2, ge=1, le=16)
    #: Seconds a PDF request waits for a free render before it is answered 503 with Retry-After.
    pdf_wait_seconds: float = Field(default=10.0, ge=0, le=120)
    #: Seconds a cohort workflow's answer (invitations, planned gatherings) is shown before it is asked again
    #: (webapp/live_cohorts.py); what the app itself changes in a cohort is shown at once. 0: asked every view.
    cohort_status_seconds: float = Field(default=2.0, ge=0, le=60)
    #: The `dist` folder of the installed `@digdir/designsystemet-css` (served at /static/ds); the image sets it.
    style_dir: Path = INSTALLED_STYLE_DIR
    #: DEVELOPMENT ONLY: the Maildir of `make dev`'s local mail server (``<data>/mailbox``), shown to coordinators
    #: at /dev/mailbox (webapp/mailbox_pages.py). devstack sets it; a deployment never does, and the app refuses
    #: to start with it beside an identity provider that is not on this machine.
    dev_mailbox: Path | None = None

    @property
    def passwords_allowed(self) -> bool:
        """Whether the sign-in page takes a user name and password."""
        return self.password_sign_in if self.password_sign_in is not None else self.oidc_issuer is None


async def shared_secret(settings: WebSettings, pool: asyncpg.Pool, data_dir: Path) -> str:
    """The configured secret, else the deployment's own in the database (``web_secret``), which every instance of
    the web app reads: made by the first instance that starts, from ``<data_dir>/web-secret`` when an earlier
    version kept it there (so signed-in sessions and calendar-feed addresses go on working), else at random."""
    if settings.secret is not None:
        return settings.secret
    kept = data_dir / SECRET_FILE_NAME
    made = kept.read_text(encoding="utf-8").strip() if kept.is_file() else ""
    if len(made) < MIN_SECRET_LENGTH:
        if made:
            log.warning(
                "web_secret_file_ignored", file=str(kept), reason=f"shorter than {MIN_SECRET_LENGTH} characters"
            )
        made = secrets.token_urlsafe(48)
    await pool.execute("INSERT INTO web_secret (secret) VALUES ($1) ON CONFLICT (only_row) DO NOTHING", made)
    return str(await pool.fetchval("SELECT secret FROM web_secret"))
