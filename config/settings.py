"""Configuration: every time, limit and address is a setting with a documented default.

Settings are read from the environment (and a `.env` file) by pydantic-settings. Workflow code never
reads them: the worker and the `guidance` command resolve them and pass the result in, so a period
keeps the values it started with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.plan_files import SHIPPED_PLANS_DIR, PlanFileError, load_plan_file, plan_names
from domain.programme import FLAGSHIP, DelayDays, Months, ProgrammePlan, Weeks


class VeilederkorpsetSettings(BaseSettings):
    """Tuning of the Veilederkorpset plan (seed 002, ``plans/veilederkorpset.toml``). Prefix ``GUIDANCE_PLAN_``.

    The seed fixes only the 2.5-year maximum and the order of the phases; the expected phase durations,
    the meeting cadence and the reminder delays are our choice, written in the plan file. A variable set
    here overrides the file's value for periods started from now on; unset ones leave the file's.
    """

    model_config = SettingsConfigDict(env_prefix="GUIDANCE_PLAN_", env_file=".env", extra="ignore")

    version: str | None = None
    mapping_weeks: Weeks | None = None
    anchoring_weeks: Weeks | None = None
    development_area_weeks: Weeks | None = None
    goal_prioritisation_weeks: Weeks | None = None
    implementation_weeks: Weeks | None = None
    evaluation_weeks: Weeks | None = None
    max_months: Months | None = None
    meeting_gap_weeks: Weeks | None = None
    reminder_delay_days: DelayDays | None = None
    escalation_delay_weeks: Weeks | None = None
    second_reminder_after_weeks: int | None = Field(default=None, ge=0, le=260)
    new_cycle_min_months: Months | None = None
    development_areas: tuple[str, ...] | None = None
    # National gatherings of a cohort: a start gathering, one every half year, a closing one.
    gathering_start_weeks: int | None = Field(default=None, ge=0, le=52)
    gathering_every_months: int | None = Field(default=None, ge=0, le=60)
    gathering_closing_weeks: int | None = Field(default=None, ge=0, le=52)
    gathering_invite_weeks: int | None = Field(default=None, ge=0, le=52)
    gathering_place: str | None = Field(default=None, min_length=1, max_length=200)

    def plan(self, base: ProgrammePlan | None = None) -> ProgrammePlan:
        """The flagship plan: `base` (default: its file in the plans folder) with these overrides."""
        if base is None:
            base = load_plan_file(AppSettings().plans_dir / f"{FLAGSHIP}.toml")
        overrides: dict[str, Any] = self.model_dump(exclude_none=True)
        data = base.model_dump()
        data["phases"] = [
            {**phase, "expected_weeks": overrides.pop(f"{phase['phase']}_weeks", phase["expected_weeks"])}
            for phase in data["phases"]
        ]
        return ProgrammePlan.model_validate({**data, **overrides})


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
    # Who receives what (config/people.py): advisers' addresses and the owners' contact persons, a TOML file read
    # when the worker starts. None: every adviser is {id}@{adviser_mail_domain} and no owner has a contact.
    people_file: Path | None = None
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
    # The programme plans, one TOML file each (plans/README.md); a period keeps the plan it started with.
    plans_dir: Path = SHIPPED_PLANS_DIR
    # Worker Versioning (docs/operating.md, "Deploying a new worker"): the worker polls as the version
    # {deployment_name}.{build_id} of a Worker Deployment, so a new release runs beside the old one until the
    # operator makes it current. Off by default: the time-skipping test server knows no deployments; the images,
    # docker-compose.yml and `make dev` turn it on.
    worker_versioning: bool = False
    # The Worker Deployment's name; Temporal joins it to the build id with a '.', so it holds none.
    deployment_name: str = Field(default="guidance-engine", pattern=r"^[A-Za-z0-9_-]{1,100}$")
    # The release's build id (the image bakes it in at build time); unset, a checkout's own is
    # "{package version}-g{commit}" from git (starter/deployment.py, `build_id`); empty counts as unset.
    build_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.+-]{0,100}$")

    @property
    def outbox_path(self) -> Path:
        """The folder where calendar files and letters are handed over to mail."""
        return self.outbox_dir if self.outbox_dir is not None else self.data_dir / "outbox"


def known_plans() -> list[str]:
    """The names of the plans in the configured plans folder."""
    return plan_names(AppSettings().plans_dir)


class UnknownPlan(LookupError):
    """No programme plan has the name asked for."""

    def __init__(self, name: str) -> None:
        known = ", ".join(known_plans()) or f"none (no .toml files in {AppSettings().plans_dir})"
        super().__init__(f"plan: {name!r} is not a programme plan; known plans: {known}")
        self.name = name


class InvalidPlanSettings(ValueError):
    """A plan file is not a valid plan, or the environment sets a plan's number outside what a plan allows."""


def resolve_plan(name: str) -> ProgrammePlan:
    """The plan called `name`, as its file and the current settings describe it.

    Raises:
        UnknownPlan: No plan has that name.
        InvalidPlanSettings: The plan's file is not valid (the message names the file and field path) or a
            setting is out of bounds (the message names the variable and the limit).
    """
    if name not in known_plans():
        raise UnknownPlan(name)
    try:
        plan = load_plan_file(AppSettings().plans_dir / f"{name}.toml")
    except PlanFileError as error:
        raise InvalidPlanSettings(str(error)) from None
    if name != FLAGSHIP:
        return plan
    try:
        return VeilederkorpsetSettings().plan(plan)
    except ValidationError as error:
        problems = "; ".join(
            f"GUIDANCE_PLAN_{'_'.join(str(part) for part in p['loc']).upper()}: {p['msg']}"
            for p in error.errors(include_url=False)
        )
        raise InvalidPlanSettings(f"plan {name!r}: {problems}") from None
