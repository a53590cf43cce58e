"""Selecting school owners and starting their cohort in the web app (coordinators only; advisers get 403).

The same path as the command line, page by page:

- ``/selection``: upload an indicator file (the layout `guidance select` reads; its problems are shown by line
  and column) or pick one uploaded before, and the decisions saved so far;
- ``/selection/files/{sha256}``: the file's shortlist, scored by the same rules as `guidance select`, and the
  decision form: which owners, their advisers, the cohort's name, start date and plan;
- ``/selection/files/{sha256}/assessment``: ask the county governors to assess the shortlist's spread-track owners
  (`webapp.assessment_pages` shows and records their answers); ``?assessment=COHORT`` on the shortlist shows each
  one's state beside the scores;
- ``/selection/decisions/{cohort}``: a saved decision (by whom, when, on which file), and the button that starts
  the cohort from it, as `guidance cohort start` would;
- ``/cohorts/{cohort}/letters/{key}``: one letter or invitation the cohort sent (listed on the cohort page).

A decision is saved by `SelectionDecisionWorkflow` (`starter.decisions`), never written here; the cohort is
started through `starter.cohorts.start_cohort`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.service import RPCError

from config.owners import owner_by_id
from config.settings import known_plans
from domain.assessment import DEFAULT_ASSESSMENT_DAYS, AssessmentStatus
from domain.cohort import CohortInput, CohortOwner
from domain.selection_decision import MAX_DECISION_OWNERS, DecisionForm, SelectionDecision
from language.current import gettext as _
from language.current import ngettext
from readmodel.assessments import state_label
from selection.indicator_file import FileProblems
from selection.scoring import Shortlist
from selection.shortlist_facts import facts, missing_note, notes, percent
from starter import assessments, decisions
from starter import client as api
from starter import cohorts as cohort_api
from webapp.actions import ANSWER_TIMEOUT, FormRejected
from webapp.form_errors import FORM, field_errors, said
from webapp.indicator_files import MAX_UPLOAD_BYTES, IndicatorFile, IndicatorFiles, UploadTooLarge
from webapp.pages import FLASH, _render, _user, _web
from webapp.users import User

#: The form field of the upload.
UPLOAD_FIELD = "indicators"
#: Room for the form's other fields and the multipart framing beside the file.
UPLOAD_OVERHEAD = 64 * 1024
#: The fields of each owner's row of the decision form, named ``{field}-{owner id}``.
OWNER_FIELDS = ("owner", "advisers", "network", "kindergarten")
#: How long the start waits for the cohort's first records before showing its page (it shows a starting cohort).
COHORT_RECORDED_SECONDS = 15.0


def _coordinator(request: Request) -> User:
    user = _user(request)
    if not user.is_coordinator:
        raise HTTPException(
            403,
            _("%(user)s is an adviser; only a coordinator selects school owners and starts cohorts")
            % {"user": user.name},
        )
    return user


def _files(request: Request) -> IndicatorFiles:
    return IndicatorFiles(_web(request).reader.pool)


# --- upload or pick a file ------------------------------------------------------------------------


async def selection(request: Request) -> Response:
    _coordinator(request)
    return await _selection_page(request)


async def _selection_page(
    request: Request, *, problems: FileProblems | None = None, error: str = "", status_code: int = 200
) -> Response:
    context = {
        "files": await _files(request).listed(),
        "decisions": await _web(request).reader.decisions(),
        "problems": problems,
        "upload_error": error,
        "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
        "flash": request.session.pop(FLASH, ""),
    }
    return await _render(request, "selection.html", context, status_code=status_code)


class UploadRefused(Exception):
    """An upload not kept: what to say above the form (`error`) or the file's problems, and the status."""

    def __init__(self, status_code: int, error: str = "", problems: FileProblems | None = None) -> None:
        super().__init__(error or str(problems))
        self.status_code = status_code
        self.error = error
        self.problems = problems


