"""Universal design, tested in headless Chromium against the whole dev stack (`python -m devstack`).

- Every page passes axe-core (node_modules/axe-core, installed by `make` from package.json) at WCAG 2.0/2.1 A and
  AA with no violation: sign-in, cohorts, cohort, period, period with competence environments, period with a
  rejection shown, tasks, search, selection, shortlist, the county governors' assessment (and with a refused
  answer), decision, letter, the development mailbox and one of its messages, report, a cohort's outcomes (before
  and after a later file) and the error page. The figures (pages checked, rules run, violations) are in the
  terminal summary.
- A person without a pointer signs in, records a milestone and schedules a meeting with the keyboard alone; the
  skip link is the first thing Tab reaches and leads into the page's main content.
- The cohort page, a period page with a rejection and the task list are photographed in bokmål, nynorsk, English
  and Swedish (the Swedish one on a period of the Swedish plan), chosen with the language picker; the pictures go
  to pytest's folder or to GUIDANCE_SCREENSHOT_DIR, and are listed in the terminal summary.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from playwright.async_api import BrowserContext, FloatRect, Page, expect
from temporalio.client import Client

from config.competence import environment_by_id
from config.owners import owner_by_id
from domain.calendar import next_working_day, previous_working_day
from domain.models import PeriodInput, RecordCompetenceEnvironment, RecordMilestone
from scripts import generate_indicators
from starter import client as api
from starter.connect import connect
from tests.devstack.stack_process import RunningStack
from tests.helpers.clock import plain_saturday, real_today
from tests.webapp.conftest import AxeFigures, Screenshots
from tests.webapp.test_browser import (  # noqa: F401 - the fixtures
    _id,
    _recorded,
    _sign_in,
    _sign_in_coordinator,
    _start_cohort,
    browser,
    chromium,
    stack,
)

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.1 level A and AA, the level the regulation on universal design of ICT requires.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: A cohort started from a decision (for its letters); the periods of test_browser's cohort `web` for the rest.
SELECTED_COHORT = "ud-select"
SWEDISH_COHORT = "ud-sv"
#: The cohort whose spread-track owners the county governors are asked to assess.
ASSESSED_COHORT = "ud-assess"
#: The Swedish plan's period: an owner of the register (the engine takes no other), on the plan of Örebro.
SWEDISH_OWNER = "3301"


MAILBOX_SUBJECT = "Påminnelse: kartlegging og analyse er forfalt"


async def _send_to_local_mail_server(running: RunningStack) -> None:
    """One message with a text and a calendar part, sent over SMTP to the stack's local mail server."""
    address = running.banner_value("Mail").removeprefix("local mail server ").split(";", 1)[0]
    host, port = address.rsplit(":", 1)
    message = EmailMessage()
    message["From"] = "veilederkorpset@udir.no"
    message["To"] = "a.hansen@veileder.udir.no"
    message["Subject"] = MAILBOX_SUBJECT
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="guidance-engine")
    message.set_content("Kartlegging og analyse skulle vært ferdig.")
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    message.add_attachment(ics, subtype="calendar", filename="m1.ics")
    await aiosmtplib.send(message, hostname=host, port=int(port))


async def _propose_an_environment(client: Client, running: RunningStack) -> None:
    """Bergen (4601, in development_area) chooses basic skills, and Lesesenteret is proposed: the period page's
    competence section with a row and its form with the environments serving the area."""
    area = RecordMilestone.model_validate(
        {"milestone": "development_area_chosen", "adviser": "a.hansen", "development_area": "basic_skills"}
    )
    await api.record_milestone(client, _id("4601"), area)
    step = RecordCompetenceEnvironment.model_validate(
        {"environment": environment_by_id("lesesenteret").ref(), "state": "proposed", "adviser": "a.hansen"}
    )
    await api.record_competence_environment(client, _id("4601"), step)
    stored = "SELECT count(*) FROM competence_environments WHERE environment_id = 'lesesenteret'"
    assert await _recorded(running, stored, 1) == 1, "the record store has the proposal"


