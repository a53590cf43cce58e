"""The pages of the web app. Lists and reports read the record store; forms act through Temporal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates
from temporalio.service import RPCError

from domain.cohort import CohortStatus, Invitation, InvitationState
from domain.contract import cohort_workflow_id
from domain.gatherings import NationalGathering
from domain.models import PeriodStatus
from domain.period import PARTNERS, is_network_meeting
from language.current import gettext as _
from language.current import ngettext
from readmodel.competence import competence_lines, proposable
from readmodel.display import display_date
from readmodel.documents import DocumentError, report_html, report_pdf
from readmodel.filters import FilterError, OwnerFilter, invitation_facts, owner_filter, period_facts
from readmodel.labels import meeting_kind_label, milestone_label, phase_label
from readmodel.overview import DISPLAY_ZONE, local_today, overview_lines
from readmodel.records import PeriodRecords, PeriodRow, RecordReader
from readmodel.reports import cohort_report, report_csv
from readmodel.tasks import adviser_tasks
from readmodel.timeline import cohort_timeline_svg, timeline_rows
from starter import client as api
from starter import cohorts as cohort_api
from webapp import actions, own_changes
from webapp.auth import require_access, require_user, safe_next, sign_in, sign_out
from webapp.feeds import calendar_feed, feed_token, owner_feed_address, owner_feed_name, token_is_valid
from webapp.identity import NotAllowed
from webapp.page_work import off_loop
from webapp.security import content_disposition
from webapp.users import User

if TYPE_CHECKING:
    from temporalio.client import Client

    from webapp.app import WebApp

log = structlog.get_logger("webapp")
# Where to go after the identity provider sends the person back (kept in the session across the round trip).
OIDC_NEXT = "oidc_next"

FLASH = "flash"
# A page that asks a workflow for its state waits this long at most; a slow answer must not hold up the page.
STATUS_TIMEOUT = timedelta(seconds=3)
#: For this long after a person's own change to a period, their views of it ask the workflow where it stands: the
#: change's records are written just after its update answers (in a moment; while PostgreSQL struggles the workflow
#: holds a change for its records a minute at most). Every other view reads the record store alone, as the overview
#: does: a query costs the Temporal server and the worker about 17 ms of CPU (bench/web_load.py), which fifty people
#: browsing paid on every view.
OWN_CHANGE_SECONDS = 60.0


def _web(request: Request) -> WebApp:
    web: WebApp = request.app.state.web
    return web


async def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    *,
    computed: Callable[[], dict[str, Any]] | None = None,
) -> Response:
    """The page of `template`, rendered off the event loop (webapp/page_work.py). `computed` gives the values of
    the context that are CPU work over the rows (the overview's lines, the timeline, the report): computed there too.
    """
    templates: Jinja2Templates = request.app.state.templates

    def render() -> Response:
        full = {**context, **computed()} if computed is not None else context
        return templates.TemplateResponse(request, template, full, status_code=status_code)

    return await off_loop(render)


def _user(request: Request) -> User:
    return require_user(request, _web(request).users)


# --- signing in -----------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    user = require_user(request, _web(request).users, county_governors=True)
    if user.is_county_governor:
        return RedirectResponse("/assessments", status_code=303)
    return RedirectResponse("/cohorts" if user.is_coordinator else "/tasks", status_code=303)


async def login_form(request: Request) -> Response:
    return await _render(request, "login.html", {"next": safe_next(request.query_params.get("next")), "error": ""})


async def oidc_begin(request: Request) -> Response:
    """Send the person to the identity provider; they come back to `oidc_callback`."""
    identity = _web(request).identity
    if identity is None:
        raise HTTPException(404, _("no identity provider is configured (GUIDANCE_WEB_OIDC_ISSUER)"))
    request.session[OIDC_NEXT] = safe_next(request.query_params.get("next"))
    return await identity.begin(request)


async def oidc_callback(request: Request) -> Response:
    identity = _web(request).identity
    if identity is None:
        raise HTTPException(404, _("no identity provider is configured (GUIDANCE_WEB_OIDC_ISSUER)"))
    next_path = safe_next(request.session.get(OIDC_NEXT))
    try:
        user, id_token = await identity.finish(request)
    except NotAllowed as refusal:
        log.warning("sign_in_refused", provider=identity.name, reason=str(refusal))
        return await _render(request, "login.html", {"next": next_path, "error": str(refusal)}, 403)
    await sign_in(request, user, id_token=id_token)
    log.info("signed_in", user=user.name, role=user.role, provider=identity.name)
    return RedirectResponse(next_path, status_code=303)


async def login(request: Request) -> Response:
    web = _web(request)
    if not web.settings.passwords_allowed:
        raise HTTPException(403, _("signing in with a password is off here; sign in through the identity provider"))
    form = await request.form()
    # The name as the users file is searched for it (`UserDirectory.authenticate`): counted and logged as checked, so
    # spaces around it are no new name to guess under.
    name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")))
    address = request.client.host if request.client else "unknown"
    attempt = await web.sign_ins.begin(name, address)
    if isinstance(attempt, int):
        # Refused before the password is checked: guessing on costs the server no argon2 either.
        log.warning("sign_in_throttled", user=name, client=address, retry_after=attempt)
        minutes = max(1, round(attempt / 60))
        error = ngettext(
            "Too many failed sign-ins for this user name or from this address. Try again in %(num)s minute.",
            "Too many failed sign-ins for this user name or from this address. Try again in %(num)s minutes.",
            minutes,
        ) % {"num": minutes}
        refused = await _render(request, "login.html", {"next": next_path, "error": error, "username": name}, 429)
        refused.headers["Retry-After"] = str(attempt)
        return refused
    # argon2 is deliberately slow: check off the event loop so other requests go on meanwhile.
    user = await asyncio.to_thread(web.users.authenticate, name, password)
    if user is None:
        log.warning("sign_in_failed", user=name, client=address, failures_in_window=attempt.failures)
        # A small wait before the answer slows guessing down; the event loop serves others meanwhile.
        await asyncio.sleep(web.settings.sign_in_failure_delay)
        context = {"next": next_path, "error": _("Unknown user name or wrong password."), "username": name}
        return await _render(request, "login.html", context, status_code=401)
    await web.sign_ins.succeeded(name, address, attempt)
    await sign_in(request, user)
    log.info("signed_in", user=user.name, client=address)
    return RedirectResponse(next_path, status_code=303)


async def logout(request: Request) -> Response:
    web = _web(request)
    id_token = await sign_out(request, web.users)
    if id_token and web.identity is not None:
        # Also end the provider's session, or the next "sign in" would let the person straight back in.
        return await web.identity.end_session(request, id_token, str(request.url_for("login_form")))
    return RedirectResponse("/login", status_code=303)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


# --- cohorts --------------------------------------------------------------------------------------


async def cohorts(request: Request) -> Response:
    user = _user(request)
    reader = _web(request).reader
    periods = await reader.periods(adviser=None if user.is_coordinator else user.name)
    # A coordinator also sees a cohort whose owners have been invited but whose periods have not started.
    counts: dict[str, int] = dict.fromkeys(await reader.cohorts(), 0) if user.is_coordinator else {}
    for p in periods:
        counts[p.cohort] = counts.get(p.cohort, 0) + 1
    return await _render(request, "cohorts.html", {"cohorts": sorted(counts.items(), reverse=True)})


def _filters(request: Request, user: User) -> OwnerFilter:
    """The query string's filters (county, adviser, phase, overdue, state); an adviser sees their own periods only."""
    try:
        chosen = owner_filter(request.query_params)
    except FilterError as error:
        raise HTTPException(400, str(error)) from None
    return chosen if user.is_coordinator else replace(chosen, adviser=user.name)


@dataclass(frozen=True)
class _CohortView:
    """A cohort as the signed-in person may see it, filtered by the query's county and adviser."""

    user: User
    cohort: str
    records: PeriodRecords
    now: datetime
    chosen: OwnerFilter
    #: The periods of the query's county and adviser, before its other filters (phase, overdue, state).
    matching: list[PeriodRow]

    async def everyone(self, reader: RecordReader) -> list[PeriodRow]:
        """Every period of the cohort the person may see (an adviser: those they follow), whatever the query."""
        own = None if self.user.is_coordinator else self.user.name
        if self.chosen.county is None and self.chosen.adviser == own:
            return self.matching
        return await reader.periods(cohort=self.cohort, adviser=own)

    @property
    def title(self) -> str:
        return _("Cohort %(name)s") % {"name": self.cohort}


async def _cohort_view(request: Request) -> _CohortView:
    user, web = _user(request), _web(request)
    cohort = request.path_params["cohort"]
    chosen, now = _filters(request, user), web.clock()
    periods = await web.reader.periods(cohort=cohort, county=chosen.county, adviser=chosen.adviser)
    # Only a view with no period asks whether the cohort is there at all (a cohort of invitations only, or none).
    if not periods and not await web.reader.has_cohort(cohort):
        raise HTTPException(404, _("there is no cohort %(cohort)s in the record store") % {"cohort": repr(cohort)})
    shown = [p for p in periods if chosen.admits(period_facts(p, now))]
    return _CohortView(user, cohort, await web.reader.records(shown), now, chosen, periods)


async def _live_cohort(request: Request, cohort: str) -> CohortStatus | None:
    """The cohort workflow's own answer (its planned gatherings and every invitation), at most
    `cohort_status_seconds` old (webapp/live_cohorts.py), or None when Temporal does not answer soon or the cohort
    has ended (the page then says so)."""
    web = _web(request)

    async def ask() -> CohortStatus | None:
        try:
            client = await web.temporal()
            return await cohort_api.cohort_status(client, cohort, rpc_timeout=STATUS_TIMEOUT)
        except (RPCError, RuntimeError, api.GuidanceError, TimeoutError):
            return None

    return await web.cohorts.status(cohort, ask, web.cohorts.changed_at(request.session, cohort))


async def cohort(request: Request) -> Response:
    return await _cohort_page(request)


async def _cohort_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form: str = "",
    status_code: int = 200,
) -> Response:
    view = await _cohort_view(request)
    user = view.user
    everyone = await view.everyone(_web(request).reader)
    live = await _live_cohort(request, view.cohort)
    context = {
        "cohort": view.cohort,
        "live": live,
        # Every owner's invitation is the coordinators' business; an adviser sees the periods they follow.
        "invitations": await _chosen_invitations(request, view, live) if user.is_coordinator else [],
        "states": [s.value for s in InvitationState],
        "county": request.query_params.get("county", ""),
        "adviser": request.query_params.get("adviser", ""),
        "phase": request.query_params.get("phase", ""),
        "overdue": request.query_params.get("overdue", ""),
        "state": request.query_params.get("state", ""),
        "query": request.url.query,
        "open_invitations": [i for i in live.invitations if i.state.is_open] if live is not None else [],
        "today": local_today(view.now),
        "flash": request.session.pop(FLASH, ""),
        "errors": errors or {},
        "values": values or {},
        "form": form,
        # The letters the cohort sent (_cohort_letters.html): the coordinators' business.
        "letters": await _web(request).reader.cohort_letters(view.cohort) if user.is_coordinator else [],
        # What the mail server refused for good, of the cohort's letters and its periods' (_mail_failures.html).
        "mail_failures": (
            await _web(request).reader.failed_mail(
                [cohort_workflow_id(view.cohort), *(p.workflow_id for p in everyone)]
            )
            if user.is_coordinator
            else []
        ),
        "mail_failure_periods": {p.workflow_id for p in everyone},
    }

    def computed() -> dict[str, Any]:
        return {
            "lines": overview_lines(view.records, view.now),
            "timeline": cohort_timeline_svg(view.records, view.now, planned=live.gatherings if live else ()),
            "timeline_rows": timeline_rows(view.records, view.now),
            "report": cohort_report(view.cohort, view.records, view.now),
            "counties": sorted({p.county for p in everyone}),
            "advisers": sorted({a for p in everyone for a in p.advisers}),
            "phases": _phase_choices(view.records, everyone),
            # The plan that names each phase, for the filter's option text (the value stays the code).
            "phase_plans": view.records.phase_plans(),
        }

    return await _render(request, "cohort.html", context, status_code=status_code, computed=computed)


