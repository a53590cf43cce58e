"""Competence environments (kompetansemiljøer): the register's shape and the rules of a period's use of them.

The guidance corps does not teach a development area itself; it helps the school owner find competence
environments to contact (seed 002): universities and university colleges, the national centres, Statped, regional
networks. The register is shipped as data (config/data/competence_environments.toml, read and checked by
`config.competence`); `register_from_data` is its check, pure.

In a period an adviser proposes environments for the development area the period has chosen, and records the
owner's contact with one and their agreement (``proposed`` -> ``contacted`` -> ``agreed``, each with its day and a
note). The rule of when: from the milestone that chooses the cycle's development area until the period ends (in the
flagship, goal prioritisation, implementation and evaluation). A plan needs no field for it: an environment serves a
development area, so it has its place once there is one, and the follow-up scheme agrees its expert partner before
implementation. A new cycle chooses a new area, and proposes anew.

The update carries the environment as the register had it (`EnvironmentRef`: id, name, kind, areas): the workflow
reads no files, and a register changed later (an environment renamed or removed) must not change how a recorded
history replays, which a check against the register in the data converter would. The `guidance` command and the web
app build the reference from the register, so a person can only choose one of its environments; the workflow holds
any client to the reference's shape and bounds and to the period's own rules here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from domain import calendar
from domain.models import (
    COMPETENCE_STATES,
    MAX_COMPETENCE_ENVIRONMENTS,
    MAX_ENVIRONMENT_AREAS,
    AreaCode,
    CompetenceEnvironmentEntry,
    CompetenceStep,
    EnvironmentId,
    EnvironmentKind,
    EnvironmentRef,
    PeriodState,
    RecordCompetenceEnvironment,
    ShortText,
)
from domain.period import Rejection, check_adviser, check_open, today

#: The kinds of environment, in the order the pages list them.
ENVIRONMENT_KINDS: tuple[str, ...] = (
    "national_centre",
    "university",
    "university_college",
    "statped",
    "regional_network",
)
#: Environments one register holds, at most (a bound on the file and on every form that lists them).
MAX_REGISTER = 500


# --- the register ---------------------------------------------------------------------------------------------


class Contact(BaseModel):
    """The environment's public general contact: its web address, and its general mail or phone where published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    web: Annotated[str, StringConstraints(max_length=200, pattern=r"^https://[A-Za-z0-9.-]+\.[a-z]{2,}(/[^\s]*)?$")]
    email: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^@\s]+@[A-Za-z0-9.-]+\.[a-z]{2,}$")] | None = (
        None
    )
    phone: Annotated[str, StringConstraints(max_length=30, pattern=r"^\+?[0-9 ]{8,20}$")] | None = None


