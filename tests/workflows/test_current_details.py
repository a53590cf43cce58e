"""The Web UI's current details of a period read as a sentence: counts agree with their nouns."""

from __future__ import annotations

from datetime import timedelta

from domain import period as rules
from tests.activities import factories
from tests.activities.factories import STARTED_AT
from workflows.guidance_period import current_details


def test_one_meeting_is_one_meeting_and_none_are_plural() -> None:
    state = factories.new_period()
    assert "; 0 meetings, 0 reminders, 0 escalations;" in current_details(state, STARTED_AT)

    rules.apply_meeting(state, factories.follow_up(), STARTED_AT)

    assert "; 1 meeting, 0 reminders, 0 escalations;" in current_details(state, STARTED_AT)


def test_the_cycles_competence_environments_are_named_with_where_each_stands() -> None:
    state = factories.with_development_area()
    assert "Competence environments" not in current_details(state, STARTED_AT)

    factories.competence_step(state, "proposed", STARTED_AT + timedelta(days=5), "update:p")

    assert "Competence environments: lesesenteret (proposed)" in current_details(state, STARTED_AT)
