"""The facts of a shortlist per chosen owner, the same for every way of showing it: the `guidance select` table,
CSV and JSON (`starter.shortlist`) and the web app's shortlist page (`webapp.selection_pages`).

Rank, owner id, name and county (from the owner register), track (``rank`` or ``spread``; the spread track
needs the county governor's assessment), share of the possible risk points, points and possible points, the
number of missing values (suppressed or absent; they lower the possible points), the spread between its
schools, and the reasons: the indicators and school years that gave points.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.owners import owner_by_id
from language import formats
from language.current import N_, gettext
from selection.scoring import Reason, Selected, Shortlist, Track

#: Marked only: said in the reader's language by `missing_note` (the CLI follows LANG, the page the person).
MISSING_NOTE = N_(
    "missing: values suppressed (*), not reported (--) or absent in the window; "
    "they lower the possible points and count neither as good nor as bad"
)


def missing_note() -> str:
    return gettext(MISSING_NOTE)


def owner_name(owner_id: str) -> tuple[str, str]:
    """The owner's name and county number, from the owner register."""
    owner = owner_by_id(owner_id)
    return owner.name, owner.county


def percent(value: float | None) -> str:
    """A share in the reader's language (the CLI's or the page's), "-" when there is none."""
    return "-" if value is None else formats.percent(value)


def reasons(entry: Selected) -> list[str]:
    """Why the owner is on the list: the indicators and years that gave points, and the spread track's facts."""
    a = entry.assessment
    lines = [r.describe() for r in a.score.reasons] if a.score else []
    if entry.track == "spread" and a.spread is not None:
        worst = ", ".join(f"{s.school_id} ({percent(s.share)})" for s in a.worst_schools)
        lines.insert(
            0,
            gettext("spread %(spread)s between %(schools)s schools; among the worst: %(worst)s")
            % {"spread": percent(a.spread), "schools": a.schools_scored, "worst": worst},
        )
    return lines


def short_reasons(entry: Selected) -> list[str]:
    """`reasons` grouped by indicator, one short line each: ``label +points (years)``; the values and limits
    are in `reasons`."""
    a = entry.assessment
    lines = []
    if entry.track == "spread" and a.spread is not None:
        worst = ", ".join(f"{s.school_id} {percent(s.share)}" for s in a.worst_schools[:3])
        more = f" +{len(a.worst_schools) - 3}" if len(a.worst_schools) > 3 else ""
        lines.append(
            gettext("spread %(spread)s; worst schools %(worst)s") % {"spread": percent(a.spread), "worst": worst + more}
        )
    by_indicator: dict[str, list[Reason]] = {}
    for reason in a.score.reasons if a.score else []:
        by_indicator.setdefault(reason.indicator, []).append(reason)
    for found in by_indicator.values():
        found.sort(key=lambda r: r.school_year)
        years = ", ".join(r.school_year for r in found)
        lines.append(f"{found[0].label} +{formats.number(sum(r.points for r in found))} ({years})")
    return lines


@dataclass(frozen=True)
class ShortlistFacts:
    """One chosen owner's facts (`reasons`: the full ones)."""

    rank: int
    owner_id: str
    owner_name: str
    county: str
    track: Track
    share: float | None
    points: float | None
    possible: float | None
    missing: int | None
    spread: float | None
    worst_schools: list[str]
    reasons: list[str]
    #: `short_reasons`: one line per indicator with its points and years.
    reasons_by_indicator: list[str]

    @property
    def needs_county_governor(self) -> bool:
        """Chosen by the spread between its schools, not by its own share: the county governor's assessment
        decides whether guidance fits (docs/selection.md)."""
        return self.track == "spread"


def facts(entry: Selected) -> ShortlistFacts:
    a = entry.assessment
    name, county = owner_name(a.owner_id)
    score = a.score
    return ShortlistFacts(
        rank=entry.rank,
        owner_id=a.owner_id,
        owner_name=name,
        county=county,
        track=entry.track,
        share=None if score is None or score.share is None else round(score.share, 4),
        points=None if score is None else score.points,
        possible=None if score is None else score.possible,
        missing=None if score is None else len(score.missing),
        spread=None if a.spread is None else round(a.spread, 4),
        worst_schools=[s.school_id for s in a.worst_schools],
        reasons=reasons(entry),
        reasons_by_indicator=short_reasons(entry),
    )


def notes(shortlist: Shortlist) -> list[str]:
    """What a coordinator should know beyond the list: ties at the cut and owners without a score."""
    lines = []
    if shortlist.ties_at_cut:
        lines.append(
            gettext("tied with the last owner chosen by rank, not chosen: %(owners)s")
            % {"owners": ", ".join(f"{i} {owner_name(i)[0]}" for i in shortlist.ties_at_cut)}
        )
    if shortlist.owners_without_score:
        lines.append(
            gettext("no owner value in the window (not ranked): %(owners)s")
            % {"owners": ", ".join(f"{i} {owner_name(i)[0]}" for i in shortlist.owners_without_score)}
        )
    return lines