async def received_file(request: Request, user: User) -> IndicatorFile:
    """Keep the indicator file of an upload form (field `UPLOAD_FIELD`) that reads as `guidance select` reads it;
    the selection's upload and a cohort's later file for its outcomes (webapp/outcome_pages.py) both take it so.

    Raises:
        UploadRefused: no size said, too large, no file, or a file with problems.
    """
    files = _files(request)
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise UploadRefused(411, _("the upload did not say its size; send it from the form"))
    if int(length) > MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD:
        # Refused before reading: the server never holds more than the bound.
        raise UploadRefused(413, str(UploadTooLarge(int(length))))
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get(UPLOAD_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRefused(422, _("choose an indicator file to upload"))
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    name = upload.filename
    try:
        await asyncio.to_thread(files.check, data, name)
    except UploadTooLarge as too_large:
        raise UploadRefused(413, str(too_large)) from None
    except FileProblems as problems:
        raise UploadRefused(422, problems=problems) from None
    kept = await files.keep(data, name, user.name, _web(request).clock())
    request.session[FLASH] = _("Read %(file)s: no problems found.") % {"file": kept.name}
    return kept


async def upload(request: Request) -> Response:
    """Keep an uploaded indicator file that reads as `guidance select` reads it; else show its problems."""
    user = _coordinator(request)
    try:
        kept = await received_file(request, user)
    except UploadRefused as refused:
        return await _selection_page(
            request, error=refused.error, problems=refused.problems, status_code=refused.status_code
        )
    return RedirectResponse(f"/selection/files/{kept.sha256}", status_code=303)


# --- the shortlist and the decision ---------------------------------------------------------------


async def _kept(request: Request) -> tuple[IndicatorFile, Shortlist]:
    files = _files(request)
    found = await files.get(request.path_params["sha256"])
    if found is None:
        raise HTTPException(404, _("no indicator file with that content has been uploaded"))
    return found, await files.shortlist(found.sha256)


async def _advisers(request: Request) -> list[str]:
    """The advisers a coordinator may assign: every adviser who may sign in, and every adviser of an open period."""
    web = _web(request)
    return sorted({*web.users.names("adviser"), *await web.reader.advisers()})


async def shortlist(request: Request) -> Response:
    _coordinator(request)
    return await _shortlist_page(request)


async def _shortlist_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
    status_code: int = 200,
    form_name: str = "decision",
) -> Response:
    kept, found = await _kept(request)
    chosen = set(form.getlist("owner")) if form is not None else set()
    assessment = await _assessment(request)
    context: dict[str, Any] = {
        "assessment": assessment,
        "assessment_states": (
            {r.owner_id: state_label(r, assessment) for r in assessment.requests} if assessment is not None else {}
        ),
        "file": kept,
        "shortlist": found,
        "entries": [facts(entry) for entry in found.selected],
        "notes": notes(found),
        "missing_note": missing_note(),
        "percent": percent,
        "advisers": await _advisers(request),
        "plans": known_plans(),
        "errors": errors or {},
        "values": {k: v for k, v in form.items() if isinstance(v, str)} if form is not None else {},
        "chosen": chosen if form_name == "decision" else set(),
        "chosen_advisers": {o: form.getlist(f"advisers-{o}") for o in chosen} if form is not None else {},
        "form": form_name if form is not None else "",
        # The errors shown beside their fields; any other shows above the form.
        "inline_fields": [
            "cohort",
            "start_date",
            "plan",
            "owners",
            *(f"{kind}-{e.assessment.owner_id}" for e in found.selected for kind in OWNER_FIELDS),
        ],
        # Where the error summary's links lead when a field's id is not its name: the owner's tick box; the
        # shortlist itself for "choose at least one owner".
        "field_ids": {
            "owners": "shortlist",
            **{f"owner-{e.assessment.owner_id}": f"owner-{e.assessment.owner_id}-box" for e in found.selected},
        },
        "flash": request.session.pop(FLASH, ""),
    }
    return await _render(request, "shortlist.html", context, status_code=status_code)