async def _chosen_invitations(request: Request, view: _CohortView, live: CohortStatus | None) -> list[Invitation]:
    """The cohort's invitations the query's filters choose (advisers as the record store's invitations name them)."""
    if live is None:
        return []
    if view.chosen.is_empty:
        return live.invitations
    advisers = {i.owner_id: i.advisers for i in await _web(request).reader.invitations(cohort=view.cohort)}
    return [i for i in live.invitations if view.chosen.admits(invitation_facts(i, advisers.get(i.owner_id)))]


def _phase_choices(records: PeriodRecords, everyone: list[PeriodRow]) -> list[str]:
    """The phases to filter by: the plans' own in their order, then any other a period is in (e.g. completed)."""
    planned = [name for p in everyone for name in records.plan_of(p).phases]
    return list(dict.fromkeys([*planned, *sorted({p.phase for p in everyone})]))


async def _planned_gatherings(request: Request, cohort: str) -> list[NationalGathering]:
    """The cohort's national gatherings as its workflow plans them; none when it does not answer."""
    live = await _live_cohort(request, cohort)
    return live.gatherings if live is not None else []


async def _cohort_action(
    request: Request, form_name: str, act: Callable[[Client, str, dict[str, str], User], Awaitable[str]]
) -> Response:
    """A cohort form's post (coordinators only): `act` sends the update and says what it did (the flash); a
    rejection shows the cohort page again with the message beside the field it names."""
    user = _user(request)
    if not user.is_coordinator:
        raise HTTPException(403, _("only a coordinator changes a cohort"))
    cohort_name = request.path_params["cohort"]
    web = _web(request)
    client = await web.temporal()

    async def acted(form: dict[str, str]) -> str:
        try:
            return await act(client, cohort_name, form, user)
        finally:
            # Whatever the update changed, this person's next page shows the workflow's answer as it is now.
            web.cohorts.note_change(request.session, cohort_name)

    async def again(errors: dict[str, str], form: dict[str, str]) -> Response:
        return await _cohort_page(request, errors=errors, values=form, form=form_name, status_code=422)

    return await _form_post(request, acted, again, f"/cohorts/{cohort_name}")


