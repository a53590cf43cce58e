"""The shortlist of `guidance select` as a table for people, and as CSV or JSON for other tools.

Every form carries the same facts per chosen owner (`selection.shortlist_facts`, which the web app's
shortlist page shows too): rank, owner id and name, track, share, points, missing values, spread, reasons.
Given a cohort's county governors' assessment (`select --cohort`), each spread-track owner's state is shown
beside them (`readmodel.assessments.state_label`, as on the page), in columns of their own.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from domain.assessment import AssessmentRequest, AssessmentStatus
from language import formats
from language.current import N_
from language.current import gettext as _
from readmodel.assessments import state_label
from selection.scoring import Selected, Shortlist
from selection.shortlist_facts import (
    MISSING_NOTE,
    facts,
    missing_note,
    notes,
    owner_name,
    percent,
    reasons,
    short_reasons,
)

__all__ = [
    "CSV_COLUMNS",
    "MISSING_NOTE",
    "as_csv",
    "as_json",
    "as_table",
    "missing_note",
    "notes",
    "reasons",
    "short_reasons",
]

CSV_COLUMNS = (
    "rank",
    "owner_id",
    "owner_name",
    "county",
    "track",
    "share",
    "points",
    "possible",
    "missing",
    "spread",
    "worst_schools",
    "reasons",
)
#: The columns `select --cohort` adds: the county governor's answer about a spread-track owner.
ASSESSMENT_COLUMNS = ("assessment_state", "assessment_priority", "assessment")


def _row(entry: Selected) -> dict[str, Any]:
    return dataclasses.asdict(facts(entry))


def _request(assessment: AssessmentStatus | None, entry: Selected) -> AssessmentRequest | None:
    """The county governor's request about this owner, if the assessment asks about it."""
    if assessment is None:
        return None
    return next((r for r in assessment.requests if r.owner_id == entry.assessment.owner_id), None)


def as_csv(shortlist: Shortlist, assessment: AssessmentStatus | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + (ASSESSMENT_COLUMNS if assessment is not None else ()))
    for entry in shortlist.selected:
        row = _row(entry)
        row["worst_schools"] = " ".join(row["worst_schools"])
        row["reasons"] = "; ".join(row["reasons"])
        cells = [
            "" if row[c] is None else (f"{row[c]:g}" if isinstance(row[c], float) else row[c]) for c in CSV_COLUMNS
        ]
        if assessment is not None:
            request = _request(assessment, entry)
            cells += [str(request.state), request.priority or "", request.assessment or ""] if request else ["", "", ""]
        writer.writerow(cells)
    return out.getvalue()


def as_json(shortlist: Shortlist, assessment: AssessmentStatus | None = None) -> str:
    """The shortlist with the owners' names and the full scores (every reason and every missing value), and with
    an assessment, each spread-track owner's request (``county_governor``)."""
    document = shortlist.model_dump(mode="json")
    for entry, dumped in zip(shortlist.selected, document["selected"], strict=True):
        name, county = owner_name(entry.assessment.owner_id)
        dumped["owner_name"] = name
        dumped["county"] = county
        dumped["reasons"] = reasons(entry)
        if assessment is not None:
            request = _request(assessment, entry)
            dumped["county_governor"] = request.model_dump(mode="json") if request is not None else None
    return json.dumps(document, indent=2, ensure_ascii=False)


#: Below this many columns the reasons go under each owner instead of in a column of their own, which a
#: terminal of 80 columns would break into one word per line.
WIDE_TABLE_COLUMNS = 120


def as_table(
    shortlist: Shortlist, width: int = WIDE_TABLE_COLUMNS, assessment: AssessmentStatus | None = None
) -> Table:
    """The shortlist for a terminal `width` columns wide; with the county governors' `assessment`, a column of
    each spread-track owner's state."""
    if shortlist.window:
        years = _("%(first)s to %(last)s") % {"first": shortlist.window[0], "last": shortlist.window[-1]}
    else:
        years = _("no years")
    scored = _("%(owners)s owners, %(schools)s schools scored") % {
        "owners": shortlist.owners_scored,
        "schools": shortlist.schools_scored,
    }
    table = Table(
        title=_("Proposed school owners (%(years)s; %(scored)s)") % {"years": years, "scored": scored},
        box=box.SIMPLE,
        show_lines=True,
    )
    if width < WIDE_TABLE_COLUMNS:
        table.add_column(_("rank"), justify="right", no_wrap=True)
        table.add_column(_("owner: share of risk points, points, missing values, track; reasons"), justify="left")
        for entry in shortlist.selected:
            row = _row(entry)
            facts = _("%(share)s, %(points)s, %(missing)s missing, %(track)s") % {
                "share": percent(entry.assessment.share),
                "points": _points(row),
                "missing": _missing(row),
                "track": entry.track,
            }
            lines = [f"{row['owner_id']} {row['owner_name']}: {facts}", *(f"  {r}" for r in short_reasons(entry))]
            governor = _governor(assessment, entry)
            if governor:
                lines.append("  " + _("county governor: %(state)s") % {"state": governor})
            table.add_row(str(row["rank"]), Text("\n".join(lines)))
        return table
    for column, justify in (
        (N_("rank"), "right"),
        (N_("owner"), "left"),
        (N_("share"), "right"),
        (N_("points"), "right"),
        (N_("missing"), "right"),
        (N_("track"), "left"),
        (N_("reasons: risk points by indicator"), "left"),
    ):
        table.add_column(_(column), justify=justify, no_wrap=column in ("rank", "owner", "share", "points"))  # type: ignore[arg-type]
    if assessment is not None:
        table.add_column(_("county governor"), justify="left")
    for entry in shortlist.selected:
        row = _row(entry)
        cells: list[str | Text] = [
            str(row["rank"]),
            Text(f"{row['owner_id']} {row['owner_name']}"),
            percent(entry.assessment.share),
            _points(row),
            _missing(row),
            entry.track,
            Text("\n".join(short_reasons(entry)) or "-"),
        ]
        if assessment is not None:
            cells.append(Text(_governor(assessment, entry) or "-"))
        table.add_row(*cells)
    return table


def _governor(assessment: AssessmentStatus | None, entry: Selected) -> str:
    """The county governor's state about a spread-track owner ("" when not asked)."""
    request = _request(assessment, entry)
    return state_label(request, assessment) if request is not None and assessment is not None else ""


def _points(row: dict[str, Any]) -> str:
    return "-" if row["possible"] is None else f"{formats.number(row['points'])}/{formats.number(row['possible'])}"


def _missing(row: dict[str, Any]) -> str:
    return "-" if row["missing"] is None else str(row["missing"])
