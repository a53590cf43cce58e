"""The cohort timeline: a Gantt-style SVG with one row per school owner (no I/O, no JavaScript).

Each row shows the owner's whole planned period (a dotted outline to its planned end), its phases as bars (from
the recorded phase transitions) told apart by colour, by a pattern of their own and by their name (or, where a bar
is too short for it, the phase's number in the legend) so no one needs to see colour to read them, the open phase
continued pale up to its due date, its meetings as dark diamonds, its national gatherings as triangles; the
cohort's planned national gatherings are dashed lines across every row, and a red line marks today. The picture
is plain SVG so the web page, the printable report and the `guidance report` files share it; it carries a <title>
and <desc>, and `timeline_rows` gives the same phases for the table the pages show after it
(readmodel/templates/_timeline_table.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from domain.gatherings import NationalGathering
from language.current import gettext as _
from language.current import ngettext, pgettext
from language.formats import month_year
from readmodel import labels
from readmodel.display import display_date
from readmodel.labels import PlanRef
from readmodel.overview import DISPLAY_ZONE, deadline_day, is_at_risk, is_overdue, local_today
from readmodel.records import PeriodRecords, PeriodRow

# Okabe-Ito colours: told apart by colour-blind readers too, and they print well.
PALETTE = ("#56B4E9", "#E69F00", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
LABEL_WIDTH = 230
CHART_WIDTH = 760
ROW_HEIGHT = 26
AXIS_HEIGHT = 34
LEGEND_ROW_HEIGHT = 22
MARKER_COLOUR = "#222222"
#: With no period to show, the chart reaches this far past today, so the coming weeks are in view.
LOOK_AHEAD = timedelta(weeks=8)
TODAY_COLOUR = "#C0392B"
#: The patterns laid over the phases' colours, in the palette's order (SVG path data in a 8x8 tile): a second
#: way, besides the name on the bar, to tell phases apart without seeing colour, on screen and in grey print.
PATTERNS = (
    "",  # plain
    "M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6",  # rising diagonals
    "M0,2 H8 M0,6 H8",  # horizontal lines
    "M2,0 V8 M6,0 V8",  # vertical lines
    "M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2",  # falling diagonals
    "M0,4 H8 M4,0 V8",  # grid
    "M2,2 h0.01 M6,6 h0.01",  # dots
    "M0,8 L8,0 M0,0 L8,8",  # cross-hatch
)
#: Roughly the width of one character of the bar labels (font size 11), to see whether a phase's name fits its bar.
LABEL_CHARACTER_WIDTH = 6.2
#: The legend's columns, and roughly the width of one of its characters (font size 12).
LEGEND_COLUMN_WIDTH = 245
LEGEND_CHARACTER_WIDTH = 6.8


def phase_label(phase: str, plan: PlanRef = None) -> str:
    """The name of a phase as the timeline prints it (on its bars, in the legend, in the table): the plan's."""
    return labels.phase_label(plan, phase)


@dataclass(frozen=True)
class TimelineRow:
    """One phase of one period as the timeline's table lists it (the chart's text alternative).

    `status` is "done" (a phase the period has left), "current", "at_risk" or "overdue" (the phase it is in; `end`
    is then the day it is due, or None when it has no due day).
    """

    owner: str
    phase: str
    start: date
    end: date | None
    status: str


@dataclass(frozen=True)
class PhaseBar:
    """One phase of one period, from its first day up to (not including) `end`."""

    phase: str
    start: date
    end: date


def phase_bars(period: PeriodRow, records: PeriodRecords, today: date) -> list[PhaseBar]:
    """The period's phases in order, from its transitions; the open phase runs to today.

    A phase an ended period closed in (`completed`, `withdrawn`, ...) gets no bar: the row stops there.
    A phase closed on the day it began keeps its (empty) bar, which the picture draws as a sliver.
    """
    transitions = records.transitions_of(period.workflow_id)
    phase = transitions[0].from_phase if transitions else period.phase
    start = period.start_date
    bars: list[PhaseBar] = []
    for transition in transitions:
        changed_on = transition.at.astimezone(DISPLAY_ZONE).date()
        bars.append(PhaseBar(phase, start, max(changed_on, start)))
        phase, start = transition.to_phase, max(changed_on, start)
    if period.is_open:
        bars.append(PhaseBar(phase, start, max(today, start + timedelta(days=1))))
    return bars


