"""Programme plans: the shape of a programme as data.

A plan names its phases in order, with the expected duration of each and the milestone that closes it,
the maximum duration of a period, the recurring meetings and gatherings it proposes, the reminder and
escalation delays, the working-day calendar and the development areas an owner may choose. Plans are
shipped as TOML files (plans/, read by config.plan_files). A running period carries the plan it started
with in its own state, so a plan changed later never changes a running period.
"""

from __future__ import annotations

import hashlib
from datetime import time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.calendar import zone
from domain.phases import CLOSING_MILESTONE, TERMINAL_PHASES, WORKING_PHASES, Milestone, MilestoneName, Phase, PhaseName

DEFAULT_DEVELOPMENT_AREAS: tuple[str, ...] = (
    "classroom_management",
    "basic_skills",
    "assessment",
    "learning_environment",
    "other",
)

#: The plan whose phases and milestones are the Temporal contract (docs/temporal-contract.md).
FLAGSHIP = "veilederkorpset"

# The limits of a plan's numbers, shared with the settings that fill them in (config/settings.py).
Weeks = Annotated[int, Field(ge=1, le=260)]
Months = Annotated[int, Field(ge=1, le=120)]
DelayDays = Annotated[int, Field(ge=0, le=90)]
PlanText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]

#: What a meeting is. ``gathering`` and ``seminar`` are the gatherings (samlinger) of a programme.
MeetingKind = Literal[
    "kickoff",
    "follow_up",
    "phase_review",
    "school_visit",
    "network",
    "learning_team",
    "learning_pair",
    "leadership_group",
    "development_group",
    "seminar",
    "gathering",
]
GATHERING_KINDS: frozenset[str] = frozenset({"gathering", "seminar"})
#: The kinds of meeting an adviser agrees in any programme; a plan's own series add theirs.
COMMON_MEETING_KINDS: tuple[str, ...] = ("kickoff", "follow_up", "phase_review", "school_visit", "network")

#: What an accepted milestone records besides itself (the flagship: the area, then the goals; the follow-up
#: scheme also the partner its support is agreed with, and each report the owner hands in).
Records = Literal["development_area", "goals", "partner", "report"]
#: What a phase's milestone may record at most once in a plan (a report may be recorded by several phases).
RECORDED_ONCE: tuple[str, ...] = ("development_area", "goals", "partner")
#: A share of a phase's expected time after which its advisers are told it is at risk (0.75: three quarters).
AtRiskShare = Annotated[float, Field(gt=0, lt=1)]


class PhasePlan(BaseModel):
    """One phase of a plan: how long it is expected to take and which milestone closes it.

    Attributes:
        phase: The phase's name in messages and search attributes.
        title: What the people in the programme call it (in the plan's language).
        expected_weeks: When the phase is due after it starts; reminders and escalation follow from it.
        closing_milestone: The milestone an adviser records to close it.
        records: What that milestone must carry: the chosen development area, or the prioritised goals.
        optional: The phase may be skipped (the milestone recorded with ``skipped``), e.g. a 360 degree
            evaluation the owner does not take up.
        at_risk_share: This phase's own share of its expected time after which it is at risk (the plan's
            `ProgrammePlan.at_risk_share` otherwise).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: PhaseName
    title: PlanText = ""
    expected_weeks: Weeks
    closing_milestone: MilestoneName
    records: Records | None = None
    optional: bool = False
    at_risk_share: AtRiskShare | None = None

    @model_validator(mode="before")
    @classmethod
    def _flagship_records(cls, data: object) -> object:
        # Plans recorded before phases were data (running periods' state) do not say what their
        # milestones record; the flagship's two that record something are known by name.
        if isinstance(data, dict) and "records" not in data:
            implied: dict[str, str] = {
                Milestone.DEVELOPMENT_AREA_CHOSEN: "development_area",
                Milestone.GOALS_PRIORITISED: "goals",
            }
            records = implied.get(str(data.get("closing_milestone")))
            if records is not None:
                return {**data, "records": records}
        return data


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday")


class MeetingSeries(BaseModel):
    """A recurring meeting or gathering the plan proposes for every period, on working days.

    The n-th occurrence falls ``first_after_weeks`` after the period's start plus n times the cadence
    (``every_weeks`` or ``every_months``, exactly one), moved to the next ``weekday`` if one is given and
    then to the next working day of the plan's country; an occurrence in one of ``skip_months`` (e.g.
    July, the school summer) is left out. The series stops ``until_months`` after the start, or at the
    period's end. Advisers move a proposed meeting with `schedule_meeting` and its ``meeting_id``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
    kind: MeetingKind
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    who: PlanText = ""
    every_weeks: int | None = Field(default=None, ge=1, le=52)
    every_months: int | None = Field(default=None, ge=1, le=24)
    first_after_weeks: int = Field(default=0, ge=0, le=260)
    weekday: Weekday | None = None
    skip_months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = ()
    until_months: Months | None = None
    start: time = time(9, 0)
    duration_minutes: int = Field(default=120, ge=15, le=600)

    @model_validator(mode="after")
    def _one_cadence(self) -> MeetingSeries:
        if (self.every_weeks is None) == (self.every_months is None):
            raise ValueError("give exactly one of every_weeks and every_months")
        if self.start.tzinfo is not None:
            raise ValueError("start: give the local time without a UTC offset, e.g. 09:30")
        if len(set(self.skip_months)) == 12:
            raise ValueError("skip_months: leaves no month for the meetings")
        return self

    @property
    def is_gathering(self) -> bool:
        return self.kind in GATHERING_KINDS


