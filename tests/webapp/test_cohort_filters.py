"""The cohort overview's filters (phase, overdue, invitation state, with county and adviser) and its charts, over
HTTP on the record store of tests.readmodel.rows: Drammen (33, anchoring), Kongsberg (33, mapping, overdue),
Bergen (46, goal prioritisation)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import httpx
import pytest

from activities.record_store import RecordStore
from domain.cohort import RespondToInvitation
from starter import cohorts as cohort_api
from tests.helpers.harness import Harness
from tests.webapp.test_pages import _cohort_web, sign_in


def _owners(page: httpx.Response) -> list[str]:
    """The owners of the overview's rows, in order."""
    table = page.text.split('id="overview"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/periods/[^"]+">([^<]+)</a>', table)


@pytest.mark.parametrize(
    ("filters", "owners"),
    [
        ({"phase": "mapping"}, ["Kongsberg"]),
        ({"phase": "anchoring"}, ["Drammen"]),
        ({"overdue": "yes"}, ["Kongsberg"]),
        ({"overdue": "no"}, ["Drammen", "Bergen"]),
        ({"state": "accepted"}, ["Drammen", "Kongsberg", "Bergen"]),
        ({"state": "invited"}, []),
        ({"county": "33", "overdue": "no"}, ["Drammen"]),
        ({"county": "46", "phase": "mapping"}, []),
        ({"adviser": "b.olsen", "phase": "mapping", "overdue": "yes", "state": "accepted"}, ["Kongsberg"]),
        ({"county": "", "phase": "", "overdue": "", "state": ""}, ["Drammen", "Kongsberg", "Bergen"]),
    ],
    ids=lambda value: urlencode(value) if isinstance(value, dict) else None,
)
async def test_a_coordinator_filters_the_overview(
    http: httpx.AsyncClient, filters: dict[str, str], owners: list[str]
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/cohorts/2027", params=filters)

    assert page.status_code == 200
    assert _owners(page) == owners
    for name, value in filters.items():
        if value:
            assert f'<option value="{value}" selected>' in page.text, f"the {name} filter stays chosen"


async def test_an_advisers_filters_stay_within_their_own_periods(http: httpx.AsyncClient) -> None:
    await sign_in(http, "b.olsen", "adviser-dev")

    on_time = await http.get("/cohorts/2027", params={"overdue": "no"})
    someone_elses = await http.get("/cohorts/2027", params={"adviser": "c.berg", "phase": "goal_prioritisation"})

    assert _owners(on_time) == ["Drammen"]
    assert _owners(someone_elses) == [], "the adviser filter is always the adviser's own"


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"overdue": "maybe"}, "overdue: must be yes or no"),
        ({"state": "forgotten"}, "state: must be one of invited, reminded, accepted, declined, no_reply"),
        ({"phase": "m" * 65}, "phase: at most 64 characters"),
        ({"county": "3\x003"}, "county: must not contain a NUL character"),
    ],
    ids=["overdue", "state", "phase too long", "NUL"],
)
async def test_a_filter_it_does_not_take_is_refused_naming_it(
    http: httpx.AsyncClient, filters: dict[str, str], message: str
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/cohorts/2027", params=filters)
    report = await http.get("/cohorts/2027/report.csv", params=filters)

    assert page.status_code == 400 and message in page.text
    assert report.status_code == 400


async def test_the_report_links_carry_the_filters_and_the_reports_follow_them(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")
    query = "county=33&phase=&overdue=no&state=accepted"

    page = await http.get(f"/cohorts/2027?{query}")
    links = re.findall(r'href="(/cohorts/2027/[^"]+)"', page.text)
    sheet = await http.get(
        next(link for link in links if "report.csv" in link).replace("&amp;", "&"), headers={"Accept-Language": "en"}
    )
    printable = await http.get(
        next(link for link in links if link.startswith("/cohorts/2027/report?")).replace("&amp;", "&")
    )

    # The outcomes compare the whole cohort's owners (webapp/outcome_pages.py): their link takes no filters.
    filtered = [link for link in links if "/gatherings/" not in link and "/outcomes" not in link]
    assert all(link.endswith("?" + query.replace("&", "&amp;")) for link in filtered)
    assert [row["School owner"] for row in csv.DictReader(io.StringIO(sheet.text))] == ["Drammen"]
    assert "Kongsberg" not in printable.text and "Drammen" in printable.text


async def test_the_charts_on_the_cohort_page_show_the_overviews_counts(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    for filters in ({}, {"county": "33"}, {"overdue": "yes"}):
        # In English: the chart's table speaks the page's language.
        page = await http.get("/cohorts/2027", params=filters, headers={"Accept-Language": "en"})
        table = page.text.split('id="overview"', 1)[1].split("</table>", 1)[0]
        phases = re.findall(r'<td class="phase">([^<]+)</td>', table)  # as the plan names them, like the bars
        overdue = table.count('<strong class="flag">overdue</strong>')

        drawn = dict(re.findall(r'class="bar" data-label="([^"]+)" data-count="(\d+)"', _chart(page, "phase-chart")))
        assert {phase: int(n) for phase, n in drawn.items()} == {p: phases.count(p) for p in set(phases)}
        late = re.findall(r'class="bar" data-label="[^"]+" data-count="(\d+)"', _chart(page, "overdue-chart"))
        assert sum(int(n) for n in late) == overdue
        numbers = page.text.split('id="overdue-chart-numbers"', 1)[1].split("</table>", 1)[0]
        assert f"<th>in all</th><td>{overdue}</td>" in numbers, "the same numbers as a table beside the chart"


def _followed(link: str) -> str:
    """A link's address as a browser follows it (the page escapes & as &amp;)."""
    return link.replace("&amp;", "&")


def _chart(page: httpx.Response, chart_id: str) -> str:
    svg = page.text.split(f'id="{chart_id}"', 1)[1].split("</svg>", 1)[0]
    assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
    return svg


async def test_the_invitations_follow_the_filters_and_the_timeline_shows_the_planned_gatherings(
    store: RecordStore, harness: Harness
) -> None:
    name, client = await _cohort_web(store, harness)
    await cohort_api.respond_to_invitation(
        harness.client, name, RespondToInvitation(owner_id="4617", answer="accept", by="Statsforvalteren i Vestland")
    )
    planned = (await cohort_api.cohort_status(harness.client, name)).gatherings
    assert planned and all(g.sent_sequence is None for g in planned)  # only the cohort's workflow knows them yet

    async with client:
        await sign_in(client, "coordinator", "coordinator-dev")
        invited = await client.get(f"/cohorts/{name}", params={"state": "invited"})
        in_46 = await client.get(f"/cohorts/{name}", params={"county": "46"})
        timeline = await client.get(f"/cohorts/{name}/timeline.svg")
        report = await client.get(f"/cohorts/{name}/report")

    def invitations(page: httpx.Response) -> list[tuple[str, str]]:
        return sorted(re.findall(r'<tr class="invitation-(\w+)"><td>[^<]*\((\d+)\)', page.text))

    assert invitations(invited) == [("invited", "1103"), ("invited", "3301")]
    assert invitations(in_46) == [("accepted", "4617")]
    for page in (invited, timeline, report):
        dates = re.findall(r'class="planned-gathering" data-date="([\d-]+)"', page.text)
        assert dates == [g.date.isoformat() for g in planned], "every planned gathering, before any is sent"
