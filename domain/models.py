"""Message shapes of the Temporal contract and the state of a guidance period.

The JSON field names are those of the Temporal contract (docs/temporal-contract.md); models may add optional fields but
never rename these. Unknown fields are rejected so that a typo is reported instead of ignored.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.contract import cohort_workflow_id
from domain.phases import MilestoneName, PhaseName
from domain.programme import MeetingKind as MeetingKind  # re-exported: part of the message shapes
from domain.programme import SharedPlan


def _no_control_characters(text: str) -> str:
    """Refuse control characters (NUL and the like): PostgreSQL cannot store some, and no person types them."""
    bad = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"})
    if bad:
        raise ValueError(f"contains control characters ({', '.join(bad)}); use plain text")
    return text


Printable = AfterValidator(_no_control_characters)


def _local_time(value: time) -> time:
    """Refuse a time with a UTC offset: meetings are agreed in the plan's local time."""
    if value.tzinfo is not None:
        raise ValueError("give the local time without a UTC offset, e.g. 09:30")
    return value


#: An archive case number (saksnummer: year/sequence, a document number after a dash) as the owner's archive gives it.
CASE_NUMBER = re.compile(r"^(19|20)\d{2}/\d{1,8}(-\d{1,4})?$")
MAX_REPORT_REF_LENGTH = 300


def _report_reference(text: str) -> str:
    """Refuse a report reference that is neither a case number (2027/1234-5) nor a web address (https://...)."""
    if CASE_NUMBER.fullmatch(text):
        return text
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.hostname and not any(c.isspace() for c in text):
        return text
    raise ValueError("give the report's case number, e.g. 2027/1234-5, or its web address, e.g. https://...")


#: Where a report handed in lies: the owner's archive case number, or the document's web address.
ReportRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REPORT_REF_LENGTH),
    Printable,
    AfterValidator(_report_reference),
]
#: Who supports the owner in the follow-up scheme: the guidance corps, or another expert partner (named).
PartnerKind = Literal["guidance_corps", "expert_partner"]

#: A time of day in the plan's time zone (never with a UTC offset, which pydantic reads a number as).
LocalTime = Annotated[time, AfterValidator(_local_time)]
#: A day the working-day calendar knows (it covers 2000 to 2100).
CalendarDay = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]

AdviserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9._-]*$"),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Printable]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), Printable]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Printable]
CohortName = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
OwnerKind = Literal["municipality", "county_authority"]
#: How many advisers one period may have (at its start and after `change_advisers`).
MAX_ADVISERS = 10
# Bounds of what one update may carry. Without them an update could be accepted that is too large for its
# workflow task ("payloads too large") or that grows the period's state, and every status answer, without end.
#: Goals recorded with a milestone, and the length of each.
MAX_GOALS = 10
MAX_GOAL_LENGTH = 500
#: Schools named for one meeting (each among the period's schools, when it has a list).
MAX_MEETING_SCHOOLS = 20
#: Meetings one period holds (the plan's proposed ones, the advisers' and its network's).
MAX_MEETINGS = 300
#: National gatherings one period keeps (a cohort holds at most `domain.gatherings.MAX_GATHERINGS`).
MAX_PERIOD_GATHERINGS = 60


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SchoolOwner(_Message):
    """A school owner (skoleeier): a municipality (four-digit number) or a county authority (two)."""

    id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    name: ShortText
    kind: OwnerKind
    county: str = Field(pattern=r"^\d{2}$")

    @model_validator(mode="after")
    def _number_fits_kind(self) -> SchoolOwner:
        expected = 4 if self.kind == "municipality" else 2
        if len(self.id) != expected:
            raise ValueError(f"id: a {self.kind} has a {expected}-digit number, got {self.id!r}")
        if not self.id.startswith(self.county):
            raise ValueError(f"county: owner {self.id} lies in county {self.id[:2]}, not {self.county}")
        return self


def registered_owner_problems(owner: SchoolOwner, registered: SchoolOwner | None, field: str) -> list[str]:
    """How a start input's owner differs from the shipped register's (`registered`: the register's owner of that id,
    None if it has none); empty when it is one of them. The register itself is read at the edge (config.owners)."""
    if registered is None:
        return [f"{field}.id: {owner.id} is not a school owner of the register (config/data)"]
    return [
        f"{field}.{name}: {getattr(owner, name)!r} is not the register's {name} of school owner {owner.id} "
        f"({getattr(registered, name)!r})"
        for name in ("name", "kind", "county")
        if getattr(owner, name) != getattr(registered, name)
    ]


