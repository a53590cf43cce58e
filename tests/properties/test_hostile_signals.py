"""Signals a raw Temporal client can send a period, held to the rules of the updates they stand for
(`domain.period_signals`): one that breaks them is ignored, so the period's status stays as it was and its
history gains the signal only, no record, no invitation; a period keeps a bounded number of gatherings and
takes a repeated one once. The recorded histories from before these checks replay unchanged
(tests/workflows/test_replay.py: the checks sit behind `workflow.patched`).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.worker import Replayer

from domain import calendar
from domain.contract import REPORT_PROGRESS_TO_SIGNAL
from domain.models import MAX_PERIOD_GATHERINGS, PeriodStatus
from starter.connect import data_converter
from tests.helpers.harness import ADVISERS, PeriodHandle
from tests.properties.benches import PeriodBench
from tests.properties.probe import history, signal_count, signal_handled, workflow_task_failures
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.sandbox import workflow_runner


def activities(events: list[HistoryEvent]) -> int:
    return sum(1 for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)


async def ignored(periods: PeriodBench, handle: PeriodHandle, signal: str, payload: Any) -> PeriodStatus:
    """Send the signal; check it changed nothing: the same status, no activity, no failed workflow task."""
    before = await periods.settled(handle)
    events = await history(handle)
    await handle.signal(signal, payload)
    after_events = await signal_handled(handle, signal_count(events))
    assert not workflow_task_failures(after_events), workflow_task_failures(after_events)
    assert activities(after_events) == activities(events), "the ignored signal wrote a record"
    after = await periods.settled(handle)
    assert after == before
    return after


async def gathering(periods: PeriodBench, day: date, gathering_id: str = "g1", sequence: int = 0) -> dict[str, Any]:
    return {"gathering_id": gathering_id, "title": "Hostile", "date": day.isoformat(), "sequence": sequence}


async def test_a_gathering_decades_after_the_period_ends_is_ignored(periods: PeriodBench) -> None:
    handle = await periods.start_period()
    far = calendar.next_working_day(date(2090, 3, 1))
    await ignored(periods, handle, "gathering_invitation", await gathering(periods, far))


@pytest.mark.parametrize("days", [-3, 0])
async def test_a_gathering_not_after_today_is_ignored(periods: PeriodBench, days: int) -> None:
    handle = await periods.start_period()
    day = await periods.today() + timedelta(days=days)
    await ignored(periods, handle, "gathering_invitation", await gathering(periods, day))


async def test_a_gathering_on_a_weekend_is_ignored(periods: PeriodBench) -> None:
    handle = await periods.start_period()
    await ignored(periods, handle, "gathering_invitation", await gathering(periods, await periods.weekend_day_in(20)))


async def test_a_repeated_gathering_is_taken_once(periods: PeriodBench) -> None:
    handle = await periods.start_period()
    invitation = await gathering(periods, await periods.working_day_in(30))
    events = await history(handle)
    await handle.signal("gathering_invitation", invitation)
    await signal_handled(handle, signal_count(events))
    status = await periods.settled(handle)
    assert [g.gathering_id for g in status.gatherings] == ["g1"]
    await ignored(periods, handle, "gathering_invitation", invitation)


async def test_a_period_keeps_a_bounded_number_of_gatherings(periods: PeriodBench) -> None:
    handle = await periods.start_period()
    status = await periods.settled(handle)
    first = await periods.working_day_in(1)
    days = [calendar.next_working_day(first + timedelta(days=7 * i)) for i in range(MAX_PERIOD_GATHERINGS + 15)]
    assert days[-1] < status.ends_at.date()
    events = await history(handle)
    for number, day in enumerate(days):
        await handle.signal("gathering_invitation", await gathering(periods, day, f"g{number}"))
    await signal_handled(handle, signal_count(events) + len(days) - 1)
    status = await periods.settled(handle)
    assert len(status.gatherings) == MAX_PERIOD_GATHERINGS
    assert [g.gathering_id for g in status.gatherings] == [f"g{n}" for n in range(MAX_PERIOD_GATHERINGS)]


def network_meeting(day: date, network: str = "Sunnhordland", **more: Any) -> dict[str, Any]:
    return {"meeting_id": "network-1", "network": network, "date": day.isoformat(), "adviser": ADVISERS[0], **more}


async def test_a_network_meeting_for_a_period_without_a_network_is_ignored(periods: PeriodBench) -> None:
    handle = await periods.start_period()
    await ignored(periods, handle, "network_meeting", network_meeting(await periods.working_day_in(10)))


async def test_a_network_meeting_of_another_network_is_ignored(periods: PeriodBench) -> None:
    handle = await periods.start_period(await periods.period_input(network="Sunnhordland"))
    day = await periods.working_day_in(10)
    await ignored(periods, handle, "network_meeting", network_meeting(day, network="Trondheimsfjorden"))


async def test_a_network_meeting_in_the_past_is_ignored(periods: PeriodBench) -> None:
    handle = await periods.start_period(await periods.period_input(network="Sunnhordland"))
    today = await periods.today()
    await ignored(periods, handle, "network_meeting", network_meeting(today, start=time(0, 0).isoformat()))


async def test_a_network_meeting_of_its_network_is_taken(periods: PeriodBench) -> None:
    handle = await periods.start_period(await periods.period_input(network="Sunnhordland"))
    events = await history(handle)
    await handle.signal("network_meeting", network_meeting(await periods.working_day_in(10)))
    await signal_handled(handle, signal_count(events))
    status = await periods.settled(handle)
    assert "network-1" in [m.meeting_id for m in status.meetings]


async def test_progress_is_reported_to_the_periods_own_cohort_only(periods: PeriodBench) -> None:
    # Before: the period took any workflow id and signalled it its progress from then on.
    handle = await periods.start_period()
    await ignored(periods, handle, REPORT_PROGRESS_TO_SIGNAL, "guidance-period-elsewhere-3301")
    signalled = EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED
    assert not [e for e in await history(handle) if e.event_type == signalled]


async def test_a_history_with_ignored_signals_replays(periods: PeriodBench) -> None:
    """The checks' patch marker and the ignored signals replay as they ran (the histories from before the patch
    replay in tests/workflows/test_replay.py)."""
    handle = await periods.start_period(await periods.period_input(network="Sunnhordland"))
    await ignored(periods, handle, "gathering_invitation", await gathering(periods, date(2090, 3, 1)))
    await ignored(periods, handle, "network_meeting", network_meeting(await periods.today(), start="00:00"))
    events = await history(handle)
    assert any(e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED for e in events), "no patch marker"
    replayer = Replayer(
        workflows=[GuidancePeriodWorkflow], data_converter=data_converter(), workflow_runner=workflow_runner()
    )
    result = await replayer.replay_workflow(await handle.fetch_history(), raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
