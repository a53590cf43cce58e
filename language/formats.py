"""Dates, times and numbers as people read them, in the current language (Babel's patterns per locale).

Norwegian and British English read 05.12.2026 / 05/12/2026, Swedish 2026-12-05. Machine formats keep ISO dates:
the CSV report, `<input type=date>` values, calendar feeds, links.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from babel.core import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent

from language import LOCALES
from language.current import current_language


def _locale() -> str:
    return LOCALES[current_language()]


def day(value: date | datetime | None, zone: tzinfo, empty: str = "") -> str:
    """A day (05.12.2026), or a moment's day and time in `zone` (05.12.2026 09:30); `empty` for None."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        moment = value.astimezone(zone)
        return (
            f"{format_date(moment.date(), 'short', locale=_locale())} {format_time(moment, 'HH:mm', locale=_locale())}"
        )
    return format_date(value, "short", locale=_locale())


def long_day(value: date) -> str:
    """A day with its weekday, as a rejection or a letter says it: lørdag 5. des. 2026."""
    return f"{weekday(value)} {format_date(value, 'medium', locale=_locale())}"


def month_year(value: date) -> str:
    """A month as a time axis labels it: jan 2027 (bokmål), Jan 2027 (English)."""
    return format_date(value, "LLL y", locale=_locale())


def weekday(value: date) -> str:
    return format_date(value, "EEEE", locale=_locale())


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
    pattern = Locale.parse(_locale()).percent_formats[None].pattern
    fixed = re.sub(r"0(?=[^0#,.]*%)", "0." + "0" * decimals if decimals else "0", pattern, count=1)
    return format_percent(share, format=fixed, locale=_locale())