async def _assessment(request: Request) -> AssessmentStatus | None:
    """The county governors' assessment the shortlist shows beside the scores (``?assessment=COHORT``), if any."""
    cohort = request.query_params.get("assessment", "")
    if not cohort or len(cohort) > 32:
        return None
    try:
        async with asyncio.timeout(ANSWER_TIMEOUT.total_seconds()):
            return await assessments.assessment_status(await _web(request).temporal(), cohort)
    except (RPCError, TimeoutError):
        return None  # the shortlist still shows; the assessment page says what is wrong


async def start_assessment(request: Request) -> Response:
    """Ask the county governors to assess the shortlist's spread-track owners, then show the assessment."""
    user = _coordinator(request)
    web = _web(request)
    kept, found = await _kept(request)
    form = await request.form(max_files=0, max_fields=8)
    cohort, days = _text(form, "assessment_cohort"), _text(form, "reply_days") or str(DEFAULT_ASSESSMENT_DAYS)
    try:
        try:
            given = assessments.assessment_input(
                found, cohort, user.name, indicator_file=kept.sha256, reply_days=int(days) if days.isdigit() else -1
            )
        except ValidationError as error:
            names = {"cohort": "assessment_cohort", "reply_days": "reply_days", "reminder_days": "reply_days"}
            raise FormRejected(field_errors(error, lambda loc: names.get(str(loc[0]), FORM) if loc else FORM)) from None
        except assessments.NoSpreadTrack as none:
            raise FormRejected(
                {FORM: _("the shortlist has no school owner on the spread track; there is nothing to assess")}
            ) from none
        async with asyncio.timeout(ANSWER_TIMEOUT.total_seconds()):
            await assessments.start_assessment(await web.temporal(), given, task_queue=web.task_queue)
    except FormRejected as rejected:
        return await _shortlist_page(
            request, errors=rejected.errors, form=form, status_code=422, form_name="assessment"
        )
    except assessments.AssessmentAlreadyStarted:
        message = _("the county governors have been asked to assess cohort %(cohort)s already") % {"cohort": cohort}
        errors = {"assessment_cohort": said("assessment_cohort", message)}
        return await _shortlist_page(request, errors=errors, form=form, status_code=409, form_name="assessment")
    except (RPCError, TimeoutError) as error:
        errors = {FORM: _("Temporal did not answer (%(error)s)") % {"error": error or _("timed out")}}
        return await _shortlist_page(request, errors=errors, form=form, status_code=503, form_name="assessment")
    request.session[FLASH] = _("Asked the county governors to assess %(num)s school owners of cohort %(cohort)s.") % {
        "num": len(given.owners),
        "cohort": cohort,
    }
    return RedirectResponse(f"/assessments/{cohort}", status_code=303)


