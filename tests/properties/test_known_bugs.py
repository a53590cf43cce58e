"""Bugs the properties found, one reproducer each. Each asserts the behaviour the contract asks for; all are
fixed and stay as regression tests. The last one fixed: a start input that does not decode failed its first
workflow task for ever; now it fails the workflow with the converter's message. Some properties still carry an
`assume` or a tolerance from before a fix; they are harmless (the fixed converter refuses what they leave out).

The workflows these tests break are left stuck (a workflow task failing for ever) and terminated at the end
of the module without waiting for them to settle.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from domain import calendar
from domain.cohort import CohortStatus
from domain.contract import COHORT_WORKFLOW_TYPE, PERIOD_WORKFLOW_TYPE
from domain.models import PeriodStatus
from selection.indicator_file import IndicatorFileError, parse_indicator_csv, read_indicator_csv
from starter.cohort_files import CohortFileError, read_assignments, read_shortlist
from tests.helpers.harness import ADVISERS
from tests.properties.benches import CohortBench, PeriodBench
from tests.properties.probe import (
    first_task_closed,
    history,
    send_update,
    signal_count,
    signal_handled,
    workflow_failures,
    workflow_task_failures,
)
from tests.selection.helpers import org_numbers

#: How long a stuck update is waited for here (the properties wait longer).
STUCK_AFTER = 3.0
HEADER = "enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi\n"
INDICATORS = {"grunnskolepoeng"}


def owner_input(periods: PeriodBench, start: str, **more: object) -> dict[str, object]:
    return {
        "cohort": f"k{uuid.uuid4().hex[:8]}",
        "owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"},
        "advisers": list(ADVISERS),
        "start_date": start,
        **more,
    }


# --- GuidancePeriodWorkflow --------------------------------------------------------------------------


async def test_withdraw_with_a_null_payload_is_rejected(periods: PeriodBench) -> None:
    async with periods.example() as handle:
        answer = await send_update(handle, "withdraw", None, PeriodStatus, patience=STUCK_AFTER)
        assert not answer.accepted
        assert not workflow_task_failures(await history(handle))


@pytest.mark.parametrize("update", ["record_milestone", "schedule_meeting"])
async def test_a_null_payload_is_rejected_with_a_message_naming_the_model(periods: PeriodBench, update: str) -> None:
    async with periods.example() as handle:
        answer = await send_update(handle, update, None, PeriodStatus, patience=STUCK_AFTER)
        assert not answer.accepted
        kind, message = answer.reason
        assert kind in ("InvalidPayload", "UpdateRejected"), answer.failures
        assert message.startswith(("RecordMilestone: ", "ScheduleMeeting: ")), message


async def test_meetings_with_and_without_a_utc_offset_on_one_day(periods: PeriodBench) -> None:
    async with periods.example() as handle:
        day = calendar.next_working_day(await periods.today() + timedelta(days=7)).isoformat()
        first = {"kind": "follow_up", "date": day, "start": "09:00", "adviser": ADVISERS[0]}
        assert (await send_update(handle, "schedule_meeting", first, PeriodStatus)).accepted
        second = {**first, "start": "10:00+01:00"}
        answer = await send_update(handle, "schedule_meeting", second, PeriodStatus, patience=STUCK_AFTER)
        assert answer.accepted or answer.reason[1].startswith("start: "), answer.failures
        assert not workflow_task_failures(await history(handle))


@pytest.mark.parametrize("signal", ["gathering_invitation", "network_meeting"])
async def test_a_null_signal_is_dropped(periods: PeriodBench, signal: str) -> None:
    async with periods.example() as handle:
        before = await periods.settled(handle)
        signals = signal_count(await history(handle))
        await handle.signal(signal, None)
        events = await signal_handled(handle, signals)
        assert not workflow_task_failures(events), workflow_task_failures(events)
        assert await periods.settled(handle) == before


async def test_a_start_input_that_does_not_decode_fails_the_workflow_not_its_task(periods: PeriodBench) -> None:
    handle = await periods.client.start_workflow(
        PERIOD_WORKFLOW_TYPE, {"cohort": "x", "owner": 5}, id=f"property-{uuid.uuid4()}", task_queue=periods.task_queue
    )
    periods.track(handle.id)
    events = await first_task_closed(handle)
    assert not workflow_task_failures(events), workflow_task_failures(events)
    [failure] = workflow_failures(events)
    # The converter's message, naming each field of the input (or of the continued state) and what was given.
    assert failure.startswith("PeriodInput.owner: Input should be an object (got: 5); "), failure
    assert "PeriodState.input: Field required" in failure, failure


async def test_a_start_input_of_a_cohort_that_does_not_decode_fails_the_cohort(cohorts: CohortBench) -> None:
    bad = {"cohort": "x", "owners": []}
    handle = await cohorts.client.start_workflow(
        COHORT_WORKFLOW_TYPE, bad, id=f"property-{uuid.uuid4()}", task_queue=cohorts.task_queue
    )
    cohorts.track(handle.id)
    events = await first_task_closed(handle)
    assert not workflow_task_failures(events), workflow_task_failures(events)
    [failure] = workflow_failures(events)
    assert "CohortInput.owners: List should have at least 1 item after validation, not 0 (got: [])" in failure, failure


async def test_a_programme_with_an_unsupported_calendar_country(periods: PeriodBench) -> None:
    start = calendar.next_working_day(await periods.today() + timedelta(days=1)).isoformat()
    programme = periods.plan.model_dump(mode="json") | {"calendar_country": "DK"}
    handle = await periods.client.start_workflow(
        PERIOD_WORKFLOW_TYPE,
        owner_input(periods, start, programme=programme),
        id=f"property-{uuid.uuid4()}",
        task_queue=periods.task_queue,
    )
    periods.track(handle.id)
    events = await first_task_closed(handle)
    assert not workflow_task_failures(events), workflow_task_failures(events)
    [failure] = workflow_failures(events)
    assert "programme.calendar_country: Input should be 'NO' or 'SE'" in failure, failure


# --- CohortWorkflow ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("update", "payload"),
    [
        ("add_gathering", {"title": "Far ahead", "date": "2101-03-01", "by": "udir"}),
        ("move_gathering", {"gathering_id": "closing", "date": "2150-03-01", "by": "udir"}),
        ("schedule_network_meeting", {"network": "Sunnhordland", "date": "9999-12-31", "adviser": "d.lie"}),
    ],
)
async def test_a_date_past_the_calendar_is_rejected_naming_the_date(
    cohorts: CohortBench, update: str, payload: dict[str, str]
) -> None:
    async with cohorts.example() as handle:
        await cohorts.cohort_settled(handle, all_sent=True)
        answer = await send_update(handle, update, payload, CohortStatus)
        assert not answer.accepted
        assert answer.reason[0] in ("InvalidPayload", "UpdateRejected"), answer.failures
        assert answer.reason[1].startswith("date: "), answer.failures


async def test_a_null_progress_report_is_dropped(cohorts: CohortBench) -> None:
    async with cohorts.example() as handle:
        before = await cohorts.cohort_settled(handle, all_sent=True)
        signals = signal_count(await history(handle))
        await handle.signal("period_progress", None)
        events = await signal_handled(handle, signals)
        assert not workflow_task_failures(events), workflow_task_failures(events)
        assert await cohorts.cohort_settled(handle, all_sent=True) == before


@pytest.mark.parametrize(
    "update", ["respond_to_invitation", "add_gathering", "move_gathering", "schedule_network_meeting"]
)
async def test_a_null_cohort_update_is_rejected_naming_the_model(cohorts: CohortBench, update: str) -> None:
    async with cohorts.example() as handle:
        await cohorts.cohort_settled(handle, all_sent=True)
        answer = await send_update(handle, update, None, CohortStatus, patience=STUCK_AFTER)
        assert not answer.accepted
        assert answer.reason[0] in ("InvalidPayload", "UpdateRejected"), answer.failures


# --- files -------------------------------------------------------------------------------------------

READERS: dict[str, Callable[[Path], object]] = {
    "indicators": lambda path: read_indicator_csv(path, indicators=INDICATORS),
    "shortlist": read_shortlist,
    "assignments": read_assignments,
}
#: What a test that expects an error gets when there is none.
NO_ERROR = pytest.fail.Exception


@pytest.mark.parametrize("reader", ["indicators", "shortlist", "assignments"])
def test_a_field_past_the_csv_limit(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"skoleeier;3301;3301;grunnskolepoeng;20{n:02d}-{n + 1:02d};4\n" for n in range(10, 30))
    header = {"indicators": HEADER, "shortlist": "owner_id\n", "assignments": "owner_id;advisers\n"}[reader]
    path.write_text(header + '"3301' + rows * 400)
    with pytest.raises((IndicatorFileError, CohortFileError)) as raised:
        READERS[reader](path)
    assert "line 2" in str(raised.value)


def test_a_school_year_and_a_value_in_other_digits_are_refused() -> None:
    text = HEADER + "skoleeier;3301;3301;grunnskolepoeng;２０２４-２５;٤٠\n"
    with pytest.raises(IndicatorFileError) as raised:
        parse_indicator_csv(text, "f.csv", indicators=INDICATORS)
    assert "column skoleaar" in str(raised.value) and "column verdi" in str(raised.value)


def test_a_value_with_an_underscore_is_refused() -> None:
    with pytest.raises(IndicatorFileError) as raised:
        parse_indicator_csv(
            HEADER + "skoleeier;3301;3301;grunnskolepoeng;2024-25;40_7\n", "f.csv", indicators=INDICATORS
        )
    assert "line 2, column verdi" in str(raised.value)


def test_a_row_with_an_unknown_owner_does_not_taint_the_schools_later_rows() -> None:
    school = org_numbers()[0]
    text = HEADER + (f"skole;{school};3399;grunnskolepoeng;2023-24;4\nskole;{school};3301;grunnskolepoeng;2024-25;4\n")
    with pytest.raises(IndicatorFileError) as raised:
        parse_indicator_csv(text, "f.csv", indicators=INDICATORS)
    assert [p.line for p in raised.value.problems] == [2], str(raised.value)
