"""The rules of a cohort (pulje) as pure functions over `CohortState`: invitations and their answers.

The Directorate invites the chosen school owners through the county governor (Statsforvalteren); each
owner accepts or declines by a reply deadline on a working day. An owner that has not answered by the
deadline is reminded, and after a further number of working days is recorded as ``no_reply``. An owner
that accepts gets its guidance period. No I/O and no clock: "now" is always an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domain import calendar
from domain.contract import period_workflow_id
from domain.models import (
    AdviserId,
    CohortName,
    PendingRecord,
    PeriodInput,
    RefusedRecord,
    SchoolOwner,
    ShortText,
    _Message,
)
from domain.period import Rejection
from domain.programme import ProgrammePlan

#: Working days an owner has to answer, counted from the day of the invitation (our choice).
DEFAULT_REPLY_DAYS = 15
#: Working days after the reminder before an owner that still has not answered is recorded ``no_reply``.
DEFAULT_NO_REPLY_AFTER_DAYS = 10


class InvitationState(StrEnum):
    INVITED = "invited"
    REMINDED = "reminded"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_REPLY = "no_reply"

    @property
    def is_open(self) -> bool:
        """The owner may still answer."""
        return self in (InvitationState.INVITED, InvitationState.REMINDED)


class CohortOwner(_Message):
    """One chosen school owner: who it is, its advisers and schools, and its network of small owners."""

    owner: SchoolOwner
    advisers: list[AdviserId] = Field(min_length=1, max_length=10)
    schools: list[ShortText] = Field(default_factory=list, max_length=500)
    network: ShortText | None = None


class CohortInput(_Message):
    """Input of `CohortWorkflow`: the chosen owners of one cohort and when their periods start."""

    cohort: CohortName
    start_date: date = Field(ge=date(2000, 1, 1), le=date(2090, 12, 31))
    owners: list[CohortOwner] = Field(min_length=1, max_length=1000)
    plan: str = "veilederkorpset"
    reply_days: int = Field(default=DEFAULT_REPLY_DAYS, ge=1, le=120)
    no_reply_after_days: int = Field(default=DEFAULT_NO_REPLY_AFTER_DAYS, ge=1, le=120)

    @model_validator(mode="after")
    def _unique_owners(self) -> CohortInput:
        ids = [o.owner.id for o in self.owners]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"owners: each school owner may be invited once; named more than once: {', '.join(twice)}")
        return self


class RespondToInvitation(_Message):
    """Update `respond_to_invitation`: an owner's answer, as passed on by the county governor."""

    owner_id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    answer: Literal["accept", "decline"]
    by: ShortText


class Invitation(BaseModel):
    """Where one owner's invitation stands."""

    owner_id: str
    owner_name: str
    county: str
    state: InvitationState = InvitationState.INVITED
    answered_by: str | None = None
    answered_at: datetime | None = None
    reminded_at: datetime | None = None
    period_workflow_id: str
    period_started: bool = False


class CohortState(BaseModel):
    """All state of one cohort: carried whole through continue-as-new."""

    input: CohortInput
    plan: ProgrammePlan
    invited_on: date
    invitations: list[Invitation]
    reminders_sent: bool = False
    no_reply_recorded: bool = False
    #: Owners that accepted and whose period the workflow has yet to start, in order of acceptance.
    starts_pending: list[str] = Field(default_factory=list)
    pending: list[PendingRecord] = Field(default_factory=list)
    refused: list[RefusedRecord] = Field(default_factory=list)


class CohortStatus(BaseModel):
    """The `status` query's answer and the answer to `respond_to_invitation`."""

    workflow_id: str
    cohort: str
    start_date: date
    invited_on: date
    reply_by: date
    no_reply_on: date
    invitations: list[Invitation]
    counts: dict[str, int]
    records_pending: int = 0
    records_refused: int = 0


def new_state(cohort: CohortInput, plan: ProgrammePlan, now: datetime) -> CohortState:
    """The state of a cohort whose invitations go out at `now`."""
    return CohortState(
        input=cohort,
        plan=plan,
        invited_on=calendar.local_date(now, plan.timezone),
        invitations=[
            Invitation(
                owner_id=o.owner.id,
                owner_name=o.owner.name,
                county=o.owner.county,
                period_workflow_id=period_workflow_id(cohort.cohort, o.owner.id),
            )
            for o in cohort.owners
        ],
    )


# --- dates ------------------------------------------------------------------------------------------


def reply_by(state: CohortState) -> date:
    """The last day to answer: `reply_days` working days after the invitation, on a working day."""
    return calendar.add_working_days(state.invited_on, state.input.reply_days, state.plan.calendar_country)


def no_reply_on(state: CohortState) -> date:
    """The last day an owner that was reminded may still answer; after it the owner is ``no_reply``."""
    return calendar.add_working_days(reply_by(state), state.input.no_reply_after_days, state.plan.calendar_country)


def reminder_at(state: CohortState) -> datetime:
    return calendar.end_of_day(reply_by(state), state.plan.timezone)


