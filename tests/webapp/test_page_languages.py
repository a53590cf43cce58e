"""Every page in the person's language: no text in a template outside a translation call, and each page rendered
through the real app in bokmål, nynorsk, Swedish and English with its `lang`, a known heading and its dates as
that language writes them (dd.mm.yyyy in Norwegian)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from jinja2 import Environment
from starlette.datastructures import FormData

from activities.record_store import RecordStore
from activities.selection_decisions import INSERT_DECISION
from language import Language
from language.current import using
from language.jinja import install
from readmodel.documents import TEMPLATES as READMODEL_TEMPLATES
from selection.indicator_file import parse_indicator_csv
from selection.scoring import Shortlist, load_selection_config, select
from tests.readmodel.outcome_files import LATER, SELECTION
from tests.readmodel.rows import DRAMMEN, KONGSBERG, NOW
from tests.selection.test_select_cli import indicator_file
from tests.webapp.test_pages import _csrf, _invited, sign_in
from tests.webapp.untranslated_text import untranslated
from webapp import selection_pages
from webapp.actions import FormRejected
from webapp.indicator_files import IndicatorFiles

TEMPLATES = Path(selection_pages.__file__).parent / "templates"


def _environment() -> Environment:
    environment = Environment()
    install(environment)
    return environment


# --- the checker --------------------------------------------------------------------------------------------------


def test_the_checker_reports_text_outside_a_translation_call_with_its_line() -> None:
    sample = (
        '{% extends "base.html" %}\n'
        "{% block content %}\n"
        '<h1>{{ _("Cohorts") }}</h1>\n'
        "<p>Nothing to do.</p>\n"
        '<input placeholder="e.g. 2027" aria-label="{{ _("Search") }}">\n'
        "<td>{{ owners }} owners</td>\n"
        '<a title="{{ _("Back") }}" href="/x-{{ id }}-y">·</a> {% trans %}Fine {{ x }}{% endtrans %}\n'
        '<button type="submit">Save</button>\n'
        "{% endblock %}\n"
    )

    found = untranslated(_environment(), sample, "sample.html")

    assert [(f.line, f.text) for f in found] == [
        (4, "Nothing to do."),
        (5, "placeholder='e.g. 2027'"),
        (6, "{{…}} owners"),
        (8, "Save"),
    ]
    assert str(found[0]) == "sample.html:4: 'Nothing to do.'"


def test_marked_text_ids_built_around_values_and_a_macros_attributes_pass_the_checker() -> None:
    sample = (
        "{% macro error_id(f, n) -%}{{ f }}-{{ n }}-error{%- endmacro %}\n"
        "{% macro invalid(f) -%}"
        '{% if f %} aria-invalid="true" aria-describedby="{{ f }}-error"{% endif %}'
        "{%- endmacro %}\n"
        '<h1>{{ _("Cohort %(name)s", name=c) }}</h1> <span>{{ day }} · Veilederkorpset</span>\n'
        "<p>{% trans n=count %}{{ n }} owner{% pluralize %}{{ n }} owners{% endtrans %}</p>\n"
    )

    assert untranslated(_environment(), sample, "sample.html") == []


def test_every_template_of_the_pages_has_its_text_in_translation_calls() -> None:
    # The read model's templates too: the pages include the timeline's table and the report's body.
    paths = sorted(TEMPLATES.glob("*.html")) + sorted(READMODEL_TEMPLATES.glob("*.html"))
    environment = _environment()

    found = [f for path in paths for f in untranslated(environment, path.read_text(encoding="utf-8"), path.name)]

    assert len(paths) > 20
    assert found == [], "\n".join(str(f) for f in found)


# --- every page in every language ---------------------------------------------------------------------------------

ACCEPT: dict[Language, str] = {"nb": "nb-NO,nb;q=0.9", "nn": "nn-NO,nn;q=0.9", "sv": "sv-SE,sv;q=0.9", "en": "en-GB"}


def _date(language: Language, day: int, month: int, year: int) -> str:
    """A day as the language writes it on a page (language.formats: Babel's short pattern)."""
    if language in ("nb", "nn"):
        return f"{day:02d}.{month:02d}.{year}"
    if language == "sv":
        return f"{year}-{month:02d}-{day:02d}"
    return f"{day:02d}/{month:02d}/{year}"


#: Per language: each page's known heading (or title) and a day it shows.
EXPECTED: dict[str, dict[Language, str]] = {
    "login": {
        "nb": "<h1>Logg inn</h1>",
        "nn": "<h1>Logg inn</h1>",
        "sv": "<h1>Logga in</h1>",
        "en": "<h1>Sign in</h1>",
    },
    "cohorts": {"nb": "<h1>Puljer</h1>", "nn": "<h1>Puljer</h1>", "sv": "<h1>Omgångar</h1>", "en": "<h1>Cohorts</h1>"},
    "cohort": {
        "nb": "<h1>Pulje 2027</h1>",
        "nn": "<h1>Pulje 2027</h1>",
        "sv": "<h1>Omgång 2027</h1>",
        "en": "<h1>Cohort 2027</h1>",
    },
    "period": {
        "nb": "<h2>Milepæler</h2>",
        "nn": "<h2>Milepælar</h2>",
        "sv": "<h2>Milstolpar</h2>",
        "en": "<h2>Milestones</h2>",
    },
    "outcomes": {
        "nb": "bedre: 1, uendret: 1, verre: 1, kan ikke avgjøres: 0",
        "nn": "betre: 1, uendra: 1, verre: 1, kan ikkje avgjerast: 0",
        "sv": "bättre: 1, oförändrad: 1, sämre: 1, kan inte avgöras: 0",
        "en": "better: 1, unchanged: 1, worse: 1, cannot tell: 0",
    },
    "outcomes heading": {
        "nb": "<h1>Pulje 2027: resultater</h1>",
        "nn": "<h1>Pulje 2027: resultat</h1>",
        "sv": "<h1>Omgång 2027: resultat</h1>",
        "en": "<h1>Cohort 2027: outcomes</h1>",
    },
    "period due": {"nb": "<dt>Frist</dt>", "nn": "<dt>Frist</dt>", "sv": "<dt>Senast</dt>", "en": "<dt>Due</dt>"},
    "tasks": {
        "nb": "<h1>Oppgavene til b.olsen</h1>",
        "nn": "<h1>Oppgåvene til b.olsen</h1>",
        "sv": "<h1>Uppgifter för b.olsen</h1>",
        "en": "<h1>Tasks of b.olsen</h1>",
    },
    "search": {
        "nb": "<h1>Finn en skoleeier</h1>",
        "nn": "<h1>Finn ein skuleeigar</h1>",
        "sv": "<h1>Hitta en huvudman</h1>",
        "en": "<h1>Find a school owner</h1>",
    },
    "selection": {
        "nb": "<h1>Velg skoleeiere</h1>",
        "nn": "<h1>Vel skuleeigarar</h1>",
        "sv": "<h1>Välj huvudmän</h1>",
        "en": "<h1>Select school owners</h1>",
    },
    "shortlist": {
        "nb": "<h1>Foreslåtte skoleeiere</h1>",
        "nn": "<h1>Føreslåtte skuleeigarar</h1>",
        "sv": "<h1>Föreslagna huvudmän</h1>",
        "en": "<h1>Proposed school owners</h1>",
    },
    "decision": {
        "nb": "<h1>Beslutning for pulje 2031</h1>",
        "nn": "<h1>Avgjerd for pulje 2031</h1>",
        "sv": "<h1>Beslut för omgång 2031</h1>",
        "en": "<h1>Decision for cohort 2031</h1>",
    },
    "letter": {"nb": "<dt>Skrevet</dt>", "nn": "<dt>Skrive</dt>", "sv": "<dt>Skrivet</dt>", "en": "<dt>Written</dt>"},
    "report": {
        "nb": "<title>Pulje 2027: framdrift · Veilederkorpset</title>",
        "nn": "<title>Pulje 2027: framdrift · Veilederkorpset</title>",
        "sv": "<title>Omgång 2027: framsteg · Veilederkorpset</title>",
        "en": "<title>Cohort 2027: progress · Veilederkorpset</title>",
    },
    "report body": {
        "nb": "<h1>Pulje 2027: framdrift</h1>",
        "nn": "<h1>Pulje 2027: framdrift</h1>",
        "sv": "<h1>Omgång 2027: framsteg</h1>",
        "en": "<h1>Cohort 2027: progress</h1>",
    },
    "not found": {
        "nb": "<h1>Ikke funnet</h1>",
        "nn": "<h1>Ikkje funne</h1>",
        "sv": "<h1>Hittades inte</h1>",
        "en": "<h1>Not found</h1>",
    },
    "not yours": {
        "nb": "<h1>Ikke din å åpne</h1>",
        "nn": "<h1>Ikkje di å opne</h1>",
        "sv": "<h1>Inte din att öppna</h1>",
        "en": "<h1>Not yours to open</h1>",
    },
}


async def _saved_decision(store: RecordStore, sha256: str) -> None:
    """A decision for cohort 2031 on the uploaded file, as the decision's workflow keeps it."""
    shortlist = await IndicatorFiles(store.pool).shortlist(sha256)
    posted = FormData(
        [
            ("cohort", "2031"),
            ("start_date", (NOW.date() + timedelta(weeks=8)).isoformat()),
            ("plan", "veilederkorpset"),
            ("owner", "3301"),
            ("advisers-3301", "b.olsen"),
        ]
    )
    chosen = selection_pages.decision_form(posted, shortlist, ["b.olsen"], ["veilederkorpset"])
    decision = selection_pages.selection_decision(chosen, "coordinator", sha256, shortlist)
    await store.pool.execute(INSERT_DECISION, "2031", decision.model_dump(mode="json"), "coordinator", NOW, sha256)


async def every_page(http: httpx.AsyncClient, store: RecordStore) -> dict[str, httpx.Response]:
    """Each page of the app as the client's language asks, by name: a coordinator's, an adviser's, two errors."""
    pages: dict[str, httpx.Response] = {"login": await http.get("/login")}
    await sign_in(http, "coordinator", "coordinator-dev")
    await _invited(store, "2028")
    token = _csrf(await http.get("/selection"))
    uploaded = await http.post(
        "/selection/files", data={"csrftoken": token}, files={"indicators": ("ind.csv", indicator_file(), "text/csv")}
    )
    shortlist_at = uploaded.headers["location"]
    await _saved_decision(store, shortlist_at.rsplit("/", 1)[1])
    # The cohort's outcomes: the hand-written pair of files (tests.readmodel.outcome_files), the later one uploaded
    # on the outcomes page.
    first = await http.post(
        "/selection/files", data={"csrftoken": token}, files={"indicators": ("selection.csv", SELECTION, "text/csv")}
    )
    then = first.headers["location"].rsplit("/", 1)[1]
    later = await http.post(
        f"/cohorts/2027/outcomes/files?then={then}",
        data={"csrftoken": token},
        files={"indicators": ("later.csv", LATER, "text/csv")},
    )
    letters = (await http.get("/cohorts/2028")).text.split('id="cohort-letters"', 1)[1]
    letter_at = re.search(r'<a href="(/cohorts/2028/letters/[^"]+)"', letters)
    assert letter_at is not None

    for page, path in {
        "cohorts": "/cohorts",
        "cohort": "/cohorts/2027",
        "period": f"/periods/{DRAMMEN.workflow_id}",
        "search": "/search?q=Drammen",
        "selection": "/selection",
        "shortlist": shortlist_at,
        "decision": "/selection/decisions/2031",
        "letter": letter_at.group(1).replace("&amp;", "&"),
        "report": "/cohorts/2027/report",
        "outcomes": later.headers["location"],
        "not found": "/cohorts/nope",
    }.items():
        pages[page] = await http.get(path)
    await sign_in(http, "b.olsen", "adviser-dev")
    pages["tasks"] = await http.get("/tasks")
    await sign_in(http, "a.hansen", "adviser-dev")
    pages["not yours"] = await http.get(f"/periods/{KONGSBERG.workflow_id}")
    return pages


@pytest.mark.parametrize("language", ["nb", "nn", "sv", "en"])
async def test_every_page_speaks_the_persons_language_with_its_dates(
    http: httpx.AsyncClient, store: RecordStore, language: Language
) -> None:
    http.headers["Accept-Language"] = ACCEPT[language]
    expected = {page: said[language] for page, said in EXPECTED.items()}

    pages = await every_page(http, store)

    for page, answer in pages.items():
        assert answer.status_code == {"not found": 404, "not yours": 403}.get(page, 200), (page, answer.text[:300])
        assert f'<html lang="{language}"' in answer.text, page
        assert expected[page] in answer.text, (page, expected[page])
    # Dates as the language writes them: Drammen's phase is due on 5 May 2027, Kongsberg's was on 15 March.
    assert f"{expected['period due']}<dd>{_date(language, 5, 5, 2027)}" in pages["period"].text
    assert f"<td>{_date(language, 15, 3, 2027)}</td>" in pages["report"].text
    assert expected["report body"] in pages["report"].text  # the report's own body (readmodel) speaks it too
    assert expected["outcomes heading"] in pages["outcomes"].text
    today = {"nb": "i dag", "nn": "i dag", "sv": "i dag", "en": "today"}[language]
    assert f">{today} {_date(language, 1, 4, 2027)}</text>" in pages["cohort"].text  # the timeline's today line
    assert f"<td>{_date(language, 1, 3, 2027)} <strong" in pages["tasks"].text  # Kongsberg's overdue meeting
    assert _date(language, NOW.day, NOW.month, NOW.year) in pages["shortlist"].text  # the day it was uploaded
    assert _date(language, NOW.day, NOW.month, NOW.year) in pages["decision"].text
    if language in ("nb", "nn"):
        assert not re.search(r"\b\d{2}/\d{2}/\d{4}\b", pages["period"].text), "no English dates on a Norwegian page"


# --- form errors: which field, and what it takes, in the person's language ----------------------------------------


def _scored() -> Shortlist:
    config = load_selection_config()
    return select(parse_indicator_csv(indicator_file(), "ind.csv", indicators=config.indicators), config)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nb", "Periodene starter: oppgi en gyldig dato som ÅÅÅÅ-MM-DD, f.eks. 2027-03-15"),
        ("nn", "Periodane startar: oppgi ein gyldig dato som ÅÅÅÅ-MM-DD, t.d. 2027-03-15"),
        ("sv", "Perioderna börjar: ange ett giltigt datum som ÅÅÅÅ-MM-DD, t.ex. 2027-03-15"),
        ("en", "Periods start: give a valid date as YYYY-MM-DD, e.g. 2027-03-15"),
    ],
)
def test_a_form_error_names_its_field_and_what_it_takes_in_the_persons_language(language: Language, said: str) -> None:
    posted = FormData(
        [("cohort", "2031"), ("start_date", "6 January"), ("plan", "veilederkorpset"), ("owner", "3301"),
         ("advisers-3301", "b.olsen")]
    )  # fmt: skip
    shortlist = _scored()
    with using(language), pytest.raises(FormRejected) as rejected:
        selection_pages.decision_form(posted, shortlist, ["b.olsen"], ["veilederkorpset"])

    assert rejected.value.errors == {"start_date": said}


def test_a_pattern_is_said_as_what_the_field_takes_not_as_a_regular_expression() -> None:
    posted = FormData(
        [("cohort", "2031/spring"), ("start_date", "2031-01-06"), ("plan", "veilederkorpset"), ("owner", "3301"),
         ("advisers-3301", "b.olsen")]
    )  # fmt: skip
    shortlist = _scored()
    with using("nn"), pytest.raises(FormRejected) as rejected:
        selection_pages.decision_form(posted, shortlist, ["b.olsen"], ["veilederkorpset"])

    assert rejected.value.errors == {"cohort": "Namn på puljen: bruk berre bokstavane a–z, siffer, - og _ (t.d. 2027)"}
