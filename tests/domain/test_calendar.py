"""The working-day calendar (domain/calendar.py): Norwegian public holidays, moving Easter, weekends,
date arithmetic, the end of a day across daylight saving time, and the Swedish calendar.

Easter is computed here independently (the anonymous Gregorian algorithm), and every moving holiday is
asserted relative to it, so the tests check the calendar rather than restate a table of dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from domain import calendar
from domain.calendar import (
    add_months,
    add_working_days,
    deadline_day,
    due_working_day,
    end_of_day,
    holiday_name,
    is_working_day,
    local_date,
    next_working_day,
    previous_working_day,
    why_not_working_day,
    zone,
)

YEARS = range(2025, 2033)


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return date(year, month, day + 1)


# Days after Easter Sunday of the Norwegian moving holidays, and the word the holiday's name contains.
NORWEGIAN_MOVING_HOLIDAYS: dict[str, tuple[int, str]] = {
    "Maundy Thursday": (-3, "Maundy Thursday"),
    "Good Friday": (-2, "Good Friday"),
    "Easter Sunday": (0, "Easter Sunday"),
    "Easter Monday": (1, "Easter Monday"),
    "Ascension Day": (39, "Ascension"),
    "Whit Sunday": (49, "Pentecost"),
    "Whit Monday": (50, "Pentecost Monday"),
}
NORWEGIAN_FIXED_HOLIDAYS: dict[str, tuple[int, int, str]] = {
    "New Year's Day": (1, 1, "New Year"),
    "Labour Day": (5, 1, "Labor Day"),
    "Constitution Day": (5, 17, "Constitution Day"),
    "Christmas Day": (12, 25, "Christmas Day"),
    "Boxing Day": (12, 26, "Second Day of Christmas"),
}


def norwegian_holidays(year: int) -> dict[date, str]:
    """The Norwegian public holidays of a year, with a word each one's name contains."""
    easter = easter_sunday(year)
    days: dict[date, str] = {}
    for offset, word in NORWEGIAN_MOVING_HOLIDAYS.values():
        days[easter + timedelta(days=offset)] = word
    for month, day, word in NORWEGIAN_FIXED_HOLIDAYS.values():
        days[date(year, month, day)] = word
    return days


