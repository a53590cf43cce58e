"""The period page's competence environments: the section, the form an adviser records a step with, and bad input
refused beside its field in the reader's language; the real workflow on the time-skipping server, its records in
PostgreSQL, the web app on both (the fixtures of test_period_actions)."""

from __future__ import annotations

import re

import httpx

from activities.record_store import RecordStore
from domain.models import RecordMilestone
from starter import client as api
from tests.helpers.harness import Harness
from tests.helpers.waits import wait_for
from tests.webapp.test_period_actions import PeriodWeb, _error, period_web

STORED = "SELECT state FROM competence_environments WHERE workflow_id = $1 AND environment_id = $2"


async def _area_chosen(period: PeriodWeb) -> None:
    """The period chooses basic skills (through the client API), and the record store has it."""
    for milestone, extra in (
        ("mapping_done", {}),
        ("anchoring_done", {}),
        ("development_area_chosen", {"development_area": "basic_skills"}),
    ):
        update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen", **extra})
        await api.record_milestone(period.temporal, period.workflow_id, update)
    await period.row_where("basic skills chosen", lambda row: row.development_area == "basic_skills")


def _options(page: httpx.Response) -> list[str]:
    select = page.text.split('id="competence-environment"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]+)"', select)


async def test_an_adviser_proposes_an_environment_serving_the_area_and_the_page_and_overview_show_it(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        token = await period.as_user("a.hansen")
        before = await period.http.get(period.page)
        early = await period.http.post(
            f"{period.page}/competence", data={"environment": "lesesenteret", "state": "proposed", "csrftoken": token}
        )
        await _area_chosen(period)
        page = await period.http.get(period.page)
        done = await period.http.post(
            f"{period.page}/competence",
            data={"environment": "lesesenteret", "state": "proposed", "note": "Early reading", "csrftoken": token},
            follow_redirects=True,
        )

        async def stored() -> bool:
            return bool(await store.pool.fetchval(STORED, period.workflow_id, "lesesenteret") == "proposed")

        await wait_for(stored, "the proposal in the record store")
        shown = await period.http.get(period.page)
        row = await period.reader.period(period.workflow_id)
        assert row is not None
        overview = await period.http.get(f"/cohorts/{row.cohort}")

    assert 'id="competence-no-area"' in before.text and 'id="competence-form"' not in before.text
    assert early.status_code == 422
    assert _error(early, "competence", "environment") == (
        "Competence environment: the period has no development area in this cycle yet; environments are proposed "
        "for it once development_area_chosen is recorded"
    )
    options = _options(page)
    assert "lesesenteret" in options and "laringsmiljosenteret" not in options  # only those serving basic skills
    assert done.status_code == 200 and "Proposed." in done.text
    table = shown.text.split('id="competence-environments"', 1)[1].split("</table>", 1)[0]
    assert "Lesesenteret" in table and "Proposed" in table and "Early reading" in table
    assert 'href="https://www.uis.no/nb/lesesenteret"' in table  # the register's contact
    line = overview.text.split('id="overview"', 1)[1].split("</table>", 1)[0]
    assert '<td class="competence">1 proposed</td>' in line


async def test_bad_input_is_refused_beside_its_field_in_the_readers_language(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        token = await period.as_user("a.hansen")
        await _area_chosen(period)
        post = f"{period.page}/competence"
        unknown = await period.http.post(post, data={"environment": "nope", "state": "proposed", "csrftoken": token})
        bad_day = await period.http.post(
            post, data={"environment": "lesesenteret", "state": "proposed", "date": "2027-13-01", "csrftoken": token}
        )
        bad_step = await period.http.post(
            post, data={"environment": "lesesenteret", "state": "done", "csrftoken": token}
        )
        early = await period.http.post(
            post, data={"environment": "skrivesenteret", "state": "agreed", "csrftoken": token}
        )
        in_norwegian = await period.http.post(
            post,
            data={"environment": "skrivesenteret", "state": "agreed", "csrftoken": token},
            headers={"Accept-Language": "nb"},
        )
        nothing = await store.pool.fetchval(
            "SELECT count(*) FROM competence_environments WHERE workflow_id = $1", period.workflow_id
        )

    assert {r.status_code for r in (unknown, bad_day, bad_step, early, in_norwegian)} == {422}
    assert _error(unknown, "competence", "environment") == (
        "Competence environment: choose one of the register&#39;s competence environments"
    )
    assert _error(bad_day, "competence", "date") == "Date: give a valid date as YYYY-MM-DD, e.g. 2027-03-15"
    assert _error(bad_step, "competence", "state").startswith("Step: choose one of:")
    assert _error(early, "competence", "state") == (
        "Step: Skrivesenteret – Nasjonalt senter for skriveopplæring og skriveforsking (NTNU) has not been proposed "
        "in this cycle; propose it before recording it as agreed"
    )
    said = _error(in_norwegian, "competence", "state")
    assert said.startswith("Steg: Skrivesenteret") and "er ikke foreslått i denne syklusen" in said
    assert "registreres som avtalt" in said
    assert 'aria-invalid="true" aria-describedby="competence-state-error"' in early.text
    assert nothing == 0
