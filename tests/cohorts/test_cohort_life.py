"""A behaviour-2 cohort's life on the time-skipping server: gatherings, network meetings, progress, its end."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from config.settings import VeilederkorpsetSettings
from domain import calendar
from domain.cohort import CancelNetworkMeeting, CohortInput, RespondToInvitation, ScheduleNetworkMeeting
from domain.contract import Activities
from domain.gatherings import AddGathering, MoveGathering, NationalGathering, invite_at, plan_gatherings
from domain.models import ChangeAdvisers, PeriodInput, PeriodStatus, RecordMilestone, Withdraw
from domain.phases import Milestone, is_terminal
from domain.records import NationalGatheringRecord
from starter.client import change_advisers, start_period
from tests.helpers.harness import OWNERS, Harness
from tests.helpers.waits import wait_for
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow


def accepted(owners: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{**o, "accepted_by": "Statsforvalteren"} for o in owners]


async def test_a_cohort_runs_its_gatherings_and_ends_when_its_last_period_has_ended(cohorts: Harness) -> None:
    cohort = await cohorts.cohort_input(owners=accepted(OWNERS))
    handle = await cohorts.start_cohort(cohort)
    status = await cohorts.cohort_settled(handle, starts=3)
    assert status.periods_started == 3
    plan = VeilederkorpsetSettings().plan()
    planned = plan_gatherings(cohort.start_date, plan)
    assert [g.gathering_id for g in status.gatherings] == [g.gathering_id for g in planned]

    await cohorts.sleep(timedelta(days=31 * 31))
    final = await handle.result()

    assert final.ended and final.periods_ended == 3
    assert final.phases == {"expired": 3}
    sent = [r for r in cohorts.fakes.calls[Activities.RECORD_NATIONAL_GATHERING] if r.cohort == cohort.cohort]
    assert all(isinstance(r, NationalGatheringRecord) for r in sent)
    assert [r.gathering_id for r in sent] == [g.gathering_id for g in planned]
    assert all(len(r.guests) == 3 for r in sent)
    for owner in ("3301", "1103", "4617"):
        period = await cohorts.period(cohort.cohort, owner).query(GuidancePeriodWorkflow.status)
        assert [g.gathering_id for g in period.gatherings] == [g.gathering_id for g in planned]
        assert all(calendar.is_working_day(g.date) for g in period.gatherings)


def rejection(error: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> str:
    cause = error.value.cause
    assert isinstance(cause, ApplicationError)
    return cause.message


async def test_an_owner_that_accepts_late_is_invited_to_the_gatherings_already_sent(cohorts: Harness) -> None:
    cohort = await cohorts.cohort_input(owners=[*accepted(OWNERS[:2]), OWNERS[2]], reply_days=40)
    handle = await cohorts.start_cohort(cohort)
    await cohorts.cohort_settled(handle, starts=2)
    first = plan_gatherings(cohort.start_date, VeilederkorpsetSettings().plan())[0]
    now = await cohorts.now()
    await cohorts.sleep(gathering_invite_at(first) - now + timedelta(hours=1))
    await cohorts.cohort_settled(handle, starts=2)

    await handle.execute_update(
        CohortWorkflow.respond_to_invitation, RespondToInvitation(owner_id="4617", answer="accept", by="SF Vestland")
    )
    await cohorts.cohort_settled(handle, starts=3)

    sent = [r for r in cohorts.fakes.calls[Activities.RECORD_NATIONAL_GATHERING] if r.cohort == cohort.cohort]
    assert [(r.gathering_id, [g.owner_id for g in r.guests]) for r in sent] == [
        (first.gathering_id, ["3301", "1103"]),
        (first.gathering_id, ["4617"]),
    ]
    late = cohorts.period(cohort.cohort, "4617")
    await wait_for(lambda: has_gathering(late, first.gathering_id), "late joiner invited")


async def has_gathering(handle: WorkflowHandle[Any, Any], gathering_id: str, sequence: int = 0) -> bool:
    status = await handle.query(GuidancePeriodWorkflow.status)
    return any(g.gathering_id == gathering_id and g.sequence == sequence for g in status.gatherings)


def gathering_invite_at(gathering: NationalGathering) -> datetime:
    return invite_at(gathering, VeilederkorpsetSettings().plan())


async def test_a_moved_gathering_reaches_every_period_again_with_a_higher_sequence(cohorts: Harness) -> None:
    cohort = await cohorts.cohort_input(owners=accepted(OWNERS))
    handle = await cohorts.start_cohort(cohort)
    await cohorts.cohort_settled(handle, starts=3)
    first = plan_gatherings(cohort.start_date, VeilederkorpsetSettings().plan())[0]
    now = await cohorts.now()
    await cohorts.sleep(gathering_invite_at(first) - now + timedelta(hours=1))
    await cohorts.cohort_settled(handle)

    saturday = first.date + timedelta(days=(5 - first.date.weekday()) % 7 or 7)
    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(
            CohortWorkflow.move_gathering, MoveGathering(gathering_id=first.gathering_id, date=saturday, by="udir")
        )
    assert rejection(rejected).startswith("date: ") and "next working day is" in rejection(rejected)
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await handle.execute_update(
            CohortWorkflow.move_gathering, MoveGathering(gathering_id="nope", date=first.date, by="udir")
        )
    assert "known: start" in rejection(unknown)

    new_day = calendar.next_working_day(first.date + timedelta(days=7))
    moved = await handle.execute_update(
        CohortWorkflow.move_gathering,
        MoveGathering(gathering_id=first.gathering_id, date=new_day, place="Trondheim", by="k.lund.udir"),
    )
    entry = next(g for g in moved.gatherings if g.gathering_id == first.gathering_id)
    assert (entry.date, entry.place, entry.sequence) == (new_day, "Trondheim", 1)
    await cohorts.cohort_settled(handle)
    for owner in ("3301", "1103", "4617"):
        period = cohorts.period(cohort.cohort, owner)
        await wait_for(partial(has_gathering, period, first.gathering_id, 1), owner)
    sent = [r for r in cohorts.fakes.calls[Activities.RECORD_NATIONAL_GATHERING] if r.cohort == cohort.cohort]
    assert [(r.gathering_id, r.sequence, r.date, len(r.guests)) for r in sent] == [
        (first.gathering_id, 0, first.date, 3),
        (first.gathering_id, 1, new_day, 3),
    ]
    # The audit names who moved it; the plan's own invitations name the Directorate.
    assert [r.audit.actor for r in sent] == ["directorate", "k.lund.udir"]


async def test_an_added_gathering_is_sent_at_once_when_its_invitation_day_has_passed(cohorts: Harness) -> None:
    cohort = await cohorts.cohort_input(owners=accepted(OWNERS))
    handle = await cohorts.start_cohort(cohort)
    await cohorts.cohort_settled(handle, starts=3)
    soon = calendar.next_working_day(await cohorts.today() + timedelta(days=10))

    added = await handle.execute_update(
        CohortWorkflow.add_gathering, AddGathering(title="Network day", date=soon, by="udir")
    )

    assert added.created == "extra-1"  # the answer names the gathering it added
    entry = next(g for g in added.gatherings if g.gathering_id == "extra-1")
    assert (entry.title, entry.date, entry.place, entry.added_by) == ("Network day", soon, "Oslo", "udir")
    await cohorts.cohort_settled(handle)
    await wait_for(lambda: has_gathering(cohorts.period(cohort.cohort, "3301"), "extra-1"), "added gathering sent")
    sent = [r for r in cohorts.fakes.calls[Activities.RECORD_NATIONAL_GATHERING] if r.gathering_id == "extra-1"]
    assert {r.audit.actor for r in sent if r.cohort == cohort.cohort} == {"udir"}


async def test_a_network_meeting_reaches_the_networks_periods_only(cohorts: Harness) -> None:
    owners = [
        *OWNERS,
        {
            "owner": {"id": "4615", "name": "Fitjar", "kind": "municipality", "county": "46"},
            "advisers": ["e.berg"],
            "network": "Sunnhordland",
        },
    ]
    cohort = await cohorts.cohort_input(owners=accepted(owners))
    handle = await cohorts.start_cohort(cohort)
    await cohorts.cohort_settled(handle, starts=4)
    day = calendar.next_working_day(cohort.start_date + timedelta(days=20))

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(
            CohortWorkflow.schedule_network_meeting,
            ScheduleNetworkMeeting(network="Sunnhordland", date=day, adviser="a.hansen"),
        )
    assert rejection(rejected) == "adviser: a.hansen advises no owner of network Sunnhordland; allowed: d.lie, e.berg"
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await handle.execute_update(
            CohortWorkflow.schedule_network_meeting,
            ScheduleNetworkMeeting(network="Nowhere", date=day, adviser="d.lie"),
        )
    assert "known: Sunnhordland" in rejection(unknown)

    status = await handle.execute_update(
        CohortWorkflow.schedule_network_meeting,
        ScheduleNetworkMeeting(network="Sunnhordland", date=day, adviser="d.lie"),
    )
    meeting_id = status.network_meetings[0].meeting_id
    moved_to = calendar.next_working_day(day + timedelta(days=7))
    await handle.execute_update(
        CohortWorkflow.schedule_network_meeting,
        ScheduleNetworkMeeting(network="Sunnhordland", date=moved_to, adviser="e.berg", meeting_id=meeting_id),
    )
    await cohorts.cohort_settled(handle)

    async def network_meeting(owner: str) -> list[tuple[str, date, int]]:
        status = await cohorts.period(cohort.cohort, owner).query(GuidancePeriodWorkflow.status)
        return [(m.meeting_id, m.date, m.sequence) for m in status.meetings if m.kind == "network"]

    async def moved(owner: str) -> bool:
        return await network_meeting(owner) == [(meeting_id, moved_to, 1)]

    for owner in ("4617", "4615"):
        await wait_for(partial(moved, owner), owner)
    assert await network_meeting("3301") == []
    period = await cohorts.period(cohort.cohort, "4617").query(GuidancePeriodWorkflow.status)
    assert period.network == "Sunnhordland"


async def test_a_cancelled_network_meeting_is_cancelled_in_every_period_of_its_network(cohorts: Harness) -> None:
    owners = [
        *OWNERS,
        {
            "owner": {"id": "4615", "name": "Fitjar", "kind": "municipality", "county": "46"},
            "advisers": ["e.berg"],
            "network": "Sunnhordland",
        },
    ]
    cohort = await cohorts.cohort_input(owners=accepted(owners))
    handle = await cohorts.start_cohort(cohort)
    await cohorts.cohort_settled(handle, starts=4)
    day = calendar.next_working_day(cohort.start_date + timedelta(days=20))
    status = await handle.execute_update(
        CohortWorkflow.schedule_network_meeting,
        ScheduleNetworkMeeting(network="Sunnhordland", date=day, adviser="d.lie"),
    )
    meeting_id = status.network_meetings[0].meeting_id
    await cohorts.cohort_settled(handle)
    cancel = CancelNetworkMeeting(network="Sunnhordland", meeting_id=meeting_id, adviser="e.berg")

    with pytest.raises(WorkflowUpdateFailedError) as outsider:
        await handle.execute_update(
            CohortWorkflow.cancel_network_meeting, cancel.model_copy(update={"adviser": "a.hansen"})
        )
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await handle.execute_update(
            CohortWorkflow.cancel_network_meeting, cancel.model_copy(update={"meeting_id": "network-9"})
        )
    cancelled = await handle.execute_update(CohortWorkflow.cancel_network_meeting, cancel)
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await handle.execute_update(CohortWorkflow.cancel_network_meeting, cancel)
    with pytest.raises(WorkflowUpdateFailedError) as moved:
        await handle.execute_update(
            CohortWorkflow.schedule_network_meeting,
            ScheduleNetworkMeeting(network="Sunnhordland", date=day, adviser="d.lie", meeting_id=meeting_id),
        )
    await cohorts.cohort_settled(handle)

    async def network_meetings(owner: str) -> list[tuple[str, int, bool]]:
        status = await cohorts.period(cohort.cohort, owner).query(GuidancePeriodWorkflow.status)
        return [(m.meeting_id, m.sequence, m.cancelled_at is not None) for m in status.meetings if m.kind == "network"]

    for owner in ("4617", "4615"):
        await wait_for(partial(_equals, network_meetings(owner), [(meeting_id, 1, True)]), f"cancelled in {owner}")
    assert rejection(outsider) == "adviser: a.hansen advises no owner of network Sunnhordland; allowed: d.lie, e.berg"
    assert (
        rejection(unknown) == f"meeting_id: 'network-9' is not a meeting of network Sunnhordland; known: {meeting_id}"
    )
    [entry] = cancelled.network_meetings
    assert (entry.sequence, entry.cancelled_on) == (1, await cohorts.today())
    assert (
        rejection(again)
        == f"meeting_id: {meeting_id} was cancelled on {entry.cancelled_on}; agree a new meeting instead"
    )
    assert "was cancelled on" in rejection(moved), "a cancelled meeting is not moved"
    # Each period of the network wrote the cancellation (its CANCEL goes to the outbox from this record).
    records = [
        r.meeting
        for r in cohorts.fakes.calls[Activities.RECORD_MEETING]
        if r.meeting.meeting_id == meeting_id and r.workflow_id.startswith(f"guidance-period-{cohort.cohort}-")
    ]
    assert sorted((r.sequence, r.cancelled_at is not None) for r in records) == [
        (0, False),
        (0, False),
        (1, True),
        (1, True),
    ]
    assert await network_meetings("3301") == []


async def _equals(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


async def test_the_cohort_sees_its_periods_progress_and_their_scope(cohorts: Harness) -> None:
    owners = [{**o, "kindergarten_transition": o is OWNERS[0]} for o in OWNERS]
    owners = accepted(owners)
    # Starting today, so that a milestone may be recorded at once.
    cohort = await cohorts.cohort_input(owners=owners, start_date=(await cohorts.today()).isoformat())
    handle = await cohorts.start_cohort(cohort)
    await cohorts.cohort_settled(handle, starts=3)
    drammen = cohorts.period(cohort.cohort, "3301")
    assert (await drammen.query(GuidancePeriodWorkflow.status)).kindergarten_transition
    assert not (
        await cohorts.period(cohort.cohort, "1103").query(GuidancePeriodWorkflow.status)
    ).kindergarten_transition

    await drammen.execute_update(
        GuidancePeriodWorkflow.record_milestone, RecordMilestone(milestone=Milestone.MAPPING_DONE, adviser="a.hansen")
    )
    await cohorts.period(cohort.cohort, "1103").execute_update(
        GuidancePeriodWorkflow.withdraw, Withdraw(reason="merger", by="Stavanger")
    )

    async def phases() -> dict[str, int]:
        return (await handle.query(CohortWorkflow.status)).phases

    await wait_for(lambda: _equals(phases(), {"anchoring": 1, "withdrawn": 1, "mapping": 1}), "progress reported")
    due = (await handle.query(CohortWorkflow.status)).invitations[2].phase_due_on
    assert due is not None
    await cohorts.sleep(calendar.end_of_day(due, "Europe/Oslo") - await cohorts.now() + timedelta(hours=2))
    status = await handle.query(CohortWorkflow.status)
    # Drammen's anchoring (8 weeks from its milestone) fell due before Kvinnherad's mapping (10 weeks).
    assert status.overdue == 2 and [i.owner_id for i in status.invitations if i.overdue] == ["3301", "4617"]
    assert status.periods_ended == 1


async def _started_by_hand(cohorts: Harness, cohort: CohortInput) -> WorkflowHandle[Any, PeriodStatus]:
    """The first owner's period, started with the cohort's period id before the cohort (as a person might)."""
    owner = cohort.owners[0].owner
    period = PeriodInput(cohort=cohort.cohort, owner=owner, advisers=["a.hansen"], start_date=cohort.start_date)
    handle = await start_period(
        cohorts.client, period, plan=VeilederkorpsetSettings().plan(), task_queue=cohorts.task_queue
    )
    cohorts.track(handle.id)
    return handle


async def test_a_period_of_the_same_id_that_has_ended_is_not_waited_for(cohorts: Harness) -> None:
    cohort = await cohorts.cohort_input(owners=accepted(OWNERS[:2]))
    ended = await _started_by_hand(cohorts, cohort)
    await ended.execute_update(GuidancePeriodWorkflow.withdraw, Withdraw(reason="started by mistake", by="udir"))
    await ended.result()

    handle = await cohorts.start_cohort(cohort)
    status = await cohorts.cohort_settled(handle, starts=2)

    first, second = (next(i for i in status.invitations if i.owner_id == o.owner.id) for o in cohort.owners)
    assert first.period_started and first.period_ended  # the cohort knows that period is over
    assert second.period_started
    # The other period is counted as ended exactly when it has. The test server's clock may run far ahead on a
    # busy machine, so that period can expire after the cohort's status was read: then its end must reach the
    # cohort; while it runs, the status read before could not have counted it.
    running = await cohorts.period(cohort.cohort, second.owner_id).query(GuidancePeriodWorkflow.status)
    if is_terminal(running.phase):

        async def counted() -> bool:
            return (await handle.query(CohortWorkflow.status)).periods_ended == 2

        await wait_for(counted, "the expired period's end counted by the cohort")
    else:
        assert not second.period_ended
        assert status.periods_ended == 1


async def test_a_period_started_by_hand_before_the_cohort_reports_to_it_and_its_end_counts(
    cohorts: Harness,
) -> None:
    cohort = await cohorts.cohort_input(owners=accepted(OWNERS[:2]))
    running = await _started_by_hand(cohorts, cohort)

    handle = await cohorts.start_cohort(cohort)
    status = await cohorts.cohort_settled(handle, starts=2)
    first = next(i for i in status.invitations if i.owner_id == cohort.owners[0].owner.id)
    assert first.period_started and not first.period_ended  # found running: the cohort waits for its end

    await running.execute_update(GuidancePeriodWorkflow.withdraw, Withdraw(reason="merged municipality", by="udir"))

    async def told() -> bool:
        entry = next(
            i for i in (await handle.query(CohortWorkflow.status)).invitations if i.period_workflow_id == running.id
        )
        return entry.period_ended and entry.phase == "withdrawn"

    await wait_for(told, "the hand-started period's end reported to the cohort")
    assert (await handle.query(CohortWorkflow.status)).periods_ended == 1


async def test_a_periods_new_advisers_reach_its_cohorts_network_meetings_and_gatherings(cohorts: Harness) -> None:
    cohort = await cohorts.cohort_input(owners=accepted(OWNERS))
    handle = await cohorts.start_cohort(cohort)
    await cohorts.cohort_settled(handle, starts=3)
    kvinnherad = cohorts.period(cohort.cohort, "4617")  # in network Sunnhordland, advised by d.lie

    await change_advisers(cohorts.client, kvinnherad.id, ChangeAdvisers(advisers=["f.moe"], by="coordinator"))

    async def told() -> bool:
        status = await handle.query(CohortWorkflow.status)
        return next(i for i in status.invitations if i.owner_id == "4617").advisers == ["f.moe"]

    await wait_for(told, "the cohort told of Kvinnherad's new adviser")
    day = calendar.next_working_day(cohort.start_date + timedelta(days=20))
    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(
            CohortWorkflow.schedule_network_meeting,
            ScheduleNetworkMeeting(network="Sunnhordland", date=day, adviser="d.lie"),
        )
    assert rejection(rejected) == "adviser: d.lie advises no owner of network Sunnhordland; allowed: f.moe"
    await handle.execute_update(
        CohortWorkflow.schedule_network_meeting,
        ScheduleNetworkMeeting(network="Sunnhordland", date=day, adviser="f.moe"),
    )

    soon = calendar.next_working_day(await cohorts.today() + timedelta(days=10))
    await handle.execute_update(CohortWorkflow.add_gathering, AddGathering(title="Network day", date=soon, by="udir"))
    await cohorts.cohort_settled(handle)

    async def invited() -> bool:
        return any(
            r.cohort == cohort.cohort and r.gathering_id == "extra-1"
            for r in cohorts.fakes.calls[Activities.RECORD_NATIONAL_GATHERING]
        )

    await wait_for(invited, "the added gathering's invitations recorded")
    [record] = [
        r
        for r in cohorts.fakes.calls[Activities.RECORD_NATIONAL_GATHERING]
        if r.cohort == cohort.cohort and r.gathering_id == "extra-1"
    ]
    assert {g.owner_id: g.advisers for g in record.guests} == {
        "3301": ["a.hansen"],
        "1103": ["b.olsen", "c.berg"],
        "4617": ["f.moe"],
    }
