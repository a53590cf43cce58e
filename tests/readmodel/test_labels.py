"""What people call a plan's codes: the plan file's labels in each language, the catalogs for the terminal phases
and the kinds of letter, and a readable fallback for a code no plan names."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from jinja2 import Environment

from config.settings import resolve_plan
from domain.programme import LABEL_LANGUAGES
from language import LANGUAGES, Language
from language.current import using
from readmodel.charts import CHARACTER_WIDTH, BarChart, bar_chart_svg
from readmodel.display import FILTERS
from readmodel.labels import (
    area_label,
    chosen_area_label,
    letter_kind_label,
    meeting_kind_label,
    milestone_label,
    phase_label,
)
from readmodel.plans import resolved_plan_facts

SVG = "{http://www.w3.org/2000/svg}"


def test_the_plans_label_languages_are_the_web_apps() -> None:
    # The domain may not import `language`: it names the languages itself, and this keeps the two alike.
    assert LABEL_LANGUAGES == LANGUAGES


@pytest.mark.parametrize(
    ("language", "phase", "milestone", "kind", "area"),
    [
        ("nb", "Kartlegging og analyse", "Mål prioritert", "Skolebesøk", "Grunnleggende ferdigheter"),
        ("nn", "Kartlegging og analyse", "Mål prioriterte", "Skulebesøk", "Grunnleggjande ferdigheiter"),
        ("sv", "Kartläggning och analys", "Mål prioriterade", "Skolbesök", "Grundläggande färdigheter"),
        ("en", "Mapping and analysis", "Goals prioritised", "School visit", "Basic skills"),
    ],
)
def test_the_flagships_codes_read_in_each_language(
    language: Language, phase: str, milestone: str, kind: str, area: str
) -> None:
    plan = resolve_plan("veilederkorpset")
    with using(language):
        # By the plan itself (a recorded version), or by its name (the plan file this process reads).
        assert phase_label(plan, "mapping") == phase_label("veilederkorpset", "mapping") == phase
        assert milestone_label(plan, "goals_prioritised") == milestone
        assert meeting_kind_label("veilederkorpset", "school_visit") == kind
        assert area_label(resolved_plan_facts("veilederkorpset"), "basic_skills") == area


def test_the_swedish_plan_reads_in_swedish_and_in_the_other_languages() -> None:
    plan = resolve_plan("leda-for-skolutveckling")
    names = {}
    for language in LANGUAGES:
        with using(language):
            names[language] = phase_label(plan, plan.first_phase)
    assert len(set(names.values())) >= 3, names  # not one language for all
    assert all(names.values())


@pytest.mark.parametrize(
    ("language", "completed", "withdrawn", "expired"),
    [
        ("nb", "Fullført", "Trukket tilbake", "Utløpt"),
        ("nn", "Fullført", "Trekt tilbake", "Utløpt"),
        ("sv", "Slutförd", "Tillbakadragen", "Utgången"),
        ("en", "Completed", "Withdrawn", "Expired"),
    ],
)
def test_the_terminal_phases_come_from_the_catalogs(
    language: Language, completed: str, withdrawn: str, expired: str
) -> None:
    with using(language):
        said = [phase_label("veilederkorpset", p) for p in ("completed", "withdrawn", "expired")]
    assert said == [completed, withdrawn, expired]


def test_a_code_no_plan_names_reads_as_the_code_made_readable() -> None:
    with using("nb"):
        assert phase_label("veilederkorpset", "renamed_phase") == "Renamed phase"
        assert milestone_label("no-such-plan", "goal_prioritisation_done") == "Goal prioritisation done"
        assert meeting_kind_label(None, "kickoff") == "Kickoff"
        assert area_label("veilederkorpset", None) == ""


def test_a_chosen_other_area_says_the_core_task_and_letters_say_their_kind() -> None:
    with using("nn"):
        assert chosen_area_label("veilederkorpset", "other", "Skulemiljø").endswith(": Skulemiljø")
        assert chosen_area_label("veilederkorpset", "basic_skills", None) == "Grunnleggjande ferdigheiter"
        assert letter_kind_label("invitation_reminder") == "Påminning om invitasjon"
        assert letter_kind_label("new_kind") == "New kind"


def test_the_filters_take_the_code_first_and_then_the_plan() -> None:
    environment = Environment(autoescape=True)
    environment.filters.update(FILTERS)
    template = environment.from_string(
        "{{ 'mapping' | phase_label('veilederkorpset') }}/{{ 'kickoff' | meeting_kind_label(plan) }}/"
        "{{ 'mapping_done' | milestone_label(plan) }}/{{ 'reminder' | letter_kind_label }}"
    )
    with using("sv"):
        said = template.render(plan=resolve_plan("veilederkorpset"))
    assert said == "Kartläggning och analys/Uppstartsmöte/Kartläggning och analys klar/Påminnelse"


def test_a_chart_makes_room_for_a_long_label_left_of_its_bars() -> None:
    # Leda för skolutveckling's first phase in Swedish is far longer than a code: it must not run off the left.
    long = "Uppstart: uppstartsträff och seminarier"
    drawn = ET.fromstring(bar_chart_svg(BarChart("phase-chart", "Periods per phase", [(long, 2), ("x", 1)], "periods")))
    label = next(t for t in drawn.iter(f"{SVG}text") if t.text == long)
    assert float(label.get("x", "0")) >= len(long) * CHARACTER_WIDTH
    bar = next(r for r in drawn.iter(f"{SVG}rect") if r.get("data-label") == long)
    assert float(bar.get("x", "0")) > float(label.get("x", "0"))
