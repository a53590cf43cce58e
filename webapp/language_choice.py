"""The language a page is served in: chosen by the person (kept in the session), else guessed from the browser.

`LanguageMiddleware` sets the request's language before any handler runs (so templates, flash messages and
rejections all read it); `choose_language` is the picker's form (every page's header), open before signing in
too, since the sign-in page is the first a person reads.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from language import parse_language
from language.current import set_language, using
from language.negotiate import choose
from webapp.auth import SESSION_LANGUAGE, safe_next


class LanguageMiddleware:
    """Sets the current language for the request from its session (after `SessionMiddleware`) or its headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope.get("session") or {}
        # Scoped to this request: the language must not outlive it in a context another request may share.
        with using(choose(session.get(SESSION_LANGUAGE), Headers(scope=scope).get("accept-language"))):
            await self.app(scope, receive, send)


async def choose_language(request: Request) -> Response:
    """Keep the chosen language in the session and go back to the page the person came from."""
    form = await request.form()
    language = parse_language(form.get("language"))
    back = safe_next(str(form.get("next", "")))
    if language is not None:
        request.session[SESSION_LANGUAGE] = language
        set_language(language)
    return RedirectResponse(back, status_code=303)
