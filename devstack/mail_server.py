"""The local mail server of `make dev`: aiosmtpd on loopback, keeping every message it receives in a Maildir.

With it the worker's mail delivery runs for real on a fresh machine: a reminder written to the outbox is sent
over SMTP a minute later and lands in ``<data>/mailbox/new``, where any mail program (or `python -m mailbox`)
can read it, and where the web app shows it to a coordinator in development.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from config.mail import MailSettings
from devstack.temporal_server import HOST, free_port

#: The folder under the data folder that holds what the local mail server received.
MAILBOX = "mailbox"


@contextlib.contextmanager
def local_mail_server(data_dir: Path, port: int) -> Iterator[MailSettings]:
    """Run the server on `port` (0: any free port) until the block ends; yield the settings that send to it."""
    folder = data_dir / MAILBOX
    folder.parent.mkdir(parents=True, exist_ok=True)
    chosen = port or free_port()
    controller = Controller(Mailbox(folder), hostname=HOST, port=chosen)
    controller.start()
    try:
        yield MailSettings.model_validate(
            {"host": HOST, "port": chosen, "security": "none", "sender": "veilederkorpset@udir.no"}
        )
    finally:
        controller.stop()