def _due_extension(period: PeriodRow, today: date) -> PhaseBar | None:
    """The rest of the open phase until its due date (drawn pale), if that lies ahead."""
    if not period.is_open or period.phase_due_at is None:
        return None
    due = deadline_day(period.phase_due_at)
    start = max(today, period.phase_started_on)
    return PhaseBar(period.phase, start, due) if due > start else None


def phase_colours(records: PeriodRecords) -> dict[str, str]:
    """A colour per phase name: the plans' own order first, then any other name in the order met."""
    names: list[str] = []
    for period in records.periods:
        for name in records.plan_of(period).phases:
            if name not in names:
                names.append(name)
    for period in records.periods:
        for transition in records.transitions_of(period.workflow_id):
            for name in (transition.from_phase, transition.to_phase):
                if name not in names:
                    names.append(name)
        if period.phase not in names:
            names.append(period.phase)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def timeline_rows(records: PeriodRecords, now: datetime) -> list[TimelineRow]:
    """The timeline's phases as rows (per period in the chart's order, its phases in order): the table after it."""
    today = local_today(now)
    rows: list[TimelineRow] = []
    for period in records.periods:
        owner = f"{period.owner_name} ({period.owner_id})"
        bars = phase_bars(period, records, today)
        plan = records.plan_of(period)
        for i, bar in enumerate(bars):
            if period.is_open and i == len(bars) - 1:
                due = deadline_day(period.phase_due_at) if period.phase_due_at is not None else None
                status = "overdue" if is_overdue(period, now) else "at_risk" if is_at_risk(period, now) else "current"
                rows.append(TimelineRow(owner, phase_label(bar.phase, plan), bar.start, due, status))
            else:
                rows.append(TimelineRow(owner, phase_label(bar.phase, plan), bar.start, bar.end, "done"))
    return rows


def chart_window(records: PeriodRecords, today: date, planned: Sequence[NationalGathering] = ()) -> tuple[date, date]:
    """The days the chart spans: from a week before the first start (or today) to the last period's planned end,
    so every row shows its whole period as its plan sets it (30 months for the guidance corps), with today and
    every planned gathering in view.
    """
    periods = records.periods
    later = [today + timedelta(days=1), *(g.date for g in planned)]
    if not periods:
        return today - timedelta(days=30), max([today + LOOK_AHEAD, *later])
    first = min(p.start_date for p in periods)
    end = max(deadline_day(p.ends_at) for p in periods)
    return min(first, today) - timedelta(days=7), max([end, *later])


def _month_starts(first: date, last: date) -> list[date]:
    month = date(first.year, first.month, 1)
    starts = []
    while month <= last:
        if month >= first:
            starts.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return starts