def days_of(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


# --- the test's own Easter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2028, date(2028, 4, 16)),
        (2029, date(2029, 4, 1)),
        (2030, date(2030, 4, 21)),
        (2038, date(2038, 4, 25)),  # the latest possible Easter
        (2285, date(2285, 3, 22)),  # the earliest possible Easter
    ],
)
def test_the_tests_easter_algorithm_matches_published_dates(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected
    assert easter_sunday(year).weekday() == 6


# --- Norwegian public holidays ----------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("holiday", sorted(NORWEGIAN_MOVING_HOLIDAYS))
def test_moving_holidays_follow_easter(year: int, holiday: str) -> None:
    offset, word = NORWEGIAN_MOVING_HOLIDAYS[holiday]
    day = easter_sunday(year) + timedelta(days=offset)
    assert not is_working_day(day)
    reason = why_not_working_day(day)
    assert reason is not None
    assert word in reason, reason
    assert day.isoformat() in reason


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("holiday", sorted(NORWEGIAN_FIXED_HOLIDAYS))
def test_fixed_holidays_are_not_working_days(year: int, holiday: str) -> None:
    month, day_of_month, word = NORWEGIAN_FIXED_HOLIDAYS[holiday]
    day = date(year, month, day_of_month)
    assert not is_working_day(day)
    reason = why_not_working_day(day)
    assert reason is not None
    assert word in reason, reason


@pytest.mark.parametrize("year", YEARS)
def test_every_day_of_the_year_is_a_working_day_exactly_when_it_is_a_weekday_and_no_holiday(year: int) -> None:
    holidays = norwegian_holidays(year)
    wrong = [
        (day.isoformat(), why_not_working_day(day))
        for day in days_of(year)
        if is_working_day(day) != (day.weekday() < 5 and day not in holidays)
    ]
    assert wrong == []


@pytest.mark.parametrize("year", YEARS)
def test_christmas_eve_and_new_years_eve_are_working_days_in_norway_when_on_a_weekday(year: int) -> None:
    for day in (date(year, 12, 24), date(year, 12, 31)):
        assert is_working_day(day) == (day.weekday() < 5)


@pytest.mark.parametrize("year", YEARS)
def test_weekends_are_not_working_days_and_the_reason_names_the_weekday(year: int) -> None:
    holidays = norwegian_holidays(year)
    for day in days_of(year):
        if day.weekday() >= 5:
            assert not is_working_day(day)
            reason = why_not_working_day(day)
            assert reason is not None
            if day not in holidays:
                assert reason == f"{day.isoformat()} is a {('Saturday', 'Sunday')[day.weekday() - 5]}"


def test_a_holiday_on_a_weekend_is_reported_as_the_holiday() -> None:
    constitution_day = date(2026, 5, 17)  # a Sunday
    assert constitution_day.weekday() == 6
    assert why_not_working_day(constitution_day) == "2026-05-17 is a public holiday in NO (Constitution Day)"


def test_two_holidays_on_one_day_are_both_named() -> None:
    whit_monday = easter_sunday(2027) + timedelta(days=50)
    assert whit_monday == date(2027, 5, 17)
    reason = why_not_working_day(whit_monday)
    assert reason is not None
    assert "Constitution Day" in reason
    assert "Pentecost Monday" in reason


@pytest.mark.parametrize("day", [date(2026, 3, 4), date(2026, 12, 23), date(2027, 5, 18), date(2030, 6, 3)])
def test_an_ordinary_weekday_is_a_working_day_without_reason(day: date) -> None:
    assert day.weekday() < 5
    assert is_working_day(day)
    assert why_not_working_day(day) is None
    assert holiday_name(day) is None


def test_holiday_names_do_not_depend_on_the_process_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker or `guidance` command started with a Norwegian locale must say the same as any other.

    The `holidays` package picks its language from LANGUAGE/LC_ALL/LC_MESSAGES/LANG when none is given,
    so without an explicit language the same rejection reads "Grunnlovsdag" on one machine and
    "Constitution Day" on another (and code and messages are English, DESIGN.md).
    """
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    day = date(2026, 5, 17)
    monkeypatch.setenv("LANG", "C.UTF-8")
    neutral = calendar.holiday_tables.__wrapped__()["NO"][day]  # built afresh, not the cached tables
    monkeypatch.setenv("LANG", "nb_NO.UTF-8")
    norwegian_locale = calendar.holiday_tables.__wrapped__()["NO"][day]  # built afresh, not the cached tables
    assert norwegian_locale == neutral == "Constitution Day"
    assert why_not_working_day(day) == "2026-05-17 is a public holiday in NO (Constitution Day)"


# --- moving to and counting working days ----------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_easter_week_next_and_previous_working_days(year: int) -> None:
    easter = easter_sunday(year)
    wednesday_before, tuesday_after = easter - timedelta(days=4), easter + timedelta(days=2)
    for closed in (easter + timedelta(days=offset) for offset in range(-3, 2)):
        assert next_working_day(closed) == tuesday_after
        assert previous_working_day(closed) == wednesday_before
    assert next_working_day(wednesday_before) == wednesday_before
    assert previous_working_day(tuesday_after) == tuesday_after
    assert add_working_days(wednesday_before, 1) == tuesday_after


@pytest.mark.parametrize(
    ("day", "expected_next", "expected_previous"),
    [
        (date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 6)),  # Saturday
        (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 6)),  # Sunday
        (date(2026, 12, 25), date(2026, 12, 28), date(2026, 12, 24)),  # Christmas Friday, Boxing Day Saturday
        (date(2027, 12, 25), date(2027, 12, 27), date(2027, 12, 24)),  # Christmas on a Saturday
        (date(2028, 1, 1), date(2028, 1, 3), date(2027, 12, 31)),  # New Year on a Saturday: across the year
        (date(2029, 1, 1), date(2029, 1, 2), date(2028, 12, 29)),  # New Year on a Monday
        (date(2026, 5, 1), date(2026, 5, 4), date(2026, 4, 30)),  # Labour Day Friday
        (date(2027, 5, 17), date(2027, 5, 18), date(2027, 5, 14)),  # Constitution Day and Whit Monday
        (date(2026, 3, 10), date(2026, 3, 10), date(2026, 3, 10)),  # an ordinary Tuesday
    ],
)
def test_next_and_previous_working_day(day: date, expected_next: date, expected_previous: date) -> None:
    assert next_working_day(day) == expected_next
    assert previous_working_day(day) == expected_previous


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 3, 9), 0, date(2026, 3, 9)),  # Monday + 0
        (date(2026, 3, 7), 0, date(2026, 3, 9)),  # Saturday + 0 is the next working day
        (date(2026, 3, 9), 5, date(2026, 3, 16)),  # a week
        (date(2026, 3, 13), 1, date(2026, 3, 16)),  # Friday + 1 is Monday
        (date(2026, 3, 31), 2, date(2026, 4, 7)),  # Tuesday before Easter + 2: past Maundy Thursday to Easter
        (date(2026, 12, 23), 3, date(2026, 12, 29)),  # over Christmas: 24 Dec, 28 Dec, 29 Dec
        (date(2026, 5, 13), 1, date(2026, 5, 15)),  # over Ascension Day
    ],
)
def test_add_working_days(start: date, count: int, expected: date) -> None:
    assert add_working_days(start, count) == expected


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize("count", [1, 3, 10, 25])
def test_add_working_days_skips_exactly_the_non_working_days(year: int, count: int) -> None:
    holidays = norwegian_holidays(year) | norwegian_holidays(year + 1)
    for start in days_of(year):
        result = add_working_days(start, count)
        assert result.weekday() < 5
        assert result not in holidays
        first = next_working_day(start)
        between = [first + timedelta(days=n) for n in range(1, (result - first).days + 1)]
        assert sum(1 for d in between if d.weekday() < 5 and d not in holidays) == count


def test_add_working_days_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="zero or positive"):
        add_working_days(date(2026, 3, 9), -1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day + a year
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # leap day + four years
        (date(2025, 5, 31), 1, date(2025, 6, 30)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),  # across a year
        (date(2027, 1, 4), 30, date(2029, 7, 4)),  # a guidance period
        (date(2027, 8, 31), 30, date(2030, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 6, 10), 0, date(2025, 6, 10)),
    ],
)
def test_add_months_keeps_the_day_or_clamps_to_the_months_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "weeks", "days", "expected"),
    [
        (date(2026, 3, 9), 2, 0, date(2026, 3, 23)),  # a working day stays
        (date(2026, 3, 20), 2, 0, date(2026, 4, 7)),  # lands on Good Friday: after Easter Monday
        (date(2026, 3, 9), 0, 5, date(2026, 3, 16)),  # lands on a Saturday: the Monday
        (date(2026, 12, 11), 2, 0, date(2026, 12, 28)),  # lands on Christmas Day
        (date(2027, 3, 29), 7, 0, date(2027, 5, 18)),  # lands on 17 May / Whit Monday 2027
        (date(2026, 3, 9), 0, 0, date(2026, 3, 9)),
    ],
)
def test_due_working_day_is_moved_forward_to_a_working_day(start: date, weeks: int, days: int, expected: date) -> None:
    assert due_working_day(start, weeks=weeks, days=days) == expected


# --- the end of a day, across daylight saving time --------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (date(2026, 1, 15), datetime(2026, 1, 15, 23, 0, tzinfo=UTC)),  # winter, UTC+1
        (date(2026, 7, 15), datetime(2026, 7, 15, 22, 0, tzinfo=UTC)),  # summer, UTC+2
        (date(2026, 3, 28), datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),  # the night before summer time
        (date(2026, 3, 29), datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),  # the day summer time starts
        (date(2026, 10, 24), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),  # the night before winter time
        (date(2026, 10, 25), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),  # the day winter time starts
        (date(2026, 12, 31), datetime(2026, 12, 31, 23, 0, tzinfo=UTC)),  # into the next year
    ],
)
def test_end_of_day_in_oslo(day: date, expected_utc: datetime) -> None:
    moment = end_of_day(day, "Europe/Oslo")
    assert moment == expected_utc
    assert moment.utcoffset() == timedelta(0)
    assert moment.astimezone(zone("Europe/Oslo")).replace(tzinfo=None) == datetime.combine(
        day + timedelta(days=1), datetime.min.time()
    )
    assert local_date(moment - timedelta(microseconds=1), "Europe/Oslo") == day
    assert local_date(moment, "Europe/Oslo") == day + timedelta(days=1)


def test_end_of_day_in_utc_and_stockholm() -> None:
    assert end_of_day(date(2026, 7, 15), "UTC") == datetime(2026, 7, 16, 0, 0, tzinfo=UTC)
    assert end_of_day(date(2026, 7, 15), "Europe/Stockholm") == datetime(2026, 7, 15, 22, 0, tzinfo=UTC)


def test_local_date_of_a_late_evening_in_oslo() -> None:
    late_summer_evening = datetime(2026, 7, 15, 22, 30, tzinfo=UTC)
    assert local_date(late_summer_evening, "Europe/Oslo") == date(2026, 7, 16)
    assert local_date(late_summer_evening, "UTC") == date(2026, 7, 15)


def test_an_unsupported_time_zone_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="Europe/Berlin") as raised:
        end_of_day(date(2026, 1, 1), "Europe/Berlin")
    assert "Europe/Oslo" in str(raised.value)


# --- Sweden ---------------------------------------------------------------------------------------


def swedish_midsummer_eve(year: int) -> date:
    """The Friday between 19 and 25 June."""
    day = date(year, 6, 19)
    return day + timedelta(days=(4 - day.weekday()) % 7)


@pytest.mark.parametrize(
    ("day", "swedish_word"),
    [
        (date(2025, 6, 6), "National Day"),  # a Friday
        (date(2026, 1, 6), "Epiphany"),  # a Tuesday
    ],
)
def test_swedish_holidays_that_are_working_days_in_norway(day: date, swedish_word: str) -> None:
    assert not is_working_day(day, "SE")
    reason = why_not_working_day(day, "SE")
    assert reason is not None
    assert swedish_word in reason
    assert "SE" in reason
    assert is_working_day(day, "NO")


@pytest.mark.parametrize("year", YEARS)
def test_norwegian_only_holidays_are_working_days_in_sweden(year: int) -> None:
    maundy_thursday = easter_sunday(year) - timedelta(days=3)
    assert not is_working_day(maundy_thursday, "NO")
    assert is_working_day(maundy_thursday, "SE")
    constitution_day = date(year, 5, 17)
    if constitution_day.weekday() < 5 and constitution_day != easter_sunday(year) + timedelta(days=50):
        assert is_working_day(constitution_day, "SE")


@pytest.mark.parametrize("year", YEARS)
def test_shared_easter_holidays_in_sweden(year: int) -> None:
    easter = easter_sunday(year)
    for offset in (-2, 1, 39):  # Good Friday, Easter Monday, Ascension Day
        assert not is_working_day(easter + timedelta(days=offset), "SE")
    assert next_working_day(easter - timedelta(days=2), "SE") == easter + timedelta(days=2)
    # Whit Monday is no longer a Swedish holiday (since 2005).
    whit_monday = easter + timedelta(days=50)
    if whit_monday != date(year, 6, 6):  # unless it falls on the National Day
        assert is_working_day(whit_monday, "SE")


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(swedish_midsummer_eve(2026), id="midsummer-eve-2026"),
        pytest.param(date(2026, 12, 24), id="christmas-eve-2026"),
        pytest.param(date(2026, 12, 31), id="new-years-eve-2026"),
    ],
)
def test_swedish_de_facto_holidays_are_not_working_days(day: date) -> None:
    """Midsummer Eve, Christmas Eve and New Year's Eve count as Sundays in Sweden (Semesterlag 1977:480, 7 §).

    A meeting of an Örebro programme on Midsummer Eve must be refused like one on a public holiday.
    """
    assert day.weekday() < 5
    assert not is_working_day(day, "SE"), why_not_working_day(day, "SE")
    assert is_working_day(day, "NO")


@pytest.mark.parametrize("tz", ["Europe/Oslo", "Europe/Stockholm", "UTC"])
def test_a_deadline_closes_on_the_day_it_was_set_for_in_every_season(tz: str) -> None:
    # Every day of 2027 and 2028, daylight saving changes included: midnight at the end of a day is already the next
    # day's date, and a deadline is read as the day it closes, as the CLI, the web app and the reports show it.
    day = date(2027, 1, 1)
    while day < date(2029, 1, 1):
        assert deadline_day(end_of_day(day, tz), tz) == day
        assert local_date(end_of_day(day, tz), tz) == day + timedelta(days=1)
        day += timedelta(days=1)
