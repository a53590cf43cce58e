"""The working-day calendar: meetings and deadlines fall on working days of the plan's country.

A working day is Monday to Friday and not a public holiday of the country according to the
`holidays` package (Norway: `NO`, Sweden: `SE`). Everything here is a pure function of its arguments;
the holiday tables are built once, before any workflow task (`holiday_tables`), so the module is safe to use
from workflow code.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Loaded once at import: workflow code must not read time-zone files lazily during a workflow task.
_ZONES = {name: ZoneInfo(name) for name in ("Europe/Oslo", "Europe/Stockholm", "UTC")}


def zone(name: str) -> ZoneInfo:
    """A preloaded time zone by IANA name."""
    try:
        return _ZONES[name]
    except KeyError:
        raise ValueError(f"time zone {name!r} is not supported; allowed: {sorted(_ZONES)}") from None


# Sweden's Midsummer Eve, Christmas Eve and New Year's Eve are treated as Sundays by law; `holidays`
# files them as "de_facto".
_CATEGORIES: dict[str, tuple[str, ...]] = {"NO": ("public",), "SE": ("public", "de_facto")}
# The years cover every period the engine can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2100
SUPPORTED_COUNTRIES: tuple[str, ...] = tuple(_CATEGORIES)


@functools.cache
def holiday_tables() -> dict[str, dict[date, str]]:
    """Every supported country's public holidays from FIRST_YEAR to LAST_YEAR, built once, on first use.

    Built on first use and not at import: importing `holidays` and building the tables takes a quarter of a second,
    which `guidance status`, `guidance --help`'s commands and the models' importers (issue 21) need not pay. Building
    them reads `holidays`' translation files, which workflow code must not do (the sandbox forbids it, and a workflow
    task must not spend the time): `workflows.sandbox.workflow_runner`, which every worker and replayer of the engine
    runs workflows with, builds them before any workflow task.
    """
    import holidays  # here, not at the top: see above

    years = range(FIRST_YEAR, LAST_YEAR + 1)
    return {
        country: dict(holidays.country_holidays(country, years=years, language="en_US", categories=categories).items())
        for country, categories in _CATEGORIES.items()
    }


def _holidays_for(country: str, year: int) -> dict[date, str]:
    if country not in _CATEGORIES:
        raise ValueError(f"calendar country {country!r} is not supported; allowed: {', '.join(SUPPORTED_COUNTRIES)}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside the calendar ({FIRST_YEAR}-{LAST_YEAR})")
    return holiday_tables()[country]


def holiday_name(day: date, country: str = "NO") -> str | None:
    """The public holiday on `day` in `country`, or None."""
    return _holidays_for(country, day.year).get(day)


def is_working_day(day: date, country: str = "NO") -> bool:
    """True on Monday to Friday that are not public holidays."""
    return day.weekday() < 5 and holiday_name(day, country) is None


def why_not_working_day(day: date, country: str = "NO") -> str | None:
    """A person-readable reason why `day` is not a working day, or None if it is one."""
    name = holiday_name(day, country)
    if name is not None:
        return f"{day.isoformat()} is a public holiday in {country} ({name})"
    if day.weekday() >= 5:
        return f"{day.isoformat()} is a {day.strftime('%A')}"
    return None


def next_working_day(day: date, country: str = "NO") -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, country: str = "NO") -> date:
    """`day` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day, country):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int, country: str = "NO") -> date:
    """The working day `count` working days after `day` (count >= 0; 0 gives next_working_day)."""
    if count < 0:
        raise ValueError("count must be zero or positive")
    current = next_working_day(day, country)
    for _ in range(count):
        current = next_working_day(current + timedelta(days=1), country)
    return current


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _stdlib_calendar.monthrange(year, month)[1]))


def due_working_day(start: date, *, weeks: int = 0, days: int = 0, country: str = "NO") -> date:
    """A deadline `weeks` and `days` after `start`, moved forward to a working day."""
    return next_working_day(start + timedelta(weeks=weeks, days=days), country)


def end_of_day(day: date, tz: str) -> datetime:
    """The moment a day has passed in a time zone (midnight at its end), as an aware UTC datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone(tz)).astimezone(UTC)


def local_date(moment: datetime, tz: str) -> date:
    """The calendar date of an aware moment in a time zone."""
    return moment.astimezone(zone(tz)).date()


def deadline_day(moment: datetime, tz: str) -> date:
    """The day a deadline closes, as people read it: `end_of_day`'s inverse (a deadline falls at midnight at the
    end of its day, which is already the next day's date)."""
    return local_date(moment - timedelta(microseconds=1), tz)
