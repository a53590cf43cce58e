"""Selecting school owners for guidance from indicator data: the scoring of the public follow-up scheme.

The follow-up scheme (oppfølgingsordningen, udir.no) scores every school and every school owner
(skoleeier) on indicators from the pupil survey (Elevundersøkelsen), the national tests (nasjonale
prøver), grunnskolepoeng and, for the holistic view and county authorities, completion in upper
secondary (gjennomføring i videregående). docs/selection.md describes it:

- Each indicator has a *national limit* (the national average) and an *absolute limit*, and a direction
  (``higher_is_worse``). A value worse than the national limit gives 1 risk point, worse than the
  absolute limit 3. "Worse" is strict: a value on a limit gives no point for it.
- An indicator's points (and its possible points) are multiplied by its weight; grunnskolepoeng counts
  triple (weight 3 in the shipped configuration).
- Only the last ``years`` school years count: the newest school year in the data and the ones just before
  it (``2024-25``, ``2023-24``, ``2022-23`` for three years).
- A unit's score is its *share* of the possible risk points. Each value present in the window adds
  ``3 * weight`` possible points. A suppressed value, or a year without a row for an indicator the unit
  has a row for in another year of the window, is *missing*: it adds no possible points, so it counts
  neither as good nor as bad, and the score lists what was missing. An indicator with no row for the unit
  in the whole window (a primary school has no grade 10) is not expected of it and is not missing.
- The spread of an owner is the difference between its schools' highest and lowest share.
- Selection (the software proposes, a coordinator decides): first the ``top`` owners with the highest
  share (track ``rank``), then up to ``spread_track`` other owners whose spread is at least
  ``spread_level`` and that have at least one school among the worst ``worst_school_fraction`` of schools
  nationally by share (track ``spread``), largest spread first.

Our choices where the scheme is silent: ties in share are broken by more possible points (more evidence),
then by owner id, and owners tied with the last one chosen are listed in ``ties_at_cut``; a school with no
risk points is never "among the worst", even when a quarter of all schools have none; the worst quarter
includes every school tied with the last one in it.

Everything here is pure: rows in, scores out. `load_selection_config` is the one function that reads a file.
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from language import formats
from language.current import N_, gettext

#: Risk points for a value worse than the national limit, and worse than the absolute limit.
NATIONAL_POINTS = 1
ABSOLUTE_POINTS = 3

UnitKind = Literal["school", "owner"]
Track = Literal["rank", "spread"]
LimitName = Literal["national", "absolute"]

_SCHOOL_YEAR_PATTERN = r"^\d{4}-\d{2}$"
SchoolYear = Annotated[str, Field(pattern=_SCHOOL_YEAR_PATTERN, description="A school year, e.g. 2024-25.")]


def check_school_year(value: str) -> str:
    """``2024-25``: the second year is the one after the first."""
    first, second = value.split("-")
    if (int(first) + 1) % 100 != int(second):
        raise ValueError(f"a school year is two consecutive years, e.g. 2024-25, got {value!r}")
    return value


def school_year_start(year: str) -> int:
    """The calendar year a school year starts in: 2024 for ``2024-25``."""
    return int(year[:4])


def school_year(start: int) -> str:
    """The school year that starts in `start`: ``2024-25`` for 2024."""
    return f"{start}-{(start + 1) % 100:02d}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- the data -----------------------------------------------------------------------------------------


class IndicatorRow(_Frozen):
    """One value: a unit (a school or a school owner), an indicator and a school year.

    ``value`` is None when the cell is suppressed (too few pupils) or has no data; it is never guessed.
    A school's ``unit_id`` is its organisation number; an owner's is its owner id, the same as ``owner_id``.
    """

    unit_kind: UnitKind
    unit_id: str = Field(min_length=1)
    owner_id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    indicator: str = Field(min_length=1)
    school_year: SchoolYear
    value: float | None = Field(allow_inf_nan=False)

    @field_validator("school_year")
    @classmethod
    def _consecutive(cls, value: str) -> str:
        return check_school_year(value)

    @model_validator(mode="after")
    def _owner_row_names_itself(self) -> IndicatorRow:
        if self.unit_kind == "owner" and self.unit_id != self.owner_id:
            raise ValueError(f"an owner row's unit id is the owner id: {self.unit_id!r} is not {self.owner_id!r}")
        return self


# --- the configuration --------------------------------------------------------------------------------


class IndicatorRule(_Frozen):
    """How one indicator is scored."""

    label: str = Field(min_length=1)
    higher_is_worse: bool
    national_limit: float = Field(allow_inf_nan=False)
    absolute_limit: float = Field(allow_inf_nan=False)
    weight: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    source: str = ""

    @model_validator(mode="after")
    def _absolute_is_beyond_national(self) -> IndicatorRule:
        if self.higher_is_worse and self.absolute_limit < self.national_limit:
            raise ValueError(
                f"higher is worse, so absolute_limit ({self.absolute_limit:g}) must not be below "
                f"national_limit ({self.national_limit:g})"
            )
        if not self.higher_is_worse and self.absolute_limit > self.national_limit:
            raise ValueError(
                f"lower is worse, so absolute_limit ({self.absolute_limit:g}) must not be above "
                f"national_limit ({self.national_limit:g})"
            )
        return self

    def is_worse(self, value: float, limit: float) -> bool:
        return value > limit if self.higher_is_worse else value < limit

    def points(self, value: float) -> tuple[float, LimitName | None]:
        """The weighted risk points of one value, and the limit it is worse than."""
        if self.is_worse(value, self.absolute_limit):
            return ABSOLUTE_POINTS * self.weight, "absolute"
        if self.is_worse(value, self.national_limit):
            return NATIONAL_POINTS * self.weight, "national"
        return 0.0, None

    @property
    def possible(self) -> float:
        """The weighted points a value present can give at most."""
        return ABSOLUTE_POINTS * self.weight


class SelectionConfig(_Frozen):
    """Every limit, direction, weight and count of the selection (`selection/selection.toml` is the default)."""

    top: int = Field(default=30, ge=0, description="owners chosen by rank (track 'rank')")
    spread_track: int = Field(default=10, ge=0, description="owners chosen at most for their spread")
    spread_level: float = Field(default=0.3, ge=0, le=1, description="the least spread of the second track")
    worst_school_fraction: float = Field(default=0.25, gt=0, le=1)
    years: int = Field(default=3, ge=1, le=20)
    indicators: dict[str, IndicatorRule] = Field(min_length=1)

    @field_validator("indicators")
    @classmethod
    def _keys(cls, value: dict[str, IndicatorRule]) -> dict[str, IndicatorRule]:
        for key in value:
            if not key.replace("_", "").isalnum() or not key.isascii():
                raise ValueError(f"an indicator key is letters, digits and '_', got {key!r}")
        return value


class SelectionConfigError(ValueError):
    """The selection configuration cannot be read or does not validate; the message names file and field."""


def load_selection_config(path: Path | None = None) -> SelectionConfig:
    """The configuration in the TOML file `path`, or the shipped default `selection/selection.toml`.

    The file has a ``[selection]`` table with the counts and levels and an ``[indicators.KEY]`` table per
    indicator (see the shipped file, which documents every value).

    Raises:
        SelectionConfigError: unreadable file, bad TOML or an invalid value; the message says which.
    """
    name = str(path) if path is not None else "selection/selection.toml"
    try:
        if path is None:
            text = (resources.files("selection") / "selection.toml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        document = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as err:
        raise SelectionConfigError(f"{name}: cannot read the selection configuration: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise SelectionConfigError(f"{name}: not valid TOML: {err}") from None
    unknown = sorted(set(document) - {"selection", "indicators"})
    if unknown:
        raise SelectionConfigError(f"{name}: unknown table(s) {', '.join(unknown)}; expected [selection], [indicators]")
    fields = dict(document.get("selection", {}))
    fields["indicators"] = document.get("indicators", {})
    try:
        return SelectionConfig.model_validate(fields)
    except ValidationError as error:
        raise SelectionConfigError(f"{name}: " + "; ".join(_problems(error))) from None


def _problems(error: ValidationError) -> list[str]:
    lines = []
    for problem in error.errors(include_url=False):
        location = ".".join(str(part) for part in problem["loc"])
        if location and not location.startswith("indicators"):
            location = f"selection.{location}"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{location or 'selection'}: {message}")
    return lines


# --- scores ---------------------------------------------------------------------------------------------


#: Each limit's name as a reason says it (in the reader's language: the CLI follows LANG, the page the person).
_LIMIT_NAMES: dict[str, str] = {"national": N_("national"), "absolute": N_("absolute")}


class Reason(_Frozen):
    """An indicator value that gave risk points."""

    indicator: str
    label: str
    school_year: str
    value: float
    limit: LimitName
    limit_value: float
    points: float

    def describe(self) -> str:
        return gettext("%(label)s %(year)s: %(value)s worse than %(limit)s %(limit_value)s (+%(points)s)") % {
            "label": self.label,
            "year": self.school_year,
            "value": formats.number(self.value),
            "limit": gettext(_LIMIT_NAMES[self.limit]),
            "limit_value": formats.number(self.limit_value),
            "points": formats.number(self.points),
        }


class Cell(_Frozen):
    """An indicator in a school year, here one without a value."""

    indicator: str
    school_year: str


class UnitScore(_Frozen):
    """A school's or an owner's share of its possible risk points."""

    unit_kind: UnitKind
    unit_id: str
    owner_id: str
    points: float
    possible: float
    share: float | None = Field(description="points / possible; None when no value is present")
    missing: list[Cell] = Field(description="expected values that are suppressed or absent (not scored)")
    reasons: list[Reason]


class SchoolShare(_Frozen):
    school_id: str
    share: float


class OwnerAssessment(_Frozen):
    """What the selection knows of one owner: its own score and its schools' spread."""

    owner_id: str
    score: UnitScore | None = Field(description="from the owner's own rows; None when it has none")
    schools_scored: int
    spread: float | None = Field(description="highest minus lowest school share; None without scored schools")
    worst_schools: list[SchoolShare] = Field(description="its schools among the worst nationally")

    @property
    def share(self) -> float | None:
        return self.score.share if self.score is not None else None


