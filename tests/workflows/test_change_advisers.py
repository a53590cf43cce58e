"""A coordinator gives a period other advisers (update `change_advisers`), on the time-skipping server with the
real workflow and recording fakes: the period's row and audit entry go to the record store, the ``Advisers``
search attribute follows, and the period's rules follow at once."""

from __future__ import annotations

import pytest

from domain.contract import ADVISERS, Activities
from domain.models import ChangeAdvisers, RecordMilestone, Withdraw
from domain.records import AdvisersChangeRecord
from starter import client as api
from tests.helpers.harness import Harness, PeriodHandle
from tests.helpers.waits import wait_for
from workflows.guidance_period import GuidancePeriodWorkflow


async def _started(harness: Harness) -> PeriodHandle:
    """A period of a.hansen and b.olsen, started as `guidance start` starts it (with its search attributes)."""
    handle = await harness.start_period_with_client(await harness.period_input())
    await harness.settled(handle)
    return handle


async def test_new_advisers_reach_the_record_the_audit_log_and_the_search_attribute(harness: Harness) -> None:
    handle = await _started(harness)
    request = ChangeAdvisers(advisers=["c.berg", "a.hansen"], by="coordinator", reason="b.olsen on leave")

    status = await api.change_advisers(harness.client, handle.id, request)

    assert status.advisers == ["c.berg", "a.hansen"]  # the answer has them at once
    (record,) = await harness.fakes.received(Activities.RECORD_ADVISERS_CHANGE)
    assert isinstance(record, AdvisersChangeRecord)
    assert record.period.advisers == ["c.berg", "a.hansen"] and record.period.workflow_id == handle.id
    assert (record.audit.actor, record.audit.action) == ("coordinator", "advisers changed")
    assert record.audit.details == {
        "previous": ["a.hansen", "b.olsen"],
        "advisers": ["c.berg", "a.hansen"],
        "reason": "b.olsen on leave",
    }
    assert record.audit.event_key.startswith("update:")

    async def visible() -> bool:
        return (await handle.describe()).typed_search_attributes.get(ADVISERS) == ["c.berg", "a.hansen"]

    await wait_for(visible, "the Advisers search attribute upserted with the new advisers")
    # The adviser left out may no longer record a milestone; the new one may.
    with pytest.raises(api.UpdateRejected, match=r"'b\.olsen' is not assigned to this period; assigned: c\.berg"):
        await api.record_milestone(
            harness.client, handle.id, RecordMilestone(milestone="mapping_done", adviser="b.olsen")
        )
    moved = await api.record_milestone(
        harness.client, handle.id, RecordMilestone(milestone="mapping_done", adviser="c.berg")
    )
    assert moved.phase == "anchoring"


async def test_the_same_advisers_again_or_an_ended_period_is_rejected_naming_the_field(harness: Harness) -> None:
    handle = await _started(harness)

    with pytest.raises(api.UpdateRejected, match=r"already has exactly these advisers") as same:
        await api.change_advisers(
            harness.client, handle.id, ChangeAdvisers(advisers=["b.olsen", "a.hansen"], by="coordinator")
        )
    assert same.value.field == "advisers"

    await api.withdraw(harness.client, handle.id, Withdraw(reason="merger", by="coordinator"))
    with pytest.raises(api.UpdateRejected, match="the period has ended") as ended:
        await api.change_advisers(harness.client, handle.id, ChangeAdvisers(advisers=["c.berg"], by="coordinator"))
    assert ended.value.field == "phase"
    assert harness.fakes.calls[Activities.RECORD_ADVISERS_CHANGE] == []
    status = await handle.query(GuidancePeriodWorkflow.status)
    assert status.advisers == ["a.hansen", "b.olsen"]
