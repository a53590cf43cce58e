"""The rules of a cohort (pulje) as pure functions over `CohortState`: invitations and their answers.

The Directorate invites the chosen school owners through the county governor (Statsforvalteren); each
owner accepts or declines by a reply deadline on a working day. An owner that has not answered by the
deadline is reminded, and after a further number of working days is recorded as ``no_reply``. An owner
that accepts gets its guidance period. No I/O and no clock: "now" is always an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, model_validator

from domain import calendar
from domain import gatherings as gathering_rules
from domain import period as period_rules
from domain.contract import cohort_workflow_id, period_workflow_id
from domain.gatherings import NationalGathering
from domain.models import (
    AdviserId,
    CalendarDay,
    CohortName,
    LocalTime,
    NetworkMeeting,
    PendingRecord,
    PeriodAdvisers,
    PeriodInput,
    PeriodProgress,
    RefusedRecord,
    SchoolOwner,
    ShortText,
    Title,
    _Message,
)
from domain.period import Rejection
from domain.programme import ProgrammePlan, SharedPlan
from domain.records import PeriodStart, PeriodStarts

#: Working days an owner has to answer, counted from the day of the invitation (our choice).
DEFAULT_REPLY_DAYS = 15
#: Network meetings one cohort holds (each goes to every period of its network, which keeps `MAX_MEETINGS` in all).
MAX_NETWORK_MEETINGS = 200
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
    #: The period also covers the transition from kindergarten to school (seed 002).
    kindergarten_transition: bool = False
    #: The owner accepted already, in the dialogue with the county governor: no letter, its period starts.
    accepted_by: ShortText | None = None


class CohortInput(_Message):
    """Input of `CohortWorkflow`: the chosen owners of one cohort and when their periods start."""

    #: A start input that does not validate fails the workflow (`starter.converter.InvalidStartInput`).
    workflow_start_input: ClassVar[bool] = True

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

    def networks(self) -> dict[str, list[CohortOwner]]:
        """The cohort's networks of small owners, by name."""
        found: dict[str, list[CohortOwner]] = {}
        for o in self.owners:
            if o.network is not None:
                found.setdefault(o.network, []).append(o)
        return found


class RespondToInvitation(_Message):
    """Update `respond_to_invitation`: an owner's answer, as passed on by the county governor."""

    owner_id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    answer: Literal["accept", "decline"]
    by: ShortText


class ScheduleNetworkMeeting(_Message):
    """Update `schedule_network_meeting`: an adviser agrees a meeting for every owner of a network."""

    network: ShortText
    date: CalendarDay
    start: LocalTime = time(9, 0)
    duration_minutes: int = Field(default=120, ge=15, le=600)
    adviser: AdviserId
    title: Title = ""
    meeting_id: str | None = Field(default=None, max_length=64)


class CancelNetworkMeeting(_Message):
    """Update `cancel_network_meeting`: an adviser of the network cancels one of its meetings that lies ahead; every
    running period of the network cancels its copy, and its advisers (and the owner's contact) get a CANCEL."""

    network: ShortText
    meeting_id: str = Field(pattern=r"^network-[A-Za-z0-9_-]+$", max_length=64)
    adviser: AdviserId


class PendingSignal(BaseModel):
    """A signal for one period, queued by the cohort and sent by its messenger task."""

    workflow_id: str
    signal: str
    payload: dict[str, Any]


class Invitation(BaseModel):
    """Where one owner's invitation stands, and once its period runs, where the period stands."""

    owner_id: str
    owner_name: str
    county: str
    state: InvitationState = InvitationState.INVITED
    answered_by: str | None = None
    answered_at: datetime | None = None
    reminded_at: datetime | None = None
    period_workflow_id: str
    period_started: bool = False
    network: str | None = None
    # The period's last report (`PeriodProgress`).
    progress_report: int = 0
    progress_at: datetime | None = None
    phase: str | None = None
    cycle: int | None = None
    phase_due_on: date | None = None
    overdue: bool = False
    period_ended: bool = False
    end_reason: str | None = None
    #: The period's advisers once it has told of a change (`PeriodAdvisers`); until then the cohort's assignment.
    advisers: list[str] | None = None
    advisers_at: datetime | None = None

    @property
    def period_live(self) -> bool:
        return self.state == InvitationState.ACCEPTED and self.period_started and not self.period_ended

    @property
    def is_overdue(self) -> bool:
        """Its period's last report said overdue, and the period has not ended since (an ended one is never late)."""
        return self.overdue and not self.period_ended