class CompetenceEnvironment(BaseModel):
    """One row of the register: an environment, its kind, the development areas (the plans' codes) it serves."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: EnvironmentId
    name: ShortText
    kind: EnvironmentKind
    areas: list[AreaCode] = Field(min_length=1, max_length=MAX_ENVIRONMENT_AREAS)
    contact: Contact

    @model_validator(mode="after")
    def _areas_once(self) -> CompetenceEnvironment:
        twice = sorted({a for a in self.areas if self.areas.count(a) > 1})
        if twice:
            raise ValueError(f"areas: each development area is named once; twice: {', '.join(twice)}")
        return self

    def ref(self) -> EnvironmentRef:
        """What an update carries of it."""
        return EnvironmentRef(id=self.id, name=self.name, kind=self.kind, areas=list(self.areas))

    def serves(self, area: str | None) -> bool:
        return area is not None and area in self.areas


class RegisterDataError(ValueError):
    """A register that is not valid; ``problems`` has one line per fault, naming the row (index and id) and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def register_from_data(data: Mapping[str, Any], known_areas: Collection[str]) -> tuple[CompetenceEnvironment, ...]:
    """The register in `data` (the file's table: ``[[environments]]`` rows), checked whole.

    `known_areas` are the development areas of the plans (their codes): a row naming another serves no period.

    Raises:
        RegisterDataError: one problem per fault, e.g. ``environments[3] (lesesenteret).areas[1]: 'reading' is not a
            development area of any plan; known: ...``.
    """
    unknown_keys = sorted(set(data) - {"environments"})
    if unknown_keys:
        raise RegisterDataError([f"{', '.join(unknown_keys)}: not a field of the register; it has [[environments]]"])
    rows = data.get("environments")
    if not isinstance(rows, list) or not rows:
        raise RegisterDataError(["environments: give at least one [[environments]] row"])
    if len(rows) > MAX_REGISTER:
        raise RegisterDataError([f"environments: {len(rows)} rows; the register holds at most {MAX_REGISTER}"])
    problems: list[str] = []
    environments: list[CompetenceEnvironment] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        name = row.get("id") if isinstance(row, dict) else None
        where = f"environments[{index}]" + (f" ({name})" if isinstance(name, str) else "")
        try:
            environment = CompetenceEnvironment.model_validate(row)
        except ValidationError as error:
            problems.extend(f"{where}{_location(p['loc'])}: {_message(p)}" for p in error.errors(include_url=False))
            continue
        if environment.id in seen:
            problems.append(f"{where}.id: {environment.id!r} is the id of environments[{seen[environment.id]}] too")
        seen.setdefault(environment.id, index)
        for position, area in enumerate(environment.areas):
            if area not in known_areas:
                problems.append(
                    f"{where}.areas[{position}]: {area!r} is not a development area of any plan; "
                    f"known: {', '.join(sorted(known_areas))}"
                )
        environments.append(environment)
    if problems:
        raise RegisterDataError(problems)
    return tuple(environments)