#: The languages a plan names its phases, milestones, meeting kinds and development areas in (the same as the
#: web app's; the domain does not import `language`, tests/readmodel/test_labels.py keeps the two alike).
LabelLanguage = Literal["nb", "nn", "sv", "en"]
LABEL_LANGUAGES: tuple[str, ...] = ("nb", "nn", "sv", "en")
LabelText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LabelCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class PlanLabels(BaseModel):
    """What people call the plan's codes in one language (``[labels.nb]`` in a plan file).

    Each table maps a code (``mapping``, ``mapping_done``, ``follow_up``, ``basic_skills``) to its name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    phases: dict[LabelCode, LabelText] = Field(default_factory=dict)
    milestones: dict[LabelCode, LabelText] = Field(default_factory=dict)
    meeting_kinds: dict[LabelCode, LabelText] = Field(default_factory=dict)
    development_areas: dict[LabelCode, LabelText] = Field(default_factory=dict)

    def named(self, table: str, code: str) -> str | None:
        """The label of `code` in `table` (a key of `LABEL_KINDS`: ``phases``, ...), or None if it has none.

        The one lookup every edge uses (the pages through readmodel.labels, a letter's activity directly)."""
        labels: dict[str, str] = getattr(self, table)
        return labels.get(code)


#: The kinds of label, as the plan file's tables name them and as a missing one is reported.
LABEL_KINDS: dict[str, str] = {
    "phases": "phase",
    "milestones": "milestone",
    "meeting_kinds": "meeting kind",
    "development_areas": "development area",
}


class ProgrammePlan(BaseModel):
    """Everything about a programme that is data rather than code.

    Attributes:
        name: The plan's name, e.g. ``veilederkorpset``.
        version: The plan's version; travels with every period started on it.
        title: The programme's own name.
        source: Where the plan comes from (the seed document it follows).
        phases: The working phases in order; the last one's milestone completes the period.
        max_months: The longest a period may run; at that point it closes as ``expired``.
        meetings: The recurring meetings and gatherings proposed for every period.
        meeting_gap_weeks: A reminder goes to the advisers when no meeting has been held or planned
            for this many weeks.
        reminder_delay_days: Days after a phase's due date before the overdue reminder is sent.
        escalation_delay_weeks: Weeks after the reminder before the Directorate is told.
        second_reminder_after_weeks: Weeks after the reminder before a second one goes to the advisers,
            if that is before the escalation (0: none).
        new_cycle_min_months: A new cycle from the first phase may start with the last phase's
            milestone only while at least this many months of the period remain (none: no new cycles).
        development_areas: The development areas an owner may choose.
        calendar_country: The `holidays` country code of the working-day calendar.
        timezone: The IANA time zone in which the plan's dates are read.
        gathering_start_weeks: The cohort's start gathering lies this many weeks after its periods start.
        gathering_every_months: A national gathering every this many months after the start (0: none
            between the start and the closing gathering).
        gathering_closing_weeks: The closing gathering lies this many weeks before the periods end.
        gathering_invite_weeks: Invitations to a gathering go out this many weeks before it.
        gathering_place: Where national gatherings are held unless a coordinator says otherwise.
        labels: Per language, the names of the plan's phases, milestones, meeting kinds and development
            areas. A plan file must give every one (`missing_labels`); a plan recorded in a running period's
            history before labels existed has none, so the field defaults to empty.
        at_risk_share: The share of a phase's expected time after which, while its closing milestone has not
            come, the phase is at risk and its advisers get one notice (a phase may set its own). None: no such
            warning, as in every plan recorded before the field existed, whose histories replay unchanged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1, max_length=32)
    title: PlanText = ""
    source: PlanText = ""
    phases: tuple[PhasePlan, ...] = Field(min_length=1, max_length=20)
    max_months: Months
    meetings: tuple[MeetingSeries, ...] = Field(default=(), max_length=20)
    meeting_gap_weeks: Weeks
    reminder_delay_days: DelayDays
    escalation_delay_weeks: Weeks
    second_reminder_after_weeks: int = Field(default=2, ge=0, le=260)
    new_cycle_min_months: Months | None = None
    development_areas: tuple[Annotated[str, StringConstraints(min_length=1, max_length=64)], ...] = Field(
        min_length=1, max_length=50
    )
    calendar_country: Literal["NO", "SE"] = "NO"  # the countries whose holidays the calendar knows
    timezone: str = "Europe/Oslo"
    # National gatherings of a cohort (defaults: seed 002 names the gatherings, not their rhythm; ours).
    # Defaults keep plans recorded before these fields existed valid.
    gathering_start_weeks: int = Field(default=4, ge=0, le=52)
    gathering_every_months: int = Field(default=6, ge=0, le=60)
    gathering_closing_weeks: int = Field(default=4, ge=0, le=52)
    gathering_invite_weeks: int = Field(default=6, ge=0, le=52)
    gathering_place: str = Field(default="Oslo", min_length=1, max_length=200)
    labels: dict[LabelLanguage, PlanLabels] = Field(default_factory=dict)
    at_risk_share: AtRiskShare | None = None

    @model_validator(mode="after")
    def _phases_are_consistent(self) -> ProgrammePlan:
        if self.name == FLAGSHIP:
            self._flagship_follows_the_contract()
        names = [p.phase for p in self.phases]
        _unique("phases", "phase", names)
        _unique("phases", "closing_milestone", [p.closing_milestone for p in self.phases])
        _unique("meetings", "id", [m.id for m in self.meetings])
        for index, p in enumerate(self.phases):
            if p.phase in TERMINAL_PHASES:
                raise ValueError(
                    f"phases[{index}].phase: {p.phase!r} is a terminal state every plan shares; "
                    f"give the phase another name (not {', '.join(sorted(TERMINAL_PHASES))})"
                )
        for records in RECORDED_ONCE:
            if sum(1 for p in self.phases if p.records == records) > 1:
                raise ValueError(f"phases: only one phase's milestone may record {records}")
        if self.phases[-1].optional:
            raise ValueError("phases: the last phase completes the period and cannot be optional")
        zone(self.timezone)
        return self

    def _flagship_follows_the_contract(self) -> None:
        """The flagship's phases and milestones are the Temporal contract: a plan file cannot change them."""
        names = tuple(p.phase for p in self.phases)
        if names != WORKING_PHASES:
            allowed = ", ".join(WORKING_PHASES)
            raise ValueError(f"phases must be, in order: {allowed}; got: {', '.join(names)}")
        for index, p in enumerate(self.phases):
            contract = CLOSING_MILESTONE[Phase(p.phase)]
            if p.closing_milestone != contract:
                raise ValueError(
                    f"phases[{index}].closing_milestone: phase {p.phase} is closed by {contract}, "
                    f"not {p.closing_milestone}"
                )

    @property
    def first_phase(self) -> str:
        return self.phases[0].phase

    @property
    def phase_names(self) -> tuple[str, ...]:
        return tuple(p.phase for p in self.phases)

    @property
    def meeting_kinds(self) -> tuple[str, ...]:
        """The kinds of meeting a period on this plan has: the common ones, then those of the plan's own series."""
        own = [s.kind for s in self.meetings if s.kind not in COMMON_MEETING_KINDS]
        return COMMON_MEETING_KINDS + tuple(dict.fromkeys(own))

    def label_codes(self) -> dict[str, tuple[str, ...]]:
        """The codes that need a label in every language, per kind of label (`LABEL_KINDS`)."""
        return {
            "phases": self.phase_names,
            "milestones": tuple(p.closing_milestone for p in self.phases),
            "meeting_kinds": self.meeting_kinds,
            "development_areas": self.development_areas,
        }

    def missing_labels(self) -> list[str]:
        """One problem per language table or label the plan lacks, naming the plan, language, kind and code."""
        problems: list[str] = []
        for language in LABEL_LANGUAGES:
            labels = self.labels.get(language)  # type: ignore[call-overload]
            if labels is None:
                problems.append(f"labels.{language}: plan {self.name} gives no labels in {language}")
                continue
            for table, codes in self.label_codes().items():
                given = getattr(labels, table)
                for code in codes:
                    if code not in given:
                        problems.append(
                            f"labels.{language}: plan {self.name} has no {LABEL_KINDS[table]} label "
                            f"in {language} for {code} ([labels.{language}.{table}] {code} = ...)"
                        )
        return problems

    @property
    def allows_new_cycle(self) -> bool:
        return self.new_cycle_min_months is not None

    def phase_plan(self, phase: str) -> PhasePlan:
        """The plan of one working phase."""
        for p in self.phases:
            if p.phase == phase:
                return p
        raise KeyError(f"{phase} is not a working phase of plan {self.name}")

    def next_phase(self, phase: str) -> str:
        """The phase that follows a working phase; ``completed`` after the last."""
        names = self.phase_names
        index = names.index(phase)
        return names[index + 1] if index + 1 < len(names) else "completed"

    def is_last_phase(self, phase: str) -> bool:
        return phase == self.phases[-1].phase

    def at_risk_share_of(self, phase: str) -> float | None:
        """The share of `phase`'s expected time after which it is at risk: its own, else the plan's (None: never)."""
        own = self.phase_plan(phase).at_risk_share
        return own if own is not None else self.at_risk_share

    @property
    def warns_at_risk(self) -> bool:
        """Whether any phase of the plan can be at risk (its periods then have the ``AtRisk`` search attribute)."""
        return any(self.at_risk_share_of(p.phase) is not None for p in self.phases)

    def phase_of_milestone(self, milestone: str) -> PhasePlan | None:
        """The phase a milestone closes, if the milestone is one of this plan's."""
        return next((p for p in self.phases if p.closing_milestone == milestone), None)


def _unique(where: str, field: str, values: list[str]) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(f"{where}[{index}].{field}: {value!r} is given twice; each must be unique")
        seen.add(value)


#: Distinct plans a process keeps one instance of (`shared_plan`); a plan beyond them is kept as decoded.
MAX_SHARED_PLANS = 64
_shared: dict[str, ProgrammePlan] = {}


def shared_plan(plan: ProgrammePlan) -> ProgrammePlan:
    """This process's one instance of a plan equal to `plan` (the first one it met), else `plan` itself.

    Every period carries its plan in its input and state, and a worker holds thousands of periods of a handful of
    plans: decoded each on its own, a plan (with its labels in every language) was about 16 KB of every cached
    period. The plan is frozen and its tuples and label tables are only read, so equal plans may be one object.
    The plans kept are bounded: a client that starts periods on ever new plans leaves them unshared, not kept.
    """
    # A plan kept already (a period's state made from its decoded input) needs no key: ~50 µs saved per state. The
    # values are copied in one step first: workflow tasks run in threads, and another may be adding a plan.
    if any(kept is plan for kept in tuple(_shared.values())):
        return plan
    key = hashlib.sha256(plan.model_dump_json().encode("utf-8")).hexdigest()
    found = _shared.get(key)
    if found is not None:
        return found
    if len(_shared) >= MAX_SHARED_PLANS:
        return plan
    return _shared.setdefault(key, plan)


#: A plan field of a message a worker keeps (a period's or cohort's input and state): one instance per plan.
SharedPlan = Annotated[ProgrammePlan, AfterValidator(shared_plan)]
