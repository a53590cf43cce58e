"""The county governor's assessment of the spread-track owners, before the Directorate decides (issue 20).

The follow-up scheme chooses most owners by their share of risk points (track ``rank``) and up to ten for a large
spread between their schools (track ``spread``, `selection.scoring`). For those the county governor
(Statsforvalteren) assesses and prioritises first: each owner gets an assessment request (a letter to the county
governor) with a reply deadline on a working day, a reminder some working days before it, and past it the request
is recorded ``no_reply`` and the Directorate decides without it. `CountyAssessmentWorkflow` keeps this state; the
rules are here, pure: no I/O, and "now" is always an argument.

Our choices where the scheme is silent:

- The priority is a place, 1 to n, among the county's owners of this assessment (n of them): the scheme says the
  county governor *prioritises*, which a yes/no would not say, and a place within the county is what the
  Directorate can weigh against the other counties' without comparing the county governors with each other. Two
  owners of one county never share a place.
- An assessment is recorded once. The Directorate may read it as soon as it is in, and its decision records what
  it saw; an assessment that could change afterwards would change that record's meaning.
- An assessment after the deadline is refused (the request is ``no_reply``): the deadline is what lets the
  Directorate decide on a known day, and a basis that could still change after it would undo that. A late letter
  is correspondence the coordinator reads beside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from domain import calendar
from domain.contract import Activities
from domain.effects import Effects, Occasion
from domain.models import AdviserId, CohortName, PendingRecord, Printable, RefusedRecord, SchoolOwner, _Message
from domain.period import Rejection
from domain.records import AuditEntry

#: Working days the county governor has to answer, counted from the day of the request (our choice: three weeks,
#: as an owner has to answer an invitation, `domain.cohort.DEFAULT_REPLY_DAYS`).
DEFAULT_ASSESSMENT_DAYS = 15
#: Working days before the deadline that the county governor is reminded of a request still open.
DEFAULT_REMINDER_DAYS = 5
#: Owners one assessment asks about: the spread track is ten; room for a larger configuration.
MAX_ASSESSED_OWNERS = 50
#: The assessment's text: a page or two.
MAX_ASSESSMENT_LENGTH = 4000
#: The county governors are Norway's: their working days and their clock.
COUNTRY = "NO"
TIMEZONE = "Europe/Oslo"

AssessmentText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ASSESSMENT_LENGTH), Printable
]
#: Who records an assessment: the county governor themself, or a coordinator on the county governor's behalf.
RecordedAs = Literal["county_governor", "coordinator"]
OwnerId = Annotated[str, StringConstraints(pattern=r"^\d{2}(\d{2})?$")]
CountyId = Annotated[str, StringConstraints(pattern=r"^\d{2}$")]


class AssessedOwner(_Message):
    """One spread-track owner the county governor is asked about, with what the shortlist said of it."""

    owner: SchoolOwner
    #: Its place on the shortlist and its spread (the share of risk points between its best and worst school).
    rank: int = Field(ge=1, le=1000)
    spread: float | None = Field(default=None, ge=0, le=1)


class AssessmentInput(_Message):
    """Input of `CountyAssessmentWorkflow`: the cohort's spread-track owners and the reply deadline."""

    workflow_start_input: ClassVar[bool] = True

    cohort: CohortName
    owners: list[AssessedOwner] = Field(min_length=1, max_length=MAX_ASSESSED_OWNERS)
    requested_by: AdviserId
    #: The SHA-256 of the indicator file whose shortlist named the owners, when it came from one.
    indicator_file: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    reply_days: int = Field(default=DEFAULT_ASSESSMENT_DAYS, ge=1, le=120)
    reminder_days: int = Field(default=DEFAULT_REMINDER_DAYS, ge=0, le=60)

    @model_validator(mode="after")
    def _consistent(self) -> AssessmentInput:
        ids = [o.owner.id for o in self.owners]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"owners: each school owner is asked about once; named more than once: {', '.join(twice)}")
        if self.reminder_days >= self.reply_days:
            raise ValueError(
                f"reminder_days: {self.reminder_days} working days before the deadline is not after the request "
                f"({self.reply_days} working days); give fewer than {self.reply_days}, or 0 for no reminder"
            )
        return self


class RecordAssessment(_Message):
    """Update `record_assessment`: the county governor's assessment and priority of one owner."""

    owner_id: OwnerId
    assessment: AssessmentText
    priority: int = Field(ge=1, le=MAX_ASSESSED_OWNERS)
    #: The user who records it, and as whom: a county governor user names their county, which must be the owner's.
    by: AdviserId
    recorded_as: RecordedAs
    county: CountyId | None = None

    @model_validator(mode="after")
    def _county_governor_names_county(self) -> RecordAssessment:
        if self.recorded_as == "county_governor" and self.county is None:
            raise ValueError("county: a county governor records for their own county; name it")
        return self


