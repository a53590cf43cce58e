"""The client API of the guidance engine: start a period, send its updates and signal, read its status.

Coordinators and advisers reach it through the `guidance` command (`starter.cli`); other Python code (a
demo script, a notebook, the cohort tooling) calls it directly with a connected client
(`starter.connect.connect()`). Every function speaks the Temporal contract (docs/temporal-contract.md) and turns the
SDK's errors into the few that a person can act on:

- `UpdateRejected`: the workflow refused an update; the message is the workflow's own, naming the field.
- `PeriodNotFound`: no period has the workflow id, or (for an update or a signal) it has ended.
- `PeriodAlreadyExists`: the owner already has a period in the cohort.
- `UnknownPlan`: no programme plan has the name.
- `owners.UnknownOwner` (from `find_period`): no school owner has the id; it suggests close matches.

Any other error (Temporal unreachable, a server that refuses the request) is the SDK's own.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from config import settings
from config.owners import owner_by_id
from domain import period as rules
from domain.contract import PERIOD_STATUS_QUERY, TASK_QUEUE, period_workflow_id
from domain.models import (
    CancelMeeting,
    ChangeAdvisers,
    GatheringInvitation,
    PeriodInput,
    PeriodStatus,
    RecordCompetenceEnvironment,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from domain.programme import ProgrammePlan
from domain.visibility import initial_search_attributes

if TYPE_CHECKING:  # imported where an update, a signal or a start names it: see `_workflow`
    from workflows.guidance_period import GuidancePeriodWorkflow

PeriodHandle = WorkflowHandle["GuidancePeriodWorkflow", PeriodStatus]

T = TypeVar("T")


class GuidanceError(Exception):
    """A request the engine did not carry out; the message says why in words a person can act on."""


class UnknownPlan(GuidanceError, LookupError):
    """No programme plan has the name; the message lists the plans there are."""

    def __init__(self, name: str) -> None:
        super().__init__(str(settings.UnknownPlan(name)))
        self.name = name


class InvalidPlanSettings(GuidanceError):
    """The environment sets a plan's number out of bounds (message: which variable, what is allowed)."""


class PeriodAlreadyExists(GuidanceError):
    """The owner already has a guidance period in the cohort (running or ended)."""

    def __init__(self, workflow_id: str, period: PeriodInput) -> None:
        owner = period.owner
        super().__init__(
            f"a guidance period for {owner.name} ({owner.id}) in cohort {period.cohort} already exists "
            f"(workflow id {workflow_id}); each school owner has one period per cohort"
        )
        self.workflow_id = workflow_id
        self.owner = owner
        self.cohort = period.cohort


class PeriodNotFound(GuidanceError, LookupError):
    """No guidance period has the workflow id, or (for an update or a signal) it has ended."""

    def __init__(self, workflow_id: str, ended: str = "") -> None:
        if ended:
            message = f"the guidance period {workflow_id!r} has ended{ended}; it takes no more updates or invitations"
        else:
            message = f"no guidance period with workflow id {workflow_id!r}"
        super().__init__(message)
        self.workflow_id = workflow_id
        #: True when the period exists but has ended (its status still answers).
        self.ended = bool(ended)
        #: How it ended, for the message: " (terminated)", or "" when it never existed.
        self.how_ended = ended


