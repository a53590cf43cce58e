"""The web app in headless Chromium against the whole dev stack (`python -m devstack`, as `make dev` runs it).

An adviser signs in, records a milestone through the form and sees the phase change, sees a meeting
date the workflow rejects explained beside the field, is refused another adviser's period (403), and
the cohort's timeline is photographed into the test's folder (named in the terminal summary).

The browser is Debian's chromium (/usr/bin/chromium; `.ci/run` installs it), driven by Playwright,
which never downloads a browser of its own here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import BrowserContext, Page, async_playwright, expect
from temporalio.client import Client

from config.owners import owner_by_id
from domain.calendar import next_working_day
from domain.contract import period_workflow_id
from domain.models import GatheringInvitation, PeriodInput, RecordMilestone, ScheduleMeeting
from readmodel.documents import HEADLESS_CHROMIUM_FLAGS
from starter import client as api
from starter.connect import connect
from tests.devstack.stack_process import RunningStack, devstack_process, eventually
from tests.helpers.clock import plain_saturday, real_today
from tests.webapp.conftest import Screenshots

CHROMIUM = os.environ.get("GUIDANCE_TEST_CHROMIUM", "/usr/bin/chromium")
COHORT = "web"
# The record store follows an update with a lag (longer on a loaded CI machine).
WAIT_SECONDS = 30.0
TIMEOUT_MS = 30_000


def _id(owner: str) -> str:
    return period_workflow_id(COHORT, owner)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[RunningStack]:
    async with devstack_process(tmp_path / "var") as running:
        yield running
    assert running.survivors() == [], "the stack left processes behind"


@contextlib.asynccontextmanager
async def chromium(profile: Path, locale: str | None = None) -> AsyncIterator[BrowserContext]:
    """Headless Chromium with a fresh profile in `profile`, in `locale` (None: the machine's)."""
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - one stat before the browser starts
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)")
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=list(HEADLESS_CHROMIUM_FLAGS),
            viewport={"width": 1280, "height": 900},
            locale=locale,
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            await context.close()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Headless Chromium with a fresh profile of its own."""
    async with chromium(tmp_path / "chromium-profile") as context:
        yield context


async def _start_cohort(client: Client, today: date) -> None:
    """Four periods of cohort `web`: a.hansen advises Drammen, Bergen and Bodø; b.olsen Kongsberg and Bodø."""
    plans = [
        ("3301", ["a.hansen"], 6),
        ("3303", ["b.olsen"], 14),
        ("4601", ["a.hansen"], 20),
        ("1804", ["b.olsen", "a.hansen"], 3),
    ]
    for owner, advisers, weeks_ago in plans:
        start = next_working_day(today - timedelta(weeks=weeks_ago))
        period = PeriodInput(cohort=COHORT, owner=owner_by_id(owner), advisers=advisers, start_date=start)
        await api.start_period(client, period)
    for milestone in ("mapping_done", "anchoring_done"):
        update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen"})
        await api.record_milestone(client, _id("4601"), update)
    for owner, kind, days in (("3301", "kickoff", 3), ("4601", "follow_up", 10), ("1804", "kickoff", 17)):
        meeting = ScheduleMeeting.model_validate(
            {"kind": kind, "date": next_working_day(today + timedelta(days=days)), "adviser": "a.hansen"}
        )
        await api.schedule_meeting(client, _id(owner), meeting)
    gathering = GatheringInvitation(
        gathering_id="web-start", title="The school owner role", date=next_working_day(today + timedelta(weeks=5))
    )
    for owner in ("3301", "3303", "4601", "1804"):
        await api.invite_to_gathering(client, _id(owner), gathering)


async def _recorded(stack: RunningStack, query: str, expected: object) -> object:
    connection = await asyncpg.connect(stack.database_url)
    try:
        return await eventually(lambda: connection.fetchval(query), lambda v: v == expected, seconds=WAIT_SECONDS)
    finally:
        await connection.close()


async def _sign_in(page: Page, web: str, name: str, password: str) -> None:
    await page.goto(f"{web}/login")
    await page.fill("#username", name)
    await page.fill("#password", password)
    await page.click("main button[type=submit]")  # the header has the language form's button
    await expect(page.locator(".who")).to_have_text(f"{name} (adviser)")


async def test_an_adviser_records_a_milestone_sees_a_rejected_date_and_is_refused_another_advisers_period(
    stack: RunningStack, browser: BrowserContext, tmp_path: Path, screenshots: Screenshots
) -> None:
    web = stack.banner_value("Web app").split("  (", 1)[0]
    today = real_today()
    client = await connect(target_host=stack.address)
    await _start_cohort(client, today)
    count = f"SELECT count(*) FROM meetings WHERE workflow_id LIKE 'guidance-period-{COHORT}-%'"
    assert await _recorded(stack, count, 3) == 3, "the record store has the cohort's meetings"
    page = await browser.new_page()

    await _sign_in(page, web, "a.hansen", "adviser-dev")
    await page.goto(f"{web}/periods/{_id('3301')}")
    await expect(page.locator("#phase")).to_have_text("Mapping and analysis")  # the plan's label, in English
    await expect(page.locator("#temporal-link")).to_have_attribute(
        "href", f"{stack.ui_url}/namespaces/default/workflows/{_id('3301')}"
    )
    await expect(page.locator("#milestone")).to_have_value("mapping_done")
    await page.fill("#note", "Pupil survey and national tests analysed")
    await page.click("#milestone-form button[type=submit]")

    await expect(page.locator("#flash")).to_contain_text(
        "Recorded Mapping and analysis done: the period is now in Anchoring"
    )
    await expect(page.locator("#phase")).to_have_text("Anchoring")

    saturday = plain_saturday(today + timedelta(days=7))
    await page.select_option("#kind", "follow_up")
    await page.fill("#date", saturday.isoformat())
    await page.click("#meeting-form button[type=submit]")
    date_error = page.locator("#meeting-date-error")
    await expect(date_error).to_contain_text(f"{saturday.isoformat()} is a Saturday; meetings fall on working days")
    await expect(date_error).to_contain_text(f"the next working day is {next_working_day(saturday).isoformat()}")
    await expect(page.locator("#date")).to_have_value(saturday.isoformat())
    rejected_shot = tmp_path / "period-rejected-meeting-date.png"
    await page.screenshot(path=str(rejected_shot), full_page=True)
    screenshots.add(rejected_shot, "a period page with the rejected meeting date explained beside the field")

    past = today - timedelta(days=3)
    await page.fill("#date", past.isoformat())
    await page.click("#meeting-form button[type=submit]")
    await expect(page.locator("#meeting-date-error")).to_contain_text(f"{past.isoformat()} 09:00 is in the past")

    refused = await page.goto(f"{web}/periods/{_id('3303')}")
    assert refused is not None and refused.status == 403
    await expect(page.locator("#error-message")).to_contain_text("a.hansen is not an adviser of Kongsberg")

    phase = f"SELECT phase FROM periods WHERE workflow_id = '{_id('3301')}'"
    assert await _recorded(stack, phase, "anchoring") == "anchoring", "the record store has the new phase"
    await page.goto(f"{web}/cohorts/{COHORT}")
    overview = page.locator("#overview")
    await expect(overview).to_contain_text("Drammen")
    await expect(overview).not_to_contain_text("Kongsberg")  # b.olsen's period alone
    await expect(overview.locator("tr", has_text="Drammen").locator(".phase")).to_have_text("Anchoring")
    timeline = page.locator("#timeline svg")
    await expect(timeline.locator("line.today")).to_have_count(1)
    await expect(timeline.locator("path.meeting")).to_have_count(3)  # Drammen, Bergen and Bodø each agreed one
    shot = tmp_path / "cohort-timeline.png"
    await timeline.screenshot(path=str(shot))
    await page.screenshot(path=str(tmp_path / "cohort-overview.png"), full_page=True)
    screenshots.add(shot, f"cohort {COHORT} timeline as a.hansen sees it")
    screenshots.add(tmp_path / "cohort-overview.png", "the whole cohort overview page")
    assert len(await asyncio.to_thread(shot.read_bytes)) > 5_000, "the screenshot has a picture in it"

    await page.click("button:has-text('Sign out')")
    await _sign_in_coordinator(page, web)
    await page.goto(f"{web}/cohorts/{COHORT}")
    await expect(page.locator("#overview")).to_contain_text("Kongsberg")
    coordinator_shot = tmp_path / "cohort-timeline-coordinator.png"
    await page.locator("#timeline svg").screenshot(path=str(coordinator_shot))
    screenshots.add(coordinator_shot, f"cohort {COHORT} timeline as the coordinator sees it (every owner)")


async def _sign_in_coordinator(page: Page, web: str) -> None:
    await page.goto(f"{web}/login")
    await page.fill("#username", "coordinator")
    await page.fill("#password", "coordinator-dev")
    await page.click("main button[type=submit]")  # the header has the language form's button
    await expect(page.locator(".who")).to_have_text("coordinator (coordinator)")