class RequestState(StrEnum):
    REQUESTED = "requested"
    REMINDED = "reminded"
    ANSWERED = "answered"
    NO_REPLY = "no_reply"

    @property
    def is_open(self) -> bool:
        """The county governor may still answer."""
        return self in (RequestState.REQUESTED, RequestState.REMINDED)


class AssessmentRequest(BaseModel):
    """Where the request about one owner stands, and the county governor's answer once given."""

    owner_id: str
    owner_name: str
    owner_kind: str
    county: str
    rank: int
    spread: float | None = None
    state: RequestState = RequestState.REQUESTED
    reminded_at: datetime | None = None
    assessment: str | None = None
    priority: int | None = None
    recorded_by: str | None = None
    recorded_as: RecordedAs | None = None
    answered_at: datetime | None = None


class AssessmentState(BaseModel):
    """All state of one cohort's assessment (a few dozen events: it never continues as new)."""

    input: AssessmentInput
    requested_on: date
    requests: list[AssessmentRequest]
    reminders_sent: bool = False
    no_reply_recorded: bool = False
    pending: list[PendingRecord] = Field(default_factory=list)
    refused: list[RefusedRecord] = Field(default_factory=list)


class AssessmentStatus(BaseModel):
    """The `status` query's answer and the answer to `record_assessment`."""

    workflow_id: str
    cohort: str
    requested_by: str
    requested_on: date
    remind_on: date | None
    reply_by: date
    requests: list[AssessmentRequest]
    counts: dict[str, int]
    indicator_file: str | None = None
    records_pending: int = 0
    records_refused: int = 0
    ended: bool = False

    def of_county(self, county: str) -> list[AssessmentRequest]:
        return [r for r in self.requests if r.county == county]


AssessmentEvent = Literal["requested", "reminded", "answered", "no_reply"]


class AssessmentRecord(BaseModel):
    """A `county_assessments` row (keyed by cohort and owner; newer rows win) and the event that changed it.

    ``requested`` and ``reminded`` also send a letter to the county governor of the owner's county.
    """

    workflow_id: str
    cohort: str
    owner_id: str
    owner_name: str
    county: str
    rank: int
    event: AssessmentEvent
    state: str
    requested_by: str
    reply_by: date
    assessment: str | None
    priority: int | None
    recorded_by: str | None
    recorded_as: str | None
    indicator_file: str | None
    updated_at: datetime
    audit: AuditEntry


class SeenAssessment(BaseModel):
    """One owner's assessment as the Directorate saw it when it decided (kept in `SelectionDecision`)."""

    owner_id: str
    state: RequestState
    priority: int | None = None
    assessment: str | None = None
    recorded_by: str | None = None
    answered_at: datetime | None = None


# --- dates ------------------------------------------------------------------------------------------


def new_state(assessment: AssessmentInput, now: datetime) -> AssessmentState:
    """The state of an assessment whose requests go out at `now`."""
    return AssessmentState(
        input=assessment,
        requested_on=calendar.local_date(now, TIMEZONE),
        requests=[
            AssessmentRequest(
                owner_id=o.owner.id,
                owner_name=o.owner.name,
                owner_kind=o.owner.kind,
                county=o.owner.county,
                rank=o.rank,
                spread=o.spread,
            )
            for o in assessment.owners
        ],
    )


def reply_by(state: AssessmentState) -> date:
    """The last day to answer: `reply_days` working days after the request, a working day."""
    return calendar.add_working_days(state.requested_on, state.input.reply_days, COUNTRY)


def remind_on(state: AssessmentState) -> date | None:
    """The day the county governor is reminded of an open request (None: no reminder)."""
    if state.input.reminder_days == 0:
        return None
    return calendar.add_working_days(state.requested_on, state.input.reply_days - state.input.reminder_days, COUNTRY)


def no_reply_at(state: AssessmentState) -> datetime:
    """The moment the deadline has passed: the end of its day."""
    return calendar.end_of_day(reply_by(state), TIMEZONE)


@dataclass(frozen=True)
class AssessmentDeadline:
    at: datetime
    kind: Literal["reminder", "no_reply"]
    summary: str


def open_requests(state: AssessmentState) -> list[AssessmentRequest]:
    return [r for r in state.requests if r.state.is_open]


