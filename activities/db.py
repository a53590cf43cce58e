"""The connection pool to the record store and its schema: the one place a pool is opened.

`schema.sql` ships as package data of `activities`, so an installed worker finds it without a
source checkout.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable
from importlib import resources

import asyncpg

SCHEMA_RESOURCE = "schema.sql"

# Two workers starting together would race on CREATE TABLE IF NOT EXISTS (both see the table missing);
# a transaction-scoped advisory lock makes them apply the schema one after the other.
_SCHEMA_LOCK_KEY = 0x6775696465  # "guide"


#: Told of every statement a connection runs (asyncpg's `LoggedQuery`): how a benchmark or a test counts them.
QueryLogger = Callable[[asyncpg.connection.LoggedQuery], None]


async def _init_connection(connection: asyncpg.Connection, query_logger: QueryLogger | None = None) -> None:
    # jsonb in and out as Python objects, so the audit details need no manual (de)serialisation.
    await connection.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    if query_logger is not None:
        connection.add_query_logger(query_logger)


async def create_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    command_timeout: float = 20.0,
    query_logger: QueryLogger | None = None,
    no_session_state: bool = False,
) -> asyncpg.Pool:
    """Open the pool every activity shares.

    Args:
        url: A libpq connection string, e.g. ``postgresql://user@host/db``.
        min_size: Connections kept open.
        max_size: Connections at most.
        command_timeout: Seconds a statement may take; shorter than the activities' start-to-close
            timeout, so a stuck statement fails (and is retried) before Temporal gives up on the attempt.
        query_logger: Told of every statement the pool's connections run (bench/web_load.py and the web
            app's tests count a page's queries so); None in the worker and the web app.
        no_session_state: The pool's users run single statements and transactions and leave no session state
            behind (the web app: its read model and its own tables; no SET, LISTEN, session advisory lock or cursor
            outside a transaction). A released connection then skips asyncpg's reset statement, a round trip after
            every statement; an open transaction is still rolled back (asyncpg does that before any reset).

    Returns:
        The open pool; the caller closes it.
    """
    return await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        init=functools.partial(_init_connection, query_logger=query_logger),
        reset=_nothing_to_reset if no_session_state else None,
    )


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """A pool without session state's reset (`create_pool`'s ``no_session_state``): asyncpg's own rollback only."""


def schema_sql() -> str:
    """The schema script shipped with the package."""
    return resources.files("activities").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


async def apply_schema(pool: asyncpg.Pool) -> None:
    """Create every table and index that is missing; safe to run at every start and concurrently."""
    script = schema_sql()
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK_KEY)
        await connection.execute(script)


async def wait_for_database(url: str, *, within: float = 30.0, interval: float = 0.5) -> None:
    """Return once PostgreSQL at `url` accepts a connection (a server that is still starting).

    Raises:
        TimeoutError: The server did not answer within `within` seconds; chained to the last error.
    """
    deadline = time.monotonic() + within
    while True:
        try:
            connection = await asyncpg.connect(url, timeout=max(interval, 1.0))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"PostgreSQL did not accept connections within {within:g}s: {error}") from error
            await asyncio.sleep(interval)
        else:
            await connection.close()
            return
