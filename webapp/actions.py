"""The forms of the period and cohort pages, turned into the Temporal updates the `guidance` command sends.

Every action goes through `starter.client`, so the workflow's validator decides; its rejection
(``field: what is wrong``) comes back as an error beside that field of the form.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.client import Client
from temporalio.service import RPCError

from config.competence import UnknownEnvironment, environment_by_id
from domain.assessment import AssessmentStatus
from domain.cohort import CohortStatus, RespondToInvitation
from domain.contacts import ContactPerson, OwnerContactChange, OwnerContactRecord
from domain.gatherings import AddGathering, MoveGathering
from domain.models import (
    CancelMeeting,
    ChangeAdvisers,
    PeriodStatus,
    RecordCompetenceEnvironment,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from language.current import gettext as _
from readmodel.rejections import render_rejection
from starter import client as api
from starter import cohorts as cohort_api
from starter import contacts
from webapp.form_errors import FORM, field_errors, said

_Update = TypeVar("_Update", bound=BaseModel)
_Answer = TypeVar("_Answer", PeriodStatus, CohortStatus, OwnerContactRecord, AssessmentStatus)

#: How long a person waits for the period's answer before the page says Temporal did not answer.
ANSWER_TIMEOUT = timedelta(seconds=20)


class FormRejected(Exception):
    """The form was not carried out; `errors` maps a form field (or `FORM`) to the reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _text(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "").strip()


def _optional(form: Mapping[str, str], name: str) -> str | None:
    return _text(form, name) or None


def milestone_update(form: Mapping[str, str], adviser: str) -> RecordMilestone:
    """The `record_milestone` update the milestone form asks for (goals: one per line).

    Raises:
        FormRejected: A field is malformed (before anything is sent).
    """
    goals = [line.strip() for line in _text(form, "goals").splitlines() if line.strip()]
    return _validated(
        RecordMilestone,
        milestone=_text(form, "milestone"),
        adviser=adviser,
        note=_text(form, "note"),
        development_area=_optional(form, "development_area"),
        development_area_other=_optional(form, "development_area_other"),
        goals=goals or None,
        next_cycle=form.get("next_cycle") == "on",
        skipped=form.get("skipped") == "on",
        partner=_optional(form, "partner"),
        partner_name=_optional(form, "partner_name"),
        report_date=_optional(form, "report_date"),
        report_ref=_optional(form, "report_ref"),
    )


def meeting_request(form: Mapping[str, str], adviser: str) -> ScheduleMeeting:
    """The `schedule_meeting` update the meeting form asks for.

    Raises:
        FormRejected: A field is malformed, e.g. a date that is not YYYY-MM-DD (before anything is sent).
    """
    return _validated(
        ScheduleMeeting,
        kind=_text(form, "kind"),
        date=_text(form, "date"),
        start=_text(form, "start") or "09:00",
        duration_minutes=_text(form, "duration_minutes") or "120",
        adviser=adviser,
        title=_text(form, "title"),
        meeting_id=_optional(form, "meeting_id"),
    )


def cancel_request(meeting_id: str, form: Mapping[str, str], adviser: str) -> CancelMeeting:
    """The `cancel_meeting` update of one meeting's cancel form (its reason is optional)."""
    return _validated(CancelMeeting, meeting_id=meeting_id, adviser=adviser, reason=_text(form, "reason"))


def withdrawal_request(form: Mapping[str, str], by: str) -> Withdraw:
    """The `withdraw` update the withdraw form asks for: a reason, and the box saying the person means it.

    Raises:
        FormRejected: No reason, or the box is not ticked (before anything is sent).
    """
    request = _validated(Withdraw, reason=_text(form, "reason"), by=by)
    if form.get("confirm") != "on":
        raise FormRejected(
            {"confirm": said("confirm", _("tick the box to confirm that the period ends now; it cannot be undone"))}
        )
    return request


def advisers_change(form: Mapping[str, str], by: str) -> ChangeAdvisers:
    """The `change_advisers` update the advisers form asks for (advisers separated by commas or spaces)."""
    named = [a for a in _text(form, "advisers").replace(",", " ").split() if a]
    return _validated(ChangeAdvisers, advisers=named, by=by, reason=_text(form, "reason"))


def contact_change(form: Mapping[str, str], workflow_id: str, by: str) -> OwnerContactChange:
    """The change the contact form asks for: the person typed in, or none when its clear button was pressed.

    Raises:
        FormRejected: A field is malformed, e.g. an address that is not one (before anything is sent).
    """
    if form.get("clear") == "on":
        return _validated(OwnerContactChange, period_workflow_id=workflow_id, contact=None, by=by)
    contact = _validated(
        ContactPerson,
        name=_text(form, "name"),
        email=_text(form, "email"),
        phone=_optional(form, "phone"),
        role=_optional(form, "role"),
    )
    return _validated(OwnerContactChange, period_workflow_id=workflow_id, contact=contact, by=by)


