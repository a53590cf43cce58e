"""Signing in and out, and who may open what. Sessions are Starlette's signed cookies (itsdangerous);
passwords are checked by `webapp.users` (argon2). The session holds the user's name only."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request

from readmodel.records import PeriodRow
from webapp.users import User, UserDirectory

SESSION_USER = "user"


class SignInRequired(Exception):
    """The request needs a signed-in user; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


def current_user(request: Request, users: UserDirectory) -> User | None:
    """The signed-in user, or None (also when the session names a user who has since been removed)."""
    name = request.session.get(SESSION_USER)
    return users.get(name) if isinstance(name, str) else None


def require_user(request: Request, users: UserDirectory) -> User:
    """The signed-in user.

    Raises:
        SignInRequired: Nobody is signed in.
    """
    user = current_user(request, users)
    if user is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return user


def sign_in(request: Request, user: User) -> None:
    # A fresh session: nothing from before signing in (a flash, a next page) carries over to the user.
    request.session.clear()
    request.session[SESSION_USER] = user.name


def sign_out(request: Request) -> None:
    request.session.clear()


def require_access(user: User, period: PeriodRow) -> None:
    """Refuse an adviser a period they are not on (coordinators see every period).

    Raises:
        HTTPException: 403, naming the period and who may open it.
    """
    if not user.may_see(period.advisers):
        raise HTTPException(
            403,
            f"{user.name} is not an adviser of {period.owner_name}'s period ({period.workflow_id}); "
            "its advisers and the coordinators may open it",
        )


def sign_in_url(next_path: str) -> str:
    return f"/login?next={quote(next_path, safe='')}"


def safe_next(next_path: str | None) -> str:
    """Where to go after signing in: only a path of this site (an open redirect would help phishing)."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/"
