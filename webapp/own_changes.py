"""What a person changed lately, noted in their session, so that their next pages show it on any instance.

A change goes to its workflow, which answers at once; what pages read may not hold it yet for a moment: an instance's
short memory of a cohort's answer (webapp/live_cohorts.py), the record store for a period (its records are written
just after its update answers). A person who has just changed something must see it all the same, whichever
instance serves their next page, so their session notes when they changed what (`note`), and those pages ask the
workflow while the note is fresh (`noted_at`). Everyone else sees the change a moment later.

A note is a wall-clock moment (seconds since the epoch), compared across instances: their clocks are kept in step
by NTP. The session keeps the newest few notes, so the cookie stays small.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from typing import Any

#: The session's notes: {what: when}, the newest `MAX_NOTED`.
SESSION_CHANGES = "changed"
#: Notes kept at most per session.
MAX_NOTED = 8


def note(session: MutableMapping[str, Any], what: str, at: float) -> None:
    """The session's person changed `what` (e.g. ``cohort 2027``, ``period guidance-period-2027-3301``) at `at`."""
    noted = {k: v for k, v in _noted(session).items() if k != what}
    noted[what] = at
    session[SESSION_CHANGES] = dict(sorted(noted.items(), key=lambda item: item[1])[-MAX_NOTED:])


def noted_at(session: MutableMapping[str, Any], what: str) -> float | None:
    """When the session's person last changed `what`, if they did lately."""
    return _noted(session).get(what)


def _noted(session: MutableMapping[str, Any]) -> dict[str, float]:
    # The cookie is signed, but a note is a hint: anything that is not a finite moment by name is no note (JSON
    # gives Infinity, NaN and integers too large for a float as readily as a moment).
    noted = session.get(SESSION_CHANGES)
    if not isinstance(noted, dict):
        return {}
    moments = {}
    for what, at in noted.items():
        if isinstance(what, str) and isinstance(at, int | float) and not isinstance(at, bool):
            try:
                moment = float(at)
            except OverflowError:
                continue
            if math.isfinite(moment):
                moments[what] = moment
    return moments