def cohort_timeline_svg(
    records: PeriodRecords, now: datetime, *, title: str = "", planned: Sequence[NationalGathering] = ()
) -> str:
    """The timeline of `records.periods` (one row each, in their order) as an SVG document.

    Args:
        records: The periods and their transitions, meetings and gatherings.
        now: The moment to draw as today (an aware datetime).
        title: A caption above the chart, e.g. "Cohort 2027".
        planned: The cohort's national gatherings as its workflow plans them (`CohortStatus.gatherings`), drawn
            across every row from the moment they are planned; the record store only knows those already sent.
    """
    today = local_today(now)
    periods = records.periods
    first, last = chart_window(records, today, planned)
    span = (last - first).days or 1

    def x(day: date) -> float:
        return LABEL_WIDTH + CHART_WIDTH * (day - first).days / span

    colours = phase_colours(records)
    top = AXIS_HEIGHT + (24 if title else 0)
    chart_bottom = top + ROW_HEIGHT * max(len(periods), 1)
    legend_items = [*colours.items()]
    legend_rows = (len(legend_items) + 6 + 3) // 4  # the phases, then the planned period, the markers and today
    height = chart_bottom + 16 + legend_rows * LEGEND_ROW_HEIGHT + 8
    width = LABEL_WIDTH + CHART_WIDTH + 20
    numbers = {name: i + 1 for i, name in enumerate(colours)}
    default_title = _("Cohort timeline")
    phase_plans = records.phase_plans()
    named = {name: phase_label(name, phase_plans.get(name)) for name in colours}
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="timeline-title timeline-desc" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="timeline-title">{escape(title or default_title)}</title>',
        f'<desc id="timeline-desc">{escape(_description(len(periods), first, last))}</desc>',
        _pattern_defs(colours),
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text x="8" y="18" font-size="15" font-weight="bold">{escape(title)}</text>')
    for month in _month_starts(first, last):
        mx = x(month)
        out.append(f'<line x1="{mx:.1f}" y1="{top - 6}" x2="{mx:.1f}" y2="{chart_bottom}" stroke="#e3e3e3"/>')
        # A label that would run off the right edge is left out (its grid line stays).
        if (span < 300 or month.month in (1, 4, 7, 10)) and mx + 60 <= width:
            out.append(f'<text x="{mx + 2:.1f}" y="{top - 10}" fill="#555">{escape(month_year(month))}</text>')
    for row, period in enumerate(periods):
        y = top + row * ROW_HEIGHT
        if row % 2:
            out.append(f'<rect x="0" y="{y}" width="{width}" height="{ROW_HEIGHT}" fill="#f7f7f7"/>')
        label = f"{period.owner_name} ({period.owner_id})"
        flag = " \N{WARNING SIGN} " + pgettext("flag", "overdue") if is_overdue(period, now) else ""
        fill = TODAY_COLOUR if flag else "#222"
        out.append(f'<text x="8" y="{y + 17}" fill="{fill}">{escape(label + flag)}</text>')
        planned_end = deadline_day(period.ends_at)
        px0, px1 = x(period.start_date), x(planned_end)
        out.append(
            f'<rect class="period-span" x="{px0:.1f}" y="{y + 4}" width="{max(px1 - px0, 2):.1f}" '
            f'height="{ROW_HEIGHT - 8}" fill="none" stroke="#b0b0b0" stroke-dasharray="2 3" rx="2">'
            f"<title>{escape(_planned_period(period.start_date, planned_end))}</title></rect>"
        )
        plan = records.plan_of(period)
        for bar in phase_bars(period, records, today):
            x0, x1 = x(bar.start), x(bar.end)
            out.append(
                f'<rect class="phase" data-phase="{escape(bar.phase)}" x="{x0:.1f}" y="{y + 5}" '
                f'width="{max(x1 - x0, 2):.1f}" height="{ROW_HEIGHT - 10}" '
                f'fill="{_phase_fill(bar.phase, colours)}" stroke="#444444" stroke-width="0.5" rx="2">'
                f"<title>{escape(phase_label(bar.phase, plan))}: {escape(_from_to(bar.start, bar.end))}</title></rect>"
            )
            out.append(_bar_label(phase_label(bar.phase, plan), numbers.get(bar.phase, 0), x0, x1, y))
        due = _due_extension(period, today)
        if due is not None:
            x0, x1 = x(due.start), x(due.end)
            out.append(
                f'<rect class="phase-due" x="{x0:.1f}" y="{y + 8}" width="{max(x1 - x0, 2):.1f}" '
                f'height="{ROW_HEIGHT - 16}" fill="{colours.get(due.phase, PALETTE[-1])}" fill-opacity="0.35" '
                f'stroke="{colours.get(due.phase, PALETTE[-1])}" stroke-dasharray="3 2" rx="2">'
                f"<title>{escape(_due(phase_label(due.phase, plan), due.end))}</title></rect>"
            )
        cy = y + ROW_HEIGHT / 2
        for meeting in records.standing_meetings_of(period.workflow_id):
            mx = x(meeting.meeting_date)
            out.append(
                f'<path class="meeting" d="M{mx:.1f},{cy - 6:.1f} L{mx + 5:.1f},{cy:.1f} L{mx:.1f},{cy + 6:.1f} '
                f'L{mx - 5:.1f},{cy:.1f} Z" fill="{MARKER_COLOUR}" stroke="#fff" stroke-width="1">'
                f"<title>{escape(labels.meeting_kind_label(plan, meeting.kind))} "
                f"{display_date(meeting.meeting_date)}: {escape(meeting.title)}"
                "</title></path>"
            )
        for gathering in records.gatherings_of(period.workflow_id):
            gx = x(gathering.gathering_date)
            out.append(
                f'<path class="gathering" d="M{gx:.1f},{cy - 7:.1f} L{gx + 6:.1f},{cy + 5:.1f} '
                f'L{gx - 6:.1f},{cy + 5:.1f} Z" '
                f'fill="#ffffff" stroke="{MARKER_COLOUR}" stroke-width="1.5"><title>'
                f"{escape(_gathering(gathering.gathering_date, gathering.title))}</title></path>"
            )
    if not periods:
        nothing = _("No periods to show.")
        out.append(f'<text x="{LABEL_WIDTH}" y="{top + 17}" fill="#555">{escape(nothing)}</text>')
    for planned_gathering in planned:
        out.append(_planned_gathering(planned_gathering, x(planned_gathering.date), top, chart_bottom))
    tx = x(today)
    out.append(
        f'<line class="today" x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{chart_bottom}" '
        f'stroke="{TODAY_COLOUR}" stroke-width="2"/>'
        f'<text x="{tx + 3:.1f}" y="{chart_bottom + 12}" fill="{TODAY_COLOUR}">{escape(_today(today))}</text>'
    )
    out.extend(_legend(legend_items, numbers, named, chart_bottom + 20))
    out.append("</svg>")
    return "\n".join(out)