def _web(running: RunningStack) -> str:
    return running.banner_value("Web app").split("  (", 1)[0]


def _screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GUIDANCE_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _axe(page: Page, name: str, figures: AxeFigures) -> None:
    """Run axe-core on the page as it is now and record it; fail with each violation's rule and elements."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"no axe-core at {AXE_SCRIPT}: run `make` (npm ci)")
    # Folded parts (the timeline's table) are opened first, so axe checks them too.
    await page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy (no inline script) allows.
    await page.evaluate(await asyncio.to_thread(AXE_SCRIPT.read_text, encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    rules = {r["id"] for kind in ("passes", "violations", "incomplete", "inapplicable") for r in result[kind]}
    violations = result["violations"]
    figures.add(name, rules, sum(len(v["nodes"]) for v in violations))
    described = [
        f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:8])
        for v in violations
    ]
    assert not violations, f"axe-core found violations on {name} ({page.url}):\n" + "\n".join(described)


async def _reject_a_saturday_meeting(page: Page, today: date) -> date:
    """Post the meeting form with a Saturday: the page comes back with the rejection beside the date."""
    saturday = plain_saturday(today + timedelta(days=7))
    await page.fill("#date", saturday.isoformat())
    await page.click("#meeting-form button[type=submit]")
    await expect(page.locator("#meeting-errors")).to_be_visible()
    await expect(page.locator("#date")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#date")).to_have_attribute("aria-describedby", "meeting-date-error")
    await expect(page.locator("#meeting-errors a[href='#date']")).to_have_count(1)
    return saturday


#: Screenshots stop this far down the page (a Swedish-plan period lists dozens of proposed meetings below the forms).
SHOT_HEIGHT = 2400


async def _photograph(page: Page, path: Path) -> None:
    """The page from its top, at most `SHOT_HEIGHT` pixels of it."""
    height = int(await page.evaluate("document.documentElement.scrollHeight"))
    width = int(await page.evaluate("document.documentElement.scrollWidth"))
    clip: FloatRect = {"x": 0, "y": 0, "width": width, "height": min(height, SHOT_HEIGHT)}
    await page.screenshot(path=str(path), full_page=True, clip=clip)


async def _choose_language(page: Page, language: str) -> None:
    await page.select_option("#language-choice", language)
    await page.click("form.language button[type=submit]")
    await expect(page.locator("html")).to_have_attribute("lang", language)


async def test_every_page_passes_axe_and_is_photographed_in_each_language(
    stack: RunningStack,  # noqa: F811 - the fixture of test_browser
    browser: BrowserContext,  # noqa: F811
    tmp_path: Path,
    screenshots: Screenshots,
    axe_figures: AxeFigures,
) -> None:
    web = _web(stack)
    today = real_today()
    client = await connect(target_host=stack.address)
    await _start_cohort(client, today)
    swedish = PeriodInput(
        cohort=SWEDISH_COHORT,
        owner=owner_by_id(SWEDISH_OWNER),
        advisers=["a.hansen"],
        start_date=next_working_day(today - timedelta(weeks=3)),
        plan="leda-for-skolutveckling",
    )
    await api.start_period(client, swedish)
    count = "SELECT count(*) FROM periods WHERE cohort IN ('web', 'ud-sv')"
    assert await _recorded(stack, count, 5) == 5, "the record store has the five periods"
    page = await browser.new_page()

    await page.goto(f"{web}/login")
    await _axe(page, "sign-in", axe_figures)
    await _sign_in_coordinator(page, web)
    await page.goto(f"{web}/cohorts")
    await _axe(page, "cohorts", axe_figures)

    # The selection: upload an indicator file, choose two owners, save the decision and start the cohort.
    indicators = tmp_path / "indicators.csv"
    await asyncio.to_thread(indicators.write_text, generate_indicators.generate(seed=7), encoding="utf-8")
    await page.goto(f"{web}/selection")
    await _axe(page, "selection", axe_figures)
    await page.set_input_files("#indicators", str(indicators))
    await page.click("#upload-form button[type=submit]")
    await expect(page.locator("#shortlist tbody tr")).to_have_count(40)
    await _axe(page, "shortlist", axe_figures)
    # The county governors' assessment of the spread-track owners: asked for, then an answer without its text.
    shortlist_url = page.url
    await page.fill("#assessment_cohort", ASSESSED_COHORT)
    await page.click("#assessment-form button[type=submit]")
    await expect(page.locator("form.answer")).to_have_count(10)
    assessment_url = page.url
    await _axe(page, "assessment", axe_figures)
    await page.locator("form.answer button[type=submit]").first.click()
    await expect(page.locator("form.answer [aria-invalid=true]")).to_have_count(1)
    await _axe(page, "assessment with a refused answer", axe_figures)
    await page.goto(shortlist_url)
    # A decision without a cohort name is refused: the summary at the top leads to the field.
    await page.fill("#start_date", previous_working_day(today).isoformat())
    await page.evaluate("document.getElementById('cohort').removeAttribute('required')")
    await page.check("#owner-3301-box")
    await page.select_option("#advisers-3301", ["a.hansen"])
    await page.click("#decision-form button[type=submit]")
    await expect(page.locator("#decision-errors a[href='#cohort']")).to_have_count(1)
    await expect(page.locator("#cohort")).to_have_attribute("aria-describedby", "decision-cohort-error")
    await _axe(page, "shortlist with a refused decision", axe_figures)
    await page.fill("#cohort", SELECTED_COHORT)
    await page.check("#owner-5510-box")
    await page.select_option("#advisers-5510", ["b.olsen"])
    await page.click("#decision-form button[type=submit]")
    await expect(page.locator("#decided-by")).to_have_text("coordinator")
    await _axe(page, "decision", axe_figures)
    await page.click("#start-form button[type=submit]")
    await expect(page.locator("h1")).to_have_text(f"Cohort {SELECTED_COHORT}")
    sent = f"SELECT count(*) FROM outbox WHERE workflow_id = 'cohort-{SELECTED_COHORT}' AND kind = 'invitation_letter'"
    assert await _recorded(stack, sent, 2) == 2, "the record store has the two invitation letters"
    await page.reload()
    await _axe(page, "cohort with invitations", axe_figures)
    await page.locator("#cohort-letters tr.letter-invitation_letter a").first.click()
    await expect(page.locator("#letter-body")).to_be_visible()
    await _axe(page, "letter", axe_figures)

    # The development mailbox: a message with a calendar part sent to the stack's own mail server, then read.
    await _send_to_local_mail_server(stack)
    await page.click("#nav-mailbox")
    await expect(page.locator("#mailbox tr.mail a").first).to_be_visible()
    await _axe(page, "development mailbox", axe_figures)
    await page.locator("#mailbox tr.mail a", has_text=MAILBOX_SUBJECT).first.click()
    await expect(page.locator("#mail-subject")).to_have_text(MAILBOX_SUBJECT)
    await _axe(page, "a message of the development mailbox", axe_figures)

    # The followed cohort: its page, report, a period (and the same with a rejection), tasks, search, an error.
    await page.goto(f"{web}/cohorts/web")
    await expect(page.locator("#timeline svg > title")).to_have_count(1)
    await expect(page.locator("#timeline-table tbody tr").first).to_be_attached()
    await _axe(page, "cohort", axe_figures)
    await page.goto(f"{web}/cohorts/web/report")
    await _axe(page, "report", axe_figures)
    # The cohort's outcomes: the selection's file beside the same world three years on, uploaded on the page.
    later = tmp_path / "indicators-later.csv"
    await asyncio.to_thread(later.write_text, generate_indicators.generate(seed=7, after=3), encoding="utf-8")
    await page.goto(f"{web}/cohorts/web")
    await page.click("#outcomes-link")
    # The page has loaded before axe reads it (the click only starts the navigation).
    await expect(page.locator("#upload-later")).to_be_visible()
    await _axe(page, "outcomes before a later file", axe_figures)
    await page.set_input_files("#indicators", str(later))
    await page.click("#upload-later button[type=submit]")
    await page.select_option("#then", value=hashlib.sha256(indicators.read_bytes()).hexdigest())
    await page.select_option("#now", value=hashlib.sha256(later.read_bytes()).hexdigest())
    await page.click("#choose-files button[type=submit]")
    await expect(page.locator("#moved")).to_be_visible()
    await expect(page.locator("section.owner-outcome svg > title").first).to_be_attached()
    outcomes_url = page.url
    await _axe(page, "outcomes", axe_figures)
    await page.goto(f"{web}/periods/{_id('3301')}")
    await _axe(page, "period", axe_figures)
    await _propose_an_environment(client, stack)
    await page.goto(f"{web}/periods/{_id('4601')}")
    await expect(page.locator("#competence-environments tr.competence-proposed")).to_have_count(1)
    await _axe(page, "period with competence environments", axe_figures)
    await _reject_a_saturday_meeting(page, today)
    await _axe(page, "period with a rejection", axe_figures)
    await page.goto(f"{web}/tasks")
    await _axe(page, "tasks", axe_figures)
    await page.goto(f"{web}/search?q=Drammen")
    await expect(page.locator("#search-results")).to_be_visible()
    await _axe(page, "search", axe_figures)
    missing = await page.goto(f"{web}/periods/guidance-period-web-0000")
    assert missing is not None and missing.status == 404
    await _axe(page, "error page", axe_figures)
    assert len(axe_figures.pages) >= 16 and axe_figures.violations == 0

    # The screenshots, in each language through the language picker.
    folder = _screenshot_folder(tmp_path)
    for language, period_id in (("nb", _id("3301")), ("nn", _id("3301")), ("en", _id("3301")), ("sv", None)):
        await page.goto(f"{web}/cohorts/{SWEDISH_COHORT if period_id is None else 'web'}")
        await _choose_language(page, language)
        cohort_shot = folder / f"{language}-cohort.png"
        await _photograph(page, cohort_shot)
        screenshots.add(cohort_shot, f"the cohort page in {language}")
        swedish_id = f"guidance-period-{SWEDISH_COHORT}-{SWEDISH_OWNER}"
        await page.goto(f"{web}/periods/{period_id or swedish_id}")
        await _reject_a_saturday_meeting(page, today)
        period_shot = folder / f"{language}-period-rejection.png"
        await _photograph(page, period_shot)
        plan = "leda-for-skolutveckling" if period_id is None else "veilederkorpset"
        screenshots.add(period_shot, f"a period page ({plan}) with a rejected meeting date in {language}")
        await page.goto(f"{web}/tasks")
        tasks_shot = folder / f"{language}-tasks.png"
        await _photograph(page, tasks_shot)
        screenshots.add(tasks_shot, f"the task list in {language}")
    # The pages of the county governors' assessment, the outcomes and a period's competence environments and
    # contact person, in bokmål.
    await _choose_language(page, "nb")
    for name, url, what in (
        ("nb-assessment.png", assessment_url, "the county governors' assessment of a cohort's spread track"),
        ("nb-outcomes.png", outcomes_url, "a cohort's outcomes from a later indicator file"),
        ("nb-period-competence.png", f"{web}/periods/{_id('4601')}", "a period with a competence environment"),
    ):
        await page.goto(url)
        shot = folder / name
        await _photograph(page, shot)
        screenshots.add(shot, f"{what} in nb")
    sizes = [len(await asyncio.to_thread(p.read_bytes)) for p in folder.glob("*.png")]
    assert len(sizes) == 15 and min(sizes) > 10_000, "fifteen screenshots, each with a picture in it"


@pytest.fixture
async def english_browser(tmp_path: Path) -> Any:
    """Headless Chromium in US English, so a date field takes its digits month first (the keyboard test types)."""
    async with chromium(tmp_path / "chromium-profile", locale="en-US") as context:
        yield context


async def _focused(page: Page) -> str:
    """The focused element as `tag#id` (or its text for a link or button without an id)."""
    return str(
        await page.evaluate(
            "() => { const e = document.activeElement; return e.tagName.toLowerCase() + "
            "(e.id ? '#' + e.id : '') + ' ' + (e.getAttribute('href') || e.textContent.trim().slice(0, 40)); }"
        )
    )


async def _tab_to(page: Page, selector: str, presses: int = 80) -> None:
    """Press Tab until the element `selector` names has the focus (as a keyboard user moves through a page)."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{presses} presses of Tab never reached {selector}; the focus is on {await _focused(page)}")


