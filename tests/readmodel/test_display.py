"""How dates read for people (readmodel/display.py): Norwegian numeric form, a moment in Norwegian time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from jinja2 import Environment

from readmodel.display import FILTERS, display_date


def test_a_day_reads_day_month_year_with_dots() -> None:
    assert display_date(date(2027, 1, 4)) == "04.01.2027"


def test_a_moment_reads_as_its_day_and_time_in_norway_not_in_utc() -> None:
    assert display_date(datetime(2027, 3, 31, 22, 30, tzinfo=UTC)) == "01.04.2027 00:30"  # summer time: UTC+2
    assert display_date(datetime(2027, 1, 4, 8, 5, tzinfo=UTC)) == "04.01.2027 09:05"


def test_nothing_reads_as_the_given_placeholder() -> None:
    assert display_date(None) == "" and display_date(None, "—") == "—"


def test_the_filter_is_the_same_function_in_a_template() -> None:
    environment = Environment(autoescape=True)
    environment.filters.update(FILTERS)
    assert environment.from_string("{{ d | day }}").render(d=date(2029, 7, 3)) == "03.07.2029"