def next_deadline(state: AssessmentState) -> AssessmentDeadline | None:
    """The next moment the assessment must act, while a request is open."""
    if not open_requests(state):
        return None
    remind = remind_on(state)
    if remind is not None and not state.reminders_sent:
        at = calendar.end_of_day(remind, TIMEZONE)
        return AssessmentDeadline(at, "reminder", f"remind the county governors on {remind}")
    if not state.no_reply_recorded:
        return AssessmentDeadline(no_reply_at(state), "no_reply", f"deadline {reply_by(state)}: record no_reply")
    return None


def is_finished(state: AssessmentState) -> bool:
    """Every request is answered or past its deadline, and every record is written."""
    return not open_requests(state) and not state.pending


# --- the rule of an assessment ----------------------------------------------------------------------


def request_of(state: AssessmentState, owner_id: str) -> AssessmentRequest | None:
    return next((r for r in state.requests if r.owner_id == owner_id), None)


def check_assessment(state: AssessmentState, request: RecordAssessment, now: datetime) -> None:
    """Reject an assessment of an owner not asked about, of another county than the county governor's, after the
    deadline, a second one, or a priority outside 1..n of the county or taken by another of its owners."""
    _check(state.requests, state.input.cohort, reply_by(state), request, now)


def check_ended(current: AssessmentStatus, request: RecordAssessment) -> None:
    """The same rules for an assessment that has ended (every request answered or past its deadline), from its
    status: a client asks it after the workflow has gone, and is told why as it would have been before."""
    _check(current.requests, current.cohort, current.reply_by, request, calendar.end_of_day(current.reply_by, TIMEZONE))


def _check(
    requests: list[AssessmentRequest], cohort: str, last_day: date, request: RecordAssessment, now: datetime
) -> None:
    entry = next((r for r in requests if r.owner_id == request.owner_id), None)
    if entry is None:
        asked = [r.owner_id for r in requests]
        raise Rejection(
            "owner_id",
            f"{request.owner_id} is not among the school owners the county governor is asked to assess for cohort "
            f"{cohort}; asked about: {', '.join(asked)}",
            code="owner_id.not_assessed",
            owner_id=request.owner_id,
            cohort=cohort,
            asked=asked,
        )
    if request.recorded_as == "county_governor" and request.county != entry.county:
        raise Rejection(
            "owner_id",
            f"{entry.owner_name} ({entry.owner_id}) is in county {entry.county}; the county governor of county "
            f"{request.county} assesses only its own county's school owners",
            code="owner_id.other_county",
            owner_name=entry.owner_name,
            owner_id=entry.owner_id,
            county=entry.county,
            own_county=request.county,
        )
    if entry.state == RequestState.NO_REPLY or (entry.state.is_open and now >= calendar.end_of_day(last_day, TIMEZONE)):
        raise Rejection(
            "owner_id",
            f"the deadline for the county governor's assessment of {entry.owner_name} ({entry.owner_id}) was "
            f"{last_day}; it is recorded as no reply, and the Directorate decides without it",
            code="owner_id.assessment_too_late",
            owner_name=entry.owner_name,
            owner_id=entry.owner_id,
            reply_by=last_day.isoformat(),
        )
    if entry.state == RequestState.ANSWERED:
        raise Rejection(
            "owner_id",
            f"{entry.owner_name} ({entry.owner_id}) has been assessed already, by {entry.recorded_by} with "
            f"priority {entry.priority}; an assessment is recorded once",
            code="owner_id.already_assessed",
            owner_name=entry.owner_name,
            owner_id=entry.owner_id,
            recorded_by=entry.recorded_by,
            priority=entry.priority,
        )
    county = [r for r in requests if r.county == entry.county]
    if request.priority > len(county):
        raise Rejection(
            "priority",
            f"{request.priority} is not a place among the {len(county)} school owners of county {entry.county} to "
            f"prioritise; give 1 to {len(county)}",
            code="priority.out_of_range",
            priority=request.priority,
            county=entry.county,
            count=len(county),
        )
    holder = next((r for r in county if r.priority == request.priority), None)
    if holder is not None:
        taken = {r.priority for r in county if r.priority is not None}
        free = [str(p) for p in range(1, len(county) + 1) if p not in taken]
        raise Rejection(
            "priority",
            f"priority {request.priority} in county {entry.county} is given to {holder.owner_name} "
            f"({holder.owner_id}) already; two school owners of a county never share a place; free: {', '.join(free)}",
            code="priority.taken",
            priority=request.priority,
            county=entry.county,
            holder=f"{holder.owner_name} ({holder.owner_id})",
            free=free,
        )


# --- what each change causes ------------------------------------------------------------------------


