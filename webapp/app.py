"""The web application: Starlette routes, Jinja2 templates, signed-cookie sessions and CSRF protection.

`create_app` wires the pieces; the pages themselves are in `webapp.pages`. The record store is read
through the read model (`readmodel.records.RecordReader`), whose report templates and document sheet the pages
share; every action goes to Temporal through `starter.client`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp
from temporalio.client import Client

from config.people import People
from config.settings import AppSettings
from domain.contract import TASK_QUEUE
from language import jinja as language_jinja
from readmodel import display, documents
from readmodel.overview import DISPLAY_ZONE, deadline_day
from readmodel.records import RecordReader
from readmodel.rendering import FreedTemplate
from readmodel.search import MAX_QUERY_LENGTH
from webapp import (
    assessment_pages,
    mailbox_pages,
    outcome_pages,
    pages,
    period_actions,
    search_pages,
    selection_pages,
)
from webapp.auth import RevokedSessions, SignInRequired, current_user, sign_in_url
from webapp.csrf import MultipartCsrfToken, csrf_failed
from webapp.identity import IdentityProvider
from webapp.language_choice import LanguageMiddleware, choose_language
from webapp.limits import RequestBounds
from webapp.live_cohorts import LiveCohorts
from webapp.render_slots import RenderSlots
from webapp.security import SecurityHeaders, SessionBoundCsrf
from webapp.sessions import SessionGenerations
from webapp.settings import WebSettings
from webapp.throttle import SignInThrottle
from webapp.users import UserDirectory

HERE = Path(__file__).parent
ClientProvider = Callable[[], Awaitable[Client]]


@dataclass
class WebApp:
    """What every page needs: the record store, Temporal, the users, the settings and the clock."""

    reader: RecordReader
    temporal: ClientProvider
    users: UserDirectory
    settings: WebSettings
    secret: str
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    #: Where the workers listen (a test's own queue; otherwise the engine's).
    task_queue: str = TASK_QUEUE
    #: Who receives what (config/people.py): the advisers' addresses and the owners' default contacts, for the
    #: period page's contact and the calendar feeds' ORGANIZER and ATTENDEEs; nobody: every address by the domain.
    people: People = field(default_factory=lambda: People(AppSettings.model_fields["adviser_mail_domain"].default))
    #: The app's own limits, revocations and short memory (webapp/throttle.py, render_slots.py, live_cohorts.py,
    #: sessions.py), from the settings.
    sign_ins: SignInThrottle = field(init=False)
    pdf_renders: RenderSlots = field(init=False)
    cohorts: LiveCohorts = field(init=False)
    sessions: SessionGenerations = field(init=False)
    #: The identity provider people sign in through, if one is configured.
    identity: IdentityProvider | None = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        mailbox_pages.check_dev_mailbox(s)
        self.identity = IdentityProvider(s) if s.oidc_issuer is not None else None
        self.sign_ins = SignInThrottle(
            self.reader.pool,
            _derived(self.secret, "sign-in-throttle"),
            per_name=s.sign_in_failures_per_name,
            per_address=s.sign_in_failures_per_address,
            window_seconds=s.sign_in_window_seconds,
        )
        self.pdf_renders = RenderSlots(self.reader.pool, s.pdf_renders_at_once, s.pdf_wait_seconds)
        self.cohorts = LiveCohorts(s.cohort_status_seconds)
        self.sessions = SessionGenerations(self.reader.pool)

    def temporal_ui_link(self, workflow_id: str) -> str:
        """The period's workflow in the Temporal Web UI."""
        base = self.settings.temporal_ui_url.rstrip("/")
        return f"{base}/namespaces/{self.settings.temporal_namespace}/workflows/{workflow_id}"


def _derived(secret: str, purpose: str) -> str:
    """A key of its own for each use of the one secret, so a leak of one (e.g. a feed token) opens nothing else."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def _template_globals(request: Request) -> dict[str, Any]:
    web: WebApp = request.app.state.web
    token = request.scope.get("csrftoken")
    return {
        "user": current_user(request, web.users),
        "csrf_token": token() if callable(token) else "",
        "web": web,
        "tz": DISPLAY_ZONE,
        "deadline_day": deadline_day,
        # The header's search box takes what the search takes.
        "search_max_length": MAX_QUERY_LENGTH,
    }


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(sign_in_url(exc.next_path), status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": exc.status_code, "message": exc.detail},
        status_code=exc.status_code,
        headers=exc.headers,
    )


def _style_dir(settings: WebSettings) -> Path:
    """Designsystemet's installed `dist` folder; without it every page would be unstyled: the app refuses to start."""
    if not (settings.style_dir / "src" / "index.css").is_file():
        raise RuntimeError(
            f"no Designsystemet at {settings.style_dir}: run `make` (npm ci) or set GUIDANCE_WEB_STYLE_DIR"
        )
    return settings.style_dir


def page_templates() -> Jinja2Templates:
    """The pages' templates: their own first, then the read model's (the report page includes the report's body)."""
    templates = Jinja2Templates(
        directory=[HERE / "templates", documents.TEMPLATES], context_processors=[_template_globals]
    )
    templates.env.filters.update(display.FILTERS)
    # The templates ship with the code and change with it (a restart): not one stat() per template and include on
    # every page, which Jinja's default reload check costs.
    templates.env.auto_reload = False
    templates.env.template_class = FreedTemplate
    language_jinja.install(templates.env)
    return templates


