"""The language a page is served in: the browser's guess first, the person's choice after, `lang` always right."""

from __future__ import annotations

import re

import httpx
import pytest

from language.negotiate import from_accept_language
from tests.webapp.test_pages import _csrf, sign_in


def _lang(page: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]+)"', page.text)
    assert found, page.text[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "nb"),
        ("", "nb"),
        ("nn-NO,nn;q=0.9,en;q=0.5", "nn"),
        ("sv-SE", "sv"),
        ("en-US,en;q=0.9", "en"),
        ("no", "nb"),
        ("de-DE,fr;q=0.8", "nb"),
        ("en;q=0.3,nn;q=0.8", "nn"),
        ("xx;q=bad,sv;q=0.5", "sv"),
        ("sv;q=0", "nb"),
        ("," * 5000 + "nn", "nb"),
    ],
)
def test_the_browsers_guess(header: str | None, expected: str) -> None:
    assert from_accept_language(header) == expected


async def test_sign_in_page_follows_the_browser_then_bokmaal(http: httpx.AsyncClient) -> None:
    del http.headers["Accept-Language"]  # the fixture's English: this browser says nothing
    default = await http.get("/login")
    assert _lang(default) == "nb"
    assert "Bytt språk" in default.text
    swedish = await http.get("/login", headers={"Accept-Language": "sv-SE,sv;q=0.9"})
    assert _lang(swedish) == "sv"
    assert "Byt språk" in swedish.text


async def test_the_chosen_language_is_kept_with_the_session(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")
    page = await http.get("/tasks", headers={"Accept-Language": "en"})
    assert _lang(page) == "en"
    chosen = await http.post(
        "/language", data={"language": "nn", "next": "/tasks?x=1", "csrftoken": _csrf(page)}, follow_redirects=False
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/tasks?x=1"
    after = await http.get("/tasks", headers={"Accept-Language": "en"})
    assert _lang(after) == "nn"
    assert ">Oppgåver<" in after.text


async def test_a_language_we_do_not_have_changes_nothing(http: httpx.AsyncClient) -> None:
    del http.headers["Accept-Language"]  # no wish from the browser: bokmål
    await sign_in(http, "a.hansen", "adviser-dev")
    page = await http.get("/tasks")
    chosen = await http.post(
        "/language",
        data={"language": "../../etc", "next": "https://evil.example/", "csrftoken": _csrf(page)},
        follow_redirects=False,
    )
    assert chosen.headers["location"] == "/"
    assert _lang(await http.get("/tasks")) == "nb"


async def test_choosing_a_language_needs_the_csrf_token(http: httpx.AsyncClient) -> None:
    del http.headers["Accept-Language"]  # no wish from the browser: bokmål
    await http.get("/login")
    refused = await http.post("/language", data={"language": "sv", "next": "/login"})
    assert refused.status_code == 403
    assert _lang(await http.get("/login")) == "nb"
