"""A period's competence environments as people read them: the period page's section, the overview's and the
report's summary per owner (from the record store's rows), and the register's environments an adviser may propose.

The rows keep each environment's name and kind as the register had them when it was proposed; its contact is the
register's now (`config.competence`), so a changed web address shows the new one, and an environment since removed
shows none.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.competence import RegisterFileError, competence_register, environments_for
from domain.competence import CompetenceEnvironment, Contact
from language.current import gettext
from readmodel.labels import competence_state_label
from readmodel.records import CompetenceRow


@dataclass(frozen=True)
class CompetenceLine:
    """One environment of a period: its row and the register's contact (None when the register has it no more)."""

    row: CompetenceRow
    contact: Contact | None


def _register() -> dict[str, CompetenceEnvironment]:
    try:
        return {e.id: e for e in competence_register()}
    except RegisterFileError:
        return {}  # a page still renders; the worker and `guidance competence check` say what is wrong


def competence_lines(rows: list[CompetenceRow]) -> list[CompetenceLine]:
    register = _register()
    return [
        CompetenceLine(row, register[row.environment_id].contact if row.environment_id in register else None)
        for row in rows
    ]


def proposable(area: str | None) -> list[CompetenceEnvironment]:
    """The register's environments that serve the period's development area (none before one is chosen)."""
    try:
        return environments_for(area)
    except RegisterFileError:
        return []


def agreed_names(rows: list[CompetenceRow]) -> list[str]:
    return [r.name for r in rows if r.state == "agreed"]


def competence_summary(rows: list[CompetenceRow]) -> str:
    """One owner's environments of its current cycle in a few words: those agreed by name, else how many are under
    way (proposed or contacted), else a dash."""
    agreed = agreed_names(rows)
    if agreed:
        return ", ".join(agreed)
    if not rows:
        return "—"
    counts = [
        f"{sum(1 for r in rows if r.state == state)} {competence_state_label(state).lower()}"
        for state in ("proposed", "contacted")
        if any(r.state == state for r in rows)
    ]
    return ", ".join(counts)


def competence_cell(rows: list[CompetenceRow]) -> str:
    """The environments for a spreadsheet cell: each with where it stands, e.g. ``Lesesenteret (agreed 2027-03-01)``."""
    return "; ".join(
        gettext("%(environment)s (%(state)s %(day)s)")
        % {
            "environment": r.name,
            "state": competence_state_label(r.state).lower(),
            "day": (r.agreed_on or r.contacted_on or r.proposed_on).isoformat(),
        }
        for r in rows
    )
