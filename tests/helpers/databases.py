"""Throwaway databases on the test session's PostgreSQL server (tests/conftest.py `postgres_url`)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from activities.db import apply_schema, create_pool


@contextlib.asynccontextmanager
async def throwaway_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """An empty database of its own (``{prefix}_...``) on the server of `server_url`, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def schema_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on `database_url` with the record store's schema applied, closed afterwards."""
    pool = await create_pool(database_url, min_size=1, max_size=4)
    try:
        await apply_schema(pool)
        yield pool
    finally:
        await pool.close()
