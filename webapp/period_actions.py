"""The period page's forms that end or reassign a period: withdraw it (its advisers and the coordinators) and change
its advisers (coordinators only); the form beside each meeting ahead that cancels it (who may, as for moving a
meeting: an adviser as themself, a coordinator in the name of one of the period's advisers); and the owner's contact
person (its advisers and the coordinators, each in their own name); and the competence form, a step with a
competence environment (who may: as for a meeting). Each is the same validated update the `guidance` command sends;
the page, the form-post path and who may open a period are `webapp.pages`'."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from language.current import gettext as _
from readmodel.display import display_date
from readmodel.labels import competence_state_label, phase_label
from readmodel.records import PeriodRow
from webapp import actions, pages
from webapp.users import User

if TYPE_CHECKING:
    from temporalio.client import Client

PeriodAct = Callable[["Client", PeriodRow, dict[str, str], User], Awaitable[str]]


async def _period_form(
    request: Request, form_name: str, act: PeriodAct, *, coordinators_only: bool = False
) -> Response:
    """A post of one of these forms: who may act is checked first (an adviser of another period, or an adviser on a
    coordinator's form, gets 403); `act` sends the update in the name of the signed-in person."""
    user = pages._user(request)
    if coordinators_only and not user.is_coordinator:
        raise HTTPException(403, _("only a coordinator may do this; %(user)s is an adviser") % {"user": user.name})
    period = await pages._period_row(request, user)
    client = await pages._web(request).temporal()
    return await pages.period_form_post(request, user, period, form_name, lambda form: act(client, period, form, user))


def cancel_form_name(meeting_id: str) -> str:
    """The name of one meeting's cancel form, so a rejection shows beside that meeting's form only."""
    return f"cancel-{meeting_id}"


async def cancel_meeting(request: Request) -> Response:
    meeting_id = request.path_params["meeting_id"]

    async def act(client: Client, period: PeriodRow, form: dict[str, str], adviser: str) -> str:
        status = await actions.cancel_meeting(
            client, period.workflow_id, actions.cancel_request(meeting_id, form, adviser)
        )
        cancelled = next(m for m in status.meetings if m.meeting_id == meeting_id)
        return _("Cancelled the meeting on %(day)s: its invitation is withdrawn from the calendars.") % {
            "day": display_date(cancelled.date)
        }

    return await pages._period_action(request, cancel_form_name(meeting_id), act)


async def withdraw(request: Request) -> Response:
    async def act(client: Client, period: PeriodRow, form: dict[str, str], user: User) -> str:
        status = await actions.withdraw(client, period.workflow_id, actions.withdrawal_request(form, user.name))
        return _("Withdrew %(owner)s from the programme: the period has ended (%(phase)s).") % {
            "owner": status.owner.name,
            "phase": phase_label(period.plan, status.phase),
        }

    return await _period_form(request, "withdraw", act)


async def change_advisers(request: Request) -> Response:
    async def act(client: Client, period: PeriodRow, form: dict[str, str], user: User) -> str:
        status = await actions.change_advisers(client, period.workflow_id, actions.advisers_change(form, user.name))
        return _("The advisers of %(owner)s are now %(advisers)s.") % {
            "owner": status.owner.name,
            "advisers": ", ".join(status.advisers),
        }

    return await _period_form(request, "advisers", act, coordinators_only=True)


async def set_contact(request: Request) -> Response:
    async def act(client: Client, period: PeriodRow, form: dict[str, str], user: User) -> str:
        change = actions.contact_change(form, period.workflow_id, user.name)
        await actions.change_contact(client, change, pages._web(request).task_queue)
        if change.contact is None:
            return _("The period's own contact person is cleared.")
        return _("The contact person of %(owner)s is now %(name)s.") % {
            "owner": period.owner_name,
            "name": change.contact.name,
        }

    return await _period_form(request, "contact", act)


async def record_competence(request: Request) -> Response:
    async def act(client: Client, period: PeriodRow, form: dict[str, str], adviser: str) -> str:
        step = actions.competence_request(form, adviser)
        await actions.record_competence_environment(client, period.workflow_id, step)
        return _("%(environment)s: %(state)s.") % {
            "environment": step.environment.name,
            "state": competence_state_label(step.state),
        }

    return await pages._period_action(request, "competence", act)
