"""`guidance milestone` for the follow-up scheme: the partner the support is agreed with and the reports, each
refused with the field and its option when wrong, and shown by `guidance status`."""

from __future__ import annotations

from config.settings import resolve_plan
from starter import commands
from tests.helpers.harness import Harness
from tests.workflows.scenarios import closing_update
from workflows.guidance_period import GuidancePeriodWorkflow

PLAN = resolve_plan("oppfolgingsordningen")


async def test_the_partner_and_a_report_are_recorded_and_shown_and_a_bad_reference_is_refused(
    harness: Harness,
) -> None:
    period = await harness.period_input(with_plan=False, plan=PLAN.name)
    handle = await harness.start_period(period.model_copy(update={"programme": PLAN}))
    for phase in ("analysis", "anchoring", "development_area", "goal_prioritisation"):
        await handle.execute_update(GuidancePeriodWorkflow.record_milestone, closing_update(PLAN, phase, "a.hansen"))
    target = ("--cohort", period.cohort, "--owner", "3301", "--adviser", "a.hansen")
    today = (await harness.today()).isoformat()

    unnamed = await harness.guidance("milestone", "support_agreed", *target, "--partner", "expert_partner")
    assert unnamed.exit_code == commands.EXIT_REJECTED
    assert "rejected: partner_name: name the expert partner when partner is expert_partner" in unnamed.stderr

    agreed = await harness.guidance(
        "milestone", "support_agreed", *target, "--partner", "expert_partner", "--partner-name", "Nord universitet"
    )
    assert agreed.exit_code == 0, agreed.output
    assert "is now in Report after the preliminary phase" in agreed.stdout

    loose = await harness.guidance(
        "milestone", "preliminary_report_received", *target, "--report-date", today, "--report-ref", "in the archive"
    )
    assert loose.exit_code == commands.EXIT_REJECTED
    assert "--report-ref" in loose.stderr and "2027/1234-5" in loose.stderr

    reported = await harness.guidance(
        "milestone", "preliminary_report_received", *target, "--report-date", today, "--report-ref", "2027/88-3"
    )
    assert reported.exit_code == 0, reported.output

    status = await harness.guidance("status", "--cohort", period.cohort, "--owner", "3301")
    shown = " ".join(status.stdout.split())  # the table wraps its cells to the terminal's width
    assert "Support agreed (cycle 1) by a.hansen (support from another expert partner: Nord universitet)" in shown
    assert f"(report handed in {today}, 2027/88-3)" in shown
    last = (await handle.query(GuidancePeriodWorkflow.status)).milestones[-1]
    assert (last.milestone, last.report_date, last.report_ref) == (
        "preliminary_report_received",
        await harness.today(),
        "2027/88-3",
    )
