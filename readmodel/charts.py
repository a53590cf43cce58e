"""Bar charts as plain SVG (no JavaScript): the cohort page and the report draw the phase distribution and the
overdue counts with them.

Each chart names itself (``<title>``) and says its numbers in words (``<desc>``), is labelled bar by bar with the
name and the number in text, and is shown beside a table of the same numbers: nothing is told by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from language.current import gettext

LABEL_WIDTH = 170
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
    width = LABEL_WIDTH + BAR_AREA + NUMBER_WIDTH + 16
    height = TOP + rows * (BAR_HEIGHT + ROW_GAP) + 8
    largest = max((count for _, count in chart.bars), default=0) or 1
    ident = escape(chart.chart_id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" id="{ident}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(chart.title)}</text>',
    ]
    if not chart.bars:
        out.append(f'<text x="8" y="{TOP + 14}" fill="#555">{escape(chart.empty_text)}</text>')
    for row, (label, count) in enumerate(chart.bars):
        y = TOP + row * (BAR_HEIGHT + ROW_GAP)
        length = BAR_AREA * count / largest
        out.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" data-label="{escape(label)}" data-count="{count}" x="{LABEL_WIDTH}" y="{y}" '
            f'width="{max(length, 1):.1f}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}">'
            f"<title>{escape(label)}: {count} {escape(chart.unit)}</title></rect>"
            f'<text class="count" x="{LABEL_WIDTH + max(length, 1) + 5:.1f}" y="{y + 13}">{count}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
