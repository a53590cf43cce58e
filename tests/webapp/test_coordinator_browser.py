"""A coordinator's way through the web app in headless Chromium, against the whole dev stack (`python -m devstack`).

The coordinator uploads the generated sample indicator file (the one tests/selection score), chooses five owners
of its shortlist with their advisers, saves the decision, starts the cohort from it, records two acceptances and
a decline on the cohort page, adds a national gathering, reads an invitation letter the cohort sent and withdraws
one of the new periods; then one of the advisers signs in and records a milestone on another. Every page is
photographed (listed in the terminal summary by the `screenshots` fixture).

The cohort starts on the last working day up to today, so its periods run at once and take milestones (a
milestone before a period's start is refused).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import BrowserContext, Page, expect

from domain.calendar import next_working_day, previous_working_day
from scripts import generate_indicators
from tests.devstack.stack_process import RunningStack
from tests.helpers.clock import real_today
from tests.webapp.conftest import Screenshots
from tests.webapp.test_browser import _recorded, _sign_in, _sign_in_coordinator, browser, stack  # noqa: F401

#: The sample's seed (tests/selection/test_generator.py scores the same one).
SAMPLE_SEED = 7
COHORT = "web-select"
#: The five owners chosen, first five of the sample's shortlist, with the advisers each gets.
CHOSEN: dict[str, list[str]] = {
    "5510": ["a.hansen"],
    "3301": ["a.hansen", "b.olsen"],
    "3452": ["b.olsen"],
    "1135": ["c.berg"],
    "1119": ["c.berg"],
}


@dataclass
class CoordinatorSteps:
    """The coordinator's steps on one page of the browser; each step checks what the page says afterwards."""

    page: Page
    web: str
    folder: Path
    screenshots: Screenshots
    taken: list[str] = field(default_factory=list)

    async def shoot(self, name: str, what: str) -> None:
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        self.screenshots.add(path, what)
        self.taken.append(name)

    async def upload(self, indicators: Path) -> None:
        await self.page.click("#nav-selection")
        await expect(self.page.locator("h1")).to_have_text("Select school owners")
        await self.page.set_input_files("#indicators", str(indicators))
        await self.shoot("selection", "the selection page with an indicator file chosen for upload")
        await self.page.click("#upload-form button[type=submit]")
        await expect(self.page.locator("#flash")).to_contain_text(f"Read {indicators.name}: no problems found.")

    async def choose(self, owners: dict[str, list[str]]) -> None:
        for owner_id, advisers in owners.items():
            await self.page.check(f"#owner-{owner_id}-box")
            await self.page.select_option(f"#advisers-{owner_id}", advisers)
        await self.page.fill("#network-1135", "Ryfylke")

    async def save_decision(self, cohort: str, start: date) -> None:
        await self.page.fill("#cohort", cohort)
        await self.page.fill("#start_date", start.isoformat())
        await self.shoot("shortlist", "the shortlist with five owners ticked and their advisers chosen")
        await self.page.click("#decision-form button[type=submit]")
        await expect(self.page.locator("#flash")).to_contain_text(f"Saved the decision for cohort {cohort}")
        await expect(self.page.locator("#decided-by")).to_have_text("coordinator")
        await self.shoot("decision", "the saved decision, with who made it and when")

    async def start_cohort(self, cohort: str) -> None:
        await self.page.click("#start-form button[type=submit]")
        await expect(self.page.locator("h1")).to_have_text(f"Cohort {cohort}")
        await expect(self.page.locator("#flash")).to_contain_text(f"Started cohort {cohort}")

    async def answer(self, owner_id: str, answer: str, by: str) -> None:
        await self.page.select_option("#answer-owner", owner_id)
        await self.page.select_option("#answer-answer", answer)
        await self.page.fill("#answer-by", by)
        await self.page.click("#answer-form button[type=submit]")
        verb = "accepted" if answer == "accept" else "declined"
        await expect(self.page.locator("#flash")).to_contain_text(f"Recorded that {owner_id} {verb}")

    async def add_gathering(self, title: str, day: date, place: str) -> None:
        await self.page.fill("#gathering-title", title)
        await self.page.fill("#gathering-date", day.isoformat())
        await self.page.fill("#gathering-place", place)
        await self.page.click("#add-gathering-form button[type=submit]")
        await expect(self.page.locator("#flash")).to_contain_text(
            f"Added {title} on {day:%d/%m/%Y}"
        )  # an English browser: en-GB dates

    async def withdraw(self, owner_id: str, reason: str) -> None:
        await self.page.goto(f"{self.web}/periods/{period_id(owner_id)}")
        await self.page.fill("#withdraw-reason", reason)
        await self.page.check("#withdraw-confirm")
        await self.page.click("#withdraw-form button[type=submit]")
        await expect(self.page.locator("#flash")).to_contain_text("from the programme: the period has ended")
        await expect(self.page.locator("#phase")).to_have_text("withdrawn")

    async def record_milestone(self, owner_id: str, note: str) -> None:
        await self.page.goto(f"{self.web}/periods/{period_id(owner_id)}")
        await expect(self.page.locator("#milestone")).to_have_value("mapping_done")
        await self.page.fill("#note", note)
        await self.page.click("#milestone-form button[type=submit]")
        flash = self.page.locator("#flash")
        await expect(flash).to_contain_text("Recorded mapping_done: the period is now in anchoring")