def decision_form(form: FormData, shortlist: Shortlist, advisers: list[str], plans: list[str]) -> DecisionForm:
    """The decision the form asks for, checked against this shortlist, the advisers and the plans.

    Raises:
        FormRejected: what is wrong, by form field (``owners``, ``advisers-3301``, ``start_date``, ...).
    """
    chosen = form.getlist("owner")
    if len(chosen) > MAX_DECISION_OWNERS:
        raise FormRejected(
            {"owners": said("owners", _("at most %(num)s owners in one decision") % {"num": MAX_DECISION_OWNERS})}
        )
    owners = [
        {
            "owner_id": owner_id,
            "advisers": [a for a in form.getlist(f"advisers-{owner_id}") if isinstance(a, str) and a],
            "network": _text(form, f"network-{owner_id}") or None,
            "kindergarten_transition": form.get(f"kindergarten-{owner_id}") == "on",
        }
        for owner_id in chosen
        if isinstance(owner_id, str)
    ]
    fields = {
        "cohort": _text(form, "cohort"),
        "start_date": _text(form, "start_date"),
        "plan": _text(form, "plan") or "veilederkorpset",
        "owners": owners,
    }
    context = {
        "owners": [entry.assessment.owner_id for entry in shortlist.selected],
        "advisers": advisers,
        "plans": plans,
    }
    try:
        return DecisionForm.model_validate(fields, context=context)
    except ValidationError as error:
        raise FormRejected(_field_errors(error, [str(o["owner_id"]) for o in owners])) from None


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _field_errors(error: ValidationError, owner_ids: list[str]) -> dict[str, str]:
    """Each problem under the form field it is about: ``owners.2.advisers`` is the third chosen owner's advisers."""

    def field_of(loc: tuple[int | str, ...]) -> str:
        if loc[:1] == ("owners",) and len(loc) >= 3 and isinstance(loc[1], int) and loc[1] < len(owner_ids):
            sub = "owner" if loc[2] == "owner_id" else str(loc[2]).replace("kindergarten_transition", "kindergarten")
            return f"{sub}-{owner_ids[loc[1]]}"
        if loc[:1] == ("owners",):
            return "owners"
        return str(loc[0]) if loc else FORM

    errors = field_errors(error, field_of)
    if any(p["loc"] == ("owners",) and p["type"] == "too_short" for p in error.errors(include_url=False)):
        errors["owners"] = said("owners", _("tick at least one owner to invite"))
    return errors


def selection_decision(
    chosen: DecisionForm, decided_by: str, indicator_file: str, shortlist: Shortlist
) -> SelectionDecision:
    """The decision to save: the cohort's `CohortInput`, built as `guidance cohort start` builds it (owners from
    the owner register, one adviser list per owner)."""
    ranks = {entry.assessment.owner_id: entry.rank for entry in shortlist.selected}
    cohort = CohortInput(
        cohort=chosen.cohort,
        start_date=chosen.start_date,
        plan=chosen.plan,
        owners=[
            CohortOwner(
                owner=owner_by_id(o.owner_id),
                advisers=o.advisers,
                network=o.network,
                kindergarten_transition=o.kindergarten_transition,
            )
            for o in chosen.owners
        ],
    )
    return SelectionDecision(
        cohort=cohort,
        decided_by=decided_by,
        indicator_file=indicator_file,
        ranks={o.owner_id: ranks[o.owner_id] for o in chosen.owners},
    )


async def save_decision(request: Request) -> Response:
    user = _coordinator(request)
    web = _web(request)
    kept, found = await _kept(request)
    form = await request.form(max_files=0, max_fields=8 * MAX_DECISION_OWNERS + 10)
    try:
        chosen = decision_form(form, found, await _advisers(request), known_plans())
        if await web.reader.decision(chosen.cohort) is not None or await web.reader.has_cohort(chosen.cohort):
            raise FormRejected(
                {
                    "cohort": said(
                        "cohort",
                        _("cohort %(name)s has a decision or has started already; name a new one")
                        % {"name": chosen.cohort},
                    )
                }
            )
        decision = selection_decision(chosen, user.name, kept.sha256, found)
        client = await web.temporal()
        async with asyncio.timeout(ANSWER_TIMEOUT.total_seconds()):
            await decisions.save_decision(client, decision, task_queue=web.task_queue)
    except FormRejected as rejected:
        return await _shortlist_page(request, errors=rejected.errors, form=form, status_code=422)
    except decisions.DecisionAlreadySaved as saved:
        return await _shortlist_page(request, errors={"cohort": str(saved)}, form=form, status_code=409)
    except (RPCError, TimeoutError, RuntimeError) as error:
        message = _("Temporal did not answer (%(error)s); open the decisions list to see whether it was saved") % {
            "error": error or _("timed out")
        }
        return await _shortlist_page(request, errors={FORM: message}, form=form, status_code=503)
    request.session[FLASH] = ngettext(
        "Saved the decision for cohort %(cohort)s: %(num)s school owner, by %(by)s.",
        "Saved the decision for cohort %(cohort)s: %(num)s school owners, by %(by)s.",
        len(chosen.owners),
    ) % {"cohort": chosen.cohort, "num": len(chosen.owners), "by": user.name}
    return RedirectResponse(f"/selection/decisions/{chosen.cohort}", status_code=303)