class UpdateRejected(GuidanceError, ValueError):
    """The workflow refused an update. The message is the workflow's own: ``field: what is wrong``.

    A refusal by a validator also carries its stable `code` and `params` (the failure's details,
    docs/temporal-contract.md), so the edge can say it in the reader's language (`readmodel.rejections`).
    """

    def __init__(self, message: str, code: str | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        field, sep, _ = message.partition(": ")
        #: The field the workflow named, e.g. ``milestone`` (empty when the message names none).
        self.field = field if sep and " " not in field else ""
        #: The rule it broke (``date.not_working_day``), or None for a refusal without details.
        self.code = code
        self.params: dict[str, Any] = params or {}

    @classmethod
    def from_failure(cls, cause: BaseException) -> UpdateRejected:
        """The refusal an update's failure carries: its message, and the code and params of its details."""
        code: str | None = None
        params: dict[str, Any] = {}
        if isinstance(cause, ApplicationError) and cause.type == "UpdateRejected" and cause.details:
            details = cause.details[0]
            if isinstance(details, dict) and isinstance(details.get("code"), str):
                code = details["code"]
                params = dict(details.get("params") or {})
        return cls(rejection_message(cause), code, params)

    @property
    def reason(self) -> str:
        """The message without its ``field: `` prefix (the web app shows it beside the field)."""
        return str(self).removeprefix(f"{self.field}: ") if self.field else str(self)


def resolve_plan(name: str) -> ProgrammePlan:
    """The programme plan called `name`, as this process's settings describe it.

    Raises:
        UnknownPlan: No plan has that name.
    """
    try:
        return settings.resolve_plan(name)
    except settings.UnknownPlan:
        raise UnknownPlan(name) from None
    except settings.InvalidPlanSettings as error:
        raise InvalidPlanSettings(str(error)) from None


def find_period(cohort: str, owner_id: str) -> str:
    """The workflow id of the owner's period in the cohort, after checking that the owner exists.

    Raises:
        config.owners.UnknownOwner: No school owner has the id; the message suggests close matches.
    """
    return period_workflow_id(cohort, owner_by_id(owner_id).id)


def period_handle(client: Client, workflow_id: str) -> PeriodHandle:
    """A typed handle on a period's workflow (nothing is sent to Temporal)."""
    return client.get_workflow_handle(workflow_id, result_type=PeriodStatus)


def _workflow() -> type[GuidancePeriodWorkflow]:
    """The period's workflow class, whose methods name the updates, signals and start sent to a period.

    Imported here, when a request names them, and not with this module: the workflow's code and the domain's
    rules of changes behind it cost `guidance status`, which asks its query by name (`PERIOD_STATUS_QUERY`), a
    tenth of its start-up (issue 21; `tests/starter/test_cli_imports.py`).
    """
    from workflows.guidance_period import GuidancePeriodWorkflow

    return GuidancePeriodWorkflow


def static_summary(period: PeriodInput) -> str:
    """The one line the Web UI shows for the period's workflow."""
    return f"Guidance period: {period.owner.name} ({period.owner.id}), cohort {period.cohort}"


def static_details(period: PeriodInput, plan: ProgrammePlan) -> str:
    """The fixed Markdown details of the period's workflow: who, when, on which plan."""
    owner = period.owner
    ends_on = rules.ends_on(rules.new_state(period, plan))
    lines = [
        f"**School owner:** {owner.name} ({owner.id}), {owner.kind.replace('_', ' ')}",
        f"**County:** {owner.county}",
        f"**Advisers:** {', '.join(period.advisers)}",
        f"**Start date:** {period.start_date.isoformat()}",
        f"**Plan:** {plan.name} {plan.version} (at most {plan.max_months} months)",
        f"**Period end:** {ends_on.isoformat()}",
    ]
    if period.schools:
        lines.append(f"**Schools:** {', '.join(period.schools)}")
    return "\n\n".join(lines)


async def start_period(
    client: Client,
    period: PeriodInput,
    *,
    plan: ProgrammePlan | None = None,
    task_queue: str = TASK_QUEUE,
) -> PeriodHandle:
    """Start the owner's guidance period in the cohort.

    The plan is resolved here, so the period carries it from its first moment: `plan` if given, else
    ``period.programme``, else the plan named by ``period.plan``.

    Args:
        client: A client with the pydantic data converter.
        period: Who, when and with whom.
        plan: The programme plan to run; its name replaces ``period.plan``.
        task_queue: Where the workers listen; only tests and staging workers change it.

    Returns:
        A handle on the started workflow (id ``guidance-period-{cohort}-{owner_id}``).

    Raises:
        UnknownPlan: ``period.plan`` names no plan (and none was given).
        PeriodAlreadyExists: The owner has a period in the cohort already, running or ended. The
            record store keys every row by workflow id, so an id is never used twice; a period that
            failed is mended in place with `temporal workflow reset`.
    """
    programme = plan or period.programme or resolve_plan(period.plan)
    period = period.model_copy(update={"plan": programme.name, "programme": programme})
    workflow_id = period_workflow_id(period.cohort, period.owner.id)
    try:
        return await client.start_workflow(
            _workflow().run,
            period,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=static_summary(period),
            static_details=static_details(period, programme),
            search_attributes=initial_search_attributes(period),
        )
    except WorkflowAlreadyStartedError as err:
        raise PeriodAlreadyExists(workflow_id, period) from err


async def record_milestone(client: Client, workflow_id: str, update: RecordMilestone) -> PeriodStatus:
    """Close the period's current phase with its milestone; answers with the new status.

    Raises:
        UpdateRejected: Not the milestone of the current phase, an adviser not on the period, ...
        PeriodNotFound: No running period has the id.
    """
    handle = period_handle(client, workflow_id)
    return await _answered(client, workflow_id, handle.execute_update(_workflow().record_milestone, update))


async def schedule_meeting(client: Client, workflow_id: str, request: ScheduleMeeting) -> PeriodStatus:
    """Agree a meeting (or move one, given its ``meeting_id``); answers with the new status.

    Raises:
        UpdateRejected: Not a working day within the period, an unknown meeting or school, ...
        PeriodNotFound: No running period has the id.
    """
    handle = period_handle(client, workflow_id)
    return await _answered(client, workflow_id, handle.execute_update(_workflow().schedule_meeting, request))


async def cancel_meeting(client: Client, workflow_id: str, request: CancelMeeting) -> PeriodStatus:
    """Cancel a meeting that lies ahead (its invitation is withdrawn); answers with the new status.

    Raises:
        UpdateRejected: An unknown, cancelled, past or network meeting, an adviser not on the period, ...
        PeriodNotFound: No running period has the id.
    """
    handle = period_handle(client, workflow_id)
    return await _answered(client, workflow_id, handle.execute_update(_workflow().cancel_meeting, request))


async def withdraw(client: Client, workflow_id: str, request: Withdraw) -> PeriodStatus:
    """End the period early; it closes as ``withdrawn``. Answers with the final status.

    Raises:
        UpdateRejected: The period has ended already.
        PeriodNotFound: No running period has the id.
    """
    handle = period_handle(client, workflow_id)
    return await _answered(client, workflow_id, handle.execute_update(_workflow().withdraw, request))


async def change_advisers(client: Client, workflow_id: str, request: ChangeAdvisers) -> PeriodStatus:
    """Give the period other advisers (a coordinator's change). Answers with the new status.

    Raises:
        UpdateRejected: The period has ended, or already has exactly these advisers.
        PeriodNotFound: No running period has the id.
    """
    handle = period_handle(client, workflow_id)
    return await _answered(client, workflow_id, handle.execute_update(_workflow().change_advisers, request))


async def record_competence_environment(
    client: Client, workflow_id: str, request: RecordCompetenceEnvironment
) -> PeriodStatus:
    """Propose a competence environment of the register, or record the owner's contact or agreement with it.

    Raises:
        UpdateRejected: The workflow refused it (the message names the field).
        PeriodNotFound: No period has the id, or it has ended.
    """
    handle = period_handle(client, workflow_id)
    return await _answered(
        client, workflow_id, handle.execute_update(_workflow().record_competence_environment, request)
    )


async def invite_to_gathering(client: Client, workflow_id: str, invitation: GatheringInvitation) -> None:
    """Invite the owner to a national gathering (a signal: there is no answer; a repeated id moves it).

    Raises:
        PeriodNotFound: No running period has the id.
    """
    handle = period_handle(client, workflow_id)
    await _answered(client, workflow_id, handle.signal(_workflow().gathering_invitation, invitation))


async def period_status(client: Client, workflow_id: str, *, rpc_timeout: timedelta | None = None) -> PeriodStatus:
    """Where the period stands (the ``status`` query; works on ended periods too).

    Raises:
        PeriodNotFound: No period has the id.
    """
    handle = period_handle(client, workflow_id)
    asked = handle.query(PERIOD_STATUS_QUERY, result_type=PeriodStatus, rpc_timeout=rpc_timeout)
    return await _answered(client, workflow_id, asked)


async def _answered(client: Client, workflow_id: str, call: Awaitable[T]) -> T:
    """Await a request to one period, turning the SDK's errors about it into this module's."""
    try:
        return await call
    except WorkflowUpdateFailedError as err:
        raise UpdateRejected.from_failure(err.cause) from err
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise PeriodNotFound(workflow_id, await _why_not_found(client, workflow_id)) from err
        raise


def rejection_message(cause: BaseException) -> str:
    """The validator's own message; for another failure (an undecodable payload) its innermost reason."""
    if isinstance(cause, ApplicationError):
        if cause.type == "UpdateRejected" or cause.cause is None:
            return cause.message
        inner = cause.cause
        reason = inner.message if isinstance(inner, ApplicationError) else str(inner)
        return f"{cause.message}: {reason}"
    return str(cause)


async def _why_not_found(client: Client, workflow_id: str) -> str:
    """Why a request found no period: "" when it never existed, else how it ended (" (terminated)")."""
    request = DescribeWorkflowExecutionRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
    )
    try:
        # The raw call: telling whether the period has ended needs none of its search attributes decoded.
        described = await client.workflow_service.describe_workflow_execution(request)
    except RPCError:
        return ""
    status = described.workflow_execution_info.status
    if status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
        return ""
    if status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED:
        return " (its status still answers)"
    closed = WorkflowExecutionStatus.Name(status).removeprefix("WORKFLOW_EXECUTION_STATUS_").lower().replace("_", " ")
    return f" ({closed})"
