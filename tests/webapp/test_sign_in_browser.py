"""Signing in through the identity provider, in headless Chromium against the whole dev stack (`make dev`).

The stack runs as `make dev` has it: the local OpenID provider (oidc-provider-mock) and no password sign-in.
An adviser and a coordinator sign in there (authorization code flow with PKCE), each sees what their role may
see, and signs out, which also ends the provider's session; a person in no group is refused.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect

from starter.connect import connect
from tests.devstack.stack_process import RunningStack, devstack_process
from tests.helpers.clock import real_today
from tests.webapp.test_browser import _id, _recorded, _start_cohort, browser  # noqa: F401 (the browser fixture)

PROVIDER_BUTTON = "main a[href^='/login/oidc']"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[RunningStack]:
    async with devstack_process(tmp_path / "var", env={"GUIDANCE_WEB_PASSWORD_SIGN_IN": "false"}) as running:
        yield running
    assert running.survivors() == [], "the stack left processes behind"


async def _sign_in(page: Page, web: str, name: str, next_path: str = "/cohorts") -> None:
    """From a page that needs signing in, through the provider's page (its button for `name`), back to the app."""
    await page.goto(f"{web}{next_path}")
    await expect(page).to_have_url(f"{web}/login?next={next_path.replace('/', '%2F')}")
    assert await page.locator("#password").count() == 0, "no password sign-in in make dev"
    await page.click(PROVIDER_BUTTON)
    await page.click(f"button[name=sub][value='{name}']")
    await expect(page).to_have_url(f"{web}{next_path}")


async def _sign_out(page: Page, web: str) -> None:
    await page.click("form.signout button[type=submit]")
    # The provider's end-session page asks to confirm, then sends the person back to the sign-in page.
    await expect(page).to_have_url(re.compile(r"/oauth2/end_session"))
    await page.click("button[type=submit]")
    await expect(page).to_have_url(re.compile(re.escape(f"{web}/login") + r"(\?state=[\w-]+)?$"))


async def test_an_adviser_and_a_coordinator_sign_in_through_the_identity_provider_and_out(
    stack: RunningStack,
    browser: BrowserContext,  # noqa: F811 (the imported fixture)
) -> None:
    web = stack.banner_value("Web app").split("  (", 1)[0]
    assert "sign in through the local identity provider" in stack.banner_value("Web app")
    client = await connect(target_host=stack.address)
    await _start_cohort(client, real_today())
    count = f"SELECT count(*) FROM periods WHERE workflow_id LIKE '{_id('')}%'"
    assert await _recorded(stack, count, 4) == 4, "the record store has the cohort's periods"
    page = await browser.new_page()

    await _sign_in(page, web, "a.hansen")
    await expect(page.locator(".who")).to_contain_text("a.hansen")
    own = await page.goto(f"{web}/periods/{_id('3301')}")
    assert own is not None and own.status == 200
    other = await page.goto(f"{web}/periods/{_id('3303')}")
    assert other is not None and other.status == 403, "b.olsen's period is not a.hansen's"
    selection = await page.goto(f"{web}/selection")
    assert selection is not None and selection.status == 403, "selection is the coordinators'"
    await page.goto(f"{web}/cohorts")
    await _sign_out(page, web)
    after = await page.goto(f"{web}/cohorts")
    assert after is not None and after.url.startswith(f"{web}/login"), "signed out: the app asks to sign in again"

    await _sign_in(page, web, "coordinator", next_path="/selection")
    await expect(page.locator(".who")).to_contain_text("coordinator")
    other = await page.goto(f"{web}/periods/{_id('3303')}")
    assert other is not None and other.status == 200, "a coordinator opens every period"
    await _sign_out(page, web)


async def test_a_person_in_no_group_of_the_service_is_refused(
    stack: RunningStack,
    browser: BrowserContext,  # noqa: F811 (the imported fixture)
) -> None:
    web = stack.banner_value("Web app").split("  (", 1)[0]
    issuer = re.search(r"\((http://localhost:\d+)\)", stack.banner_value("Web app"))
    assert issuer is not None, stack.banner_value("Web app")
    async with httpx.AsyncClient() as provider:  # the provider's own API sets a person's claims
        answer = await provider.put(
            f"{issuer[1]}/users/eve", json={"preferred_username": "eve", "groups": ["another-service"]}
        )
        assert answer.status_code == 204
    page = await browser.new_page()
    await page.goto(f"{web}/login")
    await page.click(PROVIDER_BUTTON)
    await page.fill("input[name=sub]", "eve")
    await page.click("button:has-text('Authorize')")

    await expect(page.locator("[role=alert]")).to_contain_text("eve is in none of the groups")

    await page.goto(f"{web}/login")
    await page.click(PROVIDER_BUTTON)
    await page.fill("input[name=sub]", "mallory")  # a person the provider knows nothing of: no user name
    await page.click("button:has-text('Authorize')")

    await expect(page.locator("[role=alert]")).to_contain_text("sent no 'preferred_username' claim")
    page_after = await page.goto(f"{web}/cohorts")
    assert page_after is not None and page_after.url.startswith(f"{web}/login")
