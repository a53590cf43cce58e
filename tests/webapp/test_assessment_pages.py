"""The county governors' assessment in the web app (webapp/assessment_pages.py) on a time-skipping server and the
real record store: a coordinator asks from the shortlist; the county governor of Vestland signs in, sees only their
county's owners and nothing else of the programme, and records an assessment; bad input is refused beside its field
in the reader's language; the shortlist shows the answer beside the scores, and the decision records what it saw."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import asyncpg
import httpx
from temporalio.testing import WorkflowEnvironment

from config.owners import all_owners
from domain import calendar
from domain.assessment import AssessmentInput
from domain.contract import assessment_workflow_id, cohort_workflow_id
from starter import assessments
from tests.helpers.clock import ZONE
from tests.helpers.waits import wait_for
from tests.selection.test_select_cli import indicator_file
from tests.webapp.test_pages import _csrf, sign_in
from tests.webapp.test_selection import _coordinator, _form, _upload, _urlencoded, temporal_web  # noqa: F401

NB = {"Accept-Language": "nb"}


def spread_file() -> str:
    """The selection tests' file with 30 more owners worse than Bergen (4601): Bergen, no points of its own but one
    school among the worst, falls past the 30 by rank onto the spread track."""
    others = [o.id for o in all_owners() if o.kind == "municipality" and o.id not in ("1101", "3301", "4601")][:30]
    lines = [
        f"kommune;{owner};{owner};grunnskolepoeng;{year};38,0"
        for owner in others
        for year in ("2022-23", "2023-24", "2024-25")
    ]
    return indicator_file() + "\n".join(lines) + "\n"


async def _county_governor(http: httpx.AsyncClient) -> None:
    await http.post("/logout", data={"csrftoken": _csrf(await http.get("/login"))})
    answer = await sign_in(http, "sf.vestland", "county-governor-dev")
    assert answer.status_code == 303


async def test_a_county_governor_sees_only_their_county_and_records_an_assessment(
    temporal_web: httpx.AsyncClient,  # noqa: F811 (the imported fixture)
    time_skipping_env: WorkflowEnvironment,
    pool: asyncpg.Pool,
) -> None:
    http = temporal_web
    name = f"a{uuid.uuid4().hex[:8]}"
    http.started.append(assessment_workflow_id(name))  # type: ignore[attr-defined]
    token = await _coordinator(http)
    shortlist_at = (await _upload(http, spread_file().encode(), token=token)).headers["location"]

    # Bad input is refused beside its field, in the reader's language; nothing starts.
    bad = await http.post(
        f"{shortlist_at}/assessment",
        data={"csrftoken": token, "assessment_cohort": "no spaces", "reply_days": "200"},
        headers=NB,
    )
    assert bad.status_code == 422
    assert 'id="assessment-assessment_cohort-error"' in bad.text
    said = bad.text.split('id="assessment-assessment_cohort-error">', 1)[1].split("</span>", 1)[0]
    assert said.startswith("Navn på puljen: ")
    assert "Virkedager til å svare: oppgi 120 eller mindre" in bad.text

    asked = await http.post(
        f"{shortlist_at}/assessment", data={"csrftoken": token, "assessment_cohort": name, "reply_days": "15"}
    )
    assert (asked.status_code, asked.headers["location"]) == (303, f"/assessments/{name}")
    page = await http.get(asked.headers["location"])
    # Bergen (4601) is the shortlist's one spread-track owner: its county governor is Vestland's.
    assert 'id="request-4601"' in page.text and "waiting (reply by" in page.text

    # A second cohort asks about an owner in Vestland and one in Buskerud, started as any client would.
    other = f"b{uuid.uuid4().hex[:8]}"
    http.started.append(assessment_workflow_id(other))  # type: ignore[attr-defined]
    both = AssessmentInput.model_validate(
        {
            "cohort": other,
            "requested_by": "coordinator",
            "owners": [
                {"owner": {"id": "4617", "name": "Kvinnherad", "kind": "municipality", "county": "46"}, "rank": 31},
                {"owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}, "rank": 32},
            ],
        }
    )
    await assessments.start_assessment(time_skipping_env.client, both, task_queue=_task_queue(http))

    await _county_governor(http)
    home = await http.get("/")
    assert home.headers["location"] == "/assessments"
    for elsewhere in ("/cohorts", "/tasks", "/selection", f"/cohorts/{name}", "/search?q=Bergen", shortlist_at):
        refused = await http.get(elsewhere)
        assert refused.status_code == 403, elsewhere
        assert "sees only the county governors&#39; assessment of their county" in refused.text
    theirs = await http.get(f"/assessments/{other}")
    assert 'id="request-4617"' in theirs.text and "4601" not in theirs.text
    assert "Drammen" not in theirs.text and 'id="county-33"' not in theirs.text
    assert 'href="/cohorts"' not in theirs.text  # no way into the rest of the programme
    # Posting for another county's owner anyway: the workflow's rule refuses it, said at the top of the page.
    stray = await http.post(
        f"/assessments/{other}/record",
        data={"csrftoken": _csrf(theirs), "owner_id": "3301", "priority": "1", "assessment": "Not mine"},
    )
    assert stray.status_code == 422 and 'id="assessment-errors"' in stray.text
    assert "is in county 33; the county governor of county 46 assesses only its own county" in stray.text

    # Bad input, field by field, in bokmål: an empty assessment (the form), a place Vestland does not have here
    # (the workflow's rule, by its code).
    page = await http.get(f"/assessments/{name}", headers=NB)
    token = _csrf(page)
    empty = await http.post(
        f"/assessments/{name}/record",
        data={"csrftoken": token, "owner_id": "4601", "priority": "1", "assessment": "  "},
        headers=NB,
    )
    assert empty.status_code == 422
    assert re.search(r'id="assess-4601-assessment-error">Vurdering: minst 1 tegn', empty.text)
    too_far = await http.post(
        f"/assessments/{name}/record",
        data={"csrftoken": token, "owner_id": "4601", "priority": "2", "assessment": "Two schools far behind"},
        headers=NB,
    )
    assert too_far.status_code == 422
    assert "Prioritet: 2 er ingen plass blant de 1 skoleeierne i fylke 46" in too_far.text
    assert "Two schools far behind" in too_far.text  # what was typed is kept

    recorded = await http.post(
        f"/assessments/{name}/record",
        data={"csrftoken": token, "owner_id": "4601", "priority": "1", "assessment": "Two schools far behind"},
    )
    assert recorded.status_code == 303
    shown = await http.get(f"/assessments/{name}")
    assert "Recorded the assessment of Bergen (4601): answered: priority 1." in shown.text
    assert "sf.vestland (county governor)" in shown.text
    query = "SELECT state, priority, recorded_by, recorded_as FROM county_assessments WHERE cohort = $1"

    async def written() -> bool:
        row = await pool.fetchrow(query, name)
        return row is not None and tuple(row) == ("answered", 1, "sf.vestland", "county_governor")

    await wait_for(written, "the answered row", 10)
    audit = await pool.fetchval(
        "SELECT actor FROM audit_log WHERE workflow_id = $1 AND action = 'county governor''s assessment answered'",
        assessment_workflow_id(name),
    )
    assert audit == "sf.vestland"

    # The Directorate decides after: the shortlist shows the answer beside the scores; the decision records it.
    await http.post("/logout", data={"csrftoken": _csrf(await http.get("/login"))})
    token = await _coordinator(http)
    beside = await http.get(f"{shortlist_at}?assessment={name}")
    assert 'id="assessment-state-4601">county governor: answered: priority 1' in beside.text
    today = calendar.local_date(await time_skipping_env.get_current_time(), ZONE)
    start = calendar.next_working_day(today + timedelta(weeks=8))
    http.started.append(cohort_workflow_id(name))  # type: ignore[attr-defined]
    form = _form(cohort=name, start_date=start.isoformat(), csrftoken=_csrf(beside), owner=["1101", "4601"])
    form = form.set("advisers-4601", "a.hansen")
    saved = await http.post(f"{shortlist_at}/decision", content=str(form), headers=_urlencoded())
    assert saved.status_code == 303, saved.text
    decision = await http.get(saved.headers["location"])
    assert 'id="seen-4601"' in decision.text and "answered by sf.vestland" in decision.text


def _task_queue(http: httpx.AsyncClient) -> str:
    return http.task_queue  # type: ignore[attr-defined,no-any-return]
