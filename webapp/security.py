"""Security headers on every answer, the CSRF token bound to the session, and safe download file names.

- `SecurityHeaders` (outermost middleware) adds a strict Content-Security-Policy (no inline script or style:
  the templates use the two style sheets only), frame-ancestors 'none', nosniff, a Referrer-Policy, and HSTS
  when the cookies are Secure (the app is then served over HTTPS only).
- `SessionBoundCsrf` (after Starlette's session middleware) binds asgi-csrf's token to the session: asgi-csrf
  only checks that the form's token equals the ``csrftoken`` cookie and that we signed it, so a token cookie
  planted from elsewhere (a sibling subdomain, a proxy) together with the same value in a forged form would
  pass. For a session with an id, the token is derived from that id (HMAC with a key of its own, then signed
  as asgi-csrf signs, so asgi-csrf accepts it); any other cookie is replaced on the next page, and a post whose
  cookie is not the session's token is refused with 403.
- `content_disposition` is the one way a download's file name reaches a header (RFC 6266 / RFC 5987).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

from itsdangerous.url_safe import URLSafeSerializer
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from language.current import gettext as _
from language.current import using
from language.negotiate import choose
from webapp.auth import SESSION_ID, SESSION_LANGUAGE
from webapp.csrf import COOKIE, NAMESPACE
from webapp.limits import send_text


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """The policy; `form_targets` are other origins a form may lead to (signing out redirects to the provider)."""
    form_action = " ".join(("'self'", *form_targets))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        f"base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
    )


HSTS = "max-age=31536000; includeSubDomains"
#: Sessions whose CSRF token is kept derived (the least recently used are derived again when asked).
_KEPT_TOKENS = 4096

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SecurityHeaders:
    """ASGI middleware: the security headers on every answer (pages, files, errors and refusals alike)."""

    def __init__(self, app: ASGIApp, *, hsts: bool, form_targets: Callable[[], tuple[str, ...]] = tuple) -> None:
        self.app = app
        self.form_targets = form_targets
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            *([(b"strict-transport-security", HSTS.encode())] if hsts else []),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                # Read as the answer starts: the provider's end-session origin is known once its metadata is read.
                policy = (b"content-security-policy", content_security_policy(self.form_targets()).encode())
                added = [(name, value) for name, value in (policy, *self.headers) if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_headers)


class SessionBoundCsrf:
    """ASGI middleware after the session's: a signed-in session's CSRF token is the one derived from its id."""

    def __init__(self, app: ASGIApp, *, signing_secret: str, binding_key: str, secure: bool) -> None:
        self.app = app
        self._signer = URLSafeSerializer(signing_secret)
        self._key = binding_key.encode()
        self._secure = secure
        # The token is a function of the session id alone, derived on every request: kept for the sessions in use.
        self._tokens = functools.lru_cache(maxsize=_KEPT_TOKENS)(self._token)

    def token_for(self, session_id: str) -> str:
        return self._tokens(session_id)

    def _token(self, session_id: str) -> str:
        raw = hmac.new(self._key, f"csrf-of-session:{session_id}".encode(), hashlib.sha256).hexdigest()[:32]
        return str(self._signer.dumps(raw, NAMESPACE))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session_id = scope.get("session", {}).get(SESSION_ID) if scope["type"] == "http" else None
        if not isinstance(session_id, str):
            await self.app(scope, receive, send)
            return
        bound = self.token_for(session_id)
        cookie = _cookie(scope, COOKIE)
        if scope["method"] not in SAFE_METHODS and not (cookie and hmac.compare_digest(cookie, bound)):
            # asgi-csrf found the form's token equal to the cookie; the cookie is not this session's.
            chosen = scope.get("session", {}).get(SESSION_LANGUAGE)
            language = choose(chosen, Headers(scope=scope).get("accept-language"))
            with using(language):
                refusal = _("The form's CSRF token does not belong to this session; reload the page.")
            await send_text(send, 403, refusal)
            return

        async def with_bound_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"vary"]
                headers.append((b"vary", b"Cookie"))
                if cookie != bound:
                    attributes = f"{COOKIE}={bound}; Path=/; SameSite=Lax; HttpOnly" + (
                        "; Secure" if self._secure else ""
                    )
                    headers.append((b"set-cookie", attributes.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app({**scope, "csrftoken": lambda: bound}, receive, with_bound_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    cookies: SimpleCookie = SimpleCookie()
    for key, value in scope["headers"]:
        if key == b"cookie":
            try:
                cookies.load(value.decode("latin-1"))
            except CookieError:
                return None  # a malformed cookie header carries no token
    found = cookies.get(name)
    return found.value if found is not None else None


_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def content_disposition(disposition: str, filename: str) -> str:
    """A Content-Disposition header naming `filename` safely: an ASCII fallback with anything but letters,
    digits, dot, dash and underscore replaced (no quote, semicolon, CR/LF or path can break out of it), and the
    name itself percent-encoded as RFC 5987's ``filename*`` for the browsers that read it."""
    fallback = _UNSAFE_IN_FILENAME.sub("_", filename)[:150] or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
