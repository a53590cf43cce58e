"""Bounds at the edge of the web app: what a request may carry before any of our code (or asgi-csrf) reads it.

`RequestBounds` is the outermost middleware but the headers'. For every request it

- answers 400 when the address or a query parameter holds a NUL character (PostgreSQL refuses NUL in text,
  so without this check any route that passes a parameter on would answer 500), naming the parameter;
- bounds the body by its route's kind (`body_limit`): the sign-in and sign-out forms 4 KiB, the indicator
  file's upload the file's own limit plus room for the form, any other request `max_form_bytes`. A
  Content-Length over the bound is answered 413 before a byte is read; a body without one (chunked) is
  counted while it streams and cut off at the bound with 413;
- reads a urlencoded form whole (it is bounded now) and answers 400 when it is not UTF-8, holds more than
  `max_form_fields` fields, or a NUL in a field's name or value (naming the field), then replays it to the
  app unchanged.

Without the bound, asgi-csrf concatenated a big urlencoded body piece by piece on the event loop (quadratic),
so a few anonymous posts to /login held every other request up for seconds.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from language.current import N_, using
from language.current import gettext as _
from language.negotiate import from_accept_language
from webapp.indicator_files import MAX_UPLOAD_BYTES

#: The forms that anyone may post (nothing in them is longer than a user name, a password and a token).
SIGN_IN_PATHS = frozenset({"/login", "/logout"})
SIGN_IN_BYTES = 4 * 1024
#: The forms that carry a file: the selection's upload and a cohort's later file for its outcomes. Their pages
#: refuse a declared size over the file's limit themselves, with the limit beside the form; this outer bound (1 MB
#: more) also stops a body without Content-Length while it streams.
UPLOAD_PATH = re.compile(r"/selection/files|/cohorts/[^/]+/outcomes/files")
UPLOAD_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
URLENCODED = b"application/x-www-form-urlencoded"
MULTIPART = b"multipart/form-data"


#: What each kind of body is called in its refusal (said in the person's language when refused).
_TOO_LARGE = {
    "sign-in form": N_("The request is too large: a sign-in form may carry at most %(size)s."),
    "file upload": N_("The request is too large: a file upload may carry at most %(size)s."),
    "form": N_("The request is too large: a form may carry at most %(size)s."),
}


@dataclass(frozen=True)
class BodyLimit:
    kind: str
    max_bytes: int

    def refusal(self) -> str:
        return _(_TOO_LARGE[self.kind]) % {"size": _size(self.max_bytes)}


def body_limit(path: str, content_type: bytes, max_form_bytes: int) -> BodyLimit:
    """The bound of a request's body, by the kind of route it goes to."""
    if path in SIGN_IN_PATHS:
        return BodyLimit("sign-in form", SIGN_IN_BYTES)
    if UPLOAD_PATH.fullmatch(path) and content_type == MULTIPART:
        return BodyLimit("file upload", UPLOAD_BYTES)
    return BodyLimit("form", max_form_bytes)


class _Refused(HTTPException):
    """A request over a bound. An HTTPException, so when the app itself reads the body past the bound (an
    upload without Content-Length) its error page answers; otherwise `RequestBounds` does."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


class RequestBounds:
    """ASGI middleware: NUL characters, body sizes and form fields checked before the app sees the request."""

    def __init__(self, app: ASGIApp, *, max_form_bytes: int, max_form_fields: int) -> None:
        self.app = app
        self.max_form_bytes = max_form_bytes
        self.max_form_fields = max_form_fields

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Before the session is read: the browser's languages are all there is to go on.
        with using(from_accept_language(Headers(scope=scope).get("accept-language"))):
            await self._bounded(scope, receive, send)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            _check_address(scope)
            headers = dict(scope["headers"])
            content_type, _ = parse_options_header(headers.get(b"content-type", b""))
            limit = body_limit(scope["path"], content_type, self.max_form_bytes)
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > limit.max_bytes):
                raise _Refused(413, limit.refusal())
            counted = _counted(receive, limit)
            if content_type == URLENCODED:
                counted = await self._checked_form(counted)
            await self.app(scope, counted, tracked_send)
        except _Refused as refused:
            if started:
                raise  # the app had answered already; nothing more can be said
            await send_text(send, refused.status, refused.message)

    async def _checked_form(self, receive: Receive) -> Receive:
        """Read the (bounded) form, check its fields, and hand back a receive that replays it."""
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise _Refused(400, _("The form is not UTF-8 text.")) from None
        if text.count("&") + 1 > self.max_form_fields:
            raise _Refused(
                413, _("The form has too many fields: at most %(num)s are taken.") % {"num": self.max_form_fields}
            )
        for name, value in parse_qsl(text, keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                raise _Refused(
                    400, _("%(field)s: must not contain a NUL character (a form field)") % {"field": _shown(name)}
                )
        replay: list[Message] = [{"type": "http.request", "body": bytes(body), "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        return replayed


def _check_address(scope: Scope) -> None:
    if "\x00" in scope["path"]:
        raise _Refused(400, _("the address: must not contain a NUL character"))
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            raise _Refused(
                400, _("%(field)s: must not contain a NUL character (a query parameter)") % {"field": _shown(name)}
            )


def _counted(receive: Receive, limit: BodyLimit) -> Callable[[], Awaitable[Message]]:
    """`receive`, refusing with 413 once the body passes the bound (a body without Content-Length)."""
    read = 0

    async def counted() -> Message:
        nonlocal read
        message = await receive()
        if message["type"] == "http.request":
            read += len(message.get("body", b""))
            if read > limit.max_bytes:
                raise _Refused(413, limit.refusal())
        return message

    return counted


def _shown(name: str) -> str:
    """A field's name as a message can show it (a NUL in the name itself written as \\0, a long name cut)."""
    return name.replace("\x00", "\\0")[:64] or _("(a field without a name)")


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{count // 1024} KiB"


async def send_text(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A plain-text answer (also closes the connection: the rest of a refused body is not read)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": message.encode()})
