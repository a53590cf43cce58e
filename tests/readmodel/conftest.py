"""Fixtures of the read model's tests: a fresh record store per test, holding the cohort of `tests.readmodel.rows`.

The web app's tests (tests/webapp/conftest.py) import these too, and put the app on the same store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from readmodel.records import RecordReader
from tests.helpers.databases import schema_pool, throwaway_database
from tests.readmodel.rows import write_cohort


@pytest.fixture
async def store_url(postgres_url: str) -> AsyncIterator[str]:
    """An empty database of the test's own with the schema applied, dropped afterwards."""
    async with throwaway_database(postgres_url, "readmodel") as url:
        yield url


@pytest.fixture
async def pool(store_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the test's database, holding the cohort of `tests.readmodel.rows`."""
    async with schema_pool(store_url) as pool:
        await write_cohort(pool)
        yield pool


@pytest.fixture
def reader(pool: asyncpg.Pool) -> RecordReader:
    return RecordReader(pool)
