"""Fixtures for the telemetry tests: an empty PostgreSQL database of each test's own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest


@pytest.fixture
async def database_url(postgres_url: str) -> AsyncIterator[str]:
    """A fresh database on the session's PostgreSQL server, dropped afterwards."""
    name = f"telemetry_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
