"""The period page of a follow-up scheme period (plans/oppfolgingsordningen.toml): the milestone form takes the
partner and the reports, refuses them field by field in the reader's language, and the page lists what each
milestone recorded. The real workflow on the time-skipping server, the real record store, the web app on both."""

from __future__ import annotations

import re

from activities.record_store import RecordStore
from config.settings import resolve_plan
from starter import client as api
from tests.helpers.harness import Harness
from tests.webapp.test_period_actions import _error, period_web
from tests.workflows.scenarios import closing_update

PLAN = resolve_plan("oppfolgingsordningen")


async def test_the_milestone_form_records_the_partner_and_a_report(store: RecordStore, harness: Harness) -> None:
    period_input = await harness.period_input(with_plan=False, plan=PLAN.name)
    async with period_web(store, harness, period_input) as period:
        for phase in ("analysis", "anchoring", "development_area", "goal_prioritisation"):
            await api.record_milestone(period.temporal, period.workflow_id, closing_update(PLAN, phase, "a.hansen"))
        token = await period.as_user("a.hansen")
        form = {"csrftoken": token, "note": "", "milestone": "support_agreed"}

        page = await period.http.get(period.page)
        assert 'id="partner"' in page.text and 'id="report_ref"' in page.text
        unnamed = await period.http.post(
            f"{period.page}/milestone", data={**form, "partner": "expert_partner"}, headers={"Accept-Language": "nb"}
        )
        assert unnamed.status_code == 422
        assert _error(unnamed, "milestone", "partner_name") == "Navnet på faginstansen: oppgi navnet på faginstansen"
        named = {"partner": "expert_partner", "partner_name": "Nord universitet"}
        agreed = await period.http.post(f"{period.page}/milestone", data={**form, **named})
        assert agreed.status_code in (200, 303), agreed.text

        today = (await harness.today()).isoformat()
        report = {**form, "milestone": "preliminary_report_received", "report_date": today}
        loose = await period.http.post(f"{period.page}/milestone", data={**report, "report_ref": "in the archive"})
        assert loose.status_code == 422
        assert _error(loose, "milestone", "report_ref") == (
            "Report reference: give the report&#39;s case number, e.g. 2027/1234-5, or its web address, e.g. https://..."
        )
        handed_in = await period.http.post(f"{period.page}/milestone", data={**report, "report_ref": "2027/88-3"})
        assert handed_in.status_code in (200, 303), handed_in.text

        await period.row_where("the report recorded", lambda row: row.phase == "implementation_year_two")
        shown = (await period.http.get(period.page)).text
    table = shown.split('id="milestones"', 1)[1].split("</table>", 1)[0]
    facts = re.findall(r'<span class="muted">([^<]+)</span>', table)
    assert facts == ["support from another expert partner: Nord universitet", f"report handed in {today}, 2027/88-3"]
