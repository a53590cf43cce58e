"""The suite's day: where the time-skipping servers' clocks start, so that no test depends on the day it runs.

Every time-skipping server of the suite starts at 09:00 Norwegian time on the suite's day (its clock pinned with
libfaketime, `devstack.test_server`), and every test on one takes "today" from that server. The suite's day is
Monday 4 January 2027 unless `GUIDANCE_TEST_TODAY=YYYY-MM-DD` moves it, so that the whole suite can be run from
other days on purpose:

    GUIDANCE_TEST_TODAY=2028-06-21 make test

Tests that need particular calendar days (Easter, Midsummer, Christmas) start a server of their own on a day they
choose (`server_before`). Tests on a Temporal dev server keep real time, since a dev server's clock cannot be
moved: they take their dates from the engine's calendar relative to the real today (`real_today`) and assert
nothing that holds on some days only.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

from temporalio.testing import WorkflowEnvironment

from devstack.test_server import start_time_skipping
from domain import calendar

VARIABLE = "GUIDANCE_TEST_TODAY"
DEFAULT_DAY = date(2027, 1, 4)
ZONE = "Europe/Oslo"


def suite_day() -> date:
    """The day the suite's time-skipping servers start on."""
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return DEFAULT_DAY
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{VARIABLE}={text!r} is not a date; write YYYY-MM-DD, e.g. 2028-06-21") from None


def morning_of(day: date) -> datetime:
    """09:00 Norwegian time on `day`."""
    return datetime.combine(day, time(9), tzinfo=calendar.zone(ZONE))


async def suite_server() -> WorkflowEnvironment:
    """A time-skipping server whose clock starts on the suite's day."""
    return await start_time_skipping(morning_of(suite_day()))


async def server_before(day: date) -> WorkflowEnvironment:
    """A time-skipping server whose clock starts the morning before `day`, so that a period can start on it."""
    return await start_time_skipping(morning_of(day - timedelta(days=1)))


def real_today() -> date:
    """Today in Norway by the machine's clock: only for tests on a dev server, which keeps real time. Norway's
    date, not the machine's, since the engine judges days in Norwegian time (they differ around midnight UTC)."""
    return calendar.local_date(datetime.now(UTC), ZONE)


def plain_saturday(after: date) -> date:
    """The first Saturday after `after` that is no public holiday, so that a refusal names it as a Saturday."""
    day = after + timedelta(days=1)
    while day.weekday() != 5 or calendar.holiday_name(day) is not None:
        day += timedelta(days=1)
    return day