def _planned_gathering(gathering: NationalGathering, gx: float, top: int, bottom: int) -> str:
    """A cohort's national gathering across every row: planned, or with its invitations sent."""
    sent = (
        _("invitations sent")
        if not gathering.needs_sending
        else _("invitations go out %(day)s") % {"day": display_date(gathering.invite_on)}
    )
    said = _("national gathering %(day)s: %(title)s, %(place)s (%(sent)s)") % {
        "day": display_date(gathering.date),
        "title": gathering.title,
        "place": gathering.place,
        "sent": sent,
    }
    return (
        f'<g class="planned-gathering" data-date="{gathering.date.isoformat()}"><title>{escape(said)}</title>'
        f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" y2="{bottom}" stroke="{MARKER_COLOUR}" '
        'stroke-width="1" stroke-dasharray="4 3"/>'
        f'<path d="M{gx:.1f},{top - 4} L{gx + 5:.1f},{top - 13} L{gx - 5:.1f},{top - 13} Z" fill="#ffffff" '
        f'stroke="{MARKER_COLOUR}" stroke-width="1.5"/></g>'
    )


def _description(periods: int, first: date, last: date) -> str:
    """What the picture shows, for those who do not see it (the table after it has the same phases)."""
    return ngettext(
        "%(num)s school owner, %(first)s to %(last)s: each owner's phases as bars with the phase's name or number, "
        "meetings as diamonds, gatherings as triangles, a red line for today; the table after the picture lists "
        "the same phases.",
        "%(num)s school owners, %(first)s to %(last)s: each owner's phases as bars with the phase's name or number, "
        "meetings as diamonds, gatherings as triangles, a red line for today; the table after the picture lists "
        "the same phases.",
        periods,
    ) % {"num": periods, "first": display_date(first), "last": display_date(last)}


def _planned_period(start: date, end: date) -> str:
    return _("planned period %(start)s to %(end)s") % {"start": display_date(start), "end": display_date(end)}


def _from_to(start: date, end: date) -> str:
    return _("%(start)s to %(end)s") % {"start": display_date(start), "end": display_date(end)}


def _due(phase: str, day: date) -> str:
    return _("%(phase)s due %(day)s") % {"phase": phase, "day": display_date(day)}


def _gathering(day: date, title: str) -> str:
    return _("gathering %(day)s: %(title)s") % {"day": display_date(day), "title": title}


def _today(day: date) -> str:
    return _("today %(day)s") % {"day": display_date(day)}


