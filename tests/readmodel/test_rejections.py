"""Refusals in the reader's language: every code the domain refuses with has a template, each template a
translation in every catalog with the same placeholders, and a refusal reads with weekdays and plan labels."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import get_args

import pytest
from babel.messages.pofile import read_po

from domain.period import Rejection, check_open, not_working_day
from domain.phases import Phase
from domain.programme import Records
from language import LANGUAGES, SOURCE, Language
from language.catalogs import LOCALES_DIR
from language.current import using
from readmodel.rejections import MESSAGES, render_rejection
from tests.domain.test_period import new_state

ROOT = Path(__file__).parents[2]
TRANSLATED = [language for language in LANGUAGES if language != SOURCE]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: `code="..."`, `code="a" if x else "b"` and `code=f"{records}.rule"` (records: what a milestone records).
CODE = re.compile(r'code=(f?"[^"]+"(?: if [\w.]+ else "[^"]+")?)')


def _raised_codes() -> set[str]:
    """Every code a `Rejection` is raised with in the domain and the workflows, read from their source."""
    codes: set[str] = set()
    for path in [*(ROOT / "domain").glob("*.py"), *(ROOT / "workflows").glob("*.py")]:
        for found in CODE.findall(path.read_text(encoding="utf-8")):
            for literal in re.findall(r'"([^"]+)"', found):
                if "{records}" in literal:
                    codes |= {literal.replace("{records}", r) for r in get_args(Records)}
                else:
                    codes.add(literal)
    return codes


def _code(key: str) -> str:
    return key.split("[", 1)[0]


def test_every_code_the_domain_raises_has_a_template_and_every_template_a_code() -> None:
    raised = _raised_codes()
    assert len(raised) >= 40, sorted(raised)  # the scan still finds them
    templates = {_code(key) for key in MESSAGES}
    assert raised - templates == set(), "codes without a template in readmodel/rejections.py"
    assert templates - raised == set(), "templates of codes no longer raised"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_template_has_a_translation_with_the_same_placeholders(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    problems = []
    for key, template in MESSAGES.items():
        message = catalog.get(template)
        if message is None or not message.string or message.fuzzy:
            problems.append(f"{key}: no translation")
        elif set(PLACEHOLDER.findall(str(message.string))) != set(PLACEHOLDER.findall(template)):
            problems.append(f"{key}: placeholders differ: {message.string}")
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_template_renders_in_each_language(language: Language, key: str) -> None:
    # Parameters as the workflow sends them: days as ISO strings, lists as lists, codes as codes.
    params: dict[str, object] = {name: "x" for name in PLACEHOLDER.findall(MESSAGES[key])}
    days = ("date", "next_working_day", "last_working_day", "ends", "start", "first", "today", "reply_by")
    for name in (*days, "cancelled_on"):
        if name in params:
            params[name] = "2026-12-07"
    params |= {"last_day": "2026-12-07"} if "last_day" in params else {}
    params |= {name: ["a", "b"] for name in ("assigned", "allowed", "known", "invited", "advisers") if name in params}
    params |= {name: 7 for name in ("count", "left", "needed") if name in params}
    if key.startswith("date.not_working_day["):
        kind, applies_to, hint = key[key.index("[") + 1 : -1].split(",")
        params = {"date": "2026-12-05", "country": "NO", "applies_to": applies_to}
        params["holiday"] = "Christmas Day" if kind == "holiday" else None
        params["next_working_day" if hint == "next" else "last_working_day"] = "2026-12-07"
    with using(language):
        said = render_rejection(_code(key), params, "FALLBACK")
    assert said != "FALLBACK" and "%(" not in said


def test_english_is_the_workflows_own_message_and_an_unknown_code_falls_back_to_it() -> None:
    rejection = not_working_day(date(2026, 12, 5), "NO", "meetings", next_day=date(2026, 12, 7))
    assert rejection is not None
    message = str(rejection).removeprefix("date: ")
    with using("en"):
        assert render_rejection(rejection.code, rejection.params, message) == message
    with using("nb"):
        assert render_rejection("date.newer_rule", {"date": "2026-12-05"}, "in English") == "in English"
        assert render_rejection(None, None, "no details") == "no details"
        # An older worker's details without a parameter the template needs: its English words.
        assert render_rejection("meeting_id.unknown", {}, "in English") == "in English"
        assert render_rejection("date.in_past", {"date": "5 Dec", "time": "09:00"}, "in English") == "in English"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nb",
            "fredag 25. des. 2026 er en helligdag (Første juledag); møter legges til virkedager; "
            "neste virkedag er mandag 28. des. 2026",
        ),
        (
            "nn",
            "fredag 25. des. 2026 er ein heilagdag (Første juledag); møte blir lagde til vyrkedagar; "
            "neste vyrkedag er måndag 28. des. 2026",
        ),
        (
            "sv",
            "fredag 25 dec. 2026 är en helgdag (Første juledag); möten läggs på arbetsdagar; "
            "nästa arbetsdag är måndag 28 dec. 2026",
        ),
    ],
)
def test_a_holiday_is_named_with_weekdays_and_the_next_working_day(language: Language, expected: str) -> None:
    rejection = not_working_day(date(2026, 12, 25), "NO", "meetings", next_day=date(2026, 12, 28))
    assert rejection is not None and rejection.code == "date.not_working_day"
    with using(language):
        assert render_rejection(rejection.code, rejection.params, str(rejection)) == expected


def test_phases_and_milestones_in_the_params_read_as_the_plan_calls_them() -> None:
    params = {"plan": "veilederkorpset", "phase": "mapping", "closing": "mapping_done"}
    params["milestone"] = "goals_prioritised"
    with using("nb"):
        said = render_rejection("milestone.not_closing", params, "in English")
    assert said == (
        "«Mål prioritert» avslutter ikke gjeldende fase «Kartlegging og analyse»; "
        "milepælen som gjør det, er «Kartlegging og analyse fullført»"
    )


def test_an_ended_period_names_its_end_from_the_catalogs() -> None:
    state = new_state()
    state.phase, state.end_reason = Phase.WITHDRAWN, "withdrawn by a.hansen: merged"
    with pytest.raises(Rejection) as raised:
        check_open(state)
    with using("sv"):
        said = render_rejection(raised.value.code, raised.value.params, "in English")
    assert said == "vägledningsperioden är avslutad (Tillbakadragen); inget mer kan registreras"
