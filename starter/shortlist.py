"""The shortlist of `guidance select` as a table for people, and as CSV or JSON for other tools.

Every form carries the same facts per chosen owner (`selection.shortlist_facts`, which the web app's
shortlist page shows too): rank, owner id and name, track, share, points, missing values, spread, reasons.
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

from language import formats
from language.current import N_
from language.current import gettext as _
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


def _row(entry: Selected) -> dict[str, Any]:
    return dataclasses.asdict(facts(entry))


def as_csv(shortlist: Shortlist) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in shortlist.selected:
        row = _row(entry)
        row["worst_schools"] = " ".join(row["worst_schools"])
        row["reasons"] = "; ".join(row["reasons"])
        writer.writerow(
            ["" if row[c] is None else (f"{row[c]:g}" if isinstance(row[c], float) else row[c]) for c in CSV_COLUMNS]
        )
    return out.getvalue()


def as_json(shortlist: Shortlist) -> str:
    """The shortlist with the owners' names and the full scores (every reason and every missing value)."""
    document = shortlist.model_dump(mode="json")
    for entry, dumped in zip(shortlist.selected, document["selected"], strict=True):
        name, county = owner_name(entry.assessment.owner_id)
        dumped["owner_name"] = name
        dumped["county"] = county
        dumped["reasons"] = reasons(entry)
    return json.dumps(document, indent=2, ensure_ascii=False)


#: Below this many columns the reasons go under each owner instead of in a column of their own, which a
#: terminal of 80 columns would break into one word per line.
WIDE_TABLE_COLUMNS = 120


def as_table(shortlist: Shortlist, width: int = WIDE_TABLE_COLUMNS) -> Table:
    """The shortlist for a terminal `width` columns wide."""
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
    for entry in shortlist.selected:
        row = _row(entry)
        table.add_row(
            str(row["rank"]),
            Text(f"{row['owner_id']} {row['owner_name']}"),
            percent(entry.assessment.share),
            _points(row),
            _missing(row),
            entry.track,
            Text("\n".join(short_reasons(entry)) or "-"),
        )
    return table


def _points(row: dict[str, Any]) -> str:
    return "-" if row["possible"] is None else f"{formats.number(row['points'])}/{formats.number(row['possible'])}"


def _missing(row: dict[str, Any]) -> str:
    return "-" if row["missing"] is None else str(row["missing"])
