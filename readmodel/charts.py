"""Bar charts as plain SVG (no JavaScript): the cohort page and the report draw the phase distribution and the
overdue counts with them, and the outcomes page and report a cohort's and each owner's shares at selection and now.

Each chart names itself (``<title>``) and says its numbers in words (``<desc>``), is labelled bar by bar with the
name and the number in text, and is shown beside a table of the same numbers: nothing is told by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from language.current import gettext

LABEL_WIDTH = 170
#: Roughly the width of one character of a bar's label (font size 12).
CHARACTER_WIDTH = 6.8
BAR_AREA = 230
NUMBER_WIDTH = 40
BAR_HEIGHT = 18
ROW_GAP = 8
TOP = 28
BAR_COLOUR = "#0072B2"


@dataclass(frozen=True)
class BarChart:
    """A chart of counts: `bars` are (label, count) in the order drawn."""

    chart_id: str
    #: The texts are given in the reader's language (the caller translates them).
    title: str
    bars: Sequence[tuple[str, int]]
    #: What a count is, e.g. "periods".
    unit: str
    #: Said when there is no bar.
    empty: str = ""

    @property
    def total(self) -> int:
        return sum(count for _, count in self.bars)

    @property
    def description(self) -> str:
        """The chart's numbers in one sentence, for a screen reader (the SVG's ``desc``)."""
        if not self.bars:
            return self.empty_text
        parts = ", ".join(f"{label}: {count}" for label, count in self.bars)
        return gettext("%(title)s. %(bars)s. In all %(total)s %(unit)s.") % {
            "title": self.title,
            "bars": parts,
            "total": self.total,
            "unit": self.unit,
        }

    @property
    def empty_text(self) -> str:
        return self.empty or gettext("Nothing to show.")

    @property
    def svg(self) -> str:
        return bar_chart_svg(self)


def bar_chart_svg(chart: BarChart) -> str:
    """`chart` as an SVG document: one labelled horizontal bar per count, scaled to the largest."""
    rows = max(len(chart.bars), 1)
    # The labels are the plan's phase names in the reader's language: the column grows to the longest one.
    longest = max((len(label) for label, _ in chart.bars), default=0)
    label_width = max(LABEL_WIDTH, int(longest * CHARACTER_WIDTH) + 14)
    width = label_width + BAR_AREA + NUMBER_WIDTH + 16
    height = TOP + rows * (BAR_HEIGHT + ROW_GAP) + 8
    largest = max((count for _, count in chart.bars), default=0) or 1
    out = _chart_head("bar-chart", chart.chart_id, chart.title, chart.description, width, height)
    if not chart.bars:
        out.append(f'<text x="8" y="{TOP + 14}" fill="#555">{escape(chart.empty_text)}</text>')
    for row, (label, count) in enumerate(chart.bars):
        y = TOP + row * (BAR_HEIGHT + ROW_GAP)
        length = BAR_AREA * count / largest
        out.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" data-label="{escape(label)}" data-count="{count}" x="{label_width}" y="{y}" '
            f'width="{max(length, 1):.1f}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}">'
            f"<title>{escape(label)}: {count} {escape(chart.unit)}</title></rect>"
            f'<text class="count" x="{label_width + max(length, 1) + 5:.1f}" y="{y + 13}">{count}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


#: The two bars of a pair: at selection (a lighter blue, hatched by its outline) and now (the house's blue). Each
#: bar is also labelled with its text (e.g. "at selection 39.4%"), so colour tells nothing alone.
THEN_COLOUR = "#9ecae1"
NOW_COLOUR = BAR_COLOUR
PAIR_GAP = 12


@dataclass(frozen=True)
class ShareChart:
    """Pairs of shares (0 to 1) drawn side by side: `rows` are (label, share then, share now), None where there is
    no value (drawn as a text, never as a zero bar)."""

    chart_id: str
    #: The texts are given in the reader's language (the caller translates them and formats the shares).
    title: str
    rows: Sequence[tuple[str, float | None, float | None]]
    then_name: str
    now_name: str
    #: A share as the reader reads it (e.g. "39,4 %"), and the text of a missing one.
    show: Callable[[float | None], str]
    no_value: str
    empty: str = ""

    @property
    def description(self) -> str:
        """The chart's numbers in one sentence, for a screen reader (the SVG's ``desc``)."""
        if not self.rows:
            return self.empty or gettext("Nothing to show.")
        parts = "; ".join(
            f"{label}: {self.then_name} {self._said(then)}, {self.now_name} {self._said(now)}"
            for label, then, now in self.rows
        )
        return f"{self.title}. {parts}."

    def _said(self, share: float | None) -> str:
        return self.no_value if share is None else self.show(share)

    @property
    def svg(self) -> str:
        return share_chart_svg(self)


def share_chart_svg(chart: ShareChart) -> str:
    """`chart` as an SVG document: per row two labelled horizontal bars on one scale, 0 to 100 %."""
    rows = max(len(chart.rows), 1)
    longest = max((len(label) for label, _, _ in chart.rows), default=0)
    label_width = max(LABEL_WIDTH, int(longest * CHARACTER_WIDTH) + 14)
    number_width = NUMBER_WIDTH + int(CHARACTER_WIDTH * max(len(chart.then_name), len(chart.now_name), 8)) + 30
    width = label_width + BAR_AREA + number_width + 16
    pair = 2 * BAR_HEIGHT + PAIR_GAP
    height = TOP + rows * pair + 8
    out = _chart_head("share-chart", chart.chart_id, chart.title, chart.description, width, height)
    if not chart.rows:
        out.append(
            f'<text x="8" y="{TOP + 14}" fill="#555">{escape(chart.empty or gettext("Nothing to show."))}</text>'
        )
    for row, (label, then, now) in enumerate(chart.rows):
        y = TOP + row * pair
        out.append(f'<text x="{label_width - 6}" y="{y + BAR_HEIGHT + 4}" text-anchor="end">{escape(label)}</text>')
        for offset, name, share, colour in (
            (0, chart.then_name, then, THEN_COLOUR),
            (BAR_HEIGHT, chart.now_name, now, NOW_COLOUR),
        ):
            said = f"{name} {chart._said(share)}"
            top = y + offset
            if share is None:
                out.append(f'<text class="no-value" x="{label_width}" y="{top + 13}" fill="#555">{escape(said)}</text>')
                continue
            length = max(BAR_AREA * min(max(share, 0.0), 1.0), 1)
            out.append(
                f'<rect class="bar" data-label="{escape(label)}" data-share="{share:.4f}" x="{label_width}" '
                f'y="{top + 1}" width="{length:.1f}" height="{BAR_HEIGHT - 2}" fill="{colour}" stroke="#1f4e79">'
                f"<title>{escape(label)}: {escape(said)}</title></rect>"
                f'<text class="share" x="{label_width + length + 5:.1f}" y="{top + 13}">{escape(said)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


def _chart_head(kind: str, chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    """The opening of a chart's SVG: its size, its title and description for screen readers, the white ground and the
    visible title; every chart starts the same way."""
    ident = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" id="{ident}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
