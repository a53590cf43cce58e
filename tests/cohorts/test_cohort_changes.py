"""What each change to a cohort causes (domain/cohort_changes.py): invitation and gathering records with their
keys, and the signals to its periods, gathered in the order the workflow sends them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from config.owners import all_owners
from domain import cohort as rules
from domain import cohort_changes as changes
from domain import gatherings as gathering_rules
from domain.contract import Activities
from domain.effects import Effects, Occasion
from domain.records import PeriodsStarted
from tests.cohorts.test_cohort_rules import INVITED, answer, state

COHORT_ID = "cohort-2027"


def occasion(now: datetime = INVITED, key: str = "update:u1") -> Occasion:
    return Occasion(COHORT_ID, now, key)


def started(cohort: rules.CohortState, *owner_ids: str, at: datetime = INVITED) -> Effects:
    ids = [rules.period_workflow_id_of(cohort, o) for o in owner_ids]
    return changes.periods_started(
        cohort, list(owner_ids), PeriodsStarted(started=ids, already_started=[]), occasion(at)
    )


def test_a_new_cohort_invites_every_owner_once() -> None:
    cohort = state()
    effects = changes.opened(cohort, occasion())
    assert [r.activity for r in effects.records] == [Activities.RECORD_INVITATION] * 3
    assert [r.payload["audit"]["event_key"] for r in effects.records] == [
        "invitation:3301:invited",
        "invitation:1103:invited",
        "invitation:4617:invited",
    ]
    assert effects.signals == []


def test_an_acceptance_is_recorded_with_the_update_key_and_queues_the_start() -> None:
    cohort = state()
    effects = changes.response(cohort, answer("3301"), occasion())
    [record] = effects.records
    assert record.payload["event"] == "accepted"
    assert record.payload["audit"]["event_key"] == "update:u1"
    assert record.payload["period_workflow_id"] == rules.period_workflow_id_of(cohort, "3301")
    assert cohort.starts_pending == ["3301"]


def test_a_gathering_is_sent_to_the_live_periods_and_a_late_joiner_catches_up() -> None:
    cohort = state()
    for owner in ("3301", "1103"):
        changes.response(cohort, answer(owner), occasion())
    started(cohort, "3301")
    assert cohort.starts_pending == ["1103"]
    gathering = cohort.gatherings[0]
    sent_at = gathering_rules.invite_at(gathering, cohort.plan)

    passed = changes.deadlines_passed(cohort, occasion(sent_at))
    assert [s.workflow_id for s in passed.signals if s.signal == "gathering_invitation"] == [
        rules.period_workflow_id_of(cohort, "3301")
    ]
    gathering_records = [r for r in passed.records if r.activity == Activities.RECORD_NATIONAL_GATHERING]
    assert [g["owner_id"] for g in gathering_records[0].payload["guests"]] == ["3301"]
    assert gathering.sent_sequence == gathering.sequence

    late = started(cohort, "1103", at=sent_at)
    assert [(s.signal, s.workflow_id) for s in late.signals] == [
        ("gathering_invitation", rules.period_workflow_id_of(cohort, "1103"))
    ]
    [record] = late.records
    assert record.payload["audit"]["action"] == "gathering invitation (late joiner)"
    assert record.payload["audit"]["event_key"] == f"gathering:{gathering.gathering_id}:{gathering.sequence}:1103"


def test_a_network_meeting_goes_to_the_live_periods_of_its_network_only() -> None:
    cohort = state()
    for owner in ("3301", "4617"):
        changes.response(cohort, answer(owner), occasion())
    started(cohort, "3301", "4617")
    request = rules.ScheduleNetworkMeeting(network="Sunnhordland", date=date(2027, 9, 14), adviser="d.lie")
    effects = changes.network_meeting(cohort, request)
    assert effects.created == "network-1"
    assert [s.workflow_id for s in effects.signals] == [rules.period_workflow_id_of(cohort, "4617")]
    assert effects.records == []


def test_a_cancelled_network_meeting_goes_to_its_networks_periods_marked_and_a_standing_one_as_before() -> None:
    cohort = state()
    for owner in ("3301", "4617"):
        changes.response(cohort, answer(owner), occasion())
    started(cohort, "3301", "4617")
    request = rules.ScheduleNetworkMeeting(network="Sunnhordland", date=date(2027, 9, 14), adviser="d.lie")
    [standing] = changes.network_meeting(cohort, request).signals
    cancel = rules.CancelNetworkMeeting(network="Sunnhordland", meeting_id="network-1", adviser="d.lie")

    effects = changes.network_meeting_cancelled(cohort, cancel, INVITED)

    # A meeting that stands is signalled without the new field: the same signal as before cancellation existed.
    assert "cancelled_on" not in standing.payload
    [signal] = effects.signals
    assert signal.workflow_id == rules.period_workflow_id_of(cohort, "4617")
    assert (signal.payload["sequence"], signal.payload["cancelled_on"]) == (1, INVITED.date().isoformat())
    member = next(i for i in cohort.invitations if i.owner_id == "4617")
    assert rules.catch_up(cohort, member, INVITED)[1] == [], "a period starting late is not sent it"


def test_late_joiners_of_a_whole_country_cohort_cost_each_a_few_owner_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    # A cohort of every owner whose first gathering was sent before their periods started: each period then catches
    # up on its own. Looking every owner up for each one made this cubic (371 owners took over 2 s of one workflow
    # task, and the worker's deadlock detector failed the cohort's task); counted, not timed.
    owners = [{"owner": o.model_dump(mode="json"), "advisers": ["a.hansen"], "accepted_by": "sf"} for o in all_owners()]
    cohort = state(owners=owners)
    gathering = cohort.gatherings[0]
    changes.deadlines_passed(cohort, occasion(gathering_rules.invite_at(gathering, cohort.plan)))
    assert gathering.sent_sequence == gathering.sequence
    lookups = 0

    def counted(lookup: Callable[..., Any]) -> Callable[..., Any]:
        def count(*args: Any) -> Any:
            nonlocal lookups
            lookups += 1
            return lookup(*args)

        return count

    monkeypatch.setattr(rules, "invitation", counted(rules.invitation))
    monkeypatch.setattr(rules, "owner_of", counted(rules.owner_of))
    pending = list(cohort.starts_pending)
    assert len(pending) == len(owners) == 371

    late = started(cohort, *pending, at=gathering_rules.invite_at(gathering, cohort.plan))

    assert len([s for s in late.signals if s.signal == "gathering_invitation"]) == len(owners)
    assert lookups <= 5 * len(owners), f"{lookups} owner lookups for {len(owners)} late joiners"
