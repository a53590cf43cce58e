"""The rules of mail delivery: what is retried and after how long, and the Message-ID of an outbox entry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.mail import is_permanent, message_id, retry_pause


def test_the_pause_doubles_from_a_minute_up_to_an_hour() -> None:
    assert [retry_pause(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_pause(7) == timedelta(hours=1)
    assert retry_pause(10_000) == timedelta(hours=1)
    with pytest.raises(ValueError, match="starts at 1"):
        retry_pause(0)


@pytest.mark.parametrize(("code", "permanent"), [(550, True), (554, True), (500, True), (421, False), (451, False)])
def test_only_a_5xx_reply_refuses_for_good(code: int, permanent: bool) -> None:
    assert is_permanent(code) is permanent


def test_the_message_id_is_the_same_for_every_send_of_an_entry_and_differs_between_entries() -> None:
    first = message_id("guidance-period-2027-3301/phase_reminder:1:mapping", "guidance-engine")
    assert first == message_id("guidance-period-2027-3301/phase_reminder:1:mapping", "guidance-engine")
    assert first != message_id("guidance-period-2027-3301/phase_reminder:1:anchoring", "guidance-engine")
    assert first.startswith("<") and first.endswith("@guidance-engine>")
