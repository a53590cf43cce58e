"""How dates read for people on the web pages and in the HTML/PDF report: the one rule, in one place.

A day in the reader's language as Babel writes it (05.12.2026 in Norwegian, 2026-12-05 in Swedish); a moment as
its day and time in Norwegian time. Machine formats keep ISO dates: the CSV report, `<input type=date>` values,
calendar feeds, links.
"""

from __future__ import annotations

from datetime import date, datetime

from language import formats
from readmodel import labels
from readmodel.overview import DISPLAY_ZONE


def display_date(value: date | datetime | None, empty: str = "") -> str:
    """`value` as people read it: 04.01.2027, or 04.01.2027 09:30 for a moment; `empty` for None."""
    return formats.day(value, DISPLAY_ZONE, empty)


#: The Jinja filters of every environment that renders pages or the report (`{{ period.start_date | day }}`,
#: `{{ period.phase | phase_label(period.plan) }}`).
FILTERS = {"day": display_date, "number": formats.number, **labels.FILTERS}
