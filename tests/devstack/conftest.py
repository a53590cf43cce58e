"""Fixtures for the devstack tests: dev servers on free ports in temporary folders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from devstack.temporal_server import DevServer, free_port
from domain.models import PeriodInput, SchoolOwner


@pytest.fixture
async def dev_server(tmp_path: Path) -> AsyncIterator[DevServer]:
    """A headless dev server with its state in a temporary SQLite file."""
    async with await DevServer.start(tmp_path / "temporal.sqlite", free_port()) as server:
        yield server


@pytest.fixture
def drammen_period() -> PeriodInput:
    """The input of DESIGN.md's example period."""
    return PeriodInput(
        cohort="devstack",
        owner=SchoolOwner(id="3301", name="Drammen", kind="municipality", county="33"),
        advisers=["a.hansen", "b.olsen"],
        start_date=date(2027, 1, 4),
    )
