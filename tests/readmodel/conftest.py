"""Fixtures of the read model's tests: a fresh record store per test, holding the cohort of `tests.readmodel.rows`.

The web app's tests (tests/webapp/conftest.py) import these too, and put the app on the same store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from readmodel.records import RecordReader
from tests.helpers.databases import schema_pool
from tests.readmodel.rows import write_cohort


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the test's database (the suite's `database_url`) with the schema applied, holding the cohort of
    `tests.readmodel.rows`."""
    async with schema_pool(database_url) as pool:
        await write_cohort(pool)
        yield pool


@pytest.fixture
def reader(pool: asyncpg.Pool) -> RecordReader:
    return RecordReader(pool)