async def answer_invitation(request: Request) -> Response:
    async def act(client: Client, cohort_name: str, form: dict[str, str], user: User) -> str:
        answer = actions.answer_request(form)
        await actions.respond_to_invitation(client, cohort_name, answer)
        said = (
            _("Recorded that %(owner)s accepted (passed on by %(by)s).")
            if answer.answer == "accept"
            else _("Recorded that %(owner)s declined (passed on by %(by)s).")
        )
        return said % {"owner": answer.owner_id, "by": answer.by}

    return await _cohort_action(request, "answer", act)


async def add_gathering(request: Request) -> Response:
    async def act(client: Client, cohort_name: str, form: dict[str, str], user: User) -> str:
        added = actions.gathering_added(form, user.name)
        status = await actions.add_gathering(client, cohort_name, added)
        return _("Added %(title)s on %(day)s (%(created)s).") % {
            "title": added.title,
            "day": display_date(added.date),
            "created": status.created,
        }

    return await _cohort_action(request, "add-gathering", act)


async def move_gathering(request: Request) -> Response:
    async def act(client: Client, cohort_name: str, form: dict[str, str], user: User) -> str:
        moved = actions.gathering_moved(form, user.name)
        await actions.move_gathering(client, cohort_name, moved)
        return _("Moved %(gathering)s to %(day)s.") % {"gathering": moved.gathering_id, "day": display_date(moved.date)}

    return await _cohort_action(request, "move-gathering", act)


