"""At most a few Chromium renders at once in the whole deployment (each is a browser of a few hundred MB and a core for
a second or two).

The slots are rows of ``web_render_slots`` that every instance of the web app shares: a render takes a free slot
(row-locked, skipping one another takes at the same moment) for a lease, renews the lease while its work runs (a
Chromium that outlives its time limit still holds its slot), and frees it when its work ends. A slot of an instance
that died frees itself when its lease runs out. A PDF request
waits up to `wait_seconds` for a free slot, looking again every `POLL_SECONDS` (the waiters are not queued in
order); after that it is answered 503 with Retry-After, so eight requests at once no longer start eight browsers.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import asyncpg
from starlette.exceptions import HTTPException

from language.current import gettext as _
from readmodel.documents import CHROMIUM_TIMEOUT_SECONDS

#: What a request told to come back later is told to wait.
RETRY_AFTER_SECONDS = 10
#: How long a slot is held without a renewal: Chromium's own time limit, and the time to free it after.
LEASE = timedelta(seconds=CHROMIUM_TIMEOUT_SECONDS + 30)
#: How often a running render renews its lease (well within it).
RENEW_SECONDS = LEASE.total_seconds() / 3
#: How often a waiting request looks for a free slot again.
POLL_SECONDS = 0.2
T = TypeVar("T")

_TAKE = """
WITH free AS (
    SELECT slot FROM web_render_slots WHERE slot < $1 AND held_until < now()
    ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE web_render_slots AS s SET held_by = $2, held_until = now() + $3::interval
FROM free WHERE s.slot = free.slot
RETURNING s.slot
"""


class RenderSlots:
    def __init__(self, pool: asyncpg.Pool, at_once: int, wait_seconds: float) -> None:
        self._pool = pool
        self.at_once = at_once
        self.wait_seconds = wait_seconds
        self._slots_made = False
        # Renders whose request has gone: kept referenced until their slot is freed.
        self._running: set[asyncio.Future[Any]] = set()

    async def render(self, work: Callable[[], T]) -> T:
        """`work()` (a Chromium render) in a thread once a slot is free. The slot is freed when the work ends,
        not when the request does: a client that goes away does not stop its Chromium.

        Raises:
            HTTPException: 503 with Retry-After when no slot is free within `wait_seconds`.
        """
        holder = secrets.token_hex(16)
        slot = await self._take(holder)
        running = asyncio.ensure_future(self._run(work, slot, holder))
        self._running.add(running)
        running.add_done_callback(self._running.discard)
        return await asyncio.shield(running)

    async def _take(self, holder: str) -> int:
        if not self._slots_made:
            await self._pool.execute(
                "INSERT INTO web_render_slots (slot) SELECT generate_series(0, $1 - 1) ON CONFLICT (slot) DO NOTHING",
                self.at_once,
            )
            self._slots_made = True
        deadline = time.monotonic() + self.wait_seconds
        while True:
            slot = await self._pool.fetchval(_TAKE, self.at_once, holder, LEASE)
            if slot is not None:
                return int(slot)
            if time.monotonic() + POLL_SECONDS > deadline:
                raise HTTPException(
                    503,
                    _("The server is already making %(count)s PDF files; try again in %(seconds)s seconds.")
                    % {"count": self.at_once, "seconds": RETRY_AFTER_SECONDS},
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                )
            await asyncio.sleep(POLL_SECONDS)

    async def _run(self, work: Callable[[], T], slot: int, holder: str) -> T:
        renewing = asyncio.ensure_future(self._renew(slot, holder))
        try:
            return await asyncio.to_thread(work)
        finally:
            renewing.cancel()
            await self._pool.execute(
                "UPDATE web_render_slots SET held_by = NULL, held_until = '-infinity' WHERE slot = $1 AND held_by = $2",
                slot,
                holder,
            )

    async def _renew(self, slot: int, holder: str) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            await self._pool.execute(
                "UPDATE web_render_slots SET held_until = now() + $3::interval WHERE slot = $1 AND held_by = $2",
                slot,
                holder,
                LEASE,
            )
