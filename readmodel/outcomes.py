"""Outcomes side by side: each owner of a cohort as the indicator file of its selection scored it, and as a later
indicator file scores it now.

The programme exists for better learning outcomes, so a coordinator loads a later file (the same layout,
`selection.indicator_file`) and sees, per owner, every indicator's value and risk points per school year in both
files, the share of the possible risk points per indicator and in all, and which way the owner moved. No
workflow reads indicator files: this is a read model beside the record store, which names the cohort's owners;
`guidance report outcomes` (starter/report_cli.py) and the web app's outcomes page (webapp/outcome_pages.py)
show it.

The rules, in one place:

- Both files are scored exactly as the selection scores (`selection.scoring.score_unit`): the owner's own rows,
  the last ``years`` school years of each file (its window), 1 or 3 weighted risk points per value worse than
  a limit, the share = points / possible points; a missing value (suppressed ``*``, not reported ``--``, empty,
  or no row for a year) adds no possible points and shows as missing, never as zero.
- An owner *moved* by the change of its share, now minus at selection: **better** when the share fell by more
  than the tolerance (fewer risk points), **worse** when it rose by more, **unchanged** within the tolerance
  (``DEFAULT_TOLERANCE``, 5 percentage points, or the one asked for), and **cannot tell** when either file gives
  the owner no value in its window. The same rule reads each indicator's share.
- The later file's newest school year must come after the selection file's newest: else it is not later.

`compare` is pure (rows in, outcomes out); `load_outcomes` adds reading and checking the two files' bytes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from language import formats
from language.current import N_, gettext
from readmodel.charts import BarChart, ShareChart
from readmodel.spreadsheet import csv_text
from selection.indicator_file import parse_indicator_bytes
from selection.scoring import (
    IndicatorRow,
    SelectionConfig,
    load_selection_config,
    school_year_start,
    score_unit,
    window,
)

#: Changes of the share within this many (0.05: 5 percentage points) count as unchanged.
DEFAULT_TOLERANCE = 0.05
#: The largest tolerance taken: beyond half the possible points nothing could move.
MAX_TOLERANCE = 0.5
#: The most owners one comparison shows: a cohort is a few dozen (`domain.cohort` takes at most 1000).
MAX_OWNERS = 1000

Movement = Literal["better", "unchanged", "worse", "cannot_tell"]
MOVEMENTS: tuple[Movement, ...] = ("better", "unchanged", "worse", "cannot_tell")
#: Each movement as people read it (said in the reader's language by `movement_label`).
MOVEMENT_LABELS: dict[Movement, str] = {
    "better": N_("better"),
    "unchanged": N_("unchanged"),
    "worse": N_("worse"),
    "cannot_tell": N_("cannot tell"),
}
#: A cell of the table: a value; ``missing``: the file's row holds none (suppressed, not reported or empty);
#: ``absent``: the file has no row for the owner, indicator and year.
CellState = Literal["value", "missing", "absent"]


class OutcomesError(ValueError):
    """The two files cannot be compared; the message (in the reader's language) says why and what to do."""


def movement_label(movement: Movement) -> str:
    return gettext(MOVEMENT_LABELS[movement])


def movement(then: float | None, now: float | None, tolerance: float) -> Movement:
    """Which way a share moved from `then` to `now` (a lower share of risk points is better)."""
    if then is None or now is None:
        return "cannot_tell"
    change = now - then
    # Shares are ratios of small sums: 0.35 - 0.30 must count as within 0.05.
    if abs(change) <= tolerance or math.isclose(abs(change), tolerance, abs_tol=1e-9):
        return "unchanged"
    return "better" if change < 0 else "worse"


@dataclass(frozen=True)
class Cell:
    """One indicator in one school year of one file."""

    school_year: str
    state: CellState
    value: float | None = None
    #: The weighted risk points the value gave (0 when within the limits); None without a value.
    points: float | None = None


@dataclass(frozen=True)
class Share:
    """A share of the possible risk points over a file's window."""

    points: float
    possible: float
    share: float | None
    #: The values expected and missing (suppressed, not reported or absent).
    missing: int


NO_SHARE = Share(points=0.0, possible=0.0, share=None, missing=0)


@dataclass(frozen=True)
class IndicatorOutcome:
    indicator: str
    label: str
    then: tuple[Cell, ...]
    now: tuple[Cell, ...]
    share_then: Share
    share_now: Share
    movement: Movement

    @property
    def change(self) -> float | None:
        return _change(self.share_then, self.share_now)


@dataclass(frozen=True)
class OwnerOutcome:
    owner_id: str
    owner_name: str
    share_then: Share
    share_now: Share
    movement: Movement
    indicators: tuple[IndicatorOutcome, ...]

    @property
    def change(self) -> float | None:
        return _change(self.share_then, self.share_now)


@dataclass(frozen=True)
class CohortOutcomes:
    """Every owner of a cohort at selection and now, and how many moved which way."""

    cohort: str
    then_file: str
    now_file: str
    window_then: tuple[str, ...]
    window_now: tuple[str, ...]
    tolerance: float
    owners: tuple[OwnerOutcome, ...]

    def count(self, which: Movement) -> int:
        return sum(1 for owner in self.owners if owner.movement == which)

    @property
    def counts(self) -> list[tuple[Movement, int]]:
        """How many owners moved each way, in `MOVEMENTS` order (every movement, also those of none)."""
        return [(which, self.count(which)) for which in MOVEMENTS]


def _change(then: Share, now: Share) -> float | None:
    return None if then.share is None or now.share is None else now.share - then.share


def compare(
    cohort: str,
    owners: Sequence[tuple[str, str]],
    then_rows: Iterable[IndicatorRow],
    now_rows: Iterable[IndicatorRow],
    config: SelectionConfig,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    then_file: str = "",
    now_file: str = "",
) -> CohortOutcomes:
    """The cohort's `owners` (id, name) scored by the selection's file (`then_rows`) and a later one (`now_rows`).

    Raises:
        OutcomesError: the tolerance is out of range, too many owners, or the later file is not later.
    """
    check_tolerance(tolerance)
    if len(owners) > MAX_OWNERS:
        raise OutcomesError(
            gettext("at most %(num)s owners are compared at once, not %(given)s")
            % {"num": MAX_OWNERS, "given": len(owners)}
        )
    then_all, now_all = list(then_rows), list(now_rows)
    window_then, window_now = window(then_all, config.years), window(now_all, config.years)
    if window_then and window_now and school_year_start(window_now[-1]) <= school_year_start(window_then[-1]):
        raise OutcomesError(
            gettext(
                "the later file's newest school year (%(now)s) is not after the selection file's (%(then)s); "
                "load an indicator file from after the selection"
            )
            % {"now": window_now[-1], "then": window_then[-1]}
        )
    wanted = {owner_id for owner_id, _ in owners}
    then_by_owner, now_by_owner = _owner_rows(then_all, wanted), _owner_rows(now_all, wanted)
    return CohortOutcomes(
        cohort=cohort,
        then_file=then_file,
        now_file=now_file,
        window_then=tuple(window_then),
        window_now=tuple(window_now),
        tolerance=tolerance,
        owners=tuple(
            _owner_outcome(
                owner_id,
                name,
                then_by_owner.get(owner_id, []),
                now_by_owner.get(owner_id, []),
                config,
                window_then,
                window_now,
                tolerance,
            )
            for owner_id, name in sorted(owners)
        ),
    )


def check_tolerance(tolerance: float) -> float:
    """
    Raises:
        OutcomesError: `tolerance` is not between 0 and `MAX_TOLERANCE`.
    """
    if not (math.isfinite(tolerance) and 0 <= tolerance <= MAX_TOLERANCE):
        raise OutcomesError(
            gettext("tolerance: a share between 0 and %(most)s (0.05 is 5 percentage points), not %(given)s")
            % {"most": MAX_TOLERANCE, "given": tolerance}
        )
    return tolerance


def _owner_rows(rows: list[IndicatorRow], wanted: set[str]) -> dict[str, list[IndicatorRow]]:
    """The owners' own rows (the selection scores an owner by them; its schools' rows give its spread only)."""
    found: dict[str, list[IndicatorRow]] = defaultdict(list)
    for row in rows:
        if row.unit_kind == "owner" and row.owner_id in wanted:
            found[row.owner_id].append(row)
    return found


def _share(rows: Sequence[IndicatorRow], config: SelectionConfig, years: Sequence[str]) -> Share:
    in_window = [row for row in rows if row.school_year in years]
    if not in_window:
        return NO_SHARE
    score = score_unit(in_window, config, years)
    return Share(points=score.points, possible=score.possible, share=score.share, missing=len(score.missing))


def _cells(rows: Sequence[IndicatorRow], config: SelectionConfig, years: Sequence[str]) -> tuple[Cell, ...]:
    by_year = {row.school_year: row for row in rows}
    cells = []
    for year in years:
        row = by_year.get(year)
        if row is None:
            cells.append(Cell(school_year=year, state="absent"))
        elif row.value is None:
            cells.append(Cell(school_year=year, state="missing"))
        else:
            points, _ = config.indicators[row.indicator].points(row.value)
            cells.append(Cell(school_year=year, state="value", value=row.value, points=points))
    return tuple(cells)


def _owner_outcome(
    owner_id: str,
    name: str,
    then_rows: list[IndicatorRow],
    now_rows: list[IndicatorRow],
    config: SelectionConfig,
    window_then: Sequence[str],
    window_now: Sequence[str],
    tolerance: float,
) -> OwnerOutcome:
    share_then, share_now = _share(then_rows, config, window_then), _share(now_rows, config, window_now)
    present = {r.indicator for r in then_rows if r.school_year in window_then}
    present |= {r.indicator for r in now_rows if r.school_year in window_now}
    indicators = []
    # In the configuration's order, as the selection lists them.
    for key in (key for key in config.indicators if key in present):
        then_of = [r for r in then_rows if r.indicator == key]
        now_of = [r for r in now_rows if r.indicator == key]
        then_share, now_share = _share(then_of, config, window_then), _share(now_of, config, window_now)
        indicators.append(
            IndicatorOutcome(
                indicator=key,
                label=config.indicators[key].label,
                then=_cells(then_of, config, window_then),
                now=_cells(now_of, config, window_now),
                share_then=then_share,
                share_now=now_share,
                movement=movement(then_share.share, now_share.share, tolerance),
            )
        )
    return OwnerOutcome(
        owner_id=owner_id,
        owner_name=name,
        share_then=share_then,
        share_now=share_now,
        movement=movement(share_then.share, share_now.share, tolerance),
        indicators=tuple(indicators),
    )


def load_outcomes(
    cohort: str,
    owners: Sequence[tuple[str, str]],
    then: tuple[bytes, str],
    now: tuple[bytes, str],
    *,
    config: SelectionConfig | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> CohortOutcomes:
    """`compare` on two indicator files' bytes and names: the selection's file (`then`) and a later one (`now`).

    Reading a country's file takes a second or two: call it off an event loop.

    Raises:
        selection.indicator_file.IndicatorFileError: a file is too large, not UTF-8, or has bad rows (by line
            and column).
        OutcomesError: see `compare`.
    """
    config = config or load_selection_config()
    then_rows = parse_indicator_bytes(then[0], then[1], indicators=config.indicators)
    now_rows = parse_indicator_bytes(now[0], now[1], indicators=config.indicators)
    return compare(cohort, owners, then_rows, now_rows, config, tolerance=tolerance, then_file=then[1], now_file=now[1])


# --- as a spreadsheet ---------------------------------------------------------------------------------

#: The CSV's columns, headed in the reader's language: one row per owner for all its indicators (``indicator``
#: empty), then one per indicator.
CSV_COLUMNS = (
    N_("Owner id"),
    N_("Owner"),
    N_("Indicator"),
    N_("Share at selection"),
    N_("Share now"),
    N_("Change"),
    N_("Movement"),
    N_("Points at selection"),
    N_("Possible at selection"),
    N_("Missing at selection"),
    N_("Points now"),
    N_("Possible now"),
    N_("Missing now"),
)


def outcomes_csv(outcomes: CohortOutcomes) -> str:
    """Every owner's shares as data: shares as decimal fractions (0.3939), empty where there is none; the
    movement as its code (better, unchanged, worse, cannot_tell), so a script reads the file in any language."""
    rows: list[list[object]] = []
    for owner in outcomes.owners:
        rows.append(_csv_row(owner.owner_id, owner.owner_name, "", owner.share_then, owner.share_now, owner.movement))
        rows += [
            _csv_row(owner.owner_id, owner.owner_name, i.indicator, i.share_then, i.share_now, i.movement)
            for i in owner.indicators
        ]
    return csv_text([gettext(column) for column in CSV_COLUMNS], rows)


def _csv_row(owner_id: str, name: str, indicator: str, then: Share, now: Share, moved: Movement) -> list[object]:
    change = _change(then, now)
    return [
        owner_id,
        name,
        indicator,
        _fraction(then.share),
        _fraction(now.share),
        _fraction(change),
        moved,
        _fraction(then.points),
        _fraction(then.possible),
        then.missing,
        _fraction(now.points),
        _fraction(now.possible),
        now.missing,
    ]


def _fraction(value: float | None) -> float | int | str:
    """A number as a number cell (a negative one stays a number), four decimals at most; empty for None."""
    if value is None:
        return ""
    rounded = round(value, 4)
    return int(rounded) if rounded.is_integer() else rounded


# --- as people read it (the command's table, the page, the report) ------------------------------------


def share_text(share: float | None) -> str:
    """A share in the reader's language; "–" when the file gave no value (never 0 %)."""
    return "–" if share is None else formats.percent(share)


def points_change(change: float | None) -> str:
    """A change of share in percentage points with its sign (−27.3 pp); "–" when it cannot be told."""
    if change is None:
        return "–"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return gettext("%(change)s pp") % {"change": sign + formats.number(abs(change) * 100, 1)}


def moved_line(outcomes: CohortOutcomes) -> str:
    """How many owners moved which way, and the tolerance, in one sentence."""
    counts = ", ".join(f"{movement_label(which)}: {count}" for which, count in outcomes.counts)
    return gettext("%(num)s owners: %(counts)s (unchanged within ±%(tolerance)s)") % {
        "num": len(outcomes.owners),
        "counts": counts,
        "tolerance": points_change(outcomes.tolerance).lstrip("+"),
    }


# --- the charts (each shown beside a table of the same numbers) ---------------------------------------


def movement_chart(outcomes: CohortOutcomes) -> BarChart:
    """How many of the cohort's owners moved each way."""
    return BarChart(
        chart_id="outcomes-moved",
        title=gettext("Owners by how they moved"),
        bars=[(movement_label(which), count) for which, count in outcomes.counts],
        unit=gettext("owners"),
    )


def cohort_chart(outcomes: CohortOutcomes) -> ShareChart:
    """Every owner's share of the possible risk points at selection and now."""
    return ShareChart(
        chart_id="outcomes-owners",
        title=gettext("Share of risk points per owner"),
        rows=[(o.owner_name, o.share_then.share, o.share_now.share) for o in outcomes.owners],
        then_name=gettext("at selection"),
        now_name=gettext("now"),
        show=share_text,
        no_value=gettext("no value"),
    )


def owner_chart(owner: OwnerOutcome) -> ShareChart:
    """One owner's share in all and per indicator, at selection and now."""
    return ShareChart(
        chart_id=f"outcomes-owner-{owner.owner_id}",
        title=gettext("%(owner)s: share of risk points") % {"owner": owner.owner_name},
        rows=[
            (gettext("all indicators"), owner.share_then.share, owner.share_now.share),
            *((i.label, i.share_then.share, i.share_now.share) for i in owner.indicators),
        ],
        then_name=gettext("at selection"),
        now_name=gettext("now"),
        show=share_text,
        no_value=gettext("no value"),
    )


#: What `templates/_outcomes_body.html` calls, given to it by the page and the file alike.
TEMPLATE_HELPERS = {
    "share_text": share_text,
    "points_change": points_change,
    "movement_label": movement_label,
    "moved_line": moved_line,
    "movement_chart": movement_chart,
    "cohort_chart": cohort_chart,
    "owner_chart": owner_chart,
}