class Selected(_Frozen):
    rank: int
    track: Track
    assessment: OwnerAssessment


class Shortlist(_Frozen):
    """The proposal: the chosen owners in order, with everything a coordinator needs to check it."""

    window: list[str] = Field(description="the school years scored, oldest first")
    selected: list[Selected]
    ties_at_cut: list[str] = Field(description="owners not chosen with the same share as the last chosen by rank")
    worst_school_cutoff: float | None = Field(description="the least share among the worst schools nationally")
    schools_scored: int
    owners_scored: int
    owners_without_score: list[str] = Field(description="owners in the data with no value in the window")


def window(rows: Iterable[IndicatorRow], years: int) -> list[str]:
    """The last `years` school years: the newest year in `rows` and those before it, oldest first."""
    newest = max((school_year_start(r.school_year) for r in rows), default=None)
    if newest is None:
        return []
    return [school_year(start) for start in range(newest - years + 1, newest + 1)]


def score_unit(rows: Sequence[IndicatorRow], config: SelectionConfig, years: Sequence[str]) -> UnitScore:
    """The score of one unit from its rows (rows outside `years` are ignored).

    Raises:
        ValueError: the rows are of more than one unit, or name an indicator the configuration lacks.
    """
    if not rows:
        raise ValueError("a unit's score needs at least one row")
    first = rows[0]
    in_window = set(years)
    values: dict[tuple[str, str], float | None] = {}
    for row in rows:
        if (row.unit_kind, row.unit_id) != (first.unit_kind, first.unit_id):
            raise ValueError(f"rows of {first.unit_kind} {first.unit_id} and {row.unit_kind} {row.unit_id} mixed")
        if row.indicator not in config.indicators:
            raise ValueError(f"indicator {row.indicator!r} is not in the selection configuration")
        if row.school_year in in_window:
            values[(row.indicator, row.school_year)] = row.value
    expected = sorted({indicator for indicator, _ in values})
    points = possible = 0.0
    reasons: list[Reason] = []
    missing: list[Cell] = []
    for indicator in expected:
        rule = config.indicators[indicator]
        for year in years:
            value = values.get((indicator, year))
            if value is None:
                missing.append(Cell(indicator=indicator, school_year=year))
                continue
            possible += rule.possible
            got, limit = rule.points(value)
            points += got
            if limit is not None:
                limit_value = rule.absolute_limit if limit == "absolute" else rule.national_limit
                reasons.append(
                    Reason(
                        indicator=indicator,
                        label=rule.label,
                        school_year=year,
                        value=value,
                        limit=limit,
                        limit_value=limit_value,
                        points=got,
                    )
                )
    reasons.sort(key=lambda r: (-r.points, r.indicator, r.school_year))
    return UnitScore(
        unit_kind=first.unit_kind,
        unit_id=first.unit_id,
        owner_id=first.owner_id,
        points=points,
        possible=possible,
        share=points / possible if possible else None,
        missing=missing,
        reasons=reasons,
    )