def _location(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def _message(problem: Any) -> str:
    message = str(problem["msg"]).removeprefix("Value error, ")
    given = repr(problem.get("input"))
    return f"{message} (got: {given if len(given) <= 80 else given[:77] + '...'})"


# --- a period's environments ----------------------------------------------------------------------------------


def in_cycle(entries: list[CompetenceEnvironmentEntry], cycle: int) -> list[CompetenceEnvironmentEntry]:
    """The environments of one cycle, in the order they were proposed."""
    return [e for e in entries if e.cycle == cycle]


def agreed(entries: list[CompetenceEnvironmentEntry], cycle: int) -> list[CompetenceEnvironmentEntry]:
    """The environments the owner has agreed with in a cycle."""
    return [e for e in in_cycle(entries, cycle) if e.state == "agreed"]


def _area_milestone(state: PeriodState) -> str | None:
    return next((p.closing_milestone for p in state.plan.phases if p.records == "development_area"), None)


def check_competence_environment(state: PeriodState, request: RecordCompetenceEnvironment, now: datetime) -> None:
    """Reject a step with an environment that may not be recorded now (the rules in this module's docstring)."""
    check_open(state)
    check_adviser(state, request.adviser)
    environment, plan = request.environment, state.plan
    area = state.development_area
    if area is None:
        milestone = _area_milestone(state)
        if milestone is None:
            raise Rejection(
                "environment",
                f"plan {plan.name} chooses no development area, so no competence environment serves it",
                code="environment.not_in_plan",
                plan=plan.name,
            )
        raise Rejection(
            "environment",
            f"the period has no development area in this cycle yet; environments are proposed for it once "
            f"{milestone} is recorded",
            code="environment.no_development_area",
            plan=plan.name,
            milestone=milestone,
        )
    if area not in environment.areas:
        raise Rejection(
            "environment",
            f"{environment.name} does not serve the period's development area {area}; it serves: "
            f"{', '.join(environment.areas)}",
            code="environment.area_not_served",
            plan=plan.name,
            environment=environment.name,
            area=area,
            serves=list(environment.areas),
        )
    entry = _entry(state, environment.id)
    _check_step(entry, request)
    if entry is None and len(state.competence_environments) >= MAX_COMPETENCE_ENVIRONMENTS:
        raise Rejection(
            "environment",
            f"the period holds {len(state.competence_environments)} competence environments, the most it may",
            code="environment.too_many",
            count=len(state.competence_environments),
        )
    _check_date(state, entry, request, now)


def _check_step(entry: CompetenceEnvironmentEntry | None, request: RecordCompetenceEnvironment) -> None:
    """The states follow each other: proposed, then contacted, then agreed; each once."""
    name, wanted = request.environment.name, request.state
    current = None if entry is None else entry.state
    needed = COMPETENCE_STATES[COMPETENCE_STATES.index(wanted) - 1] if wanted != "proposed" else None
    if current == needed:
        return
    if current is None:
        raise Rejection(
            "state",
            f"{name} has not been proposed in this cycle; propose it before recording it as {wanted}",
            code="state.not_proposed",
            environment=name,
            state=wanted,
        )
    if current == "agreed":
        raise Rejection(
            "state",
            f"{name} is agreed already; nothing follows an agreement",
            code="state.already_agreed",
            environment=name,
        )
    following = COMPETENCE_STATES[COMPETENCE_STATES.index(current) + 1]
    raise Rejection(
        "state",
        f"{name} is {current}; the next step is {following}",
        code="state.out_of_order",
        environment=name,
        current=current,
        next=following,
    )


def _check_date(
    state: PeriodState, entry: CompetenceEnvironmentEntry | None, request: RecordCompetenceEnvironment, now: datetime
) -> None:
    """A step is recorded on or after it happened: not in the future, and not before the step it follows (a proposal:
    not before the cycle's development area was chosen)."""
    on, this_day = request.date or today(state, now), today(state, now)
    if on > this_day:
        raise Rejection(
            "date",
            f"{on} is in the future; record a step once it has happened, today ({this_day}) at the latest",
            code="date.in_future",
            date=on.isoformat(),
            today=this_day.isoformat(),
        )
    if entry is not None:
        previous = entry.steps[-1]
        if on < previous.date:
            raise Rejection(
                "date",
                f"{on} is before {request.environment.name} was {previous.state} ({previous.date}); "
                f"the first allowed day is {previous.date}",
                code="date.before_previous_step",
                date=on.isoformat(),
                environment=request.environment.name,
                previous=previous.state,
                first=previous.date.isoformat(),
            )
        return
    chosen = _area_chosen_on(state)
    if chosen is not None and on < chosen:
        raise Rejection(
            "date",
            f"{on} is before the development area was chosen ({chosen}); the first allowed day is {chosen}",
            code="date.before_area_chosen",
            date=on.isoformat(),
            first=chosen.isoformat(),
        )


def _area_chosen_on(state: PeriodState) -> date | None:
    milestone = _area_milestone(state)
    chosen = [m for m in state.milestones if m.cycle == state.cycle and m.milestone == milestone]
    return calendar.local_date(chosen[-1].recorded_at, state.plan.timezone) if chosen else None


def _entry(state: PeriodState, environment_id: str) -> CompetenceEnvironmentEntry | None:
    return next(
        (e for e in in_cycle(state.competence_environments, state.cycle) if e.environment_id == environment_id), None
    )


def apply_competence_environment(
    state: PeriodState, request: RecordCompetenceEnvironment, now: datetime
) -> CompetenceEnvironmentEntry:
    """Record an accepted step: a new entry for a proposal, else the entry's next state; answers with the entry."""
    assert state.development_area is not None  # checked
    step = CompetenceStep(
        state=request.state,
        date=request.date or today(state, now),
        adviser=request.adviser,
        note=request.note,
        recorded_at=now,
    )
    entry = _entry(state, request.environment.id)
    if entry is None:
        environment = request.environment
        entry = CompetenceEnvironmentEntry(
            environment_id=environment.id,
            name=environment.name,
            kind=environment.kind,
            cycle=state.cycle,
            development_area=state.development_area,
            state=request.state,
            steps=[step],
        )
        state.competence_environments.append(entry)
        return entry
    entry.state = request.state
    entry.steps.append(step)
    return entry
