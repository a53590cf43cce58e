"""The county governors' assessment in the web app: asked for from the shortlist, answered on its own page.

- ``/assessments``: the cohorts whose county governors have been asked (a county governor: those with an owner of
  their county);
- ``/assessments/{cohort}``: each owner's request, where it stands, and the form that records the assessment and
  priority. A coordinator sees every county and records on the county governor's behalf; a county governor sees
  only their own county's owners and records as themself. Advisers are refused;
- ``/selection/files/{sha256}/assessment``: a coordinator asks the county governors about the shortlist's
  spread-track owners (`CountyAssessmentWorkflow`, started through `starter.assessments`).

A county governor may open these pages and no other (`webapp.auth.require_user`). The rules of an answer live in
`domain.assessment`, checked by the workflow: a refusal comes back with its code and shows beside its field in the
reader's language, as a form's own validation problems do.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from temporalio.service import RPCError

from config.owners import counties
from domain.assessment import AssessmentStatus, RecordAssessment
from language.current import gettext as _
from readmodel.assessments import recorded_as_label, state_label
from starter import assessments
from webapp.actions import ANSWER_TIMEOUT, FormRejected, _sent
from webapp.auth import require_user
from webapp.form_errors import FORM, field_errors
from webapp.pages import FLASH, _form, _render, _web
from webapp.users import User


def _reader(request: Request) -> User:
    """A coordinator or a county governor; advisers take no part in the assessment."""
    user = require_user(request, _web(request).users, county_governors=True)
    if not (user.is_coordinator or user.is_county_governor):
        raise HTTPException(
            403,
            _("%(user)s is an adviser; the county governors' assessment is for coordinators and county governors")
            % {"user": user.name},
        )
    return user


async def _status(request: Request, cohort: str) -> AssessmentStatus | None:
    web = _web(request)
    try:
        async with asyncio.timeout(ANSWER_TIMEOUT.total_seconds()):
            return await assessments.assessment_status(await web.temporal(), cohort)
    except (RPCError, TimeoutError) as error:
        raise HTTPException(
            503, _("Temporal did not answer (%(error)s)") % {"error": error or _("timed out")}
        ) from None


# --- the list --------------------------------------------------------------------------------------


async def assessment_list(request: Request) -> Response:
    user = _reader(request)
    cohorts = await _web(request).reader.assessed_cohorts(user.county if user.is_county_governor else None)
    county = counties().get(user.county or "", "")
    return await _render(request, "assessments.html", {"cohorts": cohorts, "county_name": county})


# --- one cohort's assessment -----------------------------------------------------------------------


async def assessment_page(request: Request) -> Response:
    _reader(request)
    return await _page(request)


async def _page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form: str = "",
    status_code: int = 200,
) -> Response:
    user = _reader(request)
    cohort = request.path_params["cohort"]
    status = await _status(request, cohort)
    shown = status.of_county(user.county or "") if status is not None and user.is_county_governor else None
    if status is None or (shown is not None and not shown):
        # The same answer either way: a county governor learns nothing of other counties' cohorts.
        raise HTTPException(
            404, _("no county governors' assessment has been started for cohort %(cohort)s") % {"cohort": cohort}
        )
    requests = shown if shown is not None else status.requests
    by_county: dict[str, list[dict[str, Any]]] = {}
    for entry in requests:
        by_county.setdefault(entry.county, []).append(
            {
                "entry": entry,
                "state": state_label(entry, status),
                "recorded": recorded_as_label(entry) if entry.recorded_by else "",
                "places": sum(1 for r in status.requests if r.county == entry.county),
                "taken": [r.priority for r in status.requests if r.county == entry.county and r.priority],
            }
        )
    open_forms = {f"assess-{r.owner_id}" for r in requests if r.state.is_open}
    context = {
        # A refusal for a form the page no longer shows (the deadline passed meanwhile; another county's owner)
        # is said at the top instead.
        "stray_errors": (errors or {}) if form not in open_forms else {},
        "status": status,
        "by_county": sorted(by_county.items()),
        "county_names": counties(),
        "errors": errors or {},
        "values": values or {},
        "form": form,
        "flash": request.session.pop(FLASH, ""),
    }
    return await _render(request, "assessment.html", context, status_code=status_code)


def answer_request(form: dict[str, str], user: User) -> RecordAssessment:
    """The `record_assessment` update the answer form asks for, as the signed-in user records it.

    Raises:
        FormRejected: A field is malformed (before anything is sent), by field, in the reader's language.
    """
    fields = {
        "owner_id": form.get("owner_id", "").strip(),
        "priority": form.get("priority", "").strip(),
        "assessment": form.get("assessment", "").strip(),
        "by": user.name,
        "recorded_as": "county_governor" if user.is_county_governor else "coordinator",
        "county": user.county,
    }
    try:
        return RecordAssessment.model_validate(fields)
    except ValidationError as error:
        raise FormRejected(field_errors(error, lambda loc: str(loc[0]) if loc else FORM)) from None


async def record(request: Request) -> Response:
    """Record one owner's assessment; a refusal shows the page again with the message beside its field."""
    user = _reader(request)
    cohort = request.path_params["cohort"]
    form = await _form(request)
    owner_id = form.get("owner_id", "")
    form_name = f"assess-{owner_id}" if owner_id.isdigit() and len(owner_id) <= 4 else "assess"
    try:
        answer = answer_request(form, user)
        client = await _web(request).temporal()
        status = await _sent(assessments.record_assessment(client, cohort, answer))
    except FormRejected as rejected:
        return await _page(request, errors=rejected.errors, values=form, form=form_name, status_code=422)
    except assessments.AssessmentNotFound as missing:
        raise HTTPException(404, str(missing)) from None
    entry = next(r for r in status.requests if r.owner_id == answer.owner_id)
    request.session[FLASH] = _("Recorded the assessment of %(owner)s: %(state)s.") % {
        "owner": f"{entry.owner_name} ({entry.owner_id})",
        "state": state_label(entry, status),
    }
    return RedirectResponse(f"/assessments/{cohort}", status_code=303)


ROUTES = [
    Route("/assessments", assessment_list),
    Route("/assessments/{cohort}", assessment_page),
    Route("/assessments/{cohort}/record", record, methods=["POST"]),
]