def no_reply_at(state: CohortState) -> datetime:
    return calendar.end_of_day(no_reply_on(state), state.plan.timezone)


@dataclass(frozen=True)
class CohortDeadline:
    at: datetime
    kind: Literal["reminder", "no_reply"]
    summary: str


def open_invitations(state: CohortState) -> list[Invitation]:
    return [i for i in state.invitations if i.state.is_open]


def next_deadline(state: CohortState) -> CohortDeadline | None:
    """The next moment the cohort must act on unanswered invitations, or None when none is open."""
    if not open_invitations(state):
        return None
    if not state.reminders_sent:
        return CohortDeadline(reminder_at(state), "reminder", f"reply deadline {reply_by(state)}: remind")
    if not state.no_reply_recorded:
        return CohortDeadline(no_reply_at(state), "no_reply", f"no reply by {no_reply_on(state)}: record no_reply")
    return None


# --- checks -----------------------------------------------------------------------------------------


def invitation(state: CohortState, owner_id: str) -> Invitation | None:
    return next((i for i in state.invitations if i.owner_id == owner_id), None)


def check_response(state: CohortState, request: RespondToInvitation, now: datetime) -> None:
    """Reject an answer from an owner that was not invited, has answered, or answers too late."""
    entry = invitation(state, request.owner_id)
    if entry is None:
        invited = ", ".join(i.owner_id for i in state.invitations)
        raise Rejection(
            "owner_id", f"{request.owner_id} is not invited to cohort {state.input.cohort}; invited: {invited}"
        )
    if entry.state == InvitationState.NO_REPLY or (entry.state.is_open and now >= no_reply_at(state)):
        raise Rejection(
            "owner_id",
            f"the reply deadline for {entry.owner_name} ({entry.owner_id}) has passed "
            f"({reply_by(state)}, reminded, last day {no_reply_on(state)}); recorded as no_reply",
        )
    if not entry.state.is_open:
        raise Rejection(
            "owner_id",
            f"{entry.owner_name} ({entry.owner_id}) has already answered: {entry.state} "
            f"by {entry.answered_by} at {entry.answered_at}",
        )


# --- transitions ------------------------------------------------------------------------------------


def apply_response(state: CohortState, request: RespondToInvitation, now: datetime) -> Invitation:
    """Record an accepted answer; an acceptance queues the owner's period to be started."""
    entry = invitation(state, request.owner_id)
    assert entry is not None
    entry.state = InvitationState.ACCEPTED if request.answer == "accept" else InvitationState.DECLINED
    entry.answered_by = request.by
    entry.answered_at = now
    if entry.state == InvitationState.ACCEPTED:
        state.starts_pending.append(entry.owner_id)
    return entry


def apply_reminders(state: CohortState, now: datetime) -> list[Invitation]:
    """Mark every unanswered invitation reminded; returns them."""
    state.reminders_sent = True
    reminded = open_invitations(state)
    for entry in reminded:
        entry.state = InvitationState.REMINDED
        entry.reminded_at = now
    return reminded


def apply_no_reply(state: CohortState, now: datetime) -> list[Invitation]:
    """Record every still unanswered invitation as ``no_reply``; returns them."""
    state.no_reply_recorded = True
    closed = open_invitations(state)
    for entry in closed:
        entry.state = InvitationState.NO_REPLY
        entry.answered_by = "system"
        entry.answered_at = now
    return closed


def period_input(state: CohortState, owner_id: str) -> PeriodInput:
    """The input of the owner's guidance period, carrying the cohort's resolved plan."""
    chosen = next(o for o in state.input.owners if o.owner.id == owner_id)
    return PeriodInput(
        cohort=state.input.cohort,
        owner=chosen.owner,
        advisers=list(chosen.advisers),
        start_date=state.input.start_date,
        plan=state.plan.name,
        schools=list(chosen.schools),
        programme=state.plan,
    )


def status(state: CohortState, workflow_id: str) -> CohortStatus:
    counts = {s.value: 0 for s in InvitationState}
    for entry in state.invitations:
        counts[entry.state.value] += 1
    return CohortStatus(
        workflow_id=workflow_id,
        cohort=state.input.cohort,
        start_date=state.input.start_date,
        invited_on=state.invited_on,
        reply_by=reply_by(state),
        no_reply_on=no_reply_on(state),
        invitations=[entry.model_copy() for entry in state.invitations],
        counts=counts,
        records_pending=len(state.pending),
        records_refused=len(state.refused),
    )


def one_line(state: CohortState) -> str:
    """The cohort in one line, for the Web UI's current details."""
    counts = status(state, "").counts
    started = sum(1 for i in state.invitations if i.period_started)
    return (
        f"Cohort {state.input.cohort}: {len(state.invitations)} owners invited on {state.invited_on}, "
        f"reply by {reply_by(state)}; {counts['accepted']} accepted ({started} periods started), "
        f"{counts['declined']} declined, {counts['invited'] + counts['reminded']} awaiting "
        f"({counts['reminded']} reminded), {counts['no_reply']} no reply"
    )