def _pattern_id(number: int) -> str:
    return f"timeline-phase-{number}"


def _pattern_defs(colours: dict[str, str]) -> str:
    """One fill per phase: its colour with a pattern of its own over it (user-space tiles, so bars join up)."""
    patterns = []
    for i, colour in enumerate(colours.values()):
        marks = PATTERNS[i % len(PATTERNS)]
        ink = (
            f'<path d="{marks}" stroke="#1a1a1a" stroke-width="1.2" stroke-linecap="round" fill="none"/>'
            if marks
            else ""
        )
        patterns.append(
            f'<pattern id="{_pattern_id(i + 1)}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{ink}</pattern>'
        )
    return f"<defs>{''.join(patterns)}</defs>"


def _phase_fill(phase: str, colours: dict[str, str]) -> str:
    if phase not in colours:
        return PALETTE[-1]
    return f"url(#{_pattern_id([*colours].index(phase) + 1)})"


def _bar_label(name: str, number: int, x0: float, x1: float, y: int) -> str:
    """The phase's name on its bar, or its number in the legend where the name does not fit (then in the bar or
    just after it); white-edged dark text, readable on every colour and pattern."""
    room = x1 - x0 - 6
    text, lx = (
        (name, x0 + 3) if len(name) * LABEL_CHARACTER_WIDTH <= room else (str(number), x0 + 3 if room >= 8 else x1 + 2)
    )
    return (
        f'<text class="phase-label" x="{lx:.1f}" y="{y + 17}" font-size="11" fill="#111111" stroke="#ffffff" '
        f'stroke-width="3" paint-order="stroke" aria-hidden="true">{escape(text)}</text>'
    )


def _legend(phases: list[tuple[str, str]], numbers: dict[str, int], named: dict[str, str], y0: int) -> list[str]:
    items = [
        (
            f'<rect width="14" height="10" y="-9" fill="url(#{_pattern_id(numbers[name])})" stroke="#444444" '
            'stroke-width="0.5" rx="2"/>',
            f"{numbers[name]} {named[name]}",
        )
        for name, _colour in phases
    ]
    items.append(
        (
            '<rect width="14" height="10" y="-9" fill="none" stroke="#b0b0b0" stroke-dasharray="2 3"/>',
            _("planned period"),
        )
    )
    items.append((f'<path d="M5,-10 L10,-4 L5,2 L0,-4 Z" fill="{MARKER_COLOUR}"/>', _("meeting")))
    items.append(
        (f'<path d="M6,-11 L12,0 L0,0 Z" fill="#fff" stroke="{MARKER_COLOUR}" stroke-width="1.5"/>', _("gathering"))
    )
    items.append(
        (
            '<rect width="14" height="8" y="-8" fill="#999" fill-opacity="0.35" stroke="#999" stroke-dasharray="3 2"/>',
            _("until the phase is due"),
        )
    )
    items.append(
        (
            f'<line x1="6" y1="-11" x2="6" y2="2" stroke="{MARKER_COLOUR}" stroke-dasharray="4 3"/>',
            _("national gathering (planned)"),
        )
    )
    items.append((f'<line x1="6" y1="-11" x2="6" y2="2" stroke="{TODAY_COLOUR}" stroke-width="2"/>', _("today")))
    out = []
    for i, (symbol, name) in enumerate(items):
        lx = 8 + (i % 4) * LEGEND_COLUMN_WIDTH
        ly = y0 + (i // 4) * LEGEND_ROW_HEIGHT + 10
        # A plan's long phase name (in some languages) would run into the next column: cut short, whole in a title.
        shown, whole = _fitted(name), ""
        if shown != name:
            whole = f"<title>{escape(name)}</title>"
        out.append(f'<g transform="translate({lx},{ly})">{whole}{symbol}<text x="20" y="0">{escape(shown)}</text></g>')
    return out


def _fitted(name: str) -> str:
    """`name` as it fits a legend column after its symbol, cut short with an ellipsis when it does not."""
    room = int((LEGEND_COLUMN_WIDTH - 28) / LEGEND_CHARACTER_WIDTH)
    return name if len(name) <= room else name[: room - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"