def period_id(owner_id: str) -> str:
    return f"guidance-period-{COHORT}-{owner_id}"


async def test_a_coordinator_selects_starts_and_follows_a_cohort(
    stack: RunningStack,  # noqa: F811 - the fixture of test_browser
    browser: BrowserContext,  # noqa: F811
    tmp_path: Path,
    screenshots: Screenshots,
) -> None:
    web = stack.banner_value("Web app").split("  (", 1)[0]
    indicators = tmp_path / "indicators-seed-7.csv"
    await asyncio.to_thread(indicators.write_text, generate_indicators.generate(seed=SAMPLE_SEED), encoding="utf-8")
    today = real_today()
    start = previous_working_day(today)
    page = await browser.new_page()
    steps = CoordinatorSteps(page, web, tmp_path, screenshots)
    await _sign_in_coordinator(page, web)

    await steps.upload(indicators)
    shortlist = page.locator("#shortlist tbody tr")
    await expect(shortlist).to_have_count(40)  # 30 by rank and 10 by spread, the shipped configuration
    await expect(page.locator("#shortlist tr.track-spread .needs-assessment").first).to_contain_text(
        "needs the county governor's assessment"
    )
    await steps.choose(CHOSEN)
    await steps.save_decision(COHORT, start)
    await expect(page.locator("#decision-owners tbody tr")).to_have_count(5)

    await steps.start_cohort(COHORT)
    invitations = page.locator("#invitations tbody tr")
    await expect(invitations).to_have_count(5)
    await expect(page.locator("#invitations tr.invitation-invited")).to_have_count(5)
    await steps.shoot("cohort-started", "the new cohort: five owners invited through their county governors")

    await steps.answer("5510", "accept", "Statsforvalteren i Troms")
    await steps.answer("3301", "accept", "Statsforvalteren i Buskerud")
    await steps.answer("1119", "decline", "Statsforvalteren i Trøndelag")
    await expect(page.locator("#invitations tr.invitation-accepted")).to_have_count(2)
    await expect(page.locator("#invitations tr.invitation-declined")).to_have_count(1)
    await steps.shoot("cohort-answered", "the cohort after two acceptances and a decline")

    gathering_day = next_working_day(start + timedelta(weeks=6))
    await steps.add_gathering("Leading the school owner's analysis", gathering_day, "Trondheim")
    await expect(page.locator("#planned-gatherings")).to_contain_text("Leading the school owner's analysis")
    await steps.shoot("cohort-gathering", "the cohort with the added national gathering")

    # The accepted owners' periods start, and the letters the cohort sent are listed for the coordinator.
    started = f"SELECT count(*) FROM periods WHERE cohort = '{COHORT}'"
    assert await _recorded(stack, started, 2) == 2, "the two accepted owners have their periods"
    sent = f"SELECT count(*) FROM outbox WHERE workflow_id = 'cohort-{COHORT}' AND kind = 'invitation_letter'"
    assert await _recorded(stack, sent, 5) == 5, "the record store has the five invitation letters"
    await page.reload()
    letters = page.locator("#cohort-letters tr.letter-invitation_letter")
    await expect(letters).to_have_count(5)
    await letters.filter(has_text="Drammen").locator("a").click()
    # The letter is in Buskerud's county governor's language (bokmål), whatever language the page is in.
    await expect(page.locator("#letter-subject")).to_contain_text("invitasjon til Drammen (3301)")
    await expect(page.locator("#letter-body")).to_contain_text("Veiledere: a.hansen, b.olsen")
    await steps.shoot("letter", "an invitation letter the cohort sent, as the coordinator reads it")

    # The coordinator withdraws one of the new periods: the page then says why and when it ended.
    await steps.withdraw("5510", "The municipality merges with its neighbour")
    withdrawn = f"SELECT phase FROM periods WHERE workflow_id = '{period_id('5510')}' AND ended_at IS NOT NULL"
    assert await _recorded(stack, withdrawn, "withdrawn") == "withdrawn", "the record store has the withdrawal"
    await page.reload()
    await expect(page.locator("#ended")).to_contain_text("The municipality merges with its neighbour")
    await expect(page.locator("#audit-log")).to_contain_text("The municipality merges with its neighbour")
    await expect(page.locator("#withdraw-form")).to_have_count(0)
    await steps.shoot("period-withdrawn", "a withdrawn period: the reason, the day it ended and its audit log")

    # One of the advisers signs in and records the first milestone on the other accepted owner's period.
    await page.click("button:has-text('Sign out')")
    await _sign_in(page, web, "b.olsen", "adviser-dev")
    await steps.record_milestone("3301", "Pupil survey and national tests analysed with the owner")
    await expect(page.locator("#phase")).to_have_text("anchoring")
    await steps.shoot("period-milestone", "an adviser's period page after recording the first milestone")
    refused = await page.goto(f"{web}/periods/{period_id('5510')}")
    assert refused is not None and refused.status == 403, "b.olsen does not advise the withdrawn period"

    assert steps.taken == [
        "selection",
        "shortlist",
        "decision",
        "cohort-started",
        "cohort-answered",
        "cohort-gathering",
        "letter",
        "period-withdrawn",
        "period-milestone",
    ]
