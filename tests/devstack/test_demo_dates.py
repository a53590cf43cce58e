"""Every demo period's dates agree wherever they are shown: the period page, the task list, the CSV report and
`guidance status` (a time-zone slip once showed them a day apart).

On the whole dev stack with its demo periods (`make demo`): a phase's due date on the period page (from Temporal),
in the task list and the CSV report (from the record store) and in `guidance status` (from Temporal); the
period's last day on the period page and in `guidance status`. The pages read dd.mm.yyyy, the CSV and the
command ISO dates; all are read back as dates and compared.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import httpx

from devstack.demo import DEMO_COHORT, DEMO_PERIODS
from domain.contract import period_workflow_id
from domain.programme import FLAGSHIP
from language.current import using
from readmodel.labels import phase_label
from tests.devstack.stack_process import RunningStack, clean_environment, devstack_process, eventually

GUIDANCE = str(Path(sys.executable).parent / "guidance")
# The record store follows Temporal with a lag (longer on a loaded CI machine).
WAIT_SECONDS = 60.0
#: A day as the English pages show it (British English: 25/01/2027).
PAGE_DAY = r"(\d\d/\d\d/\d{4})"


def page_day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


async def status_dates(stack: RunningStack, workflow_id: str) -> tuple[str, date, date]:
    """The phase, due date and last day `guidance status` shows a person (the phase as the plan names it in
    English, the suite's language)."""
    env = clean_environment(TEMPORAL_ADDRESS=stack.address, DATABASE_URL=stack.database_url, COLUMNS="200")
    done = await asyncio.to_thread(
        subprocess.run,
        [GUIDANCE, "status", "--workflow-id", workflow_id],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\s*(Plan|Due|Ends)\s+(\S+)", done.stdout, re.MULTILINE)}
    phase = re.search(r"^\s*Phase\s+(.+?) \(cycle", done.stdout, re.MULTILINE)
    assert phase, done.stdout
    return phase[1], date.fromisoformat(rows["Due"]), date.fromisoformat(rows["Ends"])


def shown_phase(row: dict[str, str]) -> str:
    """The CSV's phase (an id: the cells are data) as `guidance status` names it in English."""
    with using("en"):
        return phase_label(
            FLAGSHIP,  # the demo's periods run the flagship plan
            row["Phase"],
        )


async def signed_in(web: str) -> httpx.AsyncClient:
    # The pages in English, the suite's language, as the patterns below read them.
    http = httpx.AsyncClient(base_url=web, timeout=30, headers={"Accept-Language": "en"})
    form = await http.get("/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert token, form.text
    answer = await http.post(
        "/login",
        data={"username": "coordinator", "password": "coordinator-dev", "next": "/cohorts", "csrftoken": token[1]},
    )
    assert answer.status_code == 303, answer.text
    return http


async def report_rows(http: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    # The CSV's headers are in the reader's language: English here.
    sheet = await http.get(f"/cohorts/{DEMO_COHORT}/report.csv", headers={"Accept-Language": "en"})
    assert sheet.status_code == 200, sheet.text
    return {row["Owner id"]: row for row in csv.DictReader(io.StringIO(sheet.text))}


async def test_every_demo_periods_due_date_and_end_agree_on_the_page_tasks_report_and_status(tmp_path: Path) -> None:
    async with devstack_process(tmp_path / "var", "--demo") as stack:
        web = stack.banner_value("Web app").split("  (", 1)[0]
        http = await signed_in(web)
        try:

            async def both() -> tuple[dict[str, tuple[str, date, date]], dict[str, dict[str, str]]]:
                statuses = {
                    demo.owner_id: await status_dates(stack, period_workflow_id(DEMO_COHORT, demo.owner_id))
                    for demo in DEMO_PERIODS
                }
                return statuses, await report_rows(http)

            # The demo has brought its periods forward and the record store has caught up once every owner's
            # row shows the phase Temporal does.
            shown, rows = await eventually(
                both,
                lambda found: all(
                    owner in found[1] and shown_phase(found[1][owner]) == phase and found[1][owner]["Phase due on"]
                    for owner, (phase, _, _) in found[0].items()
                ),
                seconds=WAIT_SECONDS,
            )
            tasks = (await http.get("/tasks")).text
            pages = {
                owner: (await http.get(f"/periods/{period_workflow_id(DEMO_COHORT, owner)}")).text for owner in shown
            }
        finally:
            await http.aclose()

    milestone_tasks = {
        href: page_day(day)
        for row in re.findall(r'<tr class="task-milestone[^"]*">(.*?)</tr>', tasks, re.DOTALL)
        for day, href in re.findall(r"<td>" + PAGE_DAY + r'.*?<a href="/periods/([^"]+)"', row, re.DOTALL)
    }
    for owner, (phase, due, ends) in shown.items():
        workflow_id = period_workflow_id(DEMO_COHORT, owner)
        assert shown_phase(rows[owner]) == phase, f"{owner}: the record store never caught up: {rows.get(owner)}"
        assert date.fromisoformat(rows[owner]["Phase due on"]) == due, f"{owner}: CSV {rows[owner]}, status {due}"
        page = pages[owner]
        page_due = re.search(r"<dt>Due</dt><dd>" + PAGE_DAY, page)
        page_period = re.search(r'id="period-dates">' + PAGE_DAY + " to " + PAGE_DAY, page)
        assert page_due and page_period, page
        assert page_day(page_due[1]) == due, f"{owner}: period page {page_due[1]}, status {due}"
        assert page_day(page_period[2]) == ends, f"{owner}: period page ends {page_period[2]}, status {ends}"
        assert milestone_tasks.get(workflow_id) == due, (
            f"{owner}: task list {milestone_tasks.get(workflow_id)}, status {due}"
        )
