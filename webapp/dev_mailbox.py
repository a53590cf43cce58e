"""Reading the local mail server's Maildir for the development mailbox pages (webapp/mailbox_pages.py).

`make dev` runs a mail server that keeps every message it receives in ``<data>/mailbox`` (devstack/mail_server.py).
Every file there is treated as hostile: anyone on the machine can drop one in, and the server keeps whatever a
client sends. So a file is read only up to a size bound, a header that does not parse is shown as a problem, not
raised, HTML is never rendered (listed as an attachment), and only a page of messages is parsed per request.
"""

from __future__ import annotations

import mailbox
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from language.current import gettext as _

#: Messages listed per page.
PER_PAGE = 50
#: Files considered at all (newest first); a mailbox grown past this shows only its newest.
MAX_LISTED = 5000
#: Bytes of a message read to list it (its headers) and to show it; a larger one is shown cut, with a problem.
HEADER_BYTES = 64 * 1024
MAX_MESSAGE_BYTES = 2 * 1024 * 1024
#: Parts of one message looked at, and characters of one text part shown.
MAX_PARTS = 50
MAX_TEXT_CHARS = 200_000
#: A Maildir key as Python's `mailbox` writes them (time, unique part, host with '/' and ':' escaped).
KEY = re.compile(r"^[A-Za-z0-9._\\,=+-]{1,255}$")


class NoSuchMessage(LookupError):
    """The key names no message of the mailbox (or is not a key at all)."""


@dataclass(frozen=True)
class Summary:
    """One message as the list shows it; `problem` says what could not be read."""

    key: str
    sender: str = ""
    recipients: str = ""
    subject: str = ""
    date: datetime | None = None
    message_id: str = ""
    problem: str = ""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Shown:
    """One message as its page shows it: its text parts (calendar parts as text too), its attachments."""

    summary: Summary
    texts: list[tuple[str, str]] = field(default_factory=list)  # (content type, text)
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Listing:
    messages: list[Summary]
    page: int
    pages: int
    total: int
    #: More files than `MAX_LISTED`: only the newest are listed.
    cut: bool


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception as error:  # a hostile header may break the parser in any way
        problems.append(_("The %(header)s header cannot be read: %(error)s") % {"header": name, "error": error})
        return ""


def _date(message: Message, problems: list[str]) -> datetime | None:
    raw = _header(message, "Date", problems)
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        problems.append(_("The date %(date)s cannot be read") % {"date": raw[:100]})
        return None
    # A date without a zone (RFC 5322's -0000) cannot be placed in Norwegian time: taken as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _summary(key: str, message: Message, problems: list[str]) -> Summary:
    return Summary(
        key=key,
        sender=_header(message, "From", problems),
        recipients=_header(message, "To", problems),
        subject=_header(message, "Subject", problems),
        date=_date(message, problems),
        message_id=_header(message, "Message-ID", problems),
        problem="; ".join(problems),
    )