def score_units(rows: Iterable[IndicatorRow], config: SelectionConfig) -> tuple[list[str], list[UnitScore]]:
    """The window and the score of every unit in `rows` (owners and schools), ordered by kind and id."""
    all_rows = list(rows)
    years = window(all_rows, config.years)
    by_unit: dict[tuple[str, str], list[IndicatorRow]] = defaultdict(list)
    for row in all_rows:
        by_unit[(row.unit_kind, row.unit_id)].append(row)
    return years, [score_unit(by_unit[key], config, years) for key in sorted(by_unit)]


def worst_schools(schools: Iterable[UnitScore], fraction: float) -> tuple[set[str], float | None]:
    """The schools among the worst `fraction` nationally by share, and the least share among them.

    The worst are the ``ceil(fraction * n)`` schools with the highest share, with every school tied with the
    last of them; a school without risk points is never among the worst.
    """
    shares = sorted((s.share for s in schools if s.share is not None), reverse=True)
    if not shares:
        return set(), None
    cutoff = shares[math.ceil(fraction * len(shares)) - 1]
    if cutoff <= 0:
        cutoff = min((share for share in shares if share > 0), default=0.0)
    if cutoff <= 0:
        return set(), None
    return {s.unit_id for s in schools if s.share is not None and s.share >= cutoff}, cutoff


