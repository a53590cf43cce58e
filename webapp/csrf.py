"""CSRF protection of multipart forms (the indicator file's upload), in front of asgi-csrf.

asgi-csrf (0.11, the newest) reads the token of a multipart/form-data post with python-multipart's
``FormParser(..., FileClass=...)``; python-multipart 0.0.26 removed that argument (and fixed CVE-2026-40347
in the same release, so holding it back is no way out), so every multipart post answered 500 with
``TypeError: FormParser.__init__() got an unexpected keyword argument 'FileClass'`` (simonw/asgi-csrf#38,
not fixed upstream). This middleware, in front of asgi-csrf, reads a multipart post's ``csrftoken`` field
itself (it must come before any file, as asgi-csrf requires) and checks it as asgi-csrf checks a form's: equal
to the ``csrftoken`` cookie, whose signature is asgi-csrf's. A post that passes goes on with the token as the
``x-csrftoken`` header, which asgi-csrf accepts (checking it again), and the body read so far is replayed to the
app unchanged; any other multipart post (no token, a wrong one, a file first, the token beyond `TOKEN_WITHIN`
bytes) is refused here with 403, so asgi-csrf never reaches its broken parser. Unlike asgi-csrf, a multipart
post without cookies is refused too: every upload of ours needs a signed-in session.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature
from itsdangerous.url_safe import URLSafeSerializer
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from language import Language
from language.current import gettext as _
from language.current import using
from language.negotiate import choose

#: The form field, header, cookie and signing namespace of asgi-csrf (its defaults, which the app keeps).
FORM_FIELD = b"csrftoken"
HEADER = b"x-csrftoken"
COOKIE = "csrftoken"
NAMESPACE = "csrftoken"
#: The token is the first field of the form; more than this before it is no form of ours.
TOKEN_WITHIN = 64 * 1024


class _TokenFound(Exception):
    def __init__(self, token: bytes) -> None:
        super().__init__("csrftoken found")
        self.token = token


class _NoToken(Exception):
    """The token is missing, or a file comes before it."""


class MultipartCsrfToken:
    """ASGI middleware: a multipart post's ``csrftoken`` field becomes the ``x-csrftoken`` header of the request."""

    def __init__(self, app: ASGIApp, signing_secret: str) -> None:
        self.app = app
        self._signer = URLSafeSerializer(signing_secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        boundary = _multipart_boundary(scope)
        if boundary is None:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        with using(request_language(scope)):
            try:
                token = await _token(boundary, receive, received)
            except _NoToken as missing:
                await _refuse(send, str(missing))
                return
            if not self._matches_cookie(scope, token):
                await _refuse(send, _("multipart/form-data POST field did not match cookie"))
                return

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        headers = [(k, v) for k, v in scope["headers"] if k != HEADER] + [(HEADER, token)]
        await self.app({**scope, "headers": headers}, replay, send)

    def _matches_cookie(self, scope: Scope, token: bytes) -> bool:
        """asgi-csrf's check of a form's token: the cookie is signed by us and the token equals it."""
        cookies = SimpleCookie()
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookies.load(value.decode("latin-1"))
        cookie = cookies.get(COOKIE)
        if cookie is None:
            return False
        try:
            self._signer.loads(cookie.value, NAMESPACE)
        except BadSignature:
            return False
        return secrets.compare_digest(token, cookie.value.encode("latin-1"))


def _multipart_boundary(scope: Scope) -> bytes | None:
    if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return None
    content_type = dict(scope["headers"]).get(b"content-type", b"")
    kind, options = parse_options_header(content_type)
    return options.get(b"boundary") if kind == b"multipart/form-data" else None


async def _token(boundary: bytes, receive: Receive, received: list[Message]) -> bytes:
    """The value of the form's ``csrftoken`` field, reading no further than it ends."""
    part: MutableMapping[str, Any] = {}
    header_name: list[bytes] = []
    header_value: list[bytes] = []

    def header_field(data: bytes, start: int, end: int) -> None:
        header_name.append(data[start:end])

    def header_value_part(data: bytes, start: int, end: int) -> None:
        header_value.append(data[start:end])

    def header_end() -> None:
        part.setdefault("headers", {})[b"".join(header_name).lower()] = b"".join(header_value).strip()
        header_name.clear()
        header_value.clear()

    def headers_finished() -> None:
        _disposition, options = parse_options_header(part.get("headers", {}).get(b"content-disposition"))
        if b"filename" in options:
            raise _NoToken(_("File encountered before csrftoken - make sure csrftoken is first in the HTML"))
        part["is_token"] = options.get(b"name") == FORM_FIELD
        part["data"] = b""

    def part_data(data: bytes, start: int, end: int) -> None:
        if part.get("is_token"):
            part["data"] += data[start:end]

    def part_end() -> None:
        if part.get("is_token"):
            raise _TokenFound(part["data"])
        part.clear()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": part.clear,
            "on_header_field": header_field,
            "on_header_value": header_value_part,
            "on_header_end": header_end,
            "on_headers_finished": headers_finished,
            "on_part_data": part_data,
            "on_part_end": part_end,
        },
    )
    read = 0
    more = True
    try:
        while more:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            body: bytes = message.get("body", b"")
            read += len(body)
            parser.write(body)
            if read > TOKEN_WITHIN:
                raise _NoToken(
                    _("no csrftoken in the first %(size)s kB; it must be the form's first field")
                    % {"size": TOKEN_WITHIN // 1024}
                )
            more = message.get("more_body", False)
    except _TokenFound as found:
        return found.token
    except MultipartParseError as error:
        raise _NoToken(_("multipart/form-data body not readable: %(error)s") % {"error": error}) from None
    raise _NoToken(_("multipart/form-data POST field did not match cookie"))


def request_language(scope: Scope) -> Language:
    """The language of a refusal made in front of the app: the browser's (the session, which holds a person's
    choice, is only read inside the app)."""
    return choose(None, Headers(scope=scope).get("accept-language"))


async def csrf_failed(scope: Scope, send: Send, reason: object) -> None:
    """asgi-csrf's refusal, said in the reader's language (its own text is English and technical)."""
    with using(request_language(scope)):
        await _refuse(
            send,
            _("The form's security token (CSRF) did not match this browser's; reload the page and send it again."),
        )


async def _refuse(send: Send, message: str) -> None:
    await send(
        {"type": "http.response.start", "status": 403, "headers": [(b"content-type", b"text/plain; charset=utf-8")]}
    )
    await send({"type": "http.response.body", "body": message.encode()})