class DevMailbox:
    """The Maildir at `folder`, read-only; a folder that does not exist (yet) is an empty mailbox."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _keys_newest_first(self) -> list[str]:
        """The keys of the messages in ``new`` and ``cur``, newest file first (Maildir's key: the name before ':')."""
        found: list[tuple[float, str]] = []
        for sub in ("new", "cur"):
            try:
                entries = list(os.scandir(self.folder / sub))
            except OSError:
                continue
            for entry in entries:
                key = entry.name.split(":", 1)[0]
                if entry.name.startswith(".") or not KEY.match(key):
                    continue
                try:
                    if entry.is_file(follow_symlinks=False):
                        found.append((entry.stat(follow_symlinks=False).st_mtime, key))
                except OSError:
                    continue
        found.sort(reverse=True)
        return [key for _, key in found]

    def _is_plain_file(self, key: str) -> bool:
        """Whether `key` names a regular file in ``new`` or ``cur``: a symbolic link dropped in the folder is not
        followed (it could point anywhere the app may read)."""
        for sub in ("new", "cur"):
            try:
                entries = list(os.scandir(self.folder / sub))
            except OSError:
                continue
            for entry in entries:
                if entry.name.split(":", 1)[0] == key:
                    try:
                        return entry.is_file(follow_symlinks=False)
                    except OSError:
                        return False
        return False

    def _read(self, key: str, limit: int) -> bytes:
        if not KEY.match(key) or not self._is_plain_file(key):
            raise NoSuchMessage(key)
        try:
            box = mailbox.Maildir(self.folder, create=False)
            with box.get_file(key) as file:
                data: bytes = file.read(limit + 1)
        except (KeyError, OSError, mailbox.Error):
            raise NoSuchMessage(key) from None
        return data

    def listing(self, page: int = 1, per_page: int = PER_PAGE) -> Listing:
        """Page `page` (from 1) of the messages, newest first; a page past the last is the last."""
        keys = self._keys_newest_first()
        cut = len(keys) > MAX_LISTED
        keys = keys[:MAX_LISTED]
        pages = max(1, -(-len(keys) // per_page))
        page = min(max(page, 1), pages)
        chosen = keys[(page - 1) * per_page : page * per_page]
        return Listing([self._summary_of(key) for key in chosen], page, pages, len(keys), cut)

    def _summary_of(self, key: str) -> Summary:
        try:
            data = self._read(key, HEADER_BYTES)
        except NoSuchMessage:
            return Summary(key=key, problem=_("The message was removed while it was being read"))
        problems: list[str] = []
        try:
            message = BytesHeaderParser(policy=policy.default).parsebytes(data[:HEADER_BYTES])
        except Exception as error:  # shown, not raised
            return Summary(key=key, problem=_("The message cannot be read: %(error)s") % {"error": error})
        return _summary(key, message, problems)

    def message(self, key: str) -> Shown:
        """The message `key` with its text and attachments.

        Raises:
            NoSuchMessage: There is no such message.
        """
        data = self._read(key, MAX_MESSAGE_BYTES)
        problems: list[str] = []
        if len(data) > MAX_MESSAGE_BYTES:
            problems.append(
                _("The message is larger than %(size)s bytes; only its beginning is shown")
                % {"size": MAX_MESSAGE_BYTES}
            )
            data = data[:MAX_MESSAGE_BYTES]
        try:
            message = BytesParser(policy=policy.default).parsebytes(data)
        except Exception as error:  # shown, not raised
            return Shown(Summary(key=key), problems=[_("The message cannot be read: %(error)s") % {"error": error}])
        summary = _summary(key, message, problems)
        texts: list[tuple[str, str]] = []
        attachments: list[Attachment] = []
        for count, part in enumerate(message.walk()):
            if count >= MAX_PARTS:
                problems.append(
                    _("The message has more than %(count)s parts; the rest are not shown") % {"count": MAX_PARTS}
                )
                break
            if part.is_multipart():
                continue
            _take_part(part, texts, attachments, problems)
        return Shown(summary, texts, attachments, problems)


def _take_part(part: Message, texts: list[tuple[str, str]], attachments: list[Attachment], problems: list[str]) -> None:
    """Show a plain-text or calendar part as text; list anything else (HTML included, never rendered)."""
    try:
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        name = part.get_filename() or ""
    except Exception as error:
        problems.append(_("A part cannot be read: %(error)s") % {"error": error})
        return
    payload = part.get_payload(decode=True)
    size = len(payload) if isinstance(payload, bytes) else 0
    shown_as_text = content_type == "text/calendar" or (content_type == "text/plain" and disposition != "attachment")
    if shown_as_text:
        try:
            text = part.get_content() if isinstance(part, EmailMessage) else ""
        except Exception:  # an unknown charset or a broken encoding: the bytes as well as they go
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if len(text) > MAX_TEXT_CHARS:
            problems.append(_("A text part is longer than %(count)s characters; it is cut") % {"count": MAX_TEXT_CHARS})
            text = text[:MAX_TEXT_CHARS]
        texts.append((content_type, str(text)))
    if not shown_as_text or name:
        attachments.append(Attachment(name or _("(no name)"), content_type, size))
