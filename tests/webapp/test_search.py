"""Finding school owners by name or number across cohorts (`/search`): who finds what, Norwegian letters, bounds."""

from __future__ import annotations

import re
from dataclasses import replace

import asyncpg
import httpx
import pytest

from readmodel.search import MAX_OWNERS, MAX_QUERY_LENGTH
from tests.readmodel.rows import DRAMMEN, NOW, Period, insert_period
from tests.webapp.test_pages import sign_in

BAERUM = Period("3201", "Bærum", "32", ["a.hansen"], "mapping", DRAMMEN.start_date, None, cohort="2028")
AALESUND = Period("1508", "Ålesund", "15", ["c.berg"], "mapping", DRAMMEN.start_date, None, cohort="2028")


async def _insert_invitation(
    pool: asyncpg.Pool, cohort: str, owner_id: str, owner_name: str, state: str, advisers: list[str]
) -> None:
    """An `invitations` row as a cohort workflow writes one (SQL, as tests.readmodel.rows writes the periods)."""
    await pool.execute(
        """
        INSERT INTO invitations (cohort, owner_id, workflow_id, owner_name, owner_kind, county, advisers, network,
            state, reply_by, no_reply_on, start_date, answered_by, period_workflow_id, updated_at)
        VALUES ($1, $2, $3, $4, 'municipality', '46', $5, NULL, $6, '2028-01-25', '2028-02-08', '2028-03-01', NULL,
            NULL, $7)
        """,
        cohort,
        owner_id,
        f"cohort-{cohort}",
        owner_name,
        advisers,
        state,
        NOW,
    )


def _hits(page: httpx.Response) -> list[tuple[str, str]]:
    """(owner number, cohort) of each row of the results, in order."""
    return re.findall(r'<tr class="search-hit" data-owner="(\d+)" data-cohort="([^"]+)">', page.text)


@pytest.fixture
async def more_cohorts(pool: asyncpg.Pool) -> None:
    """Besides cohort 2027 (tests.readmodel.rows): Drammen again, Bærum and Ålesund in 2028, and Stord only invited."""
    await insert_period(pool, replace(DRAMMEN, cohort="2028"))
    await insert_period(pool, BAERUM)
    await insert_period(pool, AALESUND)
    await _insert_invitation(pool, "2028", "4614", "Stord", "declined", ["c.berg"])


async def test_a_coordinator_finds_an_owner_by_name_in_every_cohort_with_its_periods(
    http: httpx.AsyncClient, more_cohorts: None
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/search", params={"q": "dRAM"})

    assert page.status_code == 200
    assert _hits(page) == [("3301", "2028"), ("3301", "2027")], "newest cohort first"
    assert '<a href="/periods/guidance-period-2027-3301">' in page.text
    assert '<a href="/periods/guidance-period-2028-3301">' in page.text
    assert '<td class="phase">Anchoring</td>' in page.text  # the phase as the plan names it (in English here)


async def test_a_number_finds_the_owners_it_begins(http: httpx.AsyncClient, more_cohorts: None) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/search", params={"q": "330"})
    exact = await http.get("/search", params={"q": "4601"})

    assert [owner for owner, _ in _hits(page)] == ["3301", "3301", "3303"]
    assert _hits(exact) == [("4601", "2027")]


@pytest.mark.parametrize(
    ("query", "owner"),
    [("bærum", "3201"), ("BÆRUM", "3201"), ("ærum", "3201"), ("ÅLESUND", "1508"), ("ålesund", "1508")],
)
async def test_norwegian_letters_match_in_either_case(
    http: httpx.AsyncClient, more_cohorts: None, query: str, owner: str
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/search", params={"q": query})

    assert [o for o, _ in _hits(page)] == [owner]


async def test_a_coordinator_sees_the_invitation_of_an_owner_without_a_period(
    http: httpx.AsyncClient, more_cohorts: None
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/search", params={"q": "stord"})

    assert _hits(page) == [("4614", "2028")]
    row = page.text.split('data-owner="4614"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="invitation">declined</td>' in row and "<td>none</td>" in row


async def test_an_adviser_finds_only_the_periods_they_follow(http: httpx.AsyncClient, more_cohorts: None) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")

    numbers = await http.get("/search", params={"q": "33"})
    other = await http.get("/search", params={"q": "kongsberg"})
    invited = await http.get("/search", params={"q": "stord"})

    # a.hansen follows Drammen (2027 and 2028) and Bærum, not Kongsberg (b.olsen's) nor Stord (invited only).
    assert _hits(numbers) == [("3301", "2028"), ("3301", "2027")]
    assert _hits(other) == [] and 'id="search-none"' in other.text
    assert _hits(invited) == []
    assert "<th>invitation</th>" not in numbers.text


async def test_results_are_bounded_and_say_so(http: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    for n in range(MAX_OWNERS + 5):
        await _insert_invitation(pool, "2029", f"9{n:03d}", f"Prøvekommune {n}", "invited", ["c.berg"])
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/search", params={"q": "prøvekommune"})

    assert len(_hits(page)) == MAX_OWNERS
    assert f"only the first {MAX_OWNERS} are listed" in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * (MAX_QUERY_LENGTH + 1), f"the search is at most {MAX_QUERY_LENGTH} characters"),
        ("Dram\x00men", "must not contain a NUL character"),
    ],
    ids=["too long", "a NUL byte"],
)
async def test_a_query_it_cannot_search_for_is_refused_with_400(
    http: httpx.AsyncClient, query: str, message: str
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/search", params={"q": query})

    assert page.status_code == 400 and message in page.text


async def test_a_query_is_text_to_look_for_never_sql(http: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/search", params={"q": "'; DROP TABLE periods; --"})
    wildcard = await http.get("/search", params={"q": "%"})

    assert page.status_code == 200 and _hits(page) == []
    assert _hits(wildcard) == [], "% is a character to find, not a pattern"
    assert await pool.fetchval("SELECT count(*) FROM periods") == 3


async def test_the_search_box_is_in_every_pages_header_and_needs_a_session(http: httpx.AsyncClient) -> None:
    before = await http.get("/search", params={"q": "drammen"})
    await sign_in(http, "b.olsen", "adviser-dev")

    tasks = await http.get("/tasks")

    assert before.status_code == 303 and before.headers["location"].startswith("/login")
    assert '<form class="search" method="get" action="/search" role="search">' in tasks.text
    assert f'name="q" type="search" maxlength="{MAX_QUERY_LENGTH}"' in tasks.text
