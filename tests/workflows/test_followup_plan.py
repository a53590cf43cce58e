"""The follow-up scheme (plans/oppfolgingsordningen.toml) from start to its final report, on the time-skipping
server with the real record store (embedded PostgreSQL): the preliminary year's steps, the support agreed with a
named expert partner, the three reports recorded with their day and case number, the report after year two late
(reminded, reminded again, escalated), and the early warning (`at_risk`) seen before each phase is due. Its
history's size is counted beside the flagship's full period (`full_period`) and printed in the run's summary.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.record_store import RecordStore
from activities.registry import all_activities
from config.settings import resolve_plan
from domain.contract import AT_RISK, OVERDUE
from domain.models import PeriodStatus
from tests.helpers.waits import wait_for
from tests.workflows.conftest import report_figure
from tests.workflows.scenarios import LATE_REPORT_PHASE, followup_period, full_period
from worker import build_worker
from workflows.guidance_period import GuidancePeriodWorkflow

PLAN = resolve_plan("oppfolgingsordningen")
REPORTS = ["preliminary_report_received", "year_two_report_received", "final_report_received"]


async def _at_risk_before_due(handle: WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus], pool: asyncpg.Pool) -> None:
    """The first phase past three quarters of its time: at risk, not overdue, in the status, the search attributes
    and the advisers' letter (the owner's language: Bodø reads bokmål)."""
    status = await handle.query(GuidancePeriodWorkflow.status)
    assert status.phase == "analysis" and status.at_risk and not status.overdue

    async def warned() -> bool:
        attributes = (await handle.describe()).typed_search_attributes
        letters = await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE workflow_id = $1 AND kind = 'reminder' "
            "AND subject LIKE 'Risiko for forsinkelse:%'",
            handle.id,
        )
        return attributes.get(AT_RISK) is True and attributes.get(OVERDUE) is False and letters == 1

    await wait_for(warned, "the at-risk notice in the outbox and AtRisk=true")
    row = await pool.fetchrow("SELECT kind, phase, recipients FROM reminders WHERE workflow_id = $1", handle.id)
    assert row is not None and (row["kind"], row["phase"]) == ("at_risk", "analysis") and row["recipients"]


async def test_a_follow_up_period_runs_to_its_final_report_with_one_report_late(
    time_skipping_env: WorkflowEnvironment, store: RecordStore, pool: asyncpg.Pool
) -> None:
    env = time_skipping_env
    task_queue = f"followup-{uuid.uuid4()}"
    async with build_worker(env.client, all_activities(store), task_queue=task_queue):
        handle = await followup_period(
            env.client, env, task_queue, on_at_risk=lambda handle: _at_risk_before_due(handle, pool)
        )
        final: PeriodStatus = await handle.result()
        flagship = await full_period(env.client, env, task_queue)
        await flagship.result()
        followup_events = len((await handle.fetch_history()).events)
        flagship_events = len((await flagship.fetch_history()).events)

    # Every phase closed in order by its milestone; the last one, the final report, completes the period.
    assert final.phase == "completed" and final.end_reason == "final_report_received recorded"
    assert [m.milestone for m in final.milestones] == [p.closing_milestone for p in PLAN.phases]
    reports = {m.milestone: m for m in final.milestones if m.milestone in REPORTS}
    assert list(reports) == REPORTS
    assert all(m.report_date is not None and m.report_ref for m in reports.values())

    # The record store keeps the partner and the three reports.
    rows = await pool.fetch(
        "SELECT milestone, partner, partner_name, report_date, report_ref FROM milestones "
        "WHERE workflow_id = $1 AND (partner IS NOT NULL OR report_date IS NOT NULL) ORDER BY recorded_at",
        handle.id,
    )
    assert [(r["milestone"], r["partner"], r["partner_name"]) for r in rows] == [
        ("support_agreed", "expert_partner", "Nord universitet"),
        *((name, None, None) for name in REPORTS),
    ]
    assert all(isinstance(r["report_date"], date) and r["report_ref"] for r in rows[1:])

    # One warning per phase before its due day; only the late report was reminded (twice) and escalated.
    notices = await pool.fetch(
        "SELECT kind, phase FROM reminders WHERE workflow_id = $1 AND kind <> 'meeting_gap_reminder' ORDER BY sent_at",
        handle.id,
    )
    warned = [r["phase"] for r in notices if r["kind"] == "at_risk"]
    assert warned == list(PLAN.phase_names)
    late = [(r["kind"], r["phase"]) for r in notices if r["kind"] != "at_risk"]
    assert late == [("phase_reminder", LATE_REPORT_PHASE), ("phase_second_reminder", LATE_REPORT_PHASE)]
    escalated = await pool.fetch("SELECT phase FROM escalations WHERE workflow_id = $1", handle.id)
    assert [r["phase"] for r in escalated] == [LATE_REPORT_PHASE]
    # Their letters, in bokmål (the Directorate's and Bodø's language), name the report as the plan calls it.
    letters = await pool.fetch(
        "SELECT kind, subject FROM outbox WHERE workflow_id = $1 AND subject LIKE '%Rapport etter år to%' "
        "ORDER BY created_at",
        handle.id,
    )
    assert [(r["kind"], r["subject"].split(":")[0]) for r in letters] == [
        ("reminder", "Risiko for forsinkelse"),
        ("reminder", "Påminnelse"),
        ("reminder", "Andre påminnelse"),
        ("escalation", "Eskalering"),
    ]
    gaps = await pool.fetchval(
        "SELECT count(*) FROM reminders WHERE workflow_id = $1 AND kind = 'meeting_gap_reminder'", handle.id
    )
    assert (final.reminders_sent, final.escalations_sent) == (2 + gaps, 1)  # a warning is no reminder

    # The size of the history beside the flagship's full period (two cycles, to expiry at 30 months).
    report_figure(
        f"history events: oppfolgingsordningen to its final report {followup_events}, "
        f"veilederkorpset full period {flagship_events}"
    )
    assert followup_events < 2 * flagship_events