class PeriodInput(_Message):
    """Input of `GuidancePeriodWorkflow`.

    ``programme`` is the resolved plan; the `guidance` command fills it in, and when another client
    leaves it out the worker loads the plan named by ``plan`` as the period starts.
    """

    #: A start input that does not validate fails the workflow with the converter's message, not its first
    #: workflow task for ever (`starter.converter.InvalidStartInput`).
    workflow_start_input: ClassVar[bool] = True

    cohort: CohortName
    owner: SchoolOwner
    advisers: list[AdviserId] = Field(min_length=1, max_length=MAX_ADVISERS)
    # Bounded so that every date of a period lies within the working-day calendar's years.
    start_date: date = Field(ge=date(2000, 1, 1), le=date(2090, 12, 31))
    plan: str = "veilederkorpset"
    schools: list[ShortText] = Field(default_factory=list, max_length=500)
    programme: SharedPlan | None = None
    #: The network of small owners this owner shares network meetings with (seed 002), if any.
    network: ShortText | None = None
    #: The period also covers the transition from kindergarten to school (seed 002's scope flag).
    kindergarten_transition: bool = False
    #: The workflow id of the cohort to tell about phase changes, overdue and the end (set by the cohort).
    report_to: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _unique_advisers(self) -> PeriodInput:
        # One validator (pydantic names a union's member by its chain of them: starter.converter reads one).
        _check_unique_advisers(self.advisers)
        # The period signals this workflow: a client may name only the period's own cohort, not any workflow.
        own = cohort_workflow_id(self.cohort)
        if self.report_to is not None and self.report_to != own:
            raise ValueError(f"report_to: a period reports to its own cohort's workflow {own!r} or to none")
        return self


def _check_unique_advisers(advisers: list[str]) -> None:
    if len(set(advisers)) != len(advisers):
        raise ValueError("advisers: each adviser may be named once")


class RecordMilestone(_Message):
    """Update `record_milestone`: an adviser closes the current phase (a milestone of the period's plan).

    ``skipped`` closes an optional phase without doing it (e.g. a 360 degree evaluation not taken up).
    """

    milestone: MilestoneName
    adviser: AdviserId
    note: Note = ""
    development_area: Annotated[str, StringConstraints(max_length=64)] | None = None
    development_area_other: ShortText | None = None
    goals: (
        list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_GOAL_LENGTH), Printable]] | None
    ) = Field(default=None, max_length=MAX_GOALS)
    next_cycle: bool = False
    skipped: bool = False
    #: With a milestone that records the partner (`domain.programme.Records`): who supports the owner, and its name.
    partner: PartnerKind | None = None
    partner_name: ShortText | None = None
    #: With a milestone that records a report: the day the owner handed it in, and where it lies.
    report_date: CalendarDay | None = None
    report_ref: ReportRef | None = None


class ScheduleMeeting(_Message):
    """Update `schedule_meeting`: an adviser agrees a meeting (or moves one, given its ``meeting_id``)."""

    kind: MeetingKind
    date: CalendarDay
    start: LocalTime = time(9, 0)
    duration_minutes: int = Field(default=120, ge=15, le=600)
    adviser: AdviserId
    schools: list[ShortText] = Field(default_factory=list, max_length=MAX_MEETING_SCHOOLS)
    title: Title = ""
    meeting_id: str | None = Field(default=None, max_length=64)


class CancelMeeting(_Message):
    """Update `cancel_meeting`: an adviser of the period cancels one of its meetings that still lies ahead.

    The meeting stays in the period, marked cancelled (`MeetingEntry.cancelled_at`), and its invitation is
    withdrawn with an iTIP CANCEL under the same UID and a higher SEQUENCE.
    """

    meeting_id: str = Field(min_length=1, max_length=64)
    adviser: AdviserId
    reason: Title = ""


