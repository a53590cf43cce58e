"""Signing in and out, and who may open what. Sessions are Starlette's signed cookies (itsdangerous).

A person signs in through the identity provider (`webapp.identity`, OpenID Connect), or in development with a
local user's password (`webapp.users`, argon2). The session holds the user's name, a random session id (the
CSRF token is bound to it, `webapp.security`) and the user's generation at sign-in: signing out raises the
generation (`webapp.sessions`), so the cookie, and any copy of it, stops working. A session from the identity
provider also holds the role its claims gave and the ID token, to end the provider's session at sign-out.
`RevokedSessions` checks that generation on every request, before any page reads the session."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from language.current import gettext as _
from readmodel.records import PeriodRow
from webapp.sessions import SessionGenerations, new_session_id
from webapp.users import User, UserDirectory

SESSION_USER = "user"
SESSION_ID = "sid"
SESSION_GENERATION = "gen"
#: The language the person picked (`webapp.language_choice`); theirs before and after signing in.
SESSION_LANGUAGE = "language"
#: Set for a session from the identity provider: the role its claims gave (no local user to look up).
SESSION_ROLE = "role"
#: Set with the role for a county governor from the identity provider: their county.
SESSION_COUNTY = "county"
SESSION_ID_TOKEN = "id_token"
#: Set in the request's scope by `RevokedSessions` once it has checked the session: a request it did not check (a
#: static file) has nobody signed in.
SESSION_CHECKED = "guidance.session_checked"


class SignInRequired(Exception):
    """The request needs a signed-in user; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


def current_user(request: Request, users: UserDirectory) -> User | None:
    """The signed-in user, or None (also when the session names a user who has since been removed)."""
    if not request.scope.get(SESSION_CHECKED):
        return None
    name = request.session.get(SESSION_USER)
    if not isinstance(name, str) or not isinstance(request.session.get(SESSION_ID), str):
        return None
    role = request.session.get(SESSION_ROLE)
    if role in ("adviser", "coordinator"):
        return User(name=name, role=role)
    county = request.session.get(SESSION_COUNTY)
    if role == "county_governor" and isinstance(county, str):
        return User(name=name, role=role, county=county)
    return users.get(name)


def require_user(request: Request, users: UserDirectory, *, county_governors: bool = False) -> User:
    """The signed-in user. A county governor may open only the pages that say so (`county_governors`): the
    assessment of their county; every other page of the programme refuses them, here, in one place.

    Raises:
        SignInRequired: Nobody is signed in.
        HTTPException: 403 for a county governor on a page not theirs.
    """
    user = current_user(request, users)
    if user is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if user.is_county_governor and not county_governors:
        raise HTTPException(
            403,
            _("%(user)s signs in as a county governor, who sees only the county governors' assessment of their county")
            % {"user": user.name},
        )
    return user


async def sign_in(request: Request, user: User, *, id_token: str | None = None) -> None:
    """Start a session for `user`; `id_token` given, they came from the identity provider with the role in it."""
    # A fresh session: nothing from before signing in (a flash, a next page) carries over to the user.
    language = request.session.get(SESSION_LANGUAGE)
    request.session.clear()
    if language is not None:  # the language picked before signing in is the person's, kept
        request.session[SESSION_LANGUAGE] = language
    request.session[SESSION_USER] = user.name
    request.session[SESSION_ID] = new_session_id()
    request.session[SESSION_GENERATION] = await _generations(request).current(user.name)
    if id_token is not None:
        request.session[SESSION_ROLE] = user.role
        request.session[SESSION_ID_TOKEN] = id_token
        if user.county is not None:
            request.session[SESSION_COUNTY] = user.county


async def sign_out(request: Request, users: UserDirectory) -> str | None:
    """End the session: this cookie and every other session of its user stop working, copies included.

    Returns the ID token of a session from the identity provider, to end the provider's session with.
    """
    user = current_user(request, users)
    id_token = request.session.get(SESSION_ID_TOKEN)
    if user is not None:
        web = request.app.state.web
        await _generations(request).revoke_all(user.name, web.clock())
    request.session.clear()
    return id_token if user is not None and isinstance(id_token, str) else None


def _generations(request: Request) -> SessionGenerations:
    generations: SessionGenerations = request.app.state.web.sessions
    return generations


class RevokedSessions:
    """Takes the user out of a session whose user has signed out since, on any instance (the cookie was replayed or
    is an old one), before a page reads it: one read of the user's generation per request with a signed-in session.
    The person's chosen language stays. Static files are not asked about, and nobody is signed in on their answers
    (a missing file's page): `current_user` needs this check's mark.
    """

    def __init__(self, app: ASGIApp, generations: SessionGenerations) -> None:
        self.app = app
        self._generations = generations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session") if scope["type"] == "http" else None
        if session and not scope["path"].startswith("/static/"):
            name = session.get(SESSION_USER)
            if isinstance(name, str) and session.get(SESSION_GENERATION) != await self._generations.current(name):
                language = session.get(SESSION_LANGUAGE)
                session.clear()
                if language is not None:
                    session[SESSION_LANGUAGE] = language
            scope[SESSION_CHECKED] = True
        await self.app(scope, receive, send)


def require_access(user: User, period: PeriodRow) -> None:
    """Refuse an adviser a period they are not on (coordinators see every period).

    Raises:
        HTTPException: 403, naming the period and who may open it.
    """
    if not user.may_see(period.advisers):
        raise HTTPException(
            403,
            _(
                "%(user)s is not an adviser of %(owner)s's period (%(period)s); "
                "its advisers and the coordinators may open it"
            )
            % {"user": user.name, "owner": period.owner_name, "period": period.workflow_id},
        )


def sign_in_url(next_path: str) -> str:
    return f"/login?next={quote(next_path, safe='')}"


def safe_next(next_path: str | None) -> str:
    """Where to go after signing in: only a path of this site (an open redirect would help phishing)."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/"