def opened(state: AssessmentState, at: Occasion) -> Effects:
    """A new assessment: a request (a letter to the county governor) about every owner."""
    effects = Effects()
    for entry in state.requests:
        _record(effects, state, at, entry, "requested", state.input.requested_by, f"request:{entry.owner_id}")
    return effects


def answered(state: AssessmentState, request: RecordAssessment, at: Occasion) -> Effects:
    """An assessment checked by `check_assessment`: the request is answered."""
    entry = request_of(state, request.owner_id)
    assert entry is not None
    entry.state = RequestState.ANSWERED
    entry.assessment = request.assessment
    entry.priority = request.priority
    entry.recorded_by = request.by
    entry.recorded_as = request.recorded_as
    entry.answered_at = at.now
    effects = Effects(created=entry.owner_id)
    _record(effects, state, at, entry, "answered", request.by, at.key)
    return effects


def deadlines_passed(state: AssessmentState, at: Occasion) -> Effects:
    """The deadlines that have passed: reminders of open requests, then ``no_reply`` for those still open."""
    effects = Effects()
    deadline = next_deadline(state)
    while deadline is not None and deadline.at <= at.now:
        if deadline.kind == "reminder":
            state.reminders_sent = True
            for entry in open_requests(state):
                entry.state = RequestState.REMINDED
                entry.reminded_at = at.now
                _record(effects, state, at, entry, "reminded", "system", f"reminded:{entry.owner_id}")
        else:
            state.no_reply_recorded = True
            for entry in open_requests(state):
                entry.state = RequestState.NO_REPLY
                entry.answered_at = at.now
                _record(effects, state, at, entry, "no_reply", "system", f"no_reply:{entry.owner_id}")
        deadline = next_deadline(state)
    return effects


def _record(
    effects: Effects,
    state: AssessmentState,
    at: Occasion,
    entry: AssessmentRequest,
    event: AssessmentEvent,
    by: str,
    key: str,
) -> None:
    details: dict[str, object] = {"owner_id": entry.owner_id, "county": entry.county}
    if event == "answered":
        details.update(priority=entry.priority, recorded_as=entry.recorded_as)
    effects.add(
        Activities.RECORD_COUNTY_ASSESSMENT,
        AssessmentRecord(
            workflow_id=at.workflow_id,
            cohort=state.input.cohort,
            owner_id=entry.owner_id,
            owner_name=entry.owner_name,
            county=entry.county,
            rank=entry.rank,
            event=event,
            state=str(entry.state),
            requested_by=state.input.requested_by,
            reply_by=reply_by(state),
            assessment=entry.assessment,
            priority=entry.priority,
            recorded_by=entry.recorded_by,
            recorded_as=entry.recorded_as,
            indicator_file=state.input.indicator_file,
            updated_at=at.now,
            audit=AuditEntry(
                workflow_id=at.workflow_id,
                event_key=key or f"{event}:{entry.owner_id}",
                at=at.now,
                actor=by,
                action=f"county governor's assessment {event}",
                details=details,
            ),
        ),
        f"assessment {event}: {entry.owner_name}",
    )


# --- status -----------------------------------------------------------------------------------------


def status(state: AssessmentState, workflow_id: str) -> AssessmentStatus:
    counts = {s.value: 0 for s in RequestState}
    for entry in state.requests:
        counts[entry.state.value] += 1
    return AssessmentStatus(
        workflow_id=workflow_id,
        cohort=state.input.cohort,
        requested_by=state.input.requested_by,
        requested_on=state.requested_on,
        remind_on=remind_on(state),
        reply_by=reply_by(state),
        requests=[entry.model_copy() for entry in state.requests],
        counts=counts,
        indicator_file=state.input.indicator_file,
        records_pending=len(state.pending),
        records_refused=len(state.refused),
        ended=is_finished(state),
    )


def seen(current: AssessmentStatus) -> list[SeenAssessment]:
    """What a decision taken now sees of the assessment: every owner's state and answer."""
    return [
        SeenAssessment(
            owner_id=r.owner_id,
            state=r.state,
            priority=r.priority,
            assessment=r.assessment,
            recorded_by=r.recorded_by,
            answered_at=r.answered_at,
        )
        for r in current.requests
    ]


def one_line(state: AssessmentState) -> str:
    """The assessment in one line, for the Web UI's current details."""
    counts = status(state, "").counts
    return (
        f"County governors' assessment for cohort {state.input.cohort}: {len(state.requests)} owners, "
        f"reply by {reply_by(state)}; {counts['answered']} answered, "
        f"{counts['requested'] + counts['reminded']} waiting ({counts['reminded']} reminded), "
        f"{counts['no_reply']} no reply"
    )