class Withdraw(_Message):
    """Update `withdraw`: the owner leaves the programme before its end."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), Printable]
    by: ShortText


class ChangeAdvisers(_Message):
    """Update `change_advisers`: a coordinator gives the period its new advisers (the whole list, in order).

    The period's advisers are the ones its rules, records, search attribute and web access follow from then on.
    """

    advisers: list[AdviserId] = Field(min_length=1, max_length=MAX_ADVISERS)
    by: ShortText
    reason: Title = ""

    @model_validator(mode="after")
    def _unique_advisers(self) -> ChangeAdvisers:
        _check_unique_advisers(self.advisers)
        return self


class GatheringInvitation(_Message):
    """Signal `gathering_invitation`: the Directorate invites the owner to a national gathering."""

    gathering_id: ShortText
    title: ShortText
    date: CalendarDay
    place: Title = ""
    #: Rises each time the gathering is moved (the calendar event's SEQUENCE).
    sequence: int = Field(default=0, ge=0, le=10_000)


class NetworkMeeting(_Message):
    """Signal `network_meeting`: the cohort passes on a meeting shared by the owners of a network.

    The meeting keeps its id in every period of the network; a higher ``sequence`` moves it.
    """

    meeting_id: str = Field(pattern=r"^network-[A-Za-z0-9_-]+$", max_length=64)
    network: ShortText
    sequence: int = Field(default=0, ge=0, le=10_000)
    date: CalendarDay
    start: LocalTime = time(9, 0)
    duration_minutes: int = Field(default=120, ge=15, le=600)
    adviser: AdviserId
    title: Title = ""
    #: The day the cohort cancelled it (`cancel_network_meeting`): each period of the network cancels its copy and
    #: sends the CANCEL. None while it stands; left out of the signal then, so a signal reads as it always did.
    cancelled_on: CalendarDay | None = None


class PeriodProgress(_Message):
    """Signal `period_progress`: a period tells its cohort where it stands (phase, overdue, end).

    ``report`` counts the period's reports, so the cohort keeps the newest when two cross.
    """

    owner_id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    report: int = Field(ge=1)
    phase: PhaseName
    cycle: int = Field(ge=1)
    phase_due_on: date | None
    overdue: bool
    ended: bool
    end_reason: str | None = None
    at: datetime


class PeriodAdvisers(_Message):
    """Signal `period_advisers`: a period tells its cohort the advisers it has been given (`change_advisers`), so
    that the cohort's national gatherings and network meetings follow them. The newest (``at``) wins."""

    owner_id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    advisers: list[AdviserId] = Field(min_length=1, max_length=MAX_ADVISERS)
    at: datetime


# --- competence environments (kompetansemiljøer): update `record_competence_environment` ----------------------
# The guidance corps does not teach the development area itself: it helps the owner find competence environments
# to contact (seed 002). The register is data (config/data/competence_environments.toml), read at the edge; an
# update carries the environment as the register had it (`EnvironmentRef`), and `domain.competence` keeps the rules.

#: Where an environment stands with the owner, in order: an adviser proposes it, the owner contacts it, they agree.
CompetenceState = Literal["proposed", "contacted", "agreed"]
COMPETENCE_STATES: tuple[str, ...] = ("proposed", "contacted", "agreed")
EnvironmentKind = Literal["university", "university_college", "national_centre", "statped", "regional_network"]
EnvironmentId = Annotated[str, StringConstraints(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_-]*$")]
AreaCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
#: Development areas one environment serves, at most.
MAX_ENVIRONMENT_AREAS = 20
#: Environments one period keeps over all its cycles (each with its steps): a bound on its state.
MAX_COMPETENCE_ENVIRONMENTS = 30
MAX_COMPETENCE_NOTE = 1000


class EnvironmentRef(_Message):
    """A competence environment as the register had it when an adviser chose it (id, name, kind, areas served)."""

    id: EnvironmentId
    name: ShortText
    kind: EnvironmentKind
    areas: list[AreaCode] = Field(min_length=1, max_length=MAX_ENVIRONMENT_AREAS)


class RecordCompetenceEnvironment(_Message):
    """Update `record_competence_environment`: an adviser proposes an environment for the period's development area,
    or records the owner's contact with it or agreement with it (``date``: the day it happened, today if left out)."""

    environment: EnvironmentRef
    state: CompetenceState
    adviser: AdviserId
    date: CalendarDay | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_COMPETENCE_NOTE), Printable] = ""


class CompetenceStep(BaseModel):
    """One step of an environment with the owner: its state, the day it happened, who recorded it and why."""

    state: CompetenceState
    date: date
    adviser: str
    note: str = ""
    recorded_at: datetime


class CompetenceEnvironmentEntry(BaseModel):
    """An environment proposed in a period's cycle, and where it stands (its last step's state)."""

    environment_id: str
    name: str
    kind: str
    cycle: int
    development_area: str
    state: CompetenceState
    steps: list[CompetenceStep] = Field(default_factory=list)


class MilestoneEntry(BaseModel):
    milestone: str
    cycle: int
    adviser: str
    note: str
    recorded_at: datetime
    development_area: str | None = None
    goals: list[str] = Field(default_factory=list)
    skipped: bool = False
    partner: str | None = None
    partner_name: str | None = None
    report_date: date | None = None
    report_ref: str | None = None


