"""How dates read for people on the web pages and in the HTML/PDF report: the one rule, in one place.

Norwegian numeric form, dd.mm.yyyy (a moment: its day and time in Norwegian time, dd.mm.yyyy HH:MM). Machine
formats keep ISO dates: the CSV report, `<input type=date>` values, calendar feeds, links. A later change may
format by locale (Babel) instead; this function is the only place to change.
"""

from __future__ import annotations

from datetime import date, datetime

from readmodel.overview import DISPLAY_ZONE


def display_date(value: date | datetime | None, empty: str = "") -> str:
    """`value` as people read it: 04.01.2027, or 04.01.2027 09:30 for a moment; `empty` for None."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        return value.astimezone(DISPLAY_ZONE).strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


#: The Jinja filters of every environment that renders pages or the report (`{{ period.start_date | day }}`).
FILTERS = {"day": display_date}
