"""Server-side revocation of sessions: a signed session cookie alone stays valid until it expires, even after
signing out, so a copied cookie could be replayed.

Each session carries a random id (``sid``) and its user's *generation* at sign-in. Signing out raises the
user's generation, so every session of that user made before (this browser's and any copy of its cookie,
also on other devices) stops working at once. The generations live in PostgreSQL (``web_session_generations``),
so every instance of the web app sees a sign-out made on another, and a restart does not bring a revoked cookie
back. Every request that carries a signed-in session asks for its user's generation (one indexed read). The
generations an earlier version kept in ``<data_dir>/session-generations.json`` are taken in at start
(`import_file`), so an upgrade brings no signed-out session back.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import datetime
from pathlib import Path

import asyncpg
import structlog

#: The file an earlier version kept the generations in, under the web app's data folder (`import_file`).
EARLIER_FILE = "session-generations.json"
#: Users taken from that file at most (it holds one number per user who ever signed out).
MAX_IMPORTED = 100_000

log = structlog.get_logger("webapp")


class SessionGenerations:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def current(self, user: str) -> int:
        """The user's generation now: a session of an older one is revoked."""
        found = await self._pool.fetchval("SELECT generation FROM web_session_generations WHERE user_name = $1", user)
        return int(found) if found is not None else 0

    async def revoke_all(self, user: str, at: datetime) -> None:
        """Every session `user` has now stops working (signing out), on every instance."""
        await self._pool.execute(
            "INSERT INTO web_session_generations (user_name, generation, revoked_at) VALUES ($1, 1, $2)"
            " ON CONFLICT (user_name) DO UPDATE"
            " SET generation = web_session_generations.generation + 1, revoked_at = EXCLUDED.revoked_at",
            user,
            at,
        )

    async def import_file(self, path: Path) -> int:
        """Take in the generations an earlier version kept in `path` (``{user: generation}``); the higher of the
        file's and the database's wins, so running it at every start changes nothing after the first. A file that
        cannot be read is logged and left: the web app starts all the same.

        Returns:
            The users whose generation the file raised.
        """
        pairs = await asyncio.to_thread(_earlier_generations, path)
        if not pairs:
            return 0
        raised = await self._pool.fetchval(
            "WITH raised AS ("
            " INSERT INTO web_session_generations (user_name, generation, revoked_at)"
            " SELECT user_name, generation, now() FROM unnest($1::text[], $2::bigint[]) AS t (user_name, generation)"
            " WHERE generation >= 1"
            " ON CONFLICT (user_name) DO UPDATE SET generation = EXCLUDED.generation, revoked_at = EXCLUDED.revoked_at"
            " WHERE web_session_generations.generation < EXCLUDED.generation"
            " RETURNING 1) SELECT count(*) FROM raised",
            [user for user, _ in pairs],
            [generation for _, generation in pairs],
        )
        if raised:
            log.info("session_generations_imported", file=str(path), users=raised)
        return int(raised)


def _earlier_generations(path: Path) -> list[tuple[str, int]]:
    """The (user, generation) pairs of an earlier version's file; none when there is no file or it cannot be read."""
    if not path.is_file():
        return []
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return [(str(user), int(generation)) for user, generation in loaded.items()][:MAX_IMPORTED]
    except (OSError, ValueError, TypeError, AttributeError) as error:
        log.warning("session_generations_not_imported", file=str(path), reason=str(error))
        return []


def new_session_id() -> str:
    return secrets.token_urlsafe(24)
