"""Programme plans: the shape of a guidance period as data.

A plan names its phases in order with the expected duration of each and the milestone that closes it,
the maximum duration of a period, the meeting cadence, the reminder and escalation delays and the
development areas an owner may choose. A running period carries the plan it started with in its own
state, so a plan changed later never changes a running period.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.calendar import zone
from domain.phases import CLOSING_MILESTONE, WORKING_PHASES, Milestone, Phase

DEFAULT_DEVELOPMENT_AREAS: tuple[str, ...] = (
    "classroom_management",
    "basic_skills",
    "assessment",
    "learning_environment",
    "other",
)

# The limits of a plan's numbers, shared with the settings that fill them in (domain/settings.py).
Weeks = Annotated[int, Field(ge=1, le=260)]
Months = Annotated[int, Field(ge=1, le=120)]
DelayDays = Annotated[int, Field(ge=0, le=90)]


class PhasePlan(BaseModel):
    """One phase of a plan: how long it is expected to take and which milestone closes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: Phase
    expected_weeks: Weeks
    closing_milestone: Milestone


class ProgrammePlan(BaseModel):
    """Everything about a programme that is data rather than code.

    Attributes:
        name: The plan's name, e.g. ``veilederkorpset``.
        version: The plan's version; travels with every period started on it.
        phases: The working phases in order.
        max_months: The longest a period may run; at that point it closes as ``expired``.
        meeting_gap_weeks: A reminder goes to the advisers when no meeting has been held or planned
            for this many weeks.
        reminder_delay_days: Days after a phase's due date before the overdue reminder is sent.
        escalation_delay_weeks: Weeks after the reminder before the Directorate is told.
        second_reminder_after_weeks: Weeks after the reminder before a second one goes to the advisers,
            if that is before the escalation (0: none).
        new_cycle_min_months: A new development cycle may start after evaluation only while at
            least this many months of the period remain.
        development_areas: The development areas an owner may choose.
        calendar_country: The `holidays` country code of the working-day calendar.
        timezone: The IANA time zone in which the plan's dates are read.
        gathering_start_weeks: The cohort's start gathering lies this many weeks after its periods start.
        gathering_every_months: A national gathering every this many months after the start (0: none
            between the start and the closing gathering).
        gathering_closing_weeks: The closing gathering lies this many weeks before the periods end.
        gathering_invite_weeks: Invitations to a gathering go out this many weeks before it.
        gathering_place: Where national gatherings are held unless a coordinator says otherwise.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1, max_length=32)
    phases: tuple[PhasePlan, ...]
    max_months: Months
    meeting_gap_weeks: Weeks
    reminder_delay_days: DelayDays
    escalation_delay_weeks: Weeks
    second_reminder_after_weeks: int = Field(default=2, ge=0, le=260)
    new_cycle_min_months: Months
    development_areas: tuple[str, ...] = Field(min_length=1)
    calendar_country: Literal["NO", "SE"] = "NO"  # the countries whose holidays the calendar knows
    timezone: str = "Europe/Oslo"
    # National gatherings of a cohort (defaults: seed 002 names the gatherings, not their rhythm; ours).
    # Defaults keep plans recorded before these fields existed valid.
    gathering_start_weeks: int = Field(default=4, ge=0, le=52)
    gathering_every_months: int = Field(default=6, ge=0, le=60)
    gathering_closing_weeks: int = Field(default=4, ge=0, le=52)
    gathering_invite_weeks: int = Field(default=6, ge=0, le=52)
    gathering_place: str = Field(default="Oslo", min_length=1, max_length=200)

    @model_validator(mode="after")
    def _phases_follow_the_contract(self) -> ProgrammePlan:
        names = tuple(p.phase for p in self.phases)
        if names != WORKING_PHASES:
            allowed = ", ".join(WORKING_PHASES)
            raise ValueError(f"phases must be, in order: {allowed}; got: {', '.join(names)}")
        for p in self.phases:
            if p.closing_milestone != CLOSING_MILESTONE[p.phase]:
                raise ValueError(
                    f"phase {p.phase} is closed by {CLOSING_MILESTONE[p.phase]}, not {p.closing_milestone}"
                )
        zone(self.timezone)
        return self

    def phase_plan(self, phase: Phase) -> PhasePlan:
        """The plan of one working phase."""
        for p in self.phases:
            if p.phase == phase:
                return p
        raise KeyError(f"{phase} is not a working phase of plan {self.name}")
