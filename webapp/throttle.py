"""Failed sign-ins, counted per user name and per client address in a sliding window.

Past the limit the sign-in answers 429 with Retry-After, before the password is checked (so guessing costs
the server no argon2 either). Each attempt counts as a failure from before its password is checked (`begin`), and a
success takes it back with the name's earlier failures (`succeeded`); so a burst of attempts sent at once, to one
instance or several, gets no more tries than the limit. The attempts live in PostgreSQL (``web_sign_in_failures``),
so guesses spread over several instances of the web app count together and a restart forgets nothing; the
database's clock is the window's one clock. A key is kept as an HMAC digest, never as typed: a user name typed
wrongly may be a password. Rows older than the window are deleted whenever an attempt is counted, so the table
holds one window's attempts at most.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import uuid
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt, counted as failed until it succeeds."""

    id: uuid.UUID
    #: The name's failures in the window, this attempt included.
    failures: int


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
        key: The key of the digests the attempts are kept under (one of the web app's own, from its secret).
        per_name: Failures of one user name allowed in the window.
        per_address: Failures from one client address allowed in the window.
        window_seconds: The window's length.
        """
        self._pool = pool
        self._key = key.encode()
        self.per_name = per_name
        self.per_address = per_address
        self.window = timedelta(seconds=window_seconds)

    async def begin(self, name: str, address: str) -> Attempt | int:
        """Count an attempt of `name` from `address` as failed, before its password is checked; or, when the name or
        the address has had its failures, the seconds until it may try again (nothing is counted then)."""
        keys = [self._digest("name", name), self._digest("address", address)]
        async with self._pool.acquire() as connection, connection.transaction():
            # One attempt of a key at a time, on every instance, while it is checked and counted (a short
            # transaction; the password is checked after it). In the keys' order, so two attempts cannot deadlock.
            for key in sorted(keys):
                await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
            await connection.execute(
                "DELETE FROM web_sign_in_failures WHERE failed_at <= now() - $1::interval", self.window
            )
            waits = await connection.fetch(_WAITS, keys, [self.per_name, self.per_address], self.window)
            if waits:
                return max(max(1, math.ceil(float(row[0]))) for row in waits)
            attempt = uuid.uuid4()
            await connection.execute(
                "INSERT INTO web_sign_in_failures (key_digest, attempt, failed_at)"
                " SELECT key, $2, now() FROM unnest($1::text[]) AS key",
                keys,
                attempt,
            )
            failures = await connection.fetchval(
                "SELECT count(*) FROM web_sign_in_failures WHERE key_digest = $1 AND failed_at > now() - $2::interval",
                keys[0],
                self.window,
            )
        return Attempt(attempt, int(failures))

    async def succeeded(self, name: str, address: str, attempt: Attempt) -> None:
        """The attempt signed in: it is taken back, and the name's earlier failures forgotten (the address's stay)."""
        await self._pool.execute(
            "DELETE FROM web_sign_in_failures WHERE key_digest = $1 OR (key_digest = $2 AND attempt = $3)",
            self._digest("name", name),
            self._digest("address", address),
            attempt.id,
        )

    def _digest(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