async def test_a_keyboard_alone_signs_in_records_a_milestone_and_schedules_a_meeting(
    stack: RunningStack,  # noqa: F811 - the fixture of test_browser
    english_browser: BrowserContext,
) -> None:
    web = _web(stack)
    today = real_today()
    client = await connect(target_host=stack.address)
    await _start_cohort(client, today)
    page = await english_browser.new_page()
    keyboard = page.keyboard

    await page.goto(f"{web}/login")
    # The skip link comes first, is visible once focused, and takes the focus into the main content.
    await keyboard.press("Tab")
    assert (await _focused(page)).startswith("a#skip-link"), await _focused(page)
    await expect(page.locator("#skip-link")).to_be_visible()
    await keyboard.press("Enter")
    assert (await _focused(page)).startswith("main#main"), await _focused(page)

    await _tab_to(page, "#username")
    await keyboard.type("a.hansen")
    await _tab_to(page, "#password")
    await keyboard.type("adviser-dev")
    await keyboard.press("Enter")
    await expect(page.locator(".who")).to_have_text("a.hansen (adviser)")

    # From the task list to Drammen's period, then the milestone form.
    await expect(page.locator("#tasks")).to_be_visible()
    await _tab_to(page, f"a[href='/periods/{_id('3301')}']")
    await keyboard.press("Enter")
    await expect(page.locator("#phase")).to_have_text("Mapping and analysis")  # the plan's label, in English
    await _tab_to(page, "#note")
    await keyboard.type("Pupil survey analysed, keyboard only")
    await _tab_to(page, "#milestone-form button[type=submit]")
    await keyboard.press("Enter")
    await expect(page.locator("#flash")).to_contain_text(
        "Recorded Mapping and analysis done: the period is now in Anchoring"
    )

    # A meeting on the next working day a week ahead, typed into the date field (month, day, year in en-US).
    day = next_working_day(today + timedelta(days=7))
    await _tab_to(page, "#date")
    await keyboard.type(f"{day:%m%d%Y}")
    await expect(page.locator("#date")).to_have_value(day.isoformat())
    await _tab_to(page, "#title")
    await keyboard.type("Anchoring with the school leaders")
    await _tab_to(page, "#meeting-form button[type=submit]")
    await keyboard.press("Enter")
    await expect(page.locator("#flash")).to_contain_text(f"Scheduled Follow-up meeting on {day:%d/%m/%Y}")
    # The record store follows the update with a lag: the meeting with its typed title arrives there.
    title = "Anchoring with the school leaders"
    held = f"SELECT count(*) FROM meetings WHERE workflow_id = '{_id('3301')}' AND title = '{title}'"
    assert await _recorded(stack, held, 1) == 1, "the record store has the meeting typed with the keyboard"