def compile_all(templates: Jinja2Templates) -> list[str]:
    """Compile every template now (the names, in order), as a serving process does before it serves: otherwise the
    first pages after a start wait for the templates they use (half a second of CPU for all of them), and a
    template that does not compile shows only when someone opens its page."""
    names = templates.env.list_templates()
    for name in names:
        templates.env.get_template(name)
    return names


def create_app(web: WebApp, *, compiled: bool = False) -> ASGIApp:
    """The ASGI application for `web`, wrapped in CSRF protection (every form carries the token); with `compiled`,
    its templates compiled before it answers (`compile_all`; the tests' many apps leave them to their pages)."""
    templates = page_templates()
    if compiled:
        compile_all(templates)
    app = Starlette(
        routes=[
            Route("/", pages.home),
            Route("/login", pages.login_form, methods=["GET"], name="login_form"),
            Route("/login", pages.login, methods=["POST"]),
            Route("/logout", pages.logout, methods=["POST"]),
            Route("/login/oidc", pages.oidc_begin, methods=["GET"]),
            Route("/login/oidc/callback", pages.oidc_callback, methods=["GET"], name="oidc_callback"),
            Route("/healthz", pages.healthz),
            Route("/language", choose_language, methods=["POST"]),
            Route("/cohorts", pages.cohorts),
            Route("/cohorts/{cohort}", pages.cohort),
            Route("/cohorts/{cohort}/answer", pages.answer_invitation, methods=["POST"]),
            Route("/cohorts/{cohort}/gatherings/add", pages.add_gathering, methods=["POST"]),
            Route("/cohorts/{cohort}/gatherings/move", pages.move_gathering, methods=["POST"]),
            Route("/cohorts/{cohort}/timeline.svg", pages.cohort_timeline),
            Route("/cohorts/{cohort}/report", pages.cohort_report_page),
            Route("/cohorts/{cohort}/report.csv", pages.cohort_report_csv),
            Route("/cohorts/{cohort}/report.pdf", pages.cohort_report_pdf),
            Route("/periods/{workflow_id}", pages.period),
            Route("/periods/{workflow_id}/milestone", pages.record_milestone, methods=["POST"]),
            Route("/periods/{workflow_id}/meeting", pages.schedule_meeting, methods=["POST"]),
            Route("/periods/{workflow_id}/withdraw", period_actions.withdraw, methods=["POST"]),
            Route(
                "/periods/{workflow_id}/meetings/{meeting_id}/cancel", period_actions.cancel_meeting, methods=["POST"]
            ),
            Route("/periods/{workflow_id}/advisers", period_actions.change_advisers, methods=["POST"]),
            Route("/periods/{workflow_id}/contact", period_actions.set_contact, methods=["POST"]),
            Route("/periods/{workflow_id}/competence", period_actions.record_competence, methods=["POST"]),
            Route("/tasks", pages.tasks),
            Route("/search", search_pages.search),
            Route("/feeds/advisers/{name}.ics", pages.adviser_feed),
            Route("/feeds/owners/{owner_id}.ics", pages.owner_feed),
            *selection_pages.ROUTES,
            *outcome_pages.ROUTES,
            *assessment_pages.ROUTES,
            *mailbox_pages.ROUTES,
            # Designsystemet's sheets from the installed npm package (mounted before /static, which would take it).
            Mount("/static/ds", StaticFiles(directory=_style_dir(web.settings)), name="designsystemet"),
            # The pages' sheet, and the read model's document sheet it builds on.
            Mount("/static", StaticFiles(directory=HERE / "static", packages=[("readmodel", "static")]), name="static"),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=_derived(web.secret, "session"),
                max_age=web.settings.session_max_age,
                same_site="lax",
                https_only=web.settings.secure_cookies,
            ),
            # Before anything reads the session: a revoked one has no user by then.
            Middleware(RevokedSessions, generations=web.sessions),
            Middleware(
                SessionBoundCsrf,
                signing_secret=_derived(web.secret, "csrf"),
                binding_key=_derived(web.secret, "csrf-session-binding"),
                secure=web.settings.secure_cookies,
            ),
            # After the session: a person's chosen language is kept there.
            Middleware(LanguageMiddleware),
        ],
        exception_handlers={SignInRequired: _sign_in_first, HTTPException: _http_error},
    )
    app.state.web = web
    app.state.templates = templates
    protected: ASGIApp = asgi_csrf(
        app,
        signing_secret=_derived(web.secret, "csrf"),
        # Without cookies the library lets a POST through (nothing to forge); signing in must still carry a token.
        always_protect={"/login", "/logout"},
        cookie_secure=web.settings.secure_cookies,
        send_csrf_failed=csrf_failed,
    )
    # asgi-csrf cannot read a multipart form's token itself any more (webapp/csrf.py): handed over as its header.
    multipart: ASGIApp = MultipartCsrfToken(protected, signing_secret=_derived(web.secret, "csrf"))
    # Bounds first (webapp/limits.py): nothing reads a body, not even asgi-csrf, before its size is checked.
    bounded = RequestBounds(
        multipart, max_form_bytes=web.settings.max_form_bytes, max_form_fields=web.settings.max_form_fields
    )
    # Signing out posts a form whose answer redirects to the identity provider's end-session page.
    targets = web.identity.form_targets if web.identity is not None else tuple
    return SecurityHeaders(bounded, hsts=web.settings.secure_cookies, form_targets=targets)
