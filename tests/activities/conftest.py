"""Fixtures for activity tests: a fresh PostgreSQL database per test, the schema applied, a record store."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from config.settings import AppSettings
from tests.activities.factories import WORKFLOW_ID
from tests.helpers.databases import schema_pool, throwaway_database


@pytest.fixture
async def database_url(postgres_url: str) -> AsyncIterator[str]:
    """An empty database of its own for one test, dropped afterwards."""
    async with throwaway_database(postgres_url, "activities") as url:
        yield url


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the test's database with the schema applied."""
    async with schema_pool(database_url) as pool:
        yield pool


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(
        _env_file=None,
        data_dir=tmp_path,
        outbox_dir=tmp_path / "outbox",
        directorate_address="veilederkorpset@udir.test",
        adviser_mail_domain="veileder.test",
    )


@pytest.fixture
def store(pool: asyncpg.Pool, settings: AppSettings) -> RecordStore:
    return RecordStore(pool, settings)


@pytest.fixture
def env() -> ActivityEnvironment:
    """An activity environment whose info names the test period, as a worker's would."""
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(ActivityEnvironment.default_info(), workflow_id=WORKFLOW_ID)
    return environment
