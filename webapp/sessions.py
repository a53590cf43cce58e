"""Server-side revocation of sessions: a signed session cookie alone stays valid until it expires, even after
signing out, so a copied cookie could be replayed.

Each session carries a random id (``sid``) and its user's *generation* at sign-in. Signing out raises the
user's generation, so every session of that user made before (this browser's and any copy of its cookie,
also on other devices) stops working at once. The generations live in PostgreSQL (``web_session_generations``),
so every instance of the web app sees a sign-out made on another, and a restart does not bring a revoked cookie
back. Every request that carries a signed-in session asks for its user's generation (one indexed read).
"""

from __future__ import annotations

import secrets
from datetime import datetime

import asyncpg


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


def new_session_id() -> str:
    return secrets.token_urlsafe(24)
