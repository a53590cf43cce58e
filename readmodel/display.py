"""How dates read for people on the web pages and in the HTML/PDF report: the one rule, in one place.

A day in the reader's language as Babel writes it (05.12.2026 in Norwegian, 2026-12-05 in Swedish); a moment as
its day and time in Norwegian time. Machine formats keep ISO dates: the CSV report, `<input type=date>` values,
calendar feeds, links.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

# Jinja lives here, not in readmodel/labels.py: `guidance status` reads the labels and renders no template (issue 21).
from jinja2 import pass_context
from jinja2.runtime import Context

from language import formats
from readmodel import labels
from readmodel.overview import DISPLAY_ZONE


def display_date(value: date | datetime | None, empty: str = "") -> str:
    """`value` as people read it: 04.01.2027, or 04.01.2027 09:30 for a moment; `empty` for None."""
    return formats.day(value, DISPLAY_ZONE, empty)


def _at_render(label: Callable[..., str]) -> Callable[..., str]:
    """`label` as a filter Jinja calls when it renders, in the language of that moment: a filter over constants
    (``{{ 'mapping' | phase_label('veilederkorpset') }}``) would otherwise be worked out once, when the template is
    compiled, in whatever language was current then. Jinja never folds a filter that takes the context."""

    @pass_context
    def rendered(_context: Context, *args: Any) -> str:
        return label(*args)

    return rendered


#: The labels of readmodel/labels.py as Jinja filters, the code first and then the plan (its name, or a plan with its
#: labels): ``{{ period.phase | phase_label(period.plan) }}``.
_LABEL_FILTERS: dict[str, Callable[..., str]] = {
    "phase_label": _at_render(lambda code, plan=None: labels.phase_label(plan, code)),
    "milestone_label": _at_render(lambda code, plan=None: labels.milestone_label(plan, code)),
    "meeting_kind_label": _at_render(lambda code, plan=None: labels.meeting_kind_label(plan, code)),
    "area_label": _at_render(lambda code, plan=None: labels.area_label(plan, code)),
    # A period row: its chosen area with the core task of "other" (`{{ period | chosen_area_label }}`).
    "chosen_area_label": _at_render(
        lambda row: labels.chosen_area_label(row.plan, row.development_area, row.development_area_other)
    ),
    "letter_kind_label": _at_render(labels.letter_kind_label),
    "milestone_facts": _at_render(labels.milestone_facts),
    "partner_label": _at_render(lambda code, name=None: labels.partner_label(code, name)),
    "environment_kind_label": _at_render(labels.environment_kind_label),
    "competence_state_label": _at_render(labels.competence_state_label),
}


#: The Jinja filters of every environment that renders pages or the report (`{{ period.start_date | day }}`,
#: `{{ period.phase | phase_label(period.plan) }}`).
FILTERS = {"day": display_date, "number": formats.number, **_LABEL_FILTERS}
