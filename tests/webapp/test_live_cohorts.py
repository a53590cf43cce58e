"""The cohort workflows' answers kept a few seconds (webapp/live_cohorts.py), on a clock the test moves."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from domain.cohort import CohortStatus
from webapp import own_changes
from webapp.live_cohorts import LiveCohorts


class Workflow:
    """Answers `status` as a cohort workflow would, counting the questions; `gate` holds the answer back."""

    def __init__(self, answer: CohortStatus | None) -> None:
        self.answer = answer
        self.asked = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def ask(self) -> CohortStatus | None:
        self.asked += 1
        await self.gate.wait()
        return self.answer


def _status() -> CohortStatus:
    return CohortStatus(
        workflow_id="guidance-cohort-2027",
        cohort="2027",
        start_date=date(2027, 1, 4),
        invited_on=date(2027, 1, 4),
        reply_by=date(2027, 1, 22),
        no_reply_on=date(2027, 1, 29),
        invitations=[],
        counts={},
    )


async def test_views_within_the_bound_share_one_question_and_a_later_one_asks_again() -> None:
    now = [100.0]
    kept = LiveCohorts(2.0, clock=lambda: now[0])
    workflow = Workflow(_status())
    workflow.gate.clear()
    views = [asyncio.ensure_future(kept.status("2027", workflow.ask)) for _ in range(5)]
    await asyncio.sleep(0)
    workflow.gate.set()
    assert all(answer is workflow.answer for answer in await asyncio.gather(*views))
    assert workflow.asked == 1, "views while the question is out wait for its answer"

    now[0] += 1.9
    await kept.status("2027", workflow.ask)
    assert workflow.asked == 1
    now[0] += 0.1
    await kept.status("2027", workflow.ask)
    assert workflow.asked == 2, "an answer older than the bound is asked again"
    assert await kept.status("other", workflow.ask) is workflow.answer
    assert workflow.asked == 3, "each cohort is asked of its own workflow"


async def test_a_persons_change_is_asked_again_for_them_on_any_instance_and_a_missing_answer_at_once() -> None:
    now = [100.0]
    here, there = (LiveCohorts(2.0, clock=lambda: now[0], wall=lambda: 1_800_000_000 + now[0]) for _ in range(2))
    workflow = Workflow(_status())
    session: dict[str, object] = {}
    await here.status("2027", workflow.ask)
    await there.status("2027", workflow.ask)
    assert workflow.asked == 2, "each instance keeps its own answers"

    now[0] += 0.5
    here.note_change(session, "2027")  # the person changed the cohort through `here`
    now[0] += 0.5
    await there.status("2027", workflow.ask, there.changed_at(session, "2027"))
    assert workflow.asked == 3, "their next page, served by another instance, asks again"
    await there.status("2027", workflow.ask, there.changed_at(session, "2027"))
    await there.status("2027", workflow.ask, there.changed_at({}, "2027"))
    assert workflow.asked == 3, "an answer asked after the change serves them, and everyone else within the bound"
    assert there.changed_at(session, "other") is None

    for n in range(20):
        here.note_change(session, f"c{n}")
    assert len(session[own_changes.SESSION_CHANGES]) == 8, "the session notes the newest few only"  # type: ignore[arg-type]
    assert here.changed_at({own_changes.SESSION_CHANGES: "junk"}, "2027") is None

    silent = Workflow(None)
    assert await here.status("ended", silent.ask) is None
    assert await here.status("ended", silent.ask) is None
    assert silent.asked == 2, "no answer is not kept: the next view asks again"


async def test_a_bound_of_zero_asks_every_view() -> None:
    kept = LiveCohorts(0.0, clock=lambda: 100.0)
    workflow = Workflow(_status())
    for _ in range(3):
        await kept.status("2027", workflow.ask)
    assert workflow.asked == 3


async def test_a_wall_clock_stepped_back_keeps_no_answer_past_its_bound() -> None:
    now, wall = [100.0], [1_800_000_000.0]
    kept = LiveCohorts(2.0, clock=lambda: now[0], wall=lambda: wall[0])
    workflow = Workflow(_status())
    await kept.status("2027", workflow.ask)
    now[0] += 2.0
    wall[0] -= 3600.0  # NTP steps the wall clock back an hour
    await kept.status("2027", workflow.ask)
    assert workflow.asked == 2


@pytest.mark.parametrize("hostile", [10**400, float("inf"), float("nan"), "1800000000", True, None, [1.0]])
def test_a_note_that_is_no_finite_moment_is_no_note(hostile: object) -> None:
    session: dict[str, object] = {own_changes.SESSION_CHANGES: {"cohort 2027": hostile, "cohort 2028": 1_800_000_000}}

    assert own_changes.noted_at(session, "cohort 2027") is None
    assert own_changes.noted_at(session, "cohort 2028") == 1_800_000_000.0
    own_changes.note(session, "cohort 2029", 1_800_000_001.0)  # a new note keeps the good ones only
    assert session[own_changes.SESSION_CHANGES] == {"cohort 2028": 1_800_000_000.0, "cohort 2029": 1_800_000_001.0}
