"""Fixtures for the telemetry tests: an empty PostgreSQL database of each test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.helpers.databases import throwaway_database


@pytest.fixture
async def database_url(postgres_url: str) -> AsyncIterator[str]:
    """A fresh database on the session's PostgreSQL server, dropped afterwards."""
    async with throwaway_database(postgres_url, "telemetry") as url:
        yield url