def competence_request(form: Mapping[str, str], adviser: str) -> RecordCompetenceEnvironment:
    """The `record_competence_environment` update of the competence form: the environment as the register has it.

    Raises:
        FormRejected: No environment chosen, one the register does not have, or a malformed step, day or note.
    """
    chosen = _text(form, "environment")
    try:
        environment = environment_by_id(chosen) if chosen else None
    except UnknownEnvironment:
        environment = None
    if environment is None:
        problem = _("choose one of the register's competence environments") if chosen else _("fill it in")
        raise FormRejected({"environment": said("environment", problem)})
    return _validated(
        RecordCompetenceEnvironment,
        environment=environment.ref(),
        state=_text(form, "state"),
        adviser=adviser,
        date=_optional(form, "date"),
        note=_text(form, "note"),
    )


def answer_request(form: Mapping[str, str]) -> RespondToInvitation:
    """An owner's answer as the county governor passed it on (``by``: who passed it on)."""
    return _validated(
        RespondToInvitation, owner_id=_text(form, "owner_id"), answer=_text(form, "answer"), by=_text(form, "by")
    )


def gathering_added(form: Mapping[str, str], by: str) -> AddGathering:
    return _validated(
        AddGathering, title=_text(form, "title"), date=_text(form, "date"), place=_text(form, "place"), by=by
    )


def gathering_moved(form: Mapping[str, str], by: str) -> MoveGathering:
    return _validated(
        MoveGathering,
        gathering_id=_text(form, "gathering_id"),
        date=_text(form, "date"),
        place=_optional(form, "place"),
        by=by,
    )


def _validated(model: type[_Update], **fields: object) -> _Update:
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise FormRejected(field_errors(error, lambda loc: str(loc[0]) if loc else FORM)) from None


async def record_milestone(client: Client, workflow_id: str, update: RecordMilestone) -> PeriodStatus:
    """Send the update; the workflow's rejection becomes a `FormRejected` naming the field."""
    return await _sent(api.record_milestone(client, workflow_id, update))


async def schedule_meeting(client: Client, workflow_id: str, request: ScheduleMeeting) -> PeriodStatus:
    """Send the update; the workflow's rejection becomes a `FormRejected` naming the field."""
    return await _sent(api.schedule_meeting(client, workflow_id, request))


async def cancel_meeting(client: Client, workflow_id: str, request: CancelMeeting) -> PeriodStatus:
    return await _sent(api.cancel_meeting(client, workflow_id, request))


async def withdraw(client: Client, workflow_id: str, request: Withdraw) -> PeriodStatus:
    return await _sent(api.withdraw(client, workflow_id, request))


async def change_advisers(client: Client, workflow_id: str, request: ChangeAdvisers) -> PeriodStatus:
    return await _sent(api.change_advisers(client, workflow_id, request))


async def change_contact(client: Client, change: OwnerContactChange, task_queue: str) -> OwnerContactRecord:
    """Send the change through its workflow; a refusal becomes a `FormRejected` for the whole form."""
    try:
        return await _sent(contacts.change_contact(client, change, task_queue=task_queue))
    except contacts.ContactChangeBusy:
        raise FormRejected(
            {FORM: _("another change of this period's contact person is being saved; try again in a moment")}
        ) from None
    except contacts.ContactRefused as refused:
        raise FormRejected(
            {FORM: _("the record store refused the contact person: %(reason)s") % {"reason": refused}}
        ) from None


async def record_competence_environment(
    client: Client, workflow_id: str, request: RecordCompetenceEnvironment
) -> PeriodStatus:
    return await _sent(api.record_competence_environment(client, workflow_id, request))


async def respond_to_invitation(client: Client, cohort: str, request: RespondToInvitation) -> CohortStatus:
    return await _sent(cohort_api.respond_to_invitation(client, cohort, request))


async def add_gathering(client: Client, cohort: str, request: AddGathering) -> CohortStatus:
    return await _sent(cohort_api.add_gathering(client, cohort, request))


async def move_gathering(client: Client, cohort: str, request: MoveGathering) -> CohortStatus:
    return await _sent(cohort_api.move_gathering(client, cohort, request))


async def _sent(call: Awaitable[_Answer]) -> _Answer:
    try:
        async with asyncio.timeout(ANSWER_TIMEOUT.total_seconds()):
            return await call
    except api.UpdateRejected as rejected:
        # The workflow's code and params, said in the reader's language (its English words in English), after
        # the field's label.
        message = render_rejection(rejected.code, rejected.params, rejected.reason)
        raise FormRejected(
            {rejected.field: said(rejected.field, message)} if rejected.field else {FORM: message}
        ) from None
    except api.PeriodNotFound as error:
        raise FormRejected({FORM: str(error)}) from None
    except (RPCError, TimeoutError) as error:
        raise FormRejected(
            # An update that timed out may still be applied: say so rather than promise nothing changed.
            {
                FORM: _("Temporal did not answer (%(error)s); reload the page to see whether it was recorded")
                % {"error": error or _("timed out")}
            }
        ) from None