class CohortState(BaseModel):
    """All state of one cohort: carried whole through continue-as-new."""

    #: One that does not decode fails its workflow task until a worker that reads it takes it, not the workflow
    #: (`starter.converter.InvalidStartInput`).
    workflow_continued_state: ClassVar[bool] = True

    input: CohortInput
    plan: SharedPlan
    invited_on: date
    invitations: list[Invitation]
    reminders_sent: bool = False
    no_reply_recorded: bool = False
    #: Owners that accepted and whose period the workflow has yet to start, in order of acceptance.
    starts_pending: list[str] = Field(default_factory=list)
    pending: list[PendingRecord] = Field(default_factory=list)
    refused: list[RefusedRecord] = Field(default_factory=list)
    gatherings: list[NationalGathering] = Field(default_factory=list)
    network_meetings: list[NetworkMeeting] = Field(default_factory=list)
    signals_pending: list[PendingSignal] = Field(default_factory=list)


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
    periods_started: int = 0
    periods_ended: int = 0
    overdue: int = 0
    phases: dict[str, int] = Field(default_factory=dict)
    gatherings: list[NationalGathering] = Field(default_factory=list)
    network_meetings: list[NetworkMeeting] = Field(default_factory=list)
    signals_pending: int = 0
    ended: bool = False
    #: In an update's answer, the id of what the update created or moved (a gathering's id, a network meeting's
    #: id); None in the `status` query's answer.
    created: str | None = None


def new_state(cohort: CohortInput, plan: ProgrammePlan, now: datetime) -> CohortState:
    """The state of a cohort whose invitations go out at `now`; owners that accepted already are queued."""
    state = CohortState(
        input=cohort,
        plan=plan,
        invited_on=calendar.local_date(now, plan.timezone),
        gatherings=gathering_rules.plan_gatherings(cohort.start_date, plan),
        invitations=[
            Invitation(
                owner_id=o.owner.id,
                owner_name=o.owner.name,
                county=o.owner.county,
                network=o.network,
                period_workflow_id=period_workflow_id(cohort.cohort, o.owner.id),
            )
            for o in cohort.owners
        ],
    )
    for chosen, entry in zip(cohort.owners, state.invitations, strict=True):
        if chosen.accepted_by is not None:
            entry.state = InvitationState.ACCEPTED
            entry.answered_by = chosen.accepted_by
            entry.answered_at = now
            state.starts_pending.append(entry.owner_id)
    return state


def today(state: CohortState, now: datetime) -> date:
    return calendar.local_date(now, state.plan.timezone)


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
    kind: Literal["reminder", "no_reply", "gathering"]
    summary: str


def open_invitations(state: CohortState) -> list[Invitation]:
    return [i for i in state.invitations if i.state.is_open]


def next_deadline(state: CohortState) -> CohortDeadline | None:
    """The next moment the cohort must act (unanswered invitations, a gathering to invite to), if any."""
    deadlines: list[CohortDeadline] = []
    if open_invitations(state):
        if not state.reminders_sent:
            deadlines.append(
                CohortDeadline(reminder_at(state), "reminder", f"reply deadline {reply_by(state)}: remind")
            )
        elif not state.no_reply_recorded:
            deadlines.append(
                CohortDeadline(no_reply_at(state), "no_reply", f"no reply by {no_reply_on(state)}: record no_reply")
            )
    gathering = gathering_rules.next_to_send(state.gatherings, state.plan)
    if gathering is not None:
        at = gathering_rules.invite_at(gathering, state.plan)
        deadlines.append(CohortDeadline(at, "gathering", f"invite to {gathering.title} on {gathering.date}"))
    return min(deadlines, key=lambda d: d.at, default=None)


# --- checks -----------------------------------------------------------------------------------------


def invitation(state: CohortState, owner_id: str) -> Invitation | None:
    return next((i for i in state.invitations if i.owner_id == owner_id), None)


