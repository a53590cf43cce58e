"""Reading back what the record store wrote."""

from __future__ import annotations

import asyncpg

TABLES = (
    "periods",
    "phase_transitions",
    "milestones",
    "meetings",
    "reminders",
    "escalations",
    "gatherings",
    "final_evaluations",
    "outbox",
    "audit_log",
    "invitations",
    "national_gatherings",
    "gathering_guests",
    "programme_plans",
    "selection_decisions",
    "county_assessments",
    "owner_contacts",
    "competence_environments",
)


async def row_counts(pool: asyncpg.Pool) -> dict[str, int]:
    """Rows in every table the record store writes."""
    async with pool.acquire() as connection:
        return {table: await connection.fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}


async def table_rows(pool: asyncpg.Pool) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order, to compare the store before and after a retry."""
    async with pool.acquire() as connection:
        return {
            table: [tuple(row) for row in await connection.fetch(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table in TABLES
        }
