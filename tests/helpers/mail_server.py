"""A real SMTP server for the tests (aiosmtpd on loopback): it keeps what it receives and refuses what it is told to.

It runs in its own thread (aiosmtpd's `Controller`), can be stopped and started again on the same port, as a
mail server that goes away for a while, and answers RCPT for chosen addresses with a chosen reply (a 550 for an
address that does not exist, a 451 for a mailbox that is busy).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from devstack.temporal_server import HOST, free_port


class Recorder:
    """aiosmtpd's handler: keeps every message accepted, refuses the recipients named in `refuse`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 2.0.0 queued as test"

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)


class MailServer:
    """The server on a fixed port of its own; `stop` and `start` take it away and bring it back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def running_mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
