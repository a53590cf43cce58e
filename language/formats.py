"""Dates, times and numbers as people read them, in the current language (Babel's patterns per locale).

Norwegian and British English read 05.12.2026 / 05/12/2026, Swedish 2026-12-05. Machine formats keep ISO dates:
the CSV report, `<input type=date>` values, calendar feeds, links.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, tzinfo

from babel.core import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from language import LOCALES
from language.current import current_language


def _locale() -> Locale:
    return _parsed(LOCALES[current_language()])


@functools.cache
def _parsed(name: str) -> Locale:
    # Babel parses a locale given by name anew on every call, and each new Locale loads its data again under a
    # lock the page threads take turns at (webapp/page_work.py): each language is parsed once.
    return Locale.parse(name)


@functools.lru_cache(maxsize=8192)
def _date(value: date, pattern: str, locale: Locale) -> str:
    # Babel builds each date anew (about 0.1 ms), and a cohort's pages write the same few hundred days thousands
    # of times (every owner's start, due dates, the timeline's axis): each day is formatted once per language.
    return format_date(value, pattern, locale=locale)


def day(value: date | datetime | None, zone: tzinfo, empty: str = "") -> str:
    """A day (05.12.2026), or a moment's day and time in `zone` (05.12.2026 09:30); `empty` for None."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        moment = value.astimezone(zone)
        # HH:mm is the same in every language: written directly, not through Babel.
        return f"{_date(moment.date(), 'short', _locale())} {moment:%H:%M}"
    return _date(value, "short", _locale())


def long_day(value: date) -> str:
    """A day with its weekday, as a rejection or a letter says it: lørdag 5. des. 2026."""
    return f"{weekday(value)} {_date(value, 'medium', _locale())}"


def month_year(value: date) -> str:
    """A month as a time axis labels it: jan 2027 (bokmål), Jan 2027 (English)."""
    return _date(value, "LLL y", _locale())


def weekday(value: date) -> str:
    return _date(value, "EEEE", _locale())


def moment(value: datetime, zone: tzinfo) -> str:
    return format_datetime(value.astimezone(zone), "short", tzinfo=zone, locale=_locale())


def number(value: float | int, decimals: int | None = None) -> str:
    """A number with the language's separators (1 234,5 in Norwegian)."""
    if decimals is None:
        return format_decimal(value, locale=_locale())
    return format_decimal(value, format=f"#,##0.{'0' * decimals}" if decimals else "#,##0", locale=_locale())


def percent(share: float, decimals: int = 1) -> str:
    """A share as a percentage with a fixed number of decimals, placed as the language places it (36,5 % in
    Norwegian and Swedish, 36.5% in English)."""
    locale = _locale()
    pattern = locale.percent_formats[None].pattern
    fixed = re.sub(r"0(?=[^0#,.]*%)", "0." + "0" * decimals if decimals else "0", pattern, count=1)
    return format_percent(share, format=fixed, locale=locale)
