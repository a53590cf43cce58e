"""Failed sign-ins, counted per user name and per client address in a sliding window.

Past the limit the sign-in answers 429 with Retry-After, before the password is checked (so guessing costs
the server no argon2 either). A success forgets the name's failures, not the address's. The failures live in
PostgreSQL (``web_sign_in_failures``), so guesses spread over several instances of the web app count together and
a restart forgets nothing; the database's clock is the window's one clock. A key is kept as an HMAC digest, never
as typed: a user name typed wrongly may be a password. Rows older than the window are deleted whenever a failure
is counted, so the table holds one window's failures at most.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta

import asyncpg

# Seconds until each key's `allowed`-th newest failure in the window leaves it (the window slides), for the keys with
# at least `allowed` failures in it.
_WAITS = """
SELECT extract(epoch FROM (array_agg(f.failed_at ORDER BY f.failed_at DESC))[k.allowed] + $3::interval - now())
FROM unnest($1::text[], $2::int[]) AS k (key_digest, allowed)
JOIN web_sign_in_failures f ON f.key_digest = k.key_digest AND f.failed_at > now() - $3::interval
GROUP BY k.key_digest, k.allowed
HAVING count(*) >= k.allowed
"""


class SignInThrottle:
    def __init__(
        self,
        pool: asyncpg.Pool,
        key: str,
        *,
        per_name: int,
        per_address: int,
        window_seconds: float,
    ) -> None:
        """Args:
        pool: The database every instance of the web app shares.
        key: The key of the digests the failures are kept under (one of the web app's own, from its secret).
        per_name: Failures of one user name allowed in the window.
        per_address: Failures from one client address allowed in the window.
        window_seconds: The window's length.
        """
        self._pool = pool
        self._key = key.encode()
        self.per_name = per_name
        self.per_address = per_address
        self.window = timedelta(seconds=window_seconds)

    async def retry_after(self, name: str, address: str) -> int | None:
        """Seconds until this name and address may try again, or None when they may now."""
        rows = await self._pool.fetch(
            _WAITS,
            [self._digest("name", name), self._digest("address", address)],
            [self.per_name, self.per_address],
            self.window,
        )
        waits = [max(1, math.ceil(row[0])) for row in rows]
        return max(waits) if waits else None

    async def failed(self, name: str, address: str) -> int:
        """Count a failure; answers the name's failures in the window now."""
        by_name = self._digest("name", name)
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "DELETE FROM web_sign_in_failures WHERE failed_at <= now() - $1::interval", self.window
            )
            await connection.execute(
                "INSERT INTO web_sign_in_failures (key_digest, failed_at) VALUES ($1, now()), ($2, now())",
                by_name,
                self._digest("address", address),
            )
            failures = await connection.fetchval(
                "SELECT count(*) FROM web_sign_in_failures WHERE key_digest = $1 AND failed_at > now() - $2::interval",
                by_name,
                self.window,
            )
        return int(failures)

    async def succeeded(self, name: str) -> None:
        await self._pool.execute("DELETE FROM web_sign_in_failures WHERE key_digest = $1", self._digest("name", name))

    def _digest(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
