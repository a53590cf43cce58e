"""Configuration: every time, limit and address is a setting with a documented default.

Settings are read from the environment (and a `.env` file) by pydantic-settings. Workflow code never
reads them: the worker and the `guidance` command resolve them and pass the result in, so a period
keeps the values it started with.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.phases import CLOSING_MILESTONE, WORKING_PHASES, Phase
from domain.programme import DEFAULT_DEVELOPMENT_AREAS, DelayDays, Months, PhasePlan, ProgrammePlan, Weeks


class VeilederkorpsetSettings(BaseSettings):
    """The Veilederkorpset plan (seed 002). Environment prefix ``GUIDANCE_PLAN_``.

    The seed fixes only the 2.5-year maximum and the order of the phases; the expected phase
    durations, the meeting cadence and the reminder delays are our choice and may be tuned here.
    """

    model_config = SettingsConfigDict(env_prefix="GUIDANCE_PLAN_", env_file=".env", extra="ignore")

    version: str = "2026.1"
    mapping_weeks: Weeks = 10
    anchoring_weeks: Weeks = 8
    development_area_weeks: Weeks = 6
    goal_prioritisation_weeks: Weeks = 6
    implementation_weeks: Weeks = 52
    evaluation_weeks: Weeks = 12
    max_months: Months = 30
    meeting_gap_weeks: Weeks = 8
    reminder_delay_days: DelayDays = 0
    escalation_delay_weeks: Weeks = 4
    second_reminder_after_weeks: int = Field(default=2, ge=0, le=260)
    new_cycle_min_months: Months = 9
    development_areas: tuple[str, ...] = DEFAULT_DEVELOPMENT_AREAS
    # National gatherings of a cohort: a start gathering, one every half year, a closing one.
    gathering_start_weeks: int = Field(default=4, ge=0, le=52)
    gathering_every_months: int = Field(default=6, ge=0, le=60)
    gathering_closing_weeks: int = Field(default=4, ge=0, le=52)
    gathering_invite_weeks: int = Field(default=6, ge=0, le=52)
    gathering_place: str = Field(default="Oslo", min_length=1, max_length=200)

    def plan(self) -> ProgrammePlan:
        """The plan these settings describe."""
        weeks: dict[Phase, int] = {
            Phase.MAPPING: self.mapping_weeks,
            Phase.ANCHORING: self.anchoring_weeks,
            Phase.DEVELOPMENT_AREA: self.development_area_weeks,
            Phase.GOAL_PRIORITISATION: self.goal_prioritisation_weeks,
            Phase.IMPLEMENTATION: self.implementation_weeks,
            Phase.EVALUATION: self.evaluation_weeks,
        }
        return ProgrammePlan(
            name="veilederkorpset",
            version=self.version,
            phases=tuple(
                PhasePlan(phase=p, expected_weeks=weeks[p], closing_milestone=CLOSING_MILESTONE[p])
                for p in WORKING_PHASES
            ),
            max_months=self.max_months,
            meeting_gap_weeks=self.meeting_gap_weeks,
            reminder_delay_days=self.reminder_delay_days,
            escalation_delay_weeks=self.escalation_delay_weeks,
            second_reminder_after_weeks=self.second_reminder_after_weeks,
            new_cycle_min_months=self.new_cycle_min_months,
            development_areas=self.development_areas,
            gathering_start_weeks=self.gathering_start_weeks,
            gathering_every_months=self.gathering_every_months,
            gathering_closing_weeks=self.gathering_closing_weeks,
            gathering_invite_weeks=self.gathering_invite_weeks,
            gathering_place=self.gathering_place,
        )


class AppSettings(BaseSettings):
    """Where the running system keeps its data and whom it writes to. Environment prefix ``GUIDANCE_``.

    ``DATABASE_URL`` (no prefix) points at a PostgreSQL server; without it, `make dev` starts the
    embedded one in ``data_dir``.
    """

    model_config = SettingsConfigDict(env_prefix="GUIDANCE_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "GUIDANCE_DATABASE_URL")
    )
    data_dir: Path = Path("var")
    outbox_dir: Path | None = None
    directorate_address: str = "veilederkorpset@udir.no"
    adviser_mail_domain: str = "veileder.udir.no"
    # Where invitation letters to the county governor (Statsforvalteren) go; {county} is the county number.
    county_governor_address: str = "sf{county}@statsforvalteren.no"
    # Where a school owner's invitations to national gatherings go; {owner_id} is the owner's number.
    # A real deployment points this at the owners' registered contact addresses.
    owner_address: str = "postmottak-{owner_id}@skoleeier.udir.no"
    # Prometheus metrics of the Temporal SDK (workflow and activity task latencies, polls, failures) on
    # http://{metrics_host}:{metrics_port}/metrics; no port, no endpoint.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "0.0.0.0"
    db_pool_min_size: int = Field(default=1, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
    # The application's gauges (periods by phase, overdue periods) are read from the record store this
    # often while a metrics port is set.
    metrics_refresh_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Liveness (/healthz) and readiness (/readyz: worker polling, PostgreSQL answering) for an
    # orchestrator on http://{health_host}:{health_port}/; no port, no endpoint.
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_host: str = "0.0.0.0"
    # Personal data (advisers, mail addresses, notes, meeting titles, who did what) is removed from the
    # record store this many days after a period ends. Our choice: a year, so the Directorate's yearly
    # reporting and the follow-up of the next cohort can still name who worked with the owner, and no
    # longer (GDPR art. 5(1)(e)); facts, dates, phases and counts stay.
    retention_days: int = Field(default=365, ge=1, le=36500)

    @property
    def outbox_path(self) -> Path:
        """The folder where calendar files and letters are handed over to mail."""
        return self.outbox_dir if self.outbox_dir is not None else self.data_dir / "outbox"


# Every programme plan by name. Settings are read when a plan is asked for, not at import, so a tuned
# environment takes effect at the next start without code changes.
PLANS: dict[str, Callable[[], ProgrammePlan]] = {
    "veilederkorpset": lambda: VeilederkorpsetSettings().plan(),
}


class UnknownPlan(LookupError):
    """No programme plan has the name asked for."""

    def __init__(self, name: str) -> None:
        super().__init__(f"plan: {name!r} is not a programme plan; known plans: {', '.join(sorted(PLANS))}")
        self.name = name


class InvalidPlanSettings(ValueError):
    """The environment sets a plan's number outside what a plan allows."""


def resolve_plan(name: str) -> ProgrammePlan:
    """The plan called `name`, as the current settings describe it.

    Raises:
        UnknownPlan: No plan has that name.
        InvalidPlanSettings: A setting is out of bounds; the message names the variable and the limit.
    """
    build = PLANS.get(name)
    if build is None:
        raise UnknownPlan(name)
    try:
        return build()
    except ValidationError as error:
        problems = "; ".join(
            f"GUIDANCE_PLAN_{'_'.join(str(part) for part in p['loc']).upper()}: {p['msg']}"
            for p in error.errors(include_url=False)
        )
        raise InvalidPlanSettings(f"plan {name!r}: {problems}") from None
