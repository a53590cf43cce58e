"""Competence environments in a period (`record_competence_environment`) and the register's shape: the pure rules of
domain.competence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from domain import competence
from domain.effects import Occasion
from domain.models import MAX_COMPETENCE_ENVIRONMENTS, EnvironmentRef, PeriodState, RecordCompetenceEnvironment
from domain.period import Rejection
from domain.period_changes import competence_environment
from domain.phases import Phase
from domain.records import CompetenceEnvironmentRecord
from tests.domain.test_period import at, closing, new_state, plan, record, walk_to

LESESENTERET = EnvironmentRef(
    id="lesesenteret", name="Lesesenteret", kind="national_centre", areas=["basic_skills", "assessment"]
)
STATPED = EnvironmentRef(id="statped", name="Statped", kind="statped", areas=["learning_environment"])
AREA_CHOSEN = date(2027, 5, 3)  # walk_to closes the phases up to it on this day


def step(environment: EnvironmentRef, state: str, **extra: Any) -> RecordCompetenceEnvironment:
    return RecordCompetenceEnvironment.model_validate(
        {"environment": environment, "state": state, "adviser": "a.hansen", **extra}
    )


def in_implementation() -> PeriodState:
    """A period whose development area (basic skills) was chosen on `AREA_CHOSEN`, now implementing its measures."""
    state = new_state()
    walk_to(state, Phase.IMPLEMENTATION, AREA_CHOSEN)
    return state


def apply(state: PeriodState, request: RecordCompetenceEnvironment, now: datetime) -> None:
    competence.check_competence_environment(state, request, now)
    competence.apply_competence_environment(state, request, now)


def rejection(state: PeriodState, request: RecordCompetenceEnvironment, now: datetime) -> Rejection:
    with pytest.raises(Rejection) as raised:
        competence.check_competence_environment(state, request, now)
    return raised.value


def test_an_environment_goes_from_proposed_to_contacted_to_agreed_with_the_day_of_each_step() -> None:
    state = in_implementation()
    apply(state, step(LESESENTERET, "proposed", note="Reading in grades 1-4"), at(date(2027, 5, 10)))
    apply(state, step(LESESENTERET, "contacted", date=date(2027, 5, 12)), at(date(2027, 5, 20)))
    apply(state, step(LESESENTERET, "agreed", adviser="b.olsen"), at(date(2027, 6, 1)))

    [entry] = state.competence_environments
    assert (entry.environment_id, entry.name, entry.cycle, entry.development_area, entry.state) == (
        "lesesenteret",
        "Lesesenteret",
        1,
        "basic_skills",
        "agreed",
    )
    assert [(s.state, s.date, s.adviser) for s in entry.steps] == [
        ("proposed", date(2027, 5, 10), "a.hansen"),
        ("contacted", date(2027, 5, 12), "a.hansen"),
        ("agreed", date(2027, 6, 1), "b.olsen"),
    ]
    assert entry.steps[0].note == "Reading in grades 1-4"
    assert competence.agreed(state.competence_environments, 1) == [entry]


def test_environments_are_proposed_from_the_choice_of_the_development_area_on_not_before() -> None:
    state = new_state()
    walk_to(state, Phase.DEVELOPMENT_AREA, date(2027, 3, 1))
    early = rejection(state, step(LESESENTERET, "proposed"), at(date(2027, 3, 2)))
    assert (early.field, early.code, early.params["milestone"]) == (
        "environment",
        "environment.no_development_area",
        "development_area_chosen",
    )
    record(state, closing(state.phase), at(date(2027, 3, 8)))
    # In goal prioritisation (the follow-up scheme agrees its partner before implementation), from that day on.
    assert state.phase == "goal_prioritisation"
    before = rejection(state, step(LESESENTERET, "proposed", date=date(2027, 3, 5)), at(date(2027, 3, 9)))
    assert (before.field, before.code, before.params["first"]) == ("date", "date.before_area_chosen", "2027-03-08")
    apply(state, step(LESESENTERET, "proposed"), at(date(2027, 3, 9)))


def test_only_an_environment_serving_the_periods_area_may_be_proposed() -> None:
    state = in_implementation()
    refused = rejection(state, step(STATPED, "proposed"), at(date(2027, 5, 10)))
    assert (refused.field, refused.code) == ("environment", "environment.area_not_served")
    assert refused.params == {
        "plan": "veilederkorpset",
        "environment": "Statped",
        "area": "basic_skills",
        "serves": ["learning_environment"],
    }
    assert str(refused) == (
        "environment: Statped does not serve the period's development area basic_skills; it serves: "
        "learning_environment"
    )


@pytest.mark.parametrize(
    ("done", "wanted", "code"),
    [
        ([], "contacted", "state.not_proposed"),
        ([], "agreed", "state.not_proposed"),
        (["proposed"], "proposed", "state.out_of_order"),
        (["proposed"], "agreed", "state.out_of_order"),
        (["proposed", "contacted"], "contacted", "state.out_of_order"),
        (["proposed", "contacted", "agreed"], "agreed", "state.already_agreed"),
    ],
)
def test_the_steps_follow_each_other_once_each(done: list[str], wanted: str, code: str) -> None:
    state = in_implementation()
    for state_name in done:
        apply(state, step(LESESENTERET, state_name), at(date(2027, 5, 10)))
    refused = rejection(state, step(LESESENTERET, wanted), at(date(2027, 5, 11)))
    assert (refused.field, refused.code) == ("state", code)
    if code == "state.out_of_order":
        assert refused.params["current"] == done[-1]
        assert refused.params["next"] == {"proposed": "contacted", "contacted": "agreed"}[done[-1]]


def test_a_step_is_dated_on_or_after_the_one_before_and_never_in_the_future() -> None:
    state = in_implementation()
    apply(state, step(LESESENTERET, "proposed", date=date(2027, 5, 10)), at(date(2027, 5, 10)))
    future = rejection(state, step(LESESENTERET, "contacted", date=date(2027, 5, 21)), at(date(2027, 5, 20)))
    assert (future.field, future.code, future.params) == (
        "date",
        "date.in_future",
        {"date": "2027-05-21", "today": "2027-05-20"},
    )
    earlier = rejection(state, step(LESESENTERET, "contacted", date=date(2027, 5, 7)), at(date(2027, 5, 20)))
    assert (earlier.code, earlier.params["previous"], earlier.params["first"]) == (
        "date.before_previous_step",
        "proposed",
        "2027-05-10",
    )


def test_an_ended_period_an_unassigned_adviser_and_a_full_period_are_refused() -> None:
    state = in_implementation()
    outsider = rejection(state, step(LESESENTERET, "proposed", adviser="c.berg"), at(date(2027, 5, 10)))
    assert outsider.code == "adviser.not_assigned"
    many = [
        EnvironmentRef(id=f"env-{n}", name=f"Environment {n}", kind="university", areas=["basic_skills"])
        for n in range(MAX_COMPETENCE_ENVIRONMENTS)
    ]
    for environment in many:
        apply(state, step(environment, "proposed"), at(date(2027, 5, 10)))
    full = rejection(state, step(LESESENTERET, "proposed"), at(date(2027, 5, 10)))
    assert (full.code, full.params["count"]) == ("environment.too_many", MAX_COMPETENCE_ENVIRONMENTS)
    apply(state, step(many[0], "contacted"), at(date(2027, 5, 11)))  # one already there still moves on
    walk_to(state, Phase.COMPLETED, date(2027, 6, 1))
    ended = rejection(state, step(many[1], "contacted"), at(date(2027, 6, 2)))
    assert ended.code == "period.ended"


def test_a_plan_that_chooses_no_development_area_has_no_environments() -> None:
    phases = [p.model_copy(update={"records": None}) for p in plan().phases]
    state = new_state(programme=plan().model_copy(update={"phases": phases}))
    refused = rejection(state, step(LESESENTERET, "proposed"), at(date(2027, 2, 1)))
    assert (refused.code, refused.params) == ("environment.not_in_plan", {"plan": "veilederkorpset"})


def test_a_new_cycle_chooses_a_new_area_and_proposes_anew_keeping_the_old_cycles_environments() -> None:
    state = in_implementation()
    apply(state, step(LESESENTERET, "proposed"), at(date(2027, 5, 10)))
    walk_to(state, Phase.EVALUATION, date(2027, 6, 1))
    record(state, closing(state.phase, next_cycle=True), at(date(2027, 6, 2)))
    walk_to(state, Phase.GOAL_PRIORITISATION, date(2027, 8, 2))
    apply(state, step(LESESENTERET, "proposed"), at(date(2027, 8, 3)))  # again, in cycle 2
    assert [(e.cycle, e.state) for e in state.competence_environments] == [(1, "proposed"), (2, "proposed")]
    assert competence.in_cycle(state.competence_environments, 2) == [state.competence_environments[1]]


def test_the_change_queues_the_row_and_an_audit_entry_of_the_step() -> None:
    state = in_implementation()
    now = at(date(2027, 5, 10))
    request = step(LESESENTERET, "proposed", note="Reading")
    competence.check_competence_environment(state, request, now)
    effects = competence_environment(state, request, Occasion("guidance-period-2027-3301", now, "update:u1"))

    assert effects.created == "lesesenteret"
    [pending] = effects.records
    written = CompetenceEnvironmentRecord.model_validate(pending.payload)
    assert written.entry.environment_id == "lesesenteret" and written.entry.state == "proposed"
    assert (written.audit.event_key, written.audit.actor, written.audit.action) == (
        "update:u1",
        "a.hansen",
        "competence environment proposed",
    )
    assert written.audit.details["date"] == "2027-05-10" and written.audit.details["note"] == "Reading"


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "lesesenteret",
        "name": "Lesesenteret",
        "kind": "national_centre",
        "areas": ["basic_skills"],
        "contact": {"web": "https://www.uis.no/nb/lesesenteret"},
    }
    return row | changes


AREAS = {"basic_skills", "assessment"}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([_row(kind="school")], "environments[0] (lesesenteret).kind: Input should be"),
        ([_row(areas=["reading"])], "environments[0] (lesesenteret).areas[0]: 'reading' is not a development area"),
        ([_row(), _row()], "environments[1] (lesesenteret).id: 'lesesenteret' is the id of environments[0] too"),
        ([_row(contact={"web": "http://x.no"})], "environments[0] (lesesenteret).contact.web: String should match"),
        ([_row(areas=[])], "environments[0] (lesesenteret).areas: List should have at least 1 item"),
        ([_row(phone="1")], "environments[0] (lesesenteret).phone: Extra inputs are not permitted"),
        ([_row(areas=["assessment", "assessment"])], "each development area is named once; twice: assessment"),
        ([], "environments: give at least one [[environments]] row"),
    ],
)
def test_a_bad_register_is_refused_naming_the_row_and_the_field(rows: list[dict[str, Any]], expected: str) -> None:
    with pytest.raises(competence.RegisterDataError) as refused:
        competence.register_from_data({"environments": rows}, AREAS)
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems


def test_a_good_register_gives_each_environment_its_reference() -> None:
    [environment] = competence.register_from_data({"environments": [_row()]}, AREAS)
    assert environment.ref() == EnvironmentRef(
        id="lesesenteret", name="Lesesenteret", kind="national_centre", areas=["basic_skills"]
    )
    assert environment.serves("basic_skills") and not environment.serves(None)