async def cohort_timeline(request: Request) -> Response:
    view = await _cohort_view(request)
    planned = await _planned_gatherings(request, view.cohort)
    svg = await off_loop(lambda: cohort_timeline_svg(view.records, view.now, title=view.title, planned=planned))
    return Response(svg, media_type="image/svg+xml")


async def cohort_report_page(request: Request) -> Response:
    view = await _cohort_view(request)
    planned = await _planned_gatherings(request, view.cohort)
    context = {"generated": view.now.astimezone(DISPLAY_ZONE), "query": request.url.query}

    def computed() -> dict[str, Any]:
        return {
            "report": cohort_report(view.cohort, view.records, view.now),
            "timeline": cohort_timeline_svg(view.records, view.now, title=view.title, planned=planned),
            "timeline_rows": timeline_rows(view.records, view.now),
        }

    return await _render(request, "report.html", context, computed=computed)


async def cohort_report_pdf(request: Request) -> Response:
    view = await _cohort_view(request)
    planned = await _planned_gatherings(request, view.cohort)

    def document() -> str:
        report = cohort_report(view.cohort, view.records, view.now)
        svg = cohort_timeline_svg(view.records, view.now, title=view.title, planned=planned)
        return report_html(report, svg, view.now, timeline_rows(view.records, view.now))

    html = await off_loop(document)
    try:
        # Chromium takes a second or two: off the event loop, so other requests go on meanwhile.
        # At most `pdf_renders_at_once` Chromiums at once (webapp/render_slots.py); the others wait or get 503.
        pdf = await _web(request).pdf_renders.render(lambda: report_pdf(html))
    except DocumentError as error:
        raise HTTPException(503, _("The PDF cannot be made on this server: %(error)s") % {"error": error}) from None
    headers = {"Content-Disposition": content_disposition("inline", f"cohort-{view.cohort}-progress.pdf")}
    return Response(pdf, media_type="application/pdf", headers=headers)


