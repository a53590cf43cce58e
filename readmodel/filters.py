"""Which owners of a cohort to show: by county, adviser, phase, overdue and invitation state (no I/O).

The one rule the cohort overview of the web app (with its report, CSV and timeline) and `guidance cohort show`
both apply. An owner is described by `OwnerFacts`, taken either from its period in the record store
(`period_facts`) or from the cohort workflow's answer about its invitation (`invitation_facts`); what "overdue"
means for each is the rule of its source (`readmodel.overview.is_overdue`, `domain.cohort.Invitation.is_overdue`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.cohort import Invitation, InvitationState
from language.current import gettext as _
from readmodel.overview import is_overdue
from readmodel.records import PeriodRow

#: The longest value a filter takes (a phase name, a county number, an adviser id are all far shorter).
MAX_FILTER_LENGTH = 64
#: The words the overdue filter takes in a query string; empty means either.
OVERDUE_WORDS = {"yes": True, "no": False}


class FilterError(ValueError):
    """A filter's value is not one it takes; `field` names it, the message says what it takes."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class OwnerFacts:
    """What the filters look at of one owner of a cohort."""

    county: str
    #: None: not known from this source (the cohort workflow's answer does not name them).
    advisers: Sequence[str] | None
    #: None: no period yet (invited, declined, no reply, or accepted and still starting).
    phase: str | None
    overdue: bool
    state: InvitationState


def period_facts(period: PeriodRow, now: datetime) -> OwnerFacts:
    """An owner as its period in the record store shows it. A period exists only once its owner accepted."""
    return OwnerFacts(period.county, period.advisers, period.phase, is_overdue(period, now), InvitationState.ACCEPTED)


def invitation_facts(invitation: Invitation, advisers: Sequence[str] | None = None) -> OwnerFacts:
    """An owner as the cohort workflow's answer shows it (its advisers from elsewhere, when known)."""
    return OwnerFacts(invitation.county, advisers, invitation.phase, invitation.is_overdue, invitation.state)


@dataclass(frozen=True)
class OwnerFilter:
    """Each filter given (None: any) must hold."""

    county: str | None = None
    adviser: str | None = None
    phase: str | None = None
    overdue: bool | None = None
    state: InvitationState | None = None

    def admits(self, owner: OwnerFacts) -> bool:
        return (
            (self.county is None or owner.county == self.county)
            and (self.adviser is None or (owner.advisers is not None and self.adviser in owner.advisers))
            and (self.phase is None or owner.phase == self.phase)
            and (self.overdue is None or owner.overdue == self.overdue)
            and (self.state is None or owner.state == self.state)
        )

    @property
    def is_empty(self) -> bool:
        return self == OwnerFilter()


def owner_filter(values: Mapping[str, str]) -> OwnerFilter:
    """The filter of a query string's ``county``, ``adviser``, ``phase``, ``overdue`` (yes/no) and ``state``;
    an empty value is no filter.

    Raises:
        FilterError: A value is too long, holds a NUL, or is not one the filter takes.
    """
    given: dict[str, str | None] = {}
    for name in ("county", "adviser", "phase", "overdue", "state"):
        value = values.get(name, "")
        if len(value) > MAX_FILTER_LENGTH:
            raise FilterError(name, _("at most %(num)s characters") % {"num": MAX_FILTER_LENGTH})
        if "\x00" in value:
            raise FilterError(name, _("must not contain a NUL character"))
        given[name] = value or None
    overdue = given["overdue"]
    if overdue is not None and overdue not in OVERDUE_WORDS:
        raise FilterError("overdue", _("must be yes or no (or empty for either)"))
    state = given["state"]
    states = [s.value for s in InvitationState]
    if state is not None and state not in states:
        raise FilterError("state", _("must be one of %(states)s (or empty for any)") % {"states": ", ".join(states)})
    return OwnerFilter(
        county=given["county"],
        adviser=given["adviser"],
        phase=given["phase"],
        overdue=None if overdue is None else OVERDUE_WORDS[overdue],
        state=None if state is None else InvitationState(state),
    )
