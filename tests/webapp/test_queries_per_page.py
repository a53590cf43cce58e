"""The pages read the record store in a fixed number of statements, whatever the number of rows (no query per row).

Counted with `create_pool`'s query logger on a real PostgreSQL: each page is asked once to warm up and once
counted, for the cohort of `tests.readmodel.rows` (3 owners) and again after 27 more owners, each with meetings,
a gathering, a transition and a milestone, have joined it (30 owners). A count, not a time.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, time

import asyncpg
import httpx
import pytest

from activities.db import create_pool
from readmodel.records import RecordReader
from tests.readmodel.rows import (
    COHORT,
    DRAMMEN,
    KONGSBERG,
    insert_gathering,
    insert_meeting,
    insert_milestone,
    insert_period,
    insert_transition,
)
from tests.webapp.conftest import app_client

#: Each page kind the benchmark loads (bench/web_load.py), as the coordinator and as an adviser asks for it.
PAGES = {
    "overview": f"/cohorts/{COHORT}",
    "period": f"/periods/{DRAMMEN.workflow_id}",
    "tasks": "/tasks",
    "report.csv": f"/cohorts/{COHORT}/report.csv",
}
PEOPLE = {"coordinator": "coordinator-dev", "a.hansen": "adviser-dev"}


class Counted:
    """The statements the app's pool has run since the last `clear`."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def log(self, query: asyncpg.connection.LoggedQuery) -> None:
        self.statements.append(query.query)


@pytest.fixture
async def counted(pool: asyncpg.Pool) -> Counted:
    """The record store of `tests.readmodel.rows` (the `pool` fixture writes it), and a counter of statements."""
    return Counted()


@pytest.fixture
async def app(database_url: str, pool: asyncpg.Pool, counted: Counted) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a pool of its own that tells `counted` of every statement (no Temporal, the clock at NOW)."""
    logged = await create_pool(database_url, min_size=1, max_size=4, query_logger=counted.log, no_session_state=True)
    try:
        async with app_client(RecordReader(logged)) as client:
            yield client
    finally:
        await logged.close()


async def _sign_in(http: httpx.AsyncClient, name: str) -> None:
    form = await http.get("/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert token
    answer = await http.post(
        "/login", data={"username": name, "password": PEOPLE[name], "next": "/cohorts", "csrftoken": token.group(1)}
    )
    assert answer.status_code == 303


async def _counts(http: httpx.AsyncClient, counted: Counted) -> dict[str, dict[str, int]]:
    """Per person and page kind, the statements of one request (after a first one that warms up)."""
    found: dict[str, dict[str, int]] = {}
    for name in PEOPLE:
        http.cookies.clear()
        await _sign_in(http, name)
        found[name] = {}
        for kind, path in PAGES.items():
            assert (await http.get(path)).status_code == 200, (name, path)
            counted.statements.clear()
            page = await http.get(path)
            assert page.status_code == 200, (name, path)
            await asyncio.sleep(0)  # asyncpg tells the logger soon after each statement, not within it
            found[name][kind] = len(counted.statements)
    return found


async def _grow_cohort(pool: asyncpg.Pool, more: int) -> None:
    """`more` owners in the cohort, followed by the advisers of the fixture's, each with what a page shows per
    row: a kick-off held, a follow-up ahead, a gathering ahead, a closed phase and its milestone."""
    for n in range(more):
        p = replace(
            KONGSBERG if n % 2 else DRAMMEN,
            owner_id=f"9{n:03d}",
            owner_name=f"Owner {n}",
            phase="anchoring",
            phase_started_on=date(2027, 3, 10),
            overdue=False,
        )
        await insert_period(pool, p)
        await insert_transition(pool, p, 1, "mapping", "anchoring", datetime(2027, 3, 10, 11, 0, tzinfo=UTC))
        await insert_milestone(pool, p, "mapping_done", datetime.combine(date(2027, 3, 10), time(11), tzinfo=UTC))
        await insert_meeting(pool, p, "m1", "kickoff", date(2027, 1, 12), "Kick-off")
        await insert_meeting(pool, p, "m2", "follow_up", date(2027, 4, 20), "Follow-up")
        await insert_gathering(pool, p, "2027-spring", date(2027, 5, 11), "The school owner role")


async def test_no_page_issues_a_query_per_row(app: httpx.AsyncClient, pool: asyncpg.Pool, counted: Counted) -> None:
    small = await _counts(app, counted)
    await _grow_cohort(pool, 27)
    large = await _counts(app, counted)

    overview = await app.get(PAGES["overview"])  # still a.hansen's, who follows every other new owner
    shown = set(re.findall(r"Owner \d+", overview.text))
    assert len(shown) == 14, "the adviser's overview shows the rows added to the cohort they follow"
    assert all(n > 0 for person in small.values() for n in person.values()), small
    assert large == small, "a page whose statements grow with its rows issues a query per row"
