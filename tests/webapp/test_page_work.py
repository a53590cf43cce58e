"""A page's CPU work runs off the event loop's thread (webapp/page_work.py), so the loop answers meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.templating import Jinja2Templates

from readmodel.overview import overview_lines
from tests.readmodel.rows import COHORT
from tests.webapp.test_pages import sign_in
from webapp import pages


async def test_the_overview_is_built_and_rendered_in_a_page_thread_in_the_readers_language(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, set[str]] = {"lines": set(), "template": set()}

    def noting(where: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def noted(*args: Any, **kwargs: Any) -> Any:
            seen[where].add(threading.current_thread().name)
            return work(*args, **kwargs)

        return noted

    monkeypatch.setattr(pages, "overview_lines", noting("lines", overview_lines))
    monkeypatch.setattr(Jinja2Templates, "TemplateResponse", noting("template", Jinja2Templates.TemplateResponse))

    await sign_in(http, "coordinator", "coordinator-dev")
    page = await http.get(f"/cohorts/{COHORT}", headers={"Accept-Language": "nb"})

    assert page.status_code == 200
    loop_thread = threading.current_thread().name
    assert seen["lines"] and seen["template"], "the probes saw the page being built"
    for where, threads in seen.items():
        assert loop_thread not in threads, f"{where}: on the event loop's thread"
        assert all(name.startswith("page-work") for name in threads), (where, threads)
    assert f"Pulje {COHORT}" in page.text, "the thread renders in the request's language (Norwegian)"
