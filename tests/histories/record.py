"""Record replay histories of GuidancePeriodWorkflow, CohortWorkflow and CountyAssessmentWorkflow (`make histories`).

Each released version of the workflows keeps its histories here for as long as periods of it may run: every
test run replays them all, so a change that would break a period already running fails the suite. Record new
files when a workflow changes on purpose (through `workflow.patched`); never overwrite a released version's.
The time-skipping server starts on the suite's day (tests/helpers/clock.py), so the recorded dates are the same on
every machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from config.competence import environment_by_id  # noqa: E402
from config.plan_files import SHIPPED_PLANS_DIR, plan_names  # noqa: E402
from config.settings import resolve_plan  # noqa: E402
from devstack.temporal_server import DevServer, free_port  # noqa: E402
from domain import calendar  # noqa: E402
from domain.assessment import AssessmentInput, RecordAssessment  # noqa: E402
from domain.cohort import (  # noqa: E402
    CancelNetworkMeeting,
    CohortInput,
    RespondToInvitation,
    ScheduleNetworkMeeting,
)
from domain.contract import period_workflow_id  # noqa: E402
from domain.gatherings import MoveGathering  # noqa: E402
from domain.models import (  # noqa: E402
    CancelMeeting,
    RecordCompetenceEnvironment,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from starter.assessments import start_assessment  # noqa: E402
from starter.cohorts import start_cohort  # noqa: E402
from starter.progress import counted_step, progress_bar  # noqa: E402
from tests.helpers.clock import suite_server  # noqa: E402
from tests.helpers.fakes import RecordingActivities  # noqa: E402
from tests.helpers.harness import dev_period  # noqa: E402
from tests.workflows.scenarios import followup_period, full_period, plan_period, start_period  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows.assessment import CountyAssessmentWorkflow  # noqa: E402
from workflows.cohort import CohortWorkflow  # noqa: E402
from workflows.guidance_period import GuidancePeriodWorkflow  # noqa: E402

#: The released version whose histories `make histories` writes (docs/maintainers.md, "Changing a workflow").
VERSION = "1.1"
FOLDER = Path(__file__).resolve().parent
#: Every shipped plan but the flagship, whose period `full_period` walks through.
OTHER_PLANS = [name for name in plan_names(SHIPPED_PLANS_DIR) if name != "veilederkorpset"]
#: The steps `record` counts on its progress bar: the scenarios and writing the files.
STEPS = 11 + len(OTHER_PLANS)


async def cohort_with_answers(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle[Any, Any]:
    """A cohort of three owners: one accepts (its period starts), one declines, one never answers."""
    today = calendar.local_date(await env.get_current_time(), "Europe/Oslo")
    owners = [
        {"owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}, "advisers": ["a.hansen"]},
        {"owner": {"id": "1103", "name": "Stavanger", "kind": "municipality", "county": "11"}, "advisers": ["b.olsen"]},
        {"owner": {"id": "4617", "name": "Kvinnherad", "kind": "municipality", "county": "46"}, "advisers": ["d.lie"]},
    ]
    cohort = CohortInput.model_validate(
        {
            "cohort": f"rec{uuid.uuid4().hex[:6]}",
            "start_date": calendar.next_working_day(today + timedelta(weeks=8)),
            "owners": owners,
            "reply_days": 3,
            "no_reply_after_days": 2,
        }
    )
    handle = await start_cohort(env.client, cohort, task_queue=task_queue)
    for owner_id, answer in (("3301", "accept"), ("1103", "decline")):
        request = RespondToInvitation.model_validate({"owner_id": owner_id, "answer": answer, "by": "coordinator"})
        await handle.execute_update(CohortWorkflow.respond_to_invitation, request)
    await env.sleep(timedelta(weeks=2))  # past the reply deadline and the no-reply date
    return handle


async def county_assessment(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle[Any, Any]:
    """The county governors' assessment of three spread-track owners: one answered by the county governor, one by a
    coordinator on their behalf after the reminder, one past its deadline (``no_reply``); the workflow ends."""
    assessment = AssessmentInput.model_validate(
        {
            "cohort": f"asm{uuid.uuid4().hex[:6]}",
            "requested_by": "coordinator",
            "reply_days": 5,
            "reminder_days": 2,
            "owners": [
                {"owner": {"id": "4601", "name": "Bergen", "kind": "municipality", "county": "46"}, "rank": 31},
                {"owner": {"id": "4617", "name": "Kvinnherad", "kind": "municipality", "county": "46"}, "rank": 32},
                {"owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}, "rank": 33},
            ],
        }
    )
    handle = await start_assessment(env.client, assessment, task_queue=task_queue)
    first = RecordAssessment(
        owner_id="4601",
        assessment="Two schools far behind",
        priority=1,
        by="sf.vestland",
        recorded_as="county_governor",
        county="46",
    )
    await handle.execute_update(CountyAssessmentWorkflow.record_assessment, first)
    await env.sleep(timedelta(days=5))  # past the reminder
    second = RecordAssessment(
        owner_id="3301", assessment="Asked by telephone", priority=1, by="coordinator", recorded_as="coordinator"
    )
    await handle.execute_update(CountyAssessmentWorkflow.record_assessment, second)
    await env.sleep(timedelta(days=7))  # past the deadline
    await handle.result()
    return handle


async def cohort_life(env: WorkflowEnvironment, task_queue: str) -> tuple[WorkflowHandle[Any, Any], str]:
    """A cohort whose three owners accepted already, two in a network: a network meeting, a gathering
    moved after its invitations went out, and every period expiring; the cohort ends with them.

    Returns the cohort's handle and the workflow id of the network owner's period."""
    today = calendar.local_date(await env.get_current_time(), "Europe/Oslo")
    owners: list[dict[str, Any]] = [
        {"owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}, "advisers": ["a.hansen"]},
        {
            "owner": {"id": "4617", "name": "Kvinnherad", "kind": "municipality", "county": "46"},
            "advisers": ["d.lie"],
            "network": "Sunnhordland",
            "kindergarten_transition": True,
        },
        {
            "owner": {"id": "4615", "name": "Fitjar", "kind": "municipality", "county": "46"},
            "advisers": ["d.lie"],
            "network": "Sunnhordland",
        },
    ]
    start = calendar.next_working_day(today + timedelta(weeks=8))
    cohort = CohortInput.model_validate(
        {
            "cohort": f"life{uuid.uuid4().hex[:6]}",
            "start_date": start,
            "owners": [{**o, "accepted_by": "Statsforvalteren"} for o in owners],
        }
    )
    handle = await start_cohort(env.client, cohort, task_queue=task_queue)
    await env.sleep(timedelta(days=1))
    meeting = ScheduleNetworkMeeting(
        network="Sunnhordland", date=calendar.next_working_day(start + timedelta(weeks=2)), adviser="d.lie"
    )
    await handle.execute_update(CohortWorkflow.schedule_network_meeting, meeting)
    await env.sleep(timedelta(weeks=8))  # the start gathering's invitations have gone out
    status = await handle.query(CohortWorkflow.status)
    first = status.gatherings[0]
    moved = MoveGathering(
        gathering_id=first.gathering_id, date=calendar.next_working_day(first.date + timedelta(days=7)), by="udir"
    )
    await handle.execute_update(CohortWorkflow.move_gathering, moved)
    await handle.result()
    return handle, period_workflow_id(cohort.cohort, "4617")


async def network_meeting_cancelled(env: WorkflowEnvironment, task_queue: str) -> tuple[WorkflowHandle[Any, Any], str]:
    """A cohort of two owners of a network: a network meeting agreed, then cancelled (`cancel_network_meeting`), so
    each period marks its copy cancelled and sends the CANCEL. Returns the cohort's handle and one period's id."""
    today = calendar.local_date(await env.get_current_time(), "Europe/Oslo")
    owners = [
        {
            "owner": {"id": owner_id, "name": name, "kind": "municipality", "county": "46"},
            "advisers": ["d.lie"],
            "network": "Sunnhordland",
            "accepted_by": "Statsforvalteren",
        }
        for owner_id, name in (("4617", "Kvinnherad"), ("4615", "Fitjar"))
    ]
    start = calendar.next_working_day(today + timedelta(weeks=1))
    cohort = CohortInput.model_validate(
        {"cohort": f"netc{uuid.uuid4().hex[:6]}", "start_date": start, "owners": owners}
    )
    handle = await start_cohort(env.client, cohort, task_queue=task_queue)
    await env.sleep(timedelta(days=1))
    day = calendar.next_working_day(start + timedelta(weeks=2))
    meeting = ScheduleNetworkMeeting(network="Sunnhordland", date=day, adviser="d.lie")
    status = await handle.execute_update(CohortWorkflow.schedule_network_meeting, meeting)
    await env.sleep(timedelta(hours=1))
    cancel = CancelNetworkMeeting(network="Sunnhordland", meeting_id=status.created or "", adviser="d.lie")
    await handle.execute_update(CohortWorkflow.cancel_network_meeting, cancel)
    await env.sleep(timedelta(days=1))  # the periods have taken the cancellation
    return handle, period_workflow_id(cohort.cohort, "4617")


async def meetings_cancelled(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle[Any, Any]:
    """A flagship period (with the plan's proposed meetings): a meeting agreed, moved and cancelled
    (`cancel_meeting`), another agreed, then the period withdrawn, which cancels every meeting still ahead
    (`workflow.patched("withdrawal-cancels-meetings")`)."""
    plan = resolve_plan("veilederkorpset")
    owner = {"id": "4601", "name": "Bergen", "kind": "municipality", "county": "46"}
    handle = await start_period(env.client, env, task_queue, plan, "cancel", owner)
    today = calendar.local_date(await env.get_current_time(), plan.timezone)
    days = [calendar.next_working_day(today + timedelta(days=n)) for n in (14, 21, 28)]
    first = ScheduleMeeting.model_validate({"kind": "follow_up", "date": days[0], "adviser": "a.hansen"})
    meeting_id = (await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, first)).created
    assert meeting_id is not None
    moved = ScheduleMeeting.model_validate(
        {"kind": "follow_up", "date": days[1], "adviser": "a.hansen", "meeting_id": meeting_id}
    )
    await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, moved)
    cancel = CancelMeeting(meeting_id=meeting_id, adviser="b.olsen", reason="The school is closed")
    await handle.execute_update(GuidancePeriodWorkflow.cancel_meeting, cancel)
    second = ScheduleMeeting.model_validate({"kind": "school_visit", "date": days[2], "adviser": "b.olsen"})
    await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, second)
    await env.sleep(timedelta(days=1))
    await handle.execute_update(GuidancePeriodWorkflow.withdraw, Withdraw(reason="Owner merged", by="coordinator"))
    await handle.result()
    return handle


async def competence_environments(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle[Any, Any]:
    """A flagship period that chooses basic skills, is proposed two competence environments
    (`record_competence_environment`), contacts and agrees with one, and is then withdrawn."""
    plan = resolve_plan("veilederkorpset")
    owner = {"id": "1103", "name": "Stavanger", "kind": "municipality", "county": "11"}
    handle = await start_period(env.client, env, task_queue, plan, "competence", owner)
    await env.sleep(timedelta(days=5))  # the period has started: milestones may be recorded
    for milestone, extra in (
        ("mapping_done", {}),
        ("anchoring_done", {}),
        ("development_area_chosen", {"development_area": "basic_skills"}),
    ):
        update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen", **extra})
        await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)
    steps = [("lesesenteret", "proposed"), ("matematikksenteret", "proposed"), ("lesesenteret", "contacted")]
    for environment_id, state in [*steps, ("lesesenteret", "agreed")]:
        await env.sleep(timedelta(days=2))
        step = RecordCompetenceEnvironment.model_validate(
            {
                "environment": environment_by_id(environment_id).ref(),
                "state": state,
                "adviser": "b.olsen",
                "note": f"{state} with the owner",
            }
        )
        await handle.execute_update(GuidancePeriodWorkflow.record_competence_environment, step)
    await env.sleep(timedelta(days=1))
    await handle.execute_update(GuidancePeriodWorkflow.withdraw, Withdraw(reason="Owner merged", by="coordinator"))
    await handle.result()
    return handle


async def continued_period() -> list[tuple[str, str, WorkflowHistory]]:
    """A period that continues as new twice with updates arriving, then is withdrawn: every run's history.

    Time skipping rarely reaches Temporal's suggestion, so this one runs on a dev server told to suggest
    continue-as-new after a few events (dynamic config), in real time, which takes a few seconds.
    """
    with tempfile.TemporaryDirectory() as folder:
        server = await DevServer.start(
            Path(folder) / "temporal.sqlite",
            free_port(),
            dynamic_config={"limit.historyCount.suggestContinueAsNew": 40},
        )
        try:
            client = await server.connect()
            fakes = RecordingActivities()
            task_queue = f"record-{uuid.uuid4()}"
            period = dev_period(fakes, {"id": "1103", "name": "Stavanger", "kind": "municipality", "county": "11"})
            workflow_id = f"guidance-period-{period.cohort}-1103"
            async with build_worker(client, fakes.all(), task_queue=task_queue):
                handle = await client.start_workflow(
                    GuidancePeriodWorkflow.run, period, id=workflow_id, task_queue=task_queue
                )
                day = period.start_date
                for _ in range(12):
                    day = calendar.next_working_day(day + timedelta(days=3))
                    request = ScheduleMeeting.model_validate({"kind": "follow_up", "date": day, "adviser": "a.hansen"})
                    await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, request)
                for name in ("mapping_done", "anchoring_done"):
                    update = RecordMilestone.model_validate({"milestone": name, "adviser": "a.hansen"})
                    await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)
                await handle.execute_update(
                    GuidancePeriodWorkflow.withdraw, Withdraw(reason="Owner merged", by="coordinator")
                )
                await handle.result()
            runs = [w async for w in client.list_workflows(f"WorkflowId = '{workflow_id}'")]
            histories = []
            for run in sorted(runs, key=lambda r: r.start_time):
                history = await client.get_workflow_handle(workflow_id, run_id=run.run_id).fetch_history()
                histories.append(history)
        finally:
            server.stop()
    if len(histories) < 3:
        raise SystemExit(f"the period continued as new {len(histories) - 1} times; expected at least 2")
    return [
        ("guidance_period", f"continued-as-new-run{i + 1}" if i < len(histories) - 1 else "withdrawn-after-continue", h)
        for i, h in enumerate(histories)
    ]


async def record() -> list[Path]:
    """Run every scenario, then write the histories this version has not recorded yet.

    A progress bar on stderr (when it is a terminal) names the scenario running and counts those done.
    """
    env = await suite_server()
    written = []
    try:
        task_queue = f"record-{uuid.uuid4()}"
        async with build_worker(env.client, RecordingActivities().all(), task_queue=task_queue):
            with progress_bar() as progress:
                bar = progress.add_task("Recording replay histories", total=STEPS)
                with counted_step(progress, bar, "A period expiring after two cycles"):
                    expired = await full_period(env.client, env, task_queue)
                    await expired.result()
                with counted_step(progress, bar, "A period withdrawn"):
                    withdrawn = await full_period(env.client, env, task_queue)
                    await withdrawn.execute_update(
                        GuidancePeriodWorkflow.withdraw, Withdraw(reason="Owner merged", by="coordinator")
                    )
                    await withdrawn.result()
                plans = []
                for name in OTHER_PLANS:
                    with counted_step(progress, bar, f"A {name} period: its phases and proposed meetings, to its end"):
                        plans.append((name, await plan_period(env.client, env, task_queue, resolve_plan(name))))
                        await plans[-1][1].result()
                with counted_step(progress, bar, "A follow-up scheme period: warnings, three reports, one late"):
                    followup = await followup_period(env.client, env, task_queue)
                    await followup.result()
                with counted_step(progress, bar, "A period: a meeting cancelled, then withdrawn with meetings ahead"):
                    cancelled = await meetings_cancelled(env, task_queue)
                with counted_step(progress, bar, "A period: competence environments proposed, contacted, agreed"):
                    competence = await competence_environments(env, task_queue)
                with counted_step(progress, bar, "A cohort: accepted, declined, no reply"):
                    cohort = await cohort_with_answers(env, task_queue)
                with counted_step(progress, bar, "A cohort's life: network meeting, gathering moved, the end"):
                    life, network_period = await cohort_life(env, task_queue)
                with counted_step(progress, bar, "County governors' assessment: answered, on behalf, no reply"):
                    assessed = await county_assessment(env, task_queue)
                with counted_step(progress, bar, "A cohort: a network meeting agreed, then cancelled"):
                    network_cancel, cancelled_period = await network_meeting_cancelled(env, task_queue)
                histories = [
                    ("guidance_period", "expired-two-cycles", expired),
                    ("guidance_period", "withdrawn", withdrawn),
                    ("guidance_period", "meeting-cancelled-withdrawn", cancelled),
                    ("guidance_period", "competence-environments-withdrawn", competence),
                    *(("guidance_period", f"{name}-expired", handle) for name, handle in plans),
                    ("guidance_period", "oppfolgingsordningen-reports-one-late", followup),
                    ("cohort", "accepted-declined-no-reply", cohort),
                    ("cohort", "gatherings-network-ended", life),
                    ("county_assessment", "answered-on-behalf-no-reply", assessed),
                    ("guidance_period", "in-cohort-network-expired", env.client.get_workflow_handle(network_period)),
                    ("cohort", "network-meeting-cancelled", network_cancel),
                    ("guidance_period", "network-meeting-cancelled", env.client.get_workflow_handle(cancelled_period)),
                ]
                fetched = [(t, name, await handle.fetch_history()) for t, name, handle in histories]
                with counted_step(progress, bar, "A period continuing as new (on a dev server, in real time)"):
                    continued = await continued_period()
                with counted_step(progress, bar, "Writing the new histories"):
                    for workflow_type, name, history in [*fetched, *continued]:
                        path = FOLDER / f"{workflow_type}-{VERSION}-{name}.json"
                        if path.exists():  # a released version's histories are never rewritten
                            print(
                                f"kept {path.name}: a recorded history is never rewritten (bump VERSION for new ones)"
                            )
                            continue
                        path.write_text(history.to_json())
                        written.append(path)
                progress.update(bar, description=f"Recorded {len(written)} new histories of {VERSION}")
            for running in (cohort, network_cancel):
                with contextlib.suppress(RPCError):  # a cohort ends with its last period
                    await running.terminate("recorded")
    finally:
        await env.shutdown()
    return written


if __name__ == "__main__":
    for path in asyncio.run(record()):
        print(f"recorded {path.relative_to(ROOT)}")
