"""At most a few Chromium renders at once (each is a browser of a few hundred MB and a core for a second or two).

A PDF request waits up to `wait_seconds` for a free slot; after that it is answered 503 with Retry-After,
so eight requests at once no longer start eight browsers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from starlette.exceptions import HTTPException

from language.current import gettext as _

#: What a request told to come back later is told to wait.
RETRY_AFTER_SECONDS = 10
T = TypeVar("T")


class RenderSlots:
    def __init__(self, at_once: int, wait_seconds: float) -> None:
        self.at_once = at_once
        self.wait_seconds = wait_seconds
        self._free = asyncio.Semaphore(at_once)

    async def render(self, work: Callable[[], T]) -> T:
        """`work()` (a Chromium render) in a thread once a slot is free. The slot is freed when the work ends,
        not when the request does: a client that goes away does not stop its Chromium.

        Raises:
            HTTPException: 503 with Retry-After when no slot is free within `wait_seconds`.
        """
        try:
            await asyncio.wait_for(self._free.acquire(), timeout=self.wait_seconds or 0.001)
        except TimeoutError:
            raise HTTPException(
                503,
                _("The server is already making %(count)s PDF files; try again in %(seconds)s seconds.")
                % {"count": self.at_once, "seconds": RETRY_AFTER_SECONDS},
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None
        running = asyncio.ensure_future(asyncio.to_thread(work))
        running.add_done_callback(lambda _: self._free.release())
        return await asyncio.shield(running)