async def cohort_report_csv(request: Request) -> Response:
    view = await _cohort_view(request)
    csv = await off_loop(lambda: report_csv(cohort_report(view.cohort, view.records, view.now)))
    headers = {"Content-Disposition": content_disposition("attachment", f"cohort-{view.cohort}-progress.csv")}
    return Response(csv, media_type="text/csv; charset=utf-8", headers=headers)


# --- a period -------------------------------------------------------------------------------------


async def _period_row(request: Request, user: User) -> PeriodRow:
    workflow_id = request.path_params["workflow_id"]
    period = await _web(request).reader.period(workflow_id)
    if period is None:
        raise HTTPException(404, _("no guidance period %(period)s in the record store") % {"period": repr(workflow_id)})
    require_access(user, period)
    return period


def _period_change(workflow_id: str) -> str:
    """What a change of the period is noted as in the person's session (webapp/own_changes.py)."""
    return f"period {workflow_id}"


async def _live_status(request: Request, workflow_id: str) -> PeriodStatus | None:
    """The workflow's own answer, or None when Temporal does not answer soon (the page then shows the store's)."""
    try:
        client = await _web(request).temporal()
        return await api.period_status(client, workflow_id, rpc_timeout=STATUS_TIMEOUT)
    except (RPCError, RuntimeError, api.GuidanceError, TimeoutError):
        return None