def check_response(state: CohortState, request: RespondToInvitation, now: datetime) -> None:
    """Reject an answer from an owner that was not invited, has answered, or answers too late."""
    entry = invitation(state, request.owner_id)
    if entry is None:
        invited = ", ".join(i.owner_id for i in state.invitations)
        raise Rejection(
            "owner_id",
            f"{request.owner_id} is not invited to cohort {state.input.cohort}; invited: {invited}",
            code="owner_id.not_invited",
            owner_id=request.owner_id,
            cohort=state.input.cohort,
            invited=[i.owner_id for i in state.invitations],
        )
    if entry.state == InvitationState.NO_REPLY or (entry.state.is_open and now >= no_reply_at(state)):
        raise Rejection(
            "owner_id",
            f"the reply deadline for {entry.owner_name} ({entry.owner_id}) has passed "
            f"({reply_by(state)}, reminded, last day {no_reply_on(state)}); recorded as no_reply",
            code="owner_id.reply_too_late",
            owner_name=entry.owner_name,
            owner_id=entry.owner_id,
            reply_by=reply_by(state).isoformat(),
            last_day=no_reply_on(state).isoformat(),
        )
    if not entry.state.is_open:
        raise Rejection(
            "owner_id",
            f"{entry.owner_name} ({entry.owner_id}) has already answered: {entry.state} "
            f"by {entry.answered_by} at {entry.answered_at}",
            code="owner_id.already_answered",
            owner_name=entry.owner_name,
            owner_id=entry.owner_id,
            answer=str(entry.state),
            answered_by=entry.answered_by,
            answered_at=entry.answered_at.isoformat() if entry.answered_at is not None else None,
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


def period_starts(state: CohortState, owner_ids: list[str]) -> PeriodStarts:
    """The periods of `owner_ids` to start, with the cohort's resolved plan once for all of them (`PeriodStarts`):
    each period's input names the plan, the owner's network and scope, and the cohort as the workflow to report
    progress to."""
    return PeriodStarts(
        plan=state.plan,
        starts=[
            PeriodStart(workflow_id=period_workflow_id_of(state, owner_id), period=_period_input(state, owner_id))
            for owner_id in owner_ids
        ],
    )


def _period_input(state: CohortState, owner_id: str) -> PeriodInput:
    chosen = owner_of(state, owner_id)
    return PeriodInput(
        cohort=state.input.cohort,
        owner=chosen.owner,
        advisers=list(chosen.advisers),
        start_date=state.input.start_date,
        plan=state.plan.name,
        schools=list(chosen.schools),
        network=chosen.network,
        kindergarten_transition=chosen.kindergarten_transition,
        report_to=cohort_workflow_id(state.input.cohort),
    )


# --- progress, gatherings and network meetings ------------------------------------------------------


def apply_progress(state: CohortState, progress: PeriodProgress) -> Invitation | None:
    """Keep a period's newest report; an older or unknown one changes nothing (returns None)."""
    entry = invitation(state, progress.owner_id)
    # Ordered by the period's time first: after a reset its counter starts again from an earlier value.
    if entry is None or (
        entry.progress_at is not None and (progress.at, progress.report) <= (entry.progress_at, entry.progress_report)
    ):
        return None
    entry.progress_report = progress.report
    entry.progress_at = progress.at
    entry.phase = str(progress.phase)
    entry.cycle = progress.cycle
    entry.phase_due_on = progress.phase_due_on
    entry.overdue = progress.overdue
    entry.period_ended = progress.ended
    entry.end_reason = progress.end_reason
    return entry


def apply_period_advisers(state: CohortState, change: PeriodAdvisers) -> bool:
    """Keep the advisers a period was given; an older or unknown one changes nothing (False)."""
    entry = invitation(state, change.owner_id)
    if entry is None or (entry.advisers_at is not None and change.at <= entry.advisers_at):
        return False
    entry.advisers = list(change.advisers)
    entry.advisers_at = change.at
    return True


def owner_of(state: CohortState, owner_id: str) -> CohortOwner:
    """The invited owner as the cohort was started with it (its advisers, network and schools then)."""
    return next(o for o in state.input.owners if o.owner.id == owner_id)


def advisers_of(owner: CohortOwner, entry: Invitation | None) -> list[str]:
    """The owner's advisers now: its period's, once a coordinator changed them, else the cohort's assignment."""
    return list(entry.advisers) if entry is not None and entry.advisers else list(owner.advisers)


def period_workflow_id_of(state: CohortState, owner_id: str) -> str:
    entry = invitation(state, owner_id)
    assert entry is not None
    return entry.period_workflow_id


def apply_period_started(state: CohortState, entry: Invitation, now: datetime) -> None:
    """The owner's period runs: it starts in the first phase, due as the plan says, until it reports."""
    entry.period_started = True
    if entry.progress_report == 0:
        first = period_rules.new_state(_period_input(state, entry.owner_id), state.plan)
        entry.phase = str(first.phase)
        entry.cycle = first.cycle
        entry.phase_due_on = period_rules.phase_due_on(first)


def live_periods(state: CohortState, network: str | None = None) -> list[Invitation]:
    """The owners whose periods run (in one network, if named)."""
    return [i for i in state.invitations if i.period_live and (network is None or i.network == network)]


def gathering_signal(entry: Invitation, gathering: NationalGathering) -> PendingSignal:
    payload = {
        "gathering_id": gathering.gathering_id,
        "title": gathering.title,
        "date": gathering.date.isoformat(),
        "place": gathering.place,
        "sequence": gathering.sequence,
    }
    return PendingSignal(workflow_id=entry.period_workflow_id, signal="gathering_invitation", payload=payload)


def network_signal(entry: Invitation, meeting: NetworkMeeting) -> PendingSignal:
    # A meeting that stands is sent without `cancelled_on`, as before cancellation existed (the same signal).
    payload = meeting.model_dump(mode="json", exclude={"cancelled_on"} if meeting.cancelled_on is None else None)
    return PendingSignal(workflow_id=entry.period_workflow_id, signal="network_meeting", payload=payload)


def apply_send_gathering(state: CohortState, gathering: NationalGathering) -> list[Invitation]:
    """Mark the gathering sent (again, if it moved); returns the owners to invite: every live period."""
    gathering.sent_sequence = gathering.sequence
    return live_periods(state)


def catch_up(
    state: CohortState, entry: Invitation, now: datetime
) -> tuple[list[NationalGathering], list[NetworkMeeting]]:
    """The sent gatherings and the network meetings still ahead, for a period that has just started."""
    today_ = today(state, now)
    # A gathering moved since it was sent goes to every live period (this one too) when it is sent again.
    gatherings = [g for g in gathering_rules.sent_upcoming(state.gatherings, today_) if not g.needs_sending]
    meetings = [
        m for m in state.network_meetings if m.network == entry.network and m.date > today_ and m.cancelled_on is None
    ]
    return gatherings, meetings if entry.network is not None else []


def check_network_meeting(state: CohortState, request: ScheduleNetworkMeeting, now: datetime) -> None:
    """Reject a network meeting for an unknown network or adviser, a day not allowed or an unknown id."""
    _check_network_adviser(state, request.network, request.adviser)
    if datetime.combine(request.date, request.start, tzinfo=calendar.zone(state.plan.timezone)) <= now:
        first = calendar.next_working_day(today(state, now) + timedelta(days=1), state.plan.calendar_country)
        raise period_rules.in_the_past(request.date, request.start, first)
    country = state.plan.calendar_country
    not_working = period_rules.not_working_day(
        request.date, country, "meetings", next_day=calendar.next_working_day(request.date, country)
    )
    if not_working is not None:
        raise not_working
    if request.meeting_id is None and len(state.network_meetings) >= MAX_NETWORK_MEETINGS:
        raise Rejection(
            "meeting_id",
            f"the cohort holds {len(state.network_meetings)} network meetings, the most it may; move one (meeting_id)",
            code="meeting_id.too_many_network",
            count=len(state.network_meetings),
        )
    if request.meeting_id is not None:
        _check_not_cancelled(_known_network_meeting(state, request.network, request.meeting_id))


def check_cancel_network_meeting(state: CohortState, request: CancelNetworkMeeting, now: datetime) -> None:
    """Reject a cancellation by an adviser outside the network, of a meeting it does not hold, has cancelled, or that
    has begun."""
    _check_network_adviser(state, request.network, request.adviser)
    meeting = _known_network_meeting(state, request.network, request.meeting_id)
    _check_not_cancelled(meeting)
    if datetime.combine(meeting.date, meeting.start, tzinfo=calendar.zone(state.plan.timezone)) <= now:
        raise period_rules.meeting_begun(meeting.meeting_id, meeting.date, meeting.start)


def _known_network_meeting(state: CohortState, network: str, meeting_id: str) -> NetworkMeeting:
    found = next((m for m in state.network_meetings if m.network == network and m.meeting_id == meeting_id), None)
    if found is None:
        known_ids = [m.meeting_id for m in state.network_meetings if m.network == network]
        raise Rejection(
            "meeting_id",
            f"{meeting_id!r} is not a meeting of network {network}; known: {', '.join(known_ids) or 'none yet'}",
            code="meeting_id.unknown_network",
            meeting_id=meeting_id,
            network=network,
            known=known_ids,
        )
    return found


def _check_not_cancelled(meeting: NetworkMeeting) -> None:
    if meeting.cancelled_on is not None:
        raise period_rules.meeting_cancelled(meeting.meeting_id, meeting.cancelled_on)


def _check_network_adviser(state: CohortState, network: str, adviser: str) -> None:
    """Reject an unknown network, an adviser who advises no owner of it, or a network with no period running."""
    networks = state.input.networks()
    members = networks.get(network)
    if members is None:
        known = ", ".join(sorted(networks)) or "none"
        raise Rejection(
            "network",
            f"{network!r} is not a network of cohort {state.input.cohort}; known: {known}",
            code="network.unknown",
            network=network,
            cohort=state.input.cohort,
            known=sorted(networks),
        )
    advisers = sorted({a for o in members for a in advisers_of(o, invitation(state, o.owner.id))})
    if adviser not in advisers:
        raise Rejection(
            "adviser",
            f"{adviser} advises no owner of network {network}; allowed: {', '.join(advisers)}",
            code="adviser.not_in_network",
            adviser=adviser,
            network=network,
            allowed=advisers,
        )
    if not live_periods(state, network):
        raise Rejection(
            "network",
            f"no period of network {network} is running",
            code="network.not_running",
            network=network,
        )


def apply_network_meeting(state: CohortState, request: ScheduleNetworkMeeting) -> NetworkMeeting:
    """Add or move a network meeting (to be sent to every live period of the network)."""
    index = next((i for i, m in enumerate(state.network_meetings) if m.meeting_id == request.meeting_id), None)
    fields = request.model_dump(exclude={"meeting_id"})
    if index is None:
        meeting = NetworkMeeting(**fields, meeting_id=f"network-{len(state.network_meetings) + 1}")
        state.network_meetings.append(meeting)
    else:
        sequence = state.network_meetings[index].sequence + 1
        meeting = NetworkMeeting(**fields, meeting_id=state.network_meetings[index].meeting_id, sequence=sequence)
        state.network_meetings[index] = meeting
    return meeting


def apply_cancel_network_meeting(state: CohortState, request: CancelNetworkMeeting, now: datetime) -> NetworkMeeting:
    """Mark a network meeting cancelled: same id, next sequence (the periods' CANCEL supersedes every invitation)."""
    index = next(i for i, m in enumerate(state.network_meetings) if m.meeting_id == request.meeting_id)
    meeting = state.network_meetings[index]
    cancelled = meeting.model_copy(update={"sequence": meeting.sequence + 1, "cancelled_on": today(state, now)})
    state.network_meetings[index] = cancelled
    return cancelled


def is_finished(state: CohortState) -> bool:
    """A cohort ends once no owner can still answer and every period it started has ended."""
    if state.starts_pending or state.signals_pending or state.pending:
        return False
    return all(
        not i.state.is_open and (i.state != InvitationState.ACCEPTED or i.period_ended) for i in state.invitations
    )


def status(state: CohortState, workflow_id: str) -> CohortStatus:
    counts = {s.value: 0 for s in InvitationState}
    phases: dict[str, int] = {}
    for entry in state.invitations:
        counts[entry.state.value] += 1
        if entry.phase is not None:
            phases[entry.phase] = phases.get(entry.phase, 0) + 1
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
        periods_started=sum(1 for i in state.invitations if i.period_started),
        periods_ended=sum(1 for i in state.invitations if i.period_ended),
        overdue=sum(1 for i in state.invitations if i.is_overdue),
        phases=phases,
        gatherings=[g.model_copy() for g in state.gatherings],
        network_meetings=list(state.network_meetings),
        signals_pending=len(state.signals_pending),
        ended=is_finished(state),
    )


def one_line(state: CohortState) -> str:
    """The cohort in one line, for the Web UI's current details."""
    current = status(state, "")
    counts = current.counts
    line = (
        f"Cohort {state.input.cohort}: {len(state.invitations)} owners invited on {state.invited_on}, "
        f"reply by {reply_by(state)}; {counts['accepted']} accepted ({current.periods_started} periods started), "
        f"{counts['declined']} declined, {counts['invited'] + counts['reminded']} awaiting "
        f"({counts['reminded']} reminded), {counts['no_reply']} no reply"
    )
    phases = ", ".join(f"{phase} {n}" for phase, n in sorted(current.phases.items())) or "none running"
    ahead = [g for g in state.gatherings if g.sent_sequence is None or g.needs_sending]
    upcoming = f"; next gathering {ahead[0].date} ({ahead[0].title})" if ahead else ""
    return f"{line}; periods: {phases}; {current.overdue} overdue, {current.periods_ended} ended{upcoming}"
