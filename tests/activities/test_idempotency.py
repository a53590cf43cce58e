"""Every record activity may run twice (a Temporal retry) and leaves exactly one row of each record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import pytest
from pydantic import BaseModel
from temporalio.testing import ActivityEnvironment

from activities.assessments import AssessmentStore
from activities.national_gatherings import GatheringStore
from activities.owner_contacts import ContactStore
from activities.record_store import RecordStore
from activities.selection_decisions import DecisionStore
from domain.contract import Activities
from tests.activities import factories
from tests.activities.factories import STARTED_AT
from tests.activities.store_rows import TABLES, row_counts, table_rows

LATER = STARTED_AT + timedelta(days=30)
#: How many meetings Leda's plan proposes at a period's start (`record_meetings` writes them in one go).
PLANNED = len(factories.planned_meetings().records)


@dataclass(frozen=True)
class Case:
    activity: str
    record: Callable[[], BaseModel]
    rows: dict[str, int]
    #: The record is about a period the store must know first: its start is written before.
    after_start: bool = False


CASES = {
    "period started": Case(
        Activities.RECORD_PERIOD_STARTED,
        lambda: factories.period_started(factories.new_period()),
        {"periods": 1, "audit_log": 1, "programme_plans": 1},
    ),
    "milestone": Case(
        Activities.RECORD_MILESTONE,
        lambda: factories.mapping_done(factories.new_period(), LATER),
        {"periods": 1, "milestones": 1, "phase_transitions": 1, "audit_log": 1},
    ),
    "withdrawal": Case(
        Activities.RECORD_PHASE_CHANGE,
        lambda: factories.withdrawal(factories.new_period(), LATER),
        {"periods": 1, "phase_transitions": 1, "audit_log": 1},
    ),
    "change of advisers": Case(
        Activities.RECORD_ADVISERS_CHANGE,
        lambda: factories.advisers_change(factories.new_period(), LATER),
        {"periods": 1, "audit_log": 1},
    ),
    "competence environment": Case(
        Activities.RECORD_COMPETENCE_ENVIRONMENT,
        lambda: factories.competence_step(factories.with_development_area(), "proposed", LATER, "update:env-1"),
        {"competence_environments": 1, "audit_log": 1},
    ),
    "meeting": Case(
        Activities.RECORD_MEETING,
        lambda: factories.meeting(factories.new_period(), factories.follow_up(), LATER, "update:meeting-1"),
        {"meetings": 1, "outbox": 1, "audit_log": 1},
    ),
    "meetings proposed by the plan": Case(
        Activities.RECORD_MEETINGS,
        factories.planned_meetings,
        {"meetings": PLANNED, "outbox": PLANNED, "audit_log": PLANNED},
    ),
    "phase reminder": Case(
        Activities.SEND_NOTICE,
        lambda: factories.notice(factories.new_period(), "phase_reminder"),
        {"reminders": 1, "outbox": 1, "periods": 1, "audit_log": 1},
    ),
    "meeting gap reminder": Case(
        Activities.SEND_NOTICE,
        lambda: factories.notice(factories.new_period(), "meeting_gap_reminder"),
        {"reminders": 1, "outbox": 1, "periods": 1, "audit_log": 1},
    ),
    "escalation": Case(
        Activities.SEND_NOTICE,
        lambda: factories.notice(factories.new_period(), "escalation"),
        {"escalations": 1, "outbox": 1, "periods": 1, "audit_log": 1},
    ),
    "gathering": Case(
        Activities.RECORD_GATHERING,
        lambda: factories.gathering(factories.new_period(), LATER),
        {"gatherings": 1, "audit_log": 1},
    ),
    "invitation": Case(
        Activities.RECORD_INVITATION,
        lambda: factories.invitation("invited", "invited", LATER),
        {"invitations": 1, "outbox": 1, "audit_log": 1},
    ),
    "national gathering": Case(
        Activities.RECORD_NATIONAL_GATHERING,
        lambda: factories.national_gathering(LATER),
        {"national_gatherings": 1, "gathering_guests": 2, "outbox": 2, "audit_log": 1},
    ),
    "selection decision": Case(
        Activities.RECORD_SELECTION_DECISION,
        lambda: factories.selection_decision(LATER),
        {"selection_decisions": 1, "audit_log": 1},
    ),
    "owner contact": Case(
        Activities.RECORD_OWNER_CONTACT,
        lambda: factories.owner_contact(LATER),
        {"owner_contacts": 1, "periods": 1, "programme_plans": 1, "audit_log": 2},
        after_start=True,
    ),
    "county assessment": Case(
        Activities.RECORD_COUNTY_ASSESSMENT,
        lambda: factories.county_assessment("requested", LATER),
        {"county_assessments": 1, "outbox": 1, "audit_log": 1},
    ),
    "final evaluation": Case(
        Activities.RECORD_FINAL_EVALUATION,
        lambda: factories.final_evaluation(factories.new_period(), LATER),
        {"final_evaluations": 1, "audit_log": 1},
    ),
}


def test_every_record_activity_has_a_case() -> None:
    names = {value for key, value in vars(Activities).items() if key.isupper()}

    # Neither loading a plan nor starting periods writes a record.
    assert {case.activity for case in CASES.values()} == names - {
        Activities.LOAD_PROGRAMME_PLAN,
        Activities.START_PERIODS,
    }


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_running_an_activity_twice_leaves_one_row_per_record(
    case: Case, store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    record = case.record()
    activity = (
        getattr(store, case.activity, None)
        or getattr(GatheringStore(pool, store.settings), case.activity, None)
        or getattr(DecisionStore(pool), case.activity, None)
        or getattr(ContactStore(pool), case.activity, None)
        or getattr(AssessmentStore(pool, store.settings), case.activity)
    )
    if case.after_start:
        await env.run(store.record_period_started, factories.period_started(factories.new_period()))
    expected = {table: case.rows.get(table, 0) for table in TABLES}

    first = await env.run(activity, record)
    after_first = await table_rows(pool)
    second = await env.run(activity, record.model_copy(deep=True))

    assert await row_counts(pool) == expected
    assert await table_rows(pool) == after_first
    assert second == first
