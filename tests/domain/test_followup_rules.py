"""The follow-up scheme's rules (plans/oppfolgingsordningen.toml): the partner and the reports its milestones record,
and the early warning (`at_risk`) a plan may give before a phase is due."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from config.settings import resolve_plan
from domain import calendar, period
from domain.models import PeriodInput, PeriodState, RecordMilestone
from domain.period import Rejection
from domain.programme import ProgrammePlan
from tests.domain.test_period import ADVISERS, DRAMMEN, START, at, plan

FOLLOWUP = resolve_plan("oppfolgingsordningen")


def followup_state(programme: ProgrammePlan = FOLLOWUP) -> PeriodState:
    period_input = PeriodInput(cohort="2027", owner=DRAMMEN, advisers=ADVISERS, start_date=START, plan=programme.name)
    return period.new_state(period_input, programme)


def close(state: PeriodState, day: date, **extra: Any) -> None:
    """Close the current phase on `day` with its milestone and `extra`."""
    update = RecordMilestone(
        milestone=state.plan.phase_plan(state.phase).closing_milestone, adviser="a.hansen", **extra
    )
    period.check_milestone(state, update, at(day))
    period.apply_milestone(state, update, at(day))


def in_phase(target: str, day: date = START + timedelta(weeks=30)) -> PeriodState:
    """A follow-up period moved on to `target` on `day`, each milestone with what it records."""
    state = followup_state()
    needs: dict[str, dict[str, Any]] = {
        "development_area": {"development_area": "basic_skills"},
        "goals": {"goals": ["Reading"]},
        "partner": {"partner": "guidance_corps"},
        "report": {"report_date": day, "report_ref": "2027/12-1"},
    }
    while state.phase != target:
        records = state.plan.phase_plan(state.phase).records
        close(state, day, **needs.get(records or "", {}))
    return state


# --- what the milestones record ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({}, "partner", "partner.required"),
        ({"partner": "expert_partner"}, "partner_name", "partner_name.required"),
        (
            {"partner": "guidance_corps", "partner_name": "Nord universitet"},
            "partner_name",
            "partner_name.not_expected",
        ),
        ({"partner": "guidance_corps", "report_ref": "2027/1-1"}, "report_ref", "report.only_with"),
    ],
)
def test_the_support_agreement_names_its_partner(extra: dict[str, Any], field: str, code: str) -> None:
    state = in_phase("support_agreement")
    with pytest.raises(Rejection) as refused:
        close(state, START + timedelta(weeks=31), **extra)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_an_expert_partner_is_recorded_by_name() -> None:
    state = in_phase("support_agreement")
    close(state, START + timedelta(weeks=31), partner="expert_partner", partner_name="Nord universitet")
    assert (state.milestones[-1].partner, state.milestones[-1].partner_name) == ("expert_partner", "Nord universitet")
    assert state.phase == "preliminary_report"


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"report_ref": "2027/12-1"}, "report_date", "report_date.required"),
        ({"report_date": date(2027, 8, 2)}, "report_ref", "report_ref.required"),
        ({"report_date": date(2027, 8, 30), "report_ref": "2027/12-1"}, "report_date", "report_date.future"),
        ({"report_date": date(2026, 12, 30), "report_ref": "2027/12-1"}, "report_date", "report_date.before_start"),
        (
            {"report_date": date(2027, 8, 2), "report_ref": "2027/1", "partner": "guidance_corps"},
            "partner",
            "partner.only_with",
        ),
    ],
)
def test_a_report_needs_its_day_within_the_period_and_its_reference(
    extra: dict[str, Any], field: str, code: str
) -> None:
    state = in_phase("preliminary_report", date(2027, 8, 2))
    with pytest.raises(Rejection) as refused:
        close(state, date(2027, 8, 9), **extra)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_a_report_is_recorded_with_its_day_and_reference_and_a_flagship_milestone_takes_none() -> None:
    state = in_phase("preliminary_report", date(2027, 8, 2))
    close(state, date(2027, 8, 9), report_date=date(2027, 8, 6), report_ref="https://einnsyn.no/saksmappe/123")
    assert (state.milestones[-1].report_date, state.milestones[-1].report_ref) == (
        date(2027, 8, 6),
        "https://einnsyn.no/saksmappe/123",
    )
    flagship = period.new_state(PeriodInput(cohort="2027", owner=DRAMMEN, advisers=ADVISERS, start_date=START), plan())
    with pytest.raises(Rejection) as refused:
        close(flagship, START, report_date=START, report_ref="2027/1")
    assert (refused.value.field, refused.value.code) == ("report_date", "report.not_in_plan")


@pytest.mark.parametrize("reference", ["2027/1234-5", "2027/1234", "https://example.org/rapport.pdf"])
def test_a_report_reference_is_a_case_number_or_a_web_address(reference: str) -> None:
    assert RecordMilestone(milestone="m", adviser="a.hansen", report_ref=reference).report_ref == reference


@pytest.mark.parametrize(
    "reference", ["see the archive", "27/1234", "ftp://example.org/x", "https://", "https://a b", "x" * 301]
)
def test_any_other_report_reference_is_refused(reference: str) -> None:
    with pytest.raises(ValidationError, match="report_ref"):
        RecordMilestone(milestone="m", adviser="a.hansen", report_ref=reference)


# --- at risk --------------------------------------------------------------------------------------


def test_a_phase_is_at_risk_after_its_share_of_the_time_until_it_is_overdue() -> None:
    state = followup_state()
    due = period.phase_due_on(state)
    warn_on = period.at_risk_on(state)
    assert due is not None and warn_on is not None
    # Three quarters of the days from the analysis' start to its due day, rounded up, on a working day.
    assert warn_on == calendar.next_working_day(START + timedelta(days=math.ceil((due - START).days * 0.75)))
    assert not period.is_at_risk(state, at(warn_on))
    assert period.is_at_risk(state, at(warn_on + timedelta(days=1)))
    assert not period.is_at_risk(state, at(due + timedelta(days=1)))  # overdue now, no longer "at risk"
    phase_deadlines = [d.kind for d in period.pending_deadlines(state) if d.kind != "meeting_gap_reminder"]
    assert phase_deadlines == ["at_risk", "phase_reminder", "period_end"]


def test_the_warning_goes_out_once_per_phase_and_the_next_phase_has_its_own() -> None:
    state = followup_state()
    warning = next(d for d in period.pending_deadlines(state) if d.kind == "at_risk")
    notice = period.apply_notice(state, warning, warning.at)
    assert (notice.kind, notice.key) == ("at_risk", "at_risk:1:analysis")
    assert "at_risk" not in [d.kind for d in period.pending_deadlines(state)]
    assert period.notice_counts(state) == (0, 0)  # a warning is neither a reminder nor an escalation
    close(state, START + timedelta(weeks=10))
    assert "at_risk" in [d.kind for d in period.pending_deadlines(state)]


def test_a_report_phase_sets_its_own_share() -> None:
    state = in_phase("preliminary_report", date(2027, 8, 2))
    assert state.plan.at_risk_share_of("preliminary_report") == 0.5
    assert period.at_risk_on(state) == date(2027, 8, 23)  # half of six weeks after 2 August


def test_a_plan_without_a_share_never_warns() -> None:
    state = period.new_state(PeriodInput(cohort="2027", owner=DRAMMEN, advisers=ADVISERS, start_date=START), plan())
    assert period.at_risk_at(state) is None and not state.plan.warns_at_risk
    assert "at_risk" not in [d.kind for d in period.pending_deadlines(state)]
    status = period.status(state, "w", at(START + timedelta(weeks=9)))
    assert (status.at_risk, status.at_risk_at) == (False, None)


@pytest.mark.parametrize("share", [0, 1, 1.5, -0.1])
def test_a_share_lies_strictly_between_nothing_and_all_of_the_time(share: float) -> None:
    with pytest.raises(ValidationError, match="at_risk_share"):
        plan(at_risk_share=share)
