"""The one owner filter of the web overview and `guidance cohort show`, on both of its sources."""

from __future__ import annotations

import pytest

from domain.cohort import Invitation, InvitationState
from language.current import using
from readmodel.filters import FilterError, OwnerFilter, invitation_facts, owner_filter, period_facts
from readmodel.records import RecordReader
from tests.readmodel.rows import COHORT, NOW


def _invitation(**changes: object) -> Invitation:
    base = Invitation(owner_id="4617", owner_name="Kvinnherad", county="46", period_workflow_id="p-4617")
    return base.model_copy(update=changes)


def test_an_ended_period_is_never_overdue_whatever_its_last_report_said() -> None:
    late = _invitation(state=InvitationState.ACCEPTED, phase="mapping", overdue=True)
    ended = _invitation(state=InvitationState.ACCEPTED, phase="completed", overdue=True, period_ended=True)

    assert OwnerFilter(overdue=True).admits(invitation_facts(late))
    assert not OwnerFilter(overdue=True).admits(invitation_facts(ended))
    assert OwnerFilter(overdue=False).admits(invitation_facts(ended))


def test_every_given_filter_must_hold() -> None:
    invited = invitation_facts(_invitation(), advisers=["d.lie"])

    assert OwnerFilter(county="46", adviser="d.lie", state=InvitationState.INVITED, overdue=False).admits(invited)
    assert not OwnerFilter(county="46", state=InvitationState.ACCEPTED).admits(invited)
    assert not OwnerFilter(phase="mapping").admits(invited), "no period yet: no phase"
    assert not OwnerFilter(adviser="d.lie").admits(invitation_facts(_invitation())), "advisers not known"


async def test_a_period_is_its_owners_accepted_invitation_and_overdue_by_the_overviews_rule(
    reader: RecordReader,
) -> None:
    periods = await reader.periods(cohort=COHORT)

    facts = {p.owner_name: period_facts(p, NOW) for p in periods}

    assert {name: f.overdue for name, f in facts.items()} == {"Drammen": False, "Kongsberg": True, "Bergen": False}
    assert {f.state for f in facts.values()} == {InvitationState.ACCEPTED}


def test_the_query_strings_words_make_the_filter() -> None:
    chosen = owner_filter({"county": "33", "overdue": "yes", "state": "reminded", "phase": ""})

    assert chosen == OwnerFilter(county="33", overdue=True, state=InvitationState.REMINDED)
    assert owner_filter({}).is_empty
    with using("en"), pytest.raises(FilterError, match="overdue: must be yes or no") as refused:
        owner_filter({"overdue": "true"})
    assert refused.value.field == "overdue"