async def _period_page(
    request: Request,
    user: User,
    period: PeriodRow,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form: str = "",
    status_code: int = 200,
) -> Response:
    web = _web(request)
    records = await web.reader.records([period])
    now = web.clock()
    changed = own_changes.noted_at(request.session, _period_change(period.workflow_id))
    # Either way round: another instance's clock may run a little ahead of this one's.
    ask_workflow = changed is not None and abs(now.timestamp() - changed) < OWN_CHANGE_SECONDS
    status = await _live_status(request, period.workflow_id) if ask_workflow else None
    phase = str(status.phase) if status is not None else period.phase
    plan = records.plan_of(period)
    kept = records.contacts.get(period.workflow_id)
    context = {
        "period": period,
        # The owner's contact person: the period's own (who set it, when), else the people file's default.
        "kept_contact": kept,
        "contact": web.people.owner_contact(period.owner_id, kept.person if kept else None),
        "status": status,
        "asked_workflow": ask_workflow,
        "phase": phase,
        "milestones": records.milestones_of(period.workflow_id),
        "meetings": records.meetings_of(period.workflow_id),
        # A meeting may be moved while it lies ahead and stands; the form offers those by date, kind and title.
        "movable_meetings": [
            m for m in records.standing_meetings_of(period.workflow_id) if m.meeting_date >= local_today(now)
        ],
        # ... and cancelled while it has not begun; the cohort keeps its network meetings.
        "cancellable_meetings": [
            m
            for m in records.standing_meetings_of(period.workflow_id)
            if m.starts_at > now and not is_network_meeting(m.meeting_id)
        ],
        "transitions": records.transitions_of(period.workflow_id),
        "gatherings": records.gatherings_of(period.workflow_id),
        # Competence environments: every cycle's, and those of the register an adviser may propose for the area.
        "proposable": proposable(status.development_area if status is not None else period.development_area),
        "audit_log": await web.reader.audit_log(period.workflow_id),
        "plan": plan,
        "next_milestone": plan.closing_milestone(phase) or "",
        "may_skip": phase in plan.optional_phases,
        "partners": PARTNERS,
        "meeting_kinds": plan.meeting_kinds,
        "acting_advisers": period.advisers if user.is_coordinator else [user.name],
        "temporal_link": web.temporal_ui_link(period.workflow_id),
        "owner_feed": owner_feed_address(web.secret, period.owner_id, user.name),
        "flash": request.session.pop(FLASH, ""),
        "errors": errors or {},
        "values": values or {},
        "form": form,
        # A period takes updates while it is in one of its plan's working phases.
        "is_open": period.is_open and (phase in plan.phases or not plan.phases),
        # Mail of the period the mail server refused for good (_mail_failures.html): the coordinators' business.
        "mail_failures": await web.reader.failed_mail([period.workflow_id]) if user.is_coordinator else [],
    }

    def computed() -> dict[str, Any]:
        return {
            "overview": overview_lines(records, now)[0],
            "competence": competence_lines(records.competence_of(period.workflow_id)),
            "timeline": cohort_timeline_svg(records, now),
            "timeline_rows": timeline_rows(records, now),
        }

    return await _render(request, "period.html", context, status_code=status_code, computed=computed)


async def period(request: Request) -> Response:
    user = _user(request)
    return await _period_page(request, user, await _period_row(request, user))


def _acting_adviser(user: User, period: PeriodRow, form: dict[str, str]) -> str:
    """Who the update names: an adviser acts as themself; a coordinator picks one of the period's advisers."""
    if not user.is_coordinator:
        return user.name
    chosen = form.get("adviser", "")
    return chosen if chosen in period.advisers else (period.advisers[0] if period.advisers else user.name)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def _period_action(
    request: Request, form_name: str, act: Callable[[Client, PeriodRow, dict[str, str], str], Awaitable[str]]
) -> Response:
    """A period form's post: `act` builds the update from the form, sends it and says what it did (the flash);
    a rejection shows the period page again with the message beside the field it names."""
    user = _user(request)
    period = await _period_row(request, user)
    client = await _web(request).temporal()
    return await period_form_post(
        request, user, period, form_name, lambda form: act(client, period, form, _acting_adviser(user, period, form))
    )


async def period_form_post(
    request: Request, user: User, period: PeriodRow, form_name: str, act: Callable[[dict[str, str]], Awaitable[str]]
) -> Response:
    """Every period form's post (`_form_post`): a rejection shows the period page again, the form's messages beside
    its fields; and whatever the update changed, the person's next views of the period ask its workflow for
    `OWN_CHANGE_SECONDS` (`_period_page`)."""

    async def noted(form: dict[str, str]) -> str:
        try:
            return await act(form)
        finally:
            own_changes.note(request.session, _period_change(period.workflow_id), _web(request).clock().timestamp())

    async def again(errors: dict[str, str], form: dict[str, str]) -> Response:
        return await _period_page(request, user, period, errors=errors, values=form, form=form_name, status_code=422)

    return await _form_post(request, noted, again, f"/periods/{period.workflow_id}")


