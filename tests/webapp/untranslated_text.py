"""Find the text of a Jinja template that a person would read in English whatever their language.

The template is parsed with Jinja's own parser; its literal text (TemplateData nodes) is laid out in document
order with every printed expression replaced by a stand-in, and read as HTML: the text between tags and the
attributes a person reads or hears (title, alt, placeholder, aria-label) must have no word left outside a
translation call (`{{ _("...") }}`, `{% trans %}`, whose text is not template data but a gettext argument).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from jinja2 import Environment, nodes

#: Stands for a printed expression (it is not a letter, so it never counts as a word).
_EXPRESSION = "\x1f"
#: Attributes shown or read out to a person.
_READ_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description", "aria-placeholder"})
#: Words that are the same in every language: the service's name and file formats.
NOT_TRANSLATED = frozenset({"Veilederkorpset", "PDF", "CSV", "SHA-256"})
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Untranslated:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def _stream(node: nodes.Node, out: list[tuple[str, int]]) -> None:
    """The template's literal text in document order, each printed expression as `_EXPRESSION`."""
    if isinstance(node, nodes.Output):
        for printed in node.nodes:
            if isinstance(printed, nodes.TemplateData):
                out.append((printed.data, printed.lineno))
            else:
                out.append((_EXPRESSION, printed.lineno))
        return
    for child in node.iter_child_nodes():
        _stream(child, out)


def _words(text: str) -> list[str]:
    return [
        word
        for word in text.replace(_EXPRESSION, " ").split()
        if _LETTER.search(word) and word.strip(".,:;()") not in NOT_TRANSLATED
    ]


class _Reader(HTMLParser):
    def __init__(self, lines: list[int]) -> None:
        super().__init__(convert_charrefs=True)
        self._lines = lines
        self._raw = 0  # inside <script> or <style>
        self.found: list[tuple[int, str]] = []

    def _line(self) -> int:
        return self._lines[min(self.getpos()[0] - 1, len(self._lines) - 1)]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw += 1
        kind = dict(attrs).get("type")
        for name, value in attrs:
            read = name in _READ_ATTRIBUTES or (name == "value" and tag == "input" and kind in ("submit", "button"))
            if read and value and _words(value):
                self.found.append((self._line(), f"{name}={value.replace(_EXPRESSION, '{{…}}')!r}"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = max(0, self._raw - 1)

    def handle_data(self, data: str) -> None:
        if not self._raw and _words(data):
            self.found.append((self._line(), data.strip()))


def untranslated(environment: Environment, source: str, name: str = "<template>") -> list[Untranslated]:
    """Every piece of `source`'s text a person reads that is outside a translation call."""
    pieces: list[tuple[str, int]] = []
    _stream(environment.parse(source, name=name), pieces)
    text = "".join(piece for piece, _ in pieces)
    # The template line of each line of the laid-out text (expressions and tags may span lines).
    lines: list[int] = []
    for piece, line in pieces:
        lines.extend([line] * piece.count("\n"))
    lines.append(pieces[-1][1] if pieces else 1)
    reader = _Reader(lines)
    reader.feed(text)
    reader.close()
    return [Untranslated(name, line, found.replace(_EXPRESSION, "{{…}}")) for line, found in reader.found]