# --- a saved decision, and starting its cohort ----------------------------------------------------


async def decision(request: Request) -> Response:
    _coordinator(request)
    return await _decision_page(request)


async def _decision_page(request: Request, *, error: str = "", status_code: int = 200) -> Response:
    web = _web(request)
    cohort = request.path_params["cohort"]
    saved = await web.reader.decision(cohort)
    if saved is None:
        raise HTTPException(
            404, _("no selection decision has been saved for cohort %(cohort)s") % {"cohort": repr(cohort)}
        )
    file = await _files(request).get(saved.indicator_file)
    context = {
        "saved": saved,
        "file": file,
        "started": await web.reader.has_cohort(cohort),
        "error": error,
        "flash": request.session.pop(FLASH, ""),
    }
    return await _render(request, "decision.html", context, status_code=status_code)


async def start_cohort(request: Request) -> Response:
    """Start the cohort from its saved decision, then show the cohort once its first records are written."""
    _coordinator(request)
    web = _web(request)
    cohort = request.path_params["cohort"]
    saved = await web.reader.decision(cohort)
    if saved is None:
        raise HTTPException(
            404, _("no selection decision has been saved for cohort %(cohort)s") % {"cohort": repr(cohort)}
        )
    try:
        client: Client = await web.temporal()
        async with asyncio.timeout(ANSWER_TIMEOUT.total_seconds()):
            await cohort_api.start_cohort(client, saved.decision.cohort, task_queue=web.task_queue)
    except cohort_api.CohortAlreadyExists as exists:
        return await _decision_page(request, error=str(exists), status_code=409)
    except (RPCError, TimeoutError, RuntimeError, api.GuidanceError) as error:
        return await _decision_page(
            request,
            error=_("Temporal did not answer (%(error)s)") % {"error": error or _("timed out")},
            status_code=503,
        )
    owners = len(saved.decision.cohort.owners)
    request.session[FLASH] = ngettext(
        "Started cohort %(cohort)s: %(num)s school owner invited through the county governor.",
        "Started cohort %(cohort)s: %(num)s school owners invited through the county governor.",
        owners,
    ) % {"cohort": cohort, "num": owners}
    await _until_recorded(request, cohort)
    return RedirectResponse(f"/cohorts/{cohort}", status_code=303)


async def _until_recorded(request: Request, cohort: str) -> None:
    """Wait (briefly) until the record store has the new cohort's invitations, so its page shows them."""
    reader = _web(request).reader
    deadline = time.monotonic() + COHORT_RECORDED_SECONDS
    while time.monotonic() < deadline:
        if await reader.has_cohort(cohort):
            return
        await asyncio.sleep(0.2)


# --- the cohort's letters -------------------------------------------------------------------------


async def letter(request: Request) -> Response:
    _coordinator(request)
    cohort, key = request.path_params["cohort"], request.path_params["key"]
    found = await _web(request).reader.cohort_letter(cohort, key)
    if found is None:
        raise HTTPException(
            404, _("cohort %(cohort)s sent no letter %(key)s") % {"cohort": repr(cohort), "key": repr(key)}
        )
    return await _render(request, "letter.html", {"cohort": cohort, "letter": found})


ROUTES = [
    Route("/selection", selection),
    Route("/selection/files", upload, methods=["POST"]),
    Route("/selection/files/{sha256}", shortlist),
    Route("/selection/files/{sha256}/decision", save_decision, methods=["POST"]),
    Route("/selection/files/{sha256}/assessment", start_assessment, methods=["POST"]),
    Route("/selection/decisions/{cohort}", decision),
    Route("/selection/decisions/{cohort}/start", start_cohort, methods=["POST"]),
    Route("/cohorts/{cohort}/letters/{key:path}", letter),
]
