"""A cohort's outcomes in the web app (webapp/outcome_pages.py): the later file's upload beside the selection's,
the hand-computed shares of `tests.readmodel.outcome_files` on the page, its CSV, the file's problems by line
and column, a later file that is not later, and advisers refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import asyncpg
import httpx

from tests.activities.factories import selection_decision
from tests.readmodel.outcome_files import LATER, SELECTION, STAVANGER
from tests.readmodel.rows import insert_period
from tests.webapp.test_pages import _csrf, sign_in


async def _upload(http: httpx.AsyncClient, path: str, text: str, token: str, name: str) -> httpx.Response:
    return await http.post(path, data={"csrftoken": token}, files={"indicators": (name, text.encode(), "text/csv")})


async def _selected_then_later(http: httpx.AsyncClient, pool: asyncpg.Pool) -> tuple[str, httpx.Response]:
    """Stavanger added to cohort 2027; the selection file uploaded; then the later file on the outcomes page."""
    await insert_period(pool, STAVANGER)
    await sign_in(http, "coordinator", "coordinator-dev")
    token = _csrf(await http.get("/selection"))
    first = await _upload(http, "/selection/files", SELECTION, token, "selection.csv")
    then = first.headers["location"].rsplit("/", 1)[1]
    page = await http.get(f"/cohorts/2027/outcomes?then={then}")
    assert page.status_code == 200 and "Choose or upload a later file" in page.text
    cohort_page = (await http.get("/cohorts/2027")).text
    assert 'id="cohort-outcomes-form" method="post" action="/cohorts/2027/outcomes/files"' in cohort_page
    later = await _upload(http, f"/cohorts/2027/outcomes/files?then={then}", LATER, _csrf(page), "later.csv")
    return then, later


async def test_the_later_file_shows_each_owner_at_selection_and_now(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    then, later = await _selected_then_later(http, pool)

    assert later.status_code == 303
    assert (
        later.headers["location"].startswith("/cohorts/2027/outcomes?now=")
        and f"then={then}" in later.headers["location"]
    )
    page = await http.get(later.headers["location"])
    assert page.status_code == 200
    assert "Read later.csv: no problems found." in page.text
    assert "4 owners: better: 1, unchanged: 1, worse: 1, cannot tell: 1 (unchanged within ±5.0 pp)" in page.text
    drammen = page.text.split('id="outcomes-owners-numbers"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"Drammen \(3301\)</a></td><td>39.4%</td><td>12.1%</td><td>−27.3 pp</td><td>better</td>", drammen)
    assert "Stavanger (1103)</a></td><td>44.4%</td><td>–</td><td>–</td><td>cannot tell</td>" in drammen
    assert page.text.count("<svg") == 2 + 4 and page.text.count('class="chart-numbers"') == 6
    values = page.text.split('id="values-1103"', 1)[1].split("</table>", 1)[0]
    assert values.count(">no value<") == 3, "Stavanger's suppressed values are said, not zeros"

    sheet = await http.get("/cohorts/2027/outcomes.csv?" + later.headers["location"].split("?", 1)[1])
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = [r for r in csv.DictReader(io.StringIO(sheet.text)) if not r["Indicator"]]
    assert [(r["Owner id"], r["Movement"]) for r in rows] == [
        ("1103", "cannot_tell"),
        ("3301", "better"),
        ("3303", "unchanged"),
        ("4601", "worse"),
    ]


async def test_the_decisions_file_is_the_one_at_selection_by_default(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    then, later = await _selected_then_later(http, pool)
    record = selection_decision(datetime(2026, 12, 1, tzinfo=UTC), cohort="2027")
    await pool.execute(
        "INSERT INTO selection_decisions (cohort, decision, decided_by, decided_at, indicator_file)"
        " VALUES ($1, $2::jsonb, $3, $4, $5)",
        "2027", record.decision.model_copy(update={"indicator_file": then}).model_dump(mode="json"),
        "coordinator", record.decided_at, then,
    )  # fmt: skip
    now = later.headers["location"].split("now=", 1)[1].split("&", 1)[0]

    page = await http.get(f"/cohorts/2027/outcomes?now={now}")

    assert page.status_code == 200 and "39.4%" in page.text
    assert f'<option value="{then}" selected>selection.csv ({then[:12]}) – the decision\'s file</option>' in page.text


async def test_a_bad_later_file_shows_its_problems_and_keeps_nothing(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")
    page = await http.get("/cohorts/2027/outcomes")
    bad = LATER.replace("survey10_motivation;2026-27;3,30", "survey10_motivation;2026-27;n/a")

    answer = await _upload(http, "/cohorts/2027/outcomes/files", bad, _csrf(page), "later.csv")

    assert answer.status_code == 422
    assert re.search(r'<tr class="problem"><td>15</td><td>verdi</td><td>&#39;n/a&#39;: not a number', answer.text)
    assert "No indicator file has been uploaded yet." in answer.text


async def test_a_later_file_that_is_not_later_is_refused_and_unknown_files_are_404(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    then, _ = await _selected_then_later(http, pool)

    same = await http.get(f"/cohorts/2027/outcomes?then={then}&now={then}")
    assert same.status_code == 422
    assert (
        "the later file&#39;s newest school year (2024-25) is not after the selection file&#39;s (2024-25)" in same.text
    )
    assert (await http.get(f"/cohorts/2027/outcomes?now={'0' * 64}")).status_code == 404
    assert (await http.get("/cohorts/2027/outcomes.csv")).status_code == 400
    assert (await http.get("/cohorts/1999/outcomes")).status_code == 404


async def test_advisers_are_refused(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")

    assert (await http.get("/cohorts/2027/outcomes")).status_code == 403
    assert 'id="outcomes-link"' not in (await http.get("/cohorts/2027")).text


async def test_a_decisions_file_no_longer_kept_is_only_not_chosen(http: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    record = selection_decision(datetime(2026, 12, 1, tzinfo=UTC), cohort="2027")
    gone = "ab" * 32
    await pool.execute(
        "INSERT INTO selection_decisions (cohort, decision, decided_by, decided_at, indicator_file)"
        " VALUES ($1, $2::jsonb, $3, $4, $5)",
        "2027", record.decision.model_dump(mode="json"), "coordinator", record.decided_at, gone,
    )  # fmt: skip
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/cohorts/2027/outcomes")

    assert page.status_code == 200 and "No indicator file has been uploaded yet." in page.text


async def test_a_later_file_for_a_cohort_without_periods_is_not_kept(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")
    token = _csrf(await http.get("/selection"))

    answer = await _upload(http, "/cohorts/1999/outcomes/files", LATER, token, "later.csv")

    assert answer.status_code == 404
    assert "No indicator file has been uploaded yet." in (await http.get("/selection")).text