async def _form_post(
    request: Request,
    act: Callable[[dict[str, str]], Awaitable[str]],
    again: Callable[[dict[str, str], dict[str, str]], Awaitable[Response]],
    done_at: str,
) -> Response:
    """Every form's post: `act` sends the update built from the form and says what it did (the flash shown at
    `done_at`); a rejection shows the page `again`, with each message beside the field it names and what was
    typed kept."""
    form = await _form(request)
    try:
        done = await act(form)
    except actions.FormRejected as rejected:
        return await again(rejected.errors, form)
    request.session[FLASH] = done
    return RedirectResponse(done_at, status_code=303)


async def record_milestone(request: Request) -> Response:
    async def act(client: Client, period: PeriodRow, form: dict[str, str], adviser: str) -> str:
        update = actions.milestone_update(form, adviser)
        status = await actions.record_milestone(client, period.workflow_id, update)
        # The milestone and phase as the plan names them in the reader's language (readmodel.labels).
        return _("Recorded %(milestone)s: the period is now in %(phase)s.") % {
            "milestone": milestone_label(period.plan, update.milestone),
            "phase": phase_label(period.plan, status.phase),
        }

    return await _period_action(request, "milestone", act)


async def schedule_meeting(request: Request) -> Response:
    async def act(client: Client, period: PeriodRow, form: dict[str, str], adviser: str) -> str:
        meeting = actions.meeting_request(form, adviser)
        await actions.schedule_meeting(client, period.workflow_id, meeting)
        return _("Scheduled %(kind)s on %(day)s at %(time)s.") % {
            "kind": meeting_kind_label(period.plan, meeting.kind),
            "day": display_date(meeting.date),
            "time": f"{meeting.start:%H:%M}",
        }

    return await _period_action(request, "meeting", act)


# --- an adviser's tasks ---------------------------------------------------------------------------


async def tasks(request: Request) -> Response:
    """An adviser's own tasks; a coordinator sees every adviser's, or one adviser's when chosen."""
    user = _user(request)
    web = _web(request)
    advisers = await web.reader.advisers() if user.is_coordinator else [user.name]
    adviser = (request.query_params.get("adviser") or None) if user.is_coordinator else user.name
    if adviser is not None and adviser not in advisers:
        adviser = None  # an adviser with no open period: show every adviser's tasks
    periods = await web.reader.periods(adviser=adviser)
    records, now = await web.reader.records(periods), web.clock()
    context = {
        "adviser": adviser or "",
        "advisers": advisers,
        "feed": f"/feeds/advisers/{adviser}.ics?token={feed_token(web.secret, 'adviser', adviser)}" if adviser else "",
    }
    return await _render(request, "tasks.html", context, computed=lambda: {"tasks": adviser_tasks(records, now)})


# --- calendar feeds -------------------------------------------------------------------------------


def _check_token(request: Request, kind: str, name: str) -> None:
    """Refuse a missing or wrong token with 404, so a guessed address tells nothing about who exists."""
    token = request.query_params.get("token", "")
    if kind not in ("adviser", "owner") or not token_is_valid(_web(request).secret, kind, name, token):  # type: ignore[arg-type]
        raise HTTPException(404, _("no such calendar feed"))


async def adviser_feed(request: Request) -> Response:
    name = request.path_params["name"]
    _check_token(request, "adviser", name)
    web = _web(request)
    records = await web.reader.records(await web.reader.periods(adviser=name))
    return Response(
        calendar_feed(records, name=name, now=web.clock(), people=web.people), media_type="text/calendar; charset=utf-8"
    )


async def owner_feed(request: Request) -> Response:
    """An owner's meetings and gatherings, of the periods the link's viewer may open (webapp/feeds.py)."""
    owner_id = request.path_params["owner_id"]
    viewer = request.query_params.get("for", "")
    _check_token(request, "owner", owner_feed_name(owner_id, viewer))
    web = _web(request)
    user = web.users.get(viewer)
    if user is None:
        raise HTTPException(404, _("no such calendar feed"))  # its user has been removed: the link is dead
    periods = [p for p in await web.reader.periods(owner_id=owner_id) if user.may_see(p.advisers)]
    name = periods[0].owner_name if periods else owner_id
    records = await web.reader.records(periods)
    return Response(
        calendar_feed(records, name=name, now=web.clock(), people=web.people), media_type="text/calendar; charset=utf-8"
    )
