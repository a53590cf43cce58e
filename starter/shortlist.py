"""The shortlist of `guidance select` as a table for people, and as CSV or JSON for other tools.

Every form carries the same facts per chosen owner: rank, owner id and name, track (``rank`` or ``spread``),
share of the possible risk points, points and possible points, the number of missing values (suppressed or
absent; they lower the possible points), the spread between its schools, and the reasons.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from config.owners import owner_by_id
from selection.scoring import Reason, Selected, Shortlist

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

MISSING_NOTE = (
    "missing: values suppressed (*), not reported (--) or absent in the window; "
    "they lower the possible points and count neither as good nor as bad"
)


def _name(owner_id: str) -> tuple[str, str]:
    owner = owner_by_id(owner_id)
    return owner.name, owner.county


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def reasons(entry: Selected) -> list[str]:
    """Why the owner is on the list: the indicators and years that gave points, and the spread track's facts."""
    a = entry.assessment
    lines = [r.describe() for r in a.score.reasons] if a.score else []
    if entry.track == "spread" and a.spread is not None:
        worst = ", ".join(f"{s.school_id} ({_percent(s.share)})" for s in a.worst_schools)
        lines.insert(0, f"spread {_percent(a.spread)} between {a.schools_scored} schools; among the worst: {worst}")
    return lines


def short_reasons(entry: Selected) -> list[str]:
    """`reasons` grouped by indicator, one short line each, for the table: ``label +points (years)``; the
    values and limits are in the CSV and JSON output."""
    a = entry.assessment
    lines = []
    if entry.track == "spread" and a.spread is not None:
        worst = ", ".join(f"{s.school_id} {_percent(s.share)}" for s in a.worst_schools[:3])
        more = f" +{len(a.worst_schools) - 3}" if len(a.worst_schools) > 3 else ""
        lines.append(f"spread {_percent(a.spread)}; worst schools {worst}{more}")
    by_indicator: dict[str, list[Reason]] = {}
    for reason in a.score.reasons if a.score else []:
        by_indicator.setdefault(reason.indicator, []).append(reason)
    for found in by_indicator.values():
        found.sort(key=lambda r: r.school_year)
        years = ", ".join(r.school_year for r in found)
        lines.append(f"{found[0].label} +{sum(r.points for r in found):g} ({years})")
    return lines


def _row(entry: Selected) -> dict[str, Any]:
    a = entry.assessment
    name, county = _name(a.owner_id)
    score = a.score
    return {
        "rank": entry.rank,
        "owner_id": a.owner_id,
        "owner_name": name,
        "county": county,
        "track": entry.track,
        "share": None if score is None or score.share is None else round(score.share, 4),
        "points": None if score is None else score.points,
        "possible": None if score is None else score.possible,
        "missing": None if score is None else len(score.missing),
        "spread": None if a.spread is None else round(a.spread, 4),
        "worst_schools": [s.school_id for s in a.worst_schools],
        "reasons": reasons(entry),
    }


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
        name, county = _name(entry.assessment.owner_id)
        dumped["owner_name"] = name
        dumped["county"] = county
        dumped["reasons"] = reasons(entry)
    return json.dumps(document, indent=2, ensure_ascii=False)


#: Below this many columns the reasons go under each owner instead of in a column of their own, which a
#: terminal of 80 columns would break into one word per line.
WIDE_TABLE_COLUMNS = 120


def as_table(shortlist: Shortlist, width: int = WIDE_TABLE_COLUMNS) -> Table:
    """The shortlist for a terminal `width` columns wide."""
    years = f"{shortlist.window[0]} to {shortlist.window[-1]}" if shortlist.window else "no years"
    scored = f"{shortlist.owners_scored} owners, {shortlist.schools_scored} schools scored"
    table = Table(
        title=f"Proposed school owners ({years}; {scored})",
        box=box.SIMPLE,
        show_lines=True,
    )
    if width < WIDE_TABLE_COLUMNS:
        table.add_column("rank", justify="right", no_wrap=True)
        table.add_column("owner: share of risk points, points, missing values, track; reasons", justify="left")
        for entry in shortlist.selected:
            row = _row(entry)
            facts = f"{_percent(entry.assessment.share)}, {_points(row)}, {_missing(row)} missing, {entry.track}"
            lines = [f"{row['owner_id']} {row['owner_name']}: {facts}", *(f"  {r}" for r in short_reasons(entry))]
            table.add_row(str(row["rank"]), Text("\n".join(lines)))
        return table
    for column, justify in (
        ("rank", "right"),
        ("owner", "left"),
        ("share", "right"),
        ("points", "right"),
        ("missing", "right"),
        ("track", "left"),
        ("reasons: risk points by indicator", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=column in ("rank", "owner", "share", "points"))  # type: ignore[arg-type]
    for entry in shortlist.selected:
        row = _row(entry)
        table.add_row(
            str(row["rank"]),
            Text(f"{row['owner_id']} {row['owner_name']}"),
            _percent(entry.assessment.share),
            _points(row),
            _missing(row),
            entry.track,
            Text("\n".join(short_reasons(entry)) or "-"),
        )
    return table


def _points(row: dict[str, Any]) -> str:
    return "-" if row["possible"] is None else f"{row['points']:g}/{row['possible']:g}"


def _missing(row: dict[str, Any]) -> str:
    return "-" if row["missing"] is None else str(row["missing"])


def notes(shortlist: Shortlist) -> list[str]:
    """What a coordinator should know beyond the table: ties at the cut and owners without a score."""
    lines = []
    if shortlist.ties_at_cut:
        lines.append(
            "tied with the last owner chosen by rank, not chosen: "
            + ", ".join(f"{i} {_name(i)[0]}" for i in shortlist.ties_at_cut)
        )
    if shortlist.owners_without_score:
        lines.append(
            "no owner value in the window (not ranked): "
            + ", ".join(f"{i} {_name(i)[0]}" for i in shortlist.owners_without_score)
        )
    return lines
