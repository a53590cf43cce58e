"""A page's CPU work runs off the event loop's thread (webapp/page_work.py), so the loop answers meanwhile."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.templating import Jinja2Templates

from readmodel.overview import overview_lines
from tests.readmodel.rows import COHORT
from tests.webapp.test_pages import sign_in
from webapp import page_work, pages


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


def test_the_serving_process_leaves_its_start_up_objects_out_of_the_collectors_runs() -> None:
    """`steady_collector` (in a process of its own, as `python -m webapp` calls it: the test's own stays as it is)."""
    probe = (
        "import gc, json; import webapp.app; from webapp import page_work; "
        "made = len(gc.get_objects()); page_work.steady_collector(); "
        "print(json.dumps([made, gc.get_freeze_count(), len(gc.get_objects()), gc.get_threshold()]))"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    made, frozen, still_looked_at, threshold = json.loads(answer.stdout.splitlines()[-1])

    assert frozen > made / 2, "the app's modules and objects are left out of the collector's runs"
    assert still_looked_at < 100, "nothing made at start-up is left for the collector to look at again"
    assert threshold[0] == page_work.YOUNG_OBJECTS
