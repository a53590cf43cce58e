"""How the outbox reaches people: the SMTP server and the sender addresses. Environment prefix ``GUIDANCE_MAIL_``.

Without ``GUIDANCE_MAIL_HOST`` nothing is sent: the outbox keeps every message, as before mail delivery
existed, and the worker does not schedule delivery. `make dev` points it at its local mail server.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The one rule of what a mail address is lives in the domain (a contact person's address is checked there too).
from domain.mail import OutboxKind, checked_address

Security = Literal["starttls", "tls", "none"]


class MailSettings(BaseSettings):
    """The SMTP server the outbox is delivered through, and who the messages come from."""

    model_config = SettingsConfigDict(env_prefix="GUIDANCE_MAIL_", env_file=".env", extra="ignore")

    host: str | None = Field(default=None, min_length=1, max_length=253)
    port: int = Field(default=587, ge=1, le=65535)
    # STARTTLS on the submission port by default; "tls" for implicit TLS (port 465); "none" only for a local server.
    security: Security = "starttls"
    user: str | None = Field(default=None, max_length=320)
    password: SecretStr | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # The sender of every message, unless `senders` names one for its kind (a JSON object in the environment,
    # e.g. GUIDANCE_MAIL_SENDERS='{"escalation": "ledelse@udir.no"}').
    sender: str = "veilederkorpset@udir.no"
    senders: dict[OutboxKind, str] = Field(default_factory=dict)
    # Messages sent per activity round; the rest wait for the next round a moment later.
    batch: int = Field(default=100, ge=1, le=500)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return checked_address(value)

    @field_validator("senders")
    @classmethod
    def _senders(cls, value: dict[OutboxKind, str]) -> dict[OutboxKind, str]:
        return {kind: checked_address(address) for kind, address in value.items()}

    @property
    def enabled(self) -> bool:
        return self.host is not None

    def sender_of(self, kind: str) -> str:
        """Who a message of `kind` comes from."""
        for known in get_args(OutboxKind):
            if kind == known and known in self.senders:
                return self.senders[known]
        return self.sender
