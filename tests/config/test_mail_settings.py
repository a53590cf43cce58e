"""The mail settings refuse a sender that is not a mail address and a kind of message that does not exist."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from config.mail import MailSettings


def test_delivery_is_off_until_a_host_is_set() -> None:
    assert not MailSettings(_env_file=None).enabled
    assert MailSettings.model_validate({"host": "smtp.udir.no"}).enabled


def test_a_kind_may_have_its_own_sender() -> None:
    settings = MailSettings.model_validate(
        {"sender": "veilederkorpset@udir.no", "senders": {"escalation": "ledelse@udir.no"}}
    )
    assert settings.sender_of("escalation") == "ledelse@udir.no"
    assert settings.sender_of("reminder") == "veilederkorpset@udir.no"


@pytest.mark.parametrize("sender", ["veilederkorpset", "a b@udir.no", "x@localhost", "Eve <eve@udir.no>"])
def test_a_sender_that_is_not_one_plain_mail_address_is_refused(sender: str) -> None:
    with pytest.raises(ValidationError, match="sender"):
        MailSettings.model_validate({"sender": sender})


def test_a_sender_for_an_unknown_kind_is_refused_naming_the_kinds_allowed() -> None:
    with pytest.raises(ValidationError, match="meeting_invitation"):
        MailSettings.model_validate({"senders": {"newsletter": "x@udir.no"}})


def test_the_environment_configures_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_MAIL_HOST", "smtp.udir.no")
    monkeypatch.setenv("GUIDANCE_MAIL_PORT", "465")
    monkeypatch.setenv("GUIDANCE_MAIL_SECURITY", "tls")
    monkeypatch.setenv("GUIDANCE_MAIL_SENDERS", '{"reminder": "varsel@udir.no"}')
    settings = MailSettings(_env_file=None)
    assert (settings.host, settings.port, settings.security) == ("smtp.udir.no", 465, "tls")
    assert settings.sender_of("reminder") == "varsel@udir.no"


def test_the_worker_refuses_a_bad_mail_setting_in_one_line_before_it_connects() -> None:
    environment = {
        **os.environ,
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
        "GUIDANCE_MAIL_SENDER": "veilederkorpset",
    }
    done = subprocess.run(
        [sys.executable, "-m", "worker"], env=environment, capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "invalid settings: GUIDANCE_MAIL_SENDER: Value error, 'veilederkorpset' is not a mail address (user@domain): "
        "addr-spec local part with no domain"
    ]