class MeetingEntry(BaseModel):
    meeting_id: str
    kind: MeetingKind
    date: date
    start: time
    duration_minutes: int
    adviser: str
    schools: list[str]
    title: str
    sequence: int = 0
    scheduled_at: datetime
    #: The plan's meeting series this meeting was proposed from (`MeetingSeries.id`), if any.
    series: str | None = None
    #: When it was cancelled (`cancel_meeting`, or its period withdrawn); a cancelled meeting is never moved.
    cancelled_at: datetime | None = None


class GatheringEntry(BaseModel):
    gathering_id: str
    title: str
    date: date
    place: str
    received_at: datetime
    sequence: int = 0


NoticeKind = Literal["phase_reminder", "phase_second_reminder", "escalation", "meeting_gap_reminder", "at_risk"]


class NoticeEntry(BaseModel):
    """A reminder, an escalation, or an early warning (``at_risk``) that was sent."""

    kind: NoticeKind
    key: str
    phase: str
    cycle: int
    sent_at: datetime
    message: str


class PendingRecord(BaseModel):
    """A record queued by a handler for the main loop to write through an activity."""

    activity: str
    summary: str
    payload: dict[str, Any]


class RefusedRecord(PendingRecord):
    """A queued record the record store refused as invalid, kept for an operator."""

    error: str
    at: datetime


class PeriodState(BaseModel):
    """All state of one period: carried whole through continue-as-new."""

    #: One that does not decode fails its workflow task until a worker that reads it takes it, not the workflow
    #: (`starter.converter.InvalidStartInput`).
    workflow_continued_state: ClassVar[bool] = True

    input: PeriodInput
    plan: SharedPlan
    phase: str = "mapping"  # new_state sets the plan's first phase
    cycle: int = 1
    phase_started_on: date
    phase_reminded_at: datetime | None = None
    phase_second_reminded_at: datetime | None = None
    phase_escalated_at: datetime | None = None
    phase_overdue_noted: bool = False
    #: When the advisers were told the current phase is at risk (the plan's `at_risk_share` of it has passed).
    phase_at_risk_noted_at: datetime | None = None
    development_area: str | None = None
    development_area_other: str | None = None
    goals: list[str] = Field(default_factory=list)
    milestones: list[MilestoneEntry] = Field(default_factory=list)
    meetings: list[MeetingEntry] = Field(default_factory=list)
    gatherings: list[GatheringEntry] = Field(default_factory=list)
    notices: list[NoticeEntry] = Field(default_factory=list)
    meeting_gap_from: date
    ended_at: datetime | None = None
    ended_in_phase: str | None = None
    end_reason: str | None = None
    transitions: int = 0
    pending: list[PendingRecord] = Field(default_factory=list)
    refused: list[RefusedRecord] = Field(default_factory=list)
    final_evaluation_queued: bool = False
    #: Reports sent to the cohort (`PeriodProgress.report`).
    progress_reports: int = 0
    #: The cohort that found this period running when it started its owners' periods (signal
    #: ``report_progress_to``); it is told of progress like the cohort named in the input.
    report_to: str | None = None
    #: Competence environments proposed, contacted or agreed (`record_competence_environment`), every cycle's.
    competence_environments: list[CompetenceEnvironmentEntry] = Field(default_factory=list)


class PeriodStatus(BaseModel):
    """The `status` query's answer and every update's answer."""

    workflow_id: str
    cohort: str
    owner: SchoolOwner
    advisers: list[str]
    plan: str
    plan_version: str
    phase: str
    cycle: int
    phase_started_on: date
    phase_due_at: datetime | None
    overdue: bool
    ends_at: datetime
    development_area: str | None
    development_area_other: str | None
    goals: list[str]
    milestones: list[MilestoneEntry]
    meetings: list[MeetingEntry]
    gatherings: list[GatheringEntry]
    reminders_sent: int
    escalations_sent: int
    end_reason: str | None
    records_pending: int = 0
    records_refused: int = 0
    network: str | None = None
    kindergarten_transition: bool = False
    #: The period's first day (its end is the day before start + the plan's maximum).
    start_date: date | None = None
    #: The moment the current phase is at risk (the plan's `at_risk_share` of its time), if the plan warns.
    at_risk_at: datetime | None = None
    #: Past `at_risk_at`, not yet overdue and the closing milestone not come: the period's own state ``at_risk``.
    at_risk: bool = False
    #: In an update's answer, the id of what the update created or moved (`schedule_meeting`: the meeting's id),
    #: so a client need not guess it from the lists; None in the `status` query's answer.
    created: str | None = None
    #: Competence environments of the period, every cycle's (`record_competence_environment`).
    competence_environments: list[CompetenceEnvironmentEntry] = Field(default_factory=list)
