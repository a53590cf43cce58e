"""A page's data is freed when the page is done (readmodel/rendering.py): serving pages leaves nothing in reference
cycles for CPython's cycle collector, whose runs under load held every request of a process (webapp/page_work.py).
"""

from __future__ import annotations

import gc
import re
from collections import Counter

import httpx
from jinja2.runtime import Context

from readmodel.records import PeriodRow
from tests.webapp.test_pages import sign_in


async def test_the_pages_of_a_cohort_leave_no_garbage_for_the_cycle_collector(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")
    overview = await http.get("/cohorts/2027")
    period = re.findall(r'href="(/periods/[^"]+)"', overview.text)[0]
    pages = ["/cohorts/2027", period, "/tasks", "/cohorts/2027/report", "/cohorts/2027/report.csv"]
    for page in pages:  # once first: templates compiled, caches filled
        assert (await http.get(page)).status_code == 200, page

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept in gc.garbage to look at
    try:
        for page in pages:
            assert (await http.get(page)).status_code == 200, page
        gc.collect()
        left = Counter(type(found).__name__ for found in gc.garbage if isinstance(found, Context | PeriodRow))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()

    assert left == Counter(), "templates' contexts or the page's rows waited for the cycle collector"