def assess(
    rows: Iterable[IndicatorRow], config: SelectionConfig
) -> tuple[list[str], list[OwnerAssessment], float | None]:
    """Every owner in `rows` with its score, spread and worst schools; the window and the worst-school cutoff."""
    years, scores = score_units(rows, config)
    owner_scores = {s.owner_id: s for s in scores if s.unit_kind == "owner"}
    schools = [s for s in scores if s.unit_kind == "school"]
    worst, cutoff = worst_schools(schools, config.worst_school_fraction)
    schools_of: dict[str, list[UnitScore]] = defaultdict(list)
    for school in schools:
        schools_of[school.owner_id].append(school)
    assessments = []
    for owner_id in sorted(set(owner_scores) | set(schools_of)):
        shares = [s.share for s in schools_of[owner_id] if s.share is not None]
        mine = sorted(
            (
                SchoolShare(school_id=s.unit_id, share=s.share)
                for s in schools_of[owner_id]
                if s.unit_id in worst and s.share is not None
            ),
            key=lambda s: (-s.share, s.school_id),
        )
        assessments.append(
            OwnerAssessment(
                owner_id=owner_id,
                score=owner_scores.get(owner_id),
                schools_scored=len(shares),
                spread=max(shares) - min(shares) if shares else None,
                worst_schools=mine,
            )
        )
    return years, assessments, cutoff


def select(rows: Iterable[IndicatorRow], config: SelectionConfig, *, top: int | None = None) -> Shortlist:
    """The shortlist: ``top`` (default ``config.top``) owners by share, then the spread track."""
    count = config.top if top is None else top
    years, assessments, cutoff = assess(rows, config)
    scored = [a for a in assessments if a.share is not None]

    def by_rank(a: OwnerAssessment) -> tuple[float, float, str]:
        assert a.score is not None and a.score.share is not None
        return (-a.score.share, -a.score.possible, a.owner_id)

    ranked = sorted(scored, key=by_rank)
    chosen = ranked[:count]
    ties: list[str] = []
    if chosen:
        last = chosen[-1].share
        ties = [
            a.owner_id
            for a in ranked[count:]
            if last is not None and a.share is not None and math.isclose(a.share, last)
        ]
    chosen_ids = {a.owner_id for a in chosen}
    spread_candidates = [
        a
        for a in assessments
        if a.owner_id not in chosen_ids and a.spread is not None and a.spread >= config.spread_level and a.worst_schools
    ]
    spread_candidates.sort(key=lambda a: (-(a.spread or 0.0), -a.worst_schools[0].share, a.owner_id))
    selected = [Selected(rank=i, track="rank", assessment=a) for i, a in enumerate(chosen, start=1)]
    selected += [
        Selected(rank=len(chosen) + i, track="spread", assessment=a)
        for i, a in enumerate(spread_candidates[: config.spread_track], start=1)
    ]
    return Shortlist(
        window=years,
        selected=selected,
        ties_at_cut=ties,
        worst_school_cutoff=cutoff,
        schools_scored=sum(a.schools_scored for a in assessments),
        owners_scored=len(scored),
        owners_without_score=[a.owner_id for a in assessments if a.share is None],
    )
