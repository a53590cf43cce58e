"""The cohort workflows' answers kept a few seconds (webapp/live_cohorts.py), on a clock the test moves."""

from __future__ import annotations

import asyncio
from datetime import date

from domain.cohort import CohortStatus
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


async def test_what_the_app_changed_and_a_missing_answer_are_asked_again_at_once() -> None:
    kept = LiveCohorts(2.0, clock=lambda: 100.0)
    workflow = Workflow(_status())
    await kept.status("2027", workflow.ask)
    kept.forget("2027")
    await kept.status("2027", workflow.ask)
    assert workflow.asked == 2

    silent = Workflow(None)
    assert await kept.status("ended", silent.ask) is None
    assert await kept.status("ended", silent.ask) is None
    assert silent.asked == 2, "no answer is not kept: the next view asks again"


async def test_a_bound_of_zero_asks_every_view() -> None:
    kept = LiveCohorts(0.0, clock=lambda: 100.0)
    workflow = Workflow(_status())
    for _ in range(3):
        await kept.status("2027", workflow.ask)
    assert workflow.asked == 3
