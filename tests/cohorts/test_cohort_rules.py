"""The pure cohort rules: reply deadlines on working days, and the checks of an answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from config.settings import VeilederkorpsetSettings
from domain import calendar
from domain import cohort as rules
from domain.gatherings import plan_gatherings
from domain.models import PeriodProgress
from domain.period import Rejection
from domain.records import MAX_PERIOD_STARTS, PeriodStart, PeriodStarts
from tests.helpers.harness import OWNERS
from workflows.cohort import PERIODS_PER_ACTIVITY

# Wednesday before Easter 2027 (Maundy Thursday 25 March, Good Friday 26, Easter Monday 29 are holidays).
INVITED = datetime(2027, 3, 24, 10, tzinfo=UTC)


def state(**changes: object) -> rules.CohortState:
    cohort = rules.CohortInput.model_validate(
        {"cohort": "2027", "start_date": "2027-08-16", "owners": OWNERS, "reply_days": 3, **changes}
    )
    return rules.new_state(cohort, VeilederkorpsetSettings().plan(), INVITED)


def answer(owner_id: str, what: str = "accept") -> rules.RespondToInvitation:
    return rules.RespondToInvitation(owner_id=owner_id, answer=what, by="sf")


def test_the_reply_deadline_counts_working_days_past_easter() -> None:
    cohort = state()
    assert cohort.invited_on == date(2027, 3, 24)
    assert rules.reply_by(cohort) == date(2027, 4, 1)  # Wed 24 -> Tue 30, Wed 31, Thu 1 April (Easter skipped)
    assert rules.no_reply_on(cohort) == date(2027, 4, 15)  # ten more working days


def test_an_owner_is_invited_once() -> None:
    with pytest.raises(ValidationError, match="named more than once: 3301"):
        rules.CohortInput.model_validate({"cohort": "x", "start_date": "2027-08-16", "owners": [OWNERS[0], OWNERS[0]]})


def test_checks_name_the_invited_owners_a_previous_answer_and_the_deadline() -> None:
    cohort = state()
    with pytest.raises(Rejection, match="0301 is not invited to cohort 2027; invited: 3301, 1103, 4617"):
        rules.check_response(cohort, answer("0301"), INVITED)
    rules.apply_response(cohort, answer("3301", "decline"), INVITED)
    with pytest.raises(Rejection, match="already answered: declined"):
        rules.check_response(cohort, answer("3301"), INVITED)
    late = rules.no_reply_at(cohort)
    rules.check_response(cohort, answer("1103"), late - timedelta(minutes=1))
    with pytest.raises(Rejection, match=r"reply deadline .* has passed"):
        rules.check_response(cohort, answer("1103"), late)


def test_reminder_then_no_reply_then_only_the_gatherings() -> None:
    cohort = state()
    rules.apply_response(cohort, answer("3301"), INVITED)
    assert cohort.starts_pending == ["3301"]
    first = rules.next_deadline(cohort)
    assert first is not None and first.kind == "reminder" and first.at == rules.reminder_at(cohort)
    assert [i.owner_id for i in rules.apply_reminders(cohort, first.at)] == ["1103", "4617"]
    second = rules.next_deadline(cohort)
    assert second is not None and second.kind == "no_reply"
    assert [i.owner_id for i in rules.apply_no_reply(cohort, second.at)] == ["1103", "4617"]
    after = rules.next_deadline(cohort)
    assert after is not None and after.kind == "gathering" and after.at > second.at
    assert rules.status(cohort, "cohort-2027").counts["no_reply"] == 2


def test_gatherings_are_planned_on_working_days_from_the_start_to_the_closing_one() -> None:
    plan = VeilederkorpsetSettings().plan()
    gatherings = plan_gatherings(date(2027, 8, 16), plan)

    assert [g.gathering_id for g in gatherings] == ["start", "month-6", "month-12", "month-18", "month-24", "closing"]
    assert gatherings[0].date == date(2027, 9, 13)  # four weeks after the start, a Monday
    # Four weeks before the end (2030-02-16) is Saturday 2030-01-19: the working day before it.
    assert gatherings[-1].date == date(2030, 1, 18)
    assert all(calendar.is_working_day(g.date) and calendar.is_working_day(g.invite_on) for g in gatherings)
    assert all(g.invite_on < g.date for g in gatherings)


def test_the_one_line_summary_tells_phases_overdue_and_the_next_gathering() -> None:
    cohort = state(owners=[{**o, "accepted_by": "sf"} for o in OWNERS])
    for entry in cohort.invitations:
        rules.apply_period_started(cohort, entry, INVITED)
    cohort.invitations[0].overdue = True

    line = rules.one_line(cohort)

    assert "\n" not in line
    assert "3 accepted (3 periods started)" in line
    assert "periods: mapping 3; 1 overdue, 0 ended; next gathering 2027-09-13 (Start gathering)" in line


def test_a_period_reset_reports_again_from_a_lower_number_and_is_heard() -> None:
    cohort = state(owners=[{**o, "accepted_by": "sf"} for o in OWNERS])
    entry = cohort.invitations[0]
    rules.apply_period_started(cohort, entry, INVITED)

    def report(number: int, phase: str, days: int, ended: bool = False) -> PeriodProgress:
        return PeriodProgress.model_validate(
            {
                "owner_id": entry.owner_id,
                "report": number,
                "phase": phase,
                "cycle": 1,
                "phase_due_on": None,
                "overdue": False,
                "ended": ended,
                "at": INVITED + timedelta(days=days),
            }
        )

    assert rules.apply_progress(cohort, report(3, "withdrawn", 10, ended=True)) is not None
    assert rules.apply_progress(cohort, report(2, "anchoring", 9)) is None  # older, late
    # Reset to before the withdrawal: the period counts from 2 again, but later in time.
    assert rules.apply_progress(cohort, report(2, "anchoring", 11)) is not None
    assert (entry.phase, entry.period_ended) == ("anchoring", False)


def test_a_batch_of_period_starts_names_its_plan_once_and_refuses_a_period_of_another() -> None:
    cohort = state()
    batch = rules.period_starts(cohort, ["3301", "1103"])
    assert batch.plan is cohort.plan
    assert [s.workflow_id for s in batch.starts] == [
        rules.period_workflow_id_of(cohort, "3301"),
        rules.period_workflow_id_of(cohort, "1103"),
    ]
    assert all(s.period.programme is None for s in batch.starts)
    assert all(batch.period_of(s).programme is cohort.plan for s in batch.starts)

    # A batch as recorded before it carried the plan: each period brings its own.
    own = batch.starts[0].period.model_copy(update={"programme": cohort.plan})
    earlier = PeriodStarts(starts=[PeriodStart(workflow_id=batch.starts[0].workflow_id, period=own)])
    assert earlier.period_of(earlier.starts[0]).programme is cohort.plan

    other = batch.starts[1].model_dump(mode="json")
    other["period"]["plan"] = "rektorutdanning"
    data = {"plan": cohort.plan.model_dump(mode="json"), "starts": [batch.starts[0].model_dump(mode="json"), other]}
    with pytest.raises(ValidationError, match=r"starts\[1\]\.period\.plan: 'rektorutdanning' is not the batch's plan"):
        PeriodStarts.model_validate(data)
    with pytest.raises(ValidationError, match="at most 500 items"):
        PeriodStarts.model_validate({"starts": [batch.starts[0].model_dump(mode="json")] * (MAX_PERIOD_STARTS + 1)})
    # The cohort's batches fit the bound: a larger one would fail the cohort's workflow task as it builds it.
    assert PERIODS_PER_ACTIVITY <= MAX_PERIOD_STARTS
