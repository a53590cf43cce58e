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

#: Stands for a printed expression: a private-use character, neither a letter nor whitespace (str.split cuts at
#: control characters such as "\x1f", which would part an id from the expression it is built around).
_EXPRESSION = "\ue000"
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


#: Markup a macro prints inside a tag (`aria-invalid="true"`): an attribute, not text.
_ATTRIBUTE = re.compile(r"[a-z][\w:-]*=")


def _words(text: str) -> list[str]:
    """The words of `text` a person reads; a word glued to a printed expression is an id or address part."""
    return [
        word
        for word in text.split()
        if _LETTER.search(word)
        and _EXPRESSION not in word
        and not _ATTRIBUTE.match(word)
        and word.strip(".,:;()") not in NOT_TRANSLATED
    ]


class _Reader(HTMLParser):
    def __init__(self, lines: list[int]) -> None:
        super().__init__(convert_charrefs=True)
        self._lines = lines
        self._raw = 0  # inside <script> or <style>
        # The parser may hand one run of text over in pieces: it is judged whole, at the next tag or the end.
        self._text: list[str] = []
        self._text_line = 1
        self.found: list[tuple[int, str]] = []

    def _judge_text(self) -> None:
        data = "".join(self._text)
        self._text = []
        if not self._raw and _words(data):
            self.found.append((self._text_line, data.strip()))

    def _line(self) -> int:
        return self._lines[min(self.getpos()[0] - 1, len(self._lines) - 1)]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._judge_text()
        if tag in ("script", "style"):
            self._raw += 1
        kind = dict(attrs).get("type")
        for name, value in attrs:
            read = name in _READ_ATTRIBUTES or (name == "value" and tag == "input" and kind in ("submit", "button"))
            if read and value and _words(value):
                self.found.append((self._line(), f"{name}={value.replace(_EXPRESSION, '{{…}}')!r}"))

    def handle_endtag(self, tag: str) -> None:
        self._judge_text()
        if tag in ("script", "style"):
            self._raw = max(0, self._raw - 1)

    def handle_data(self, data: str) -> None:
        if not self._text:
            self._text_line = self._line()
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._judge_text()


def untranslated(environment: Environment, source: str, name: str = "<template>") -> list[Untranslated]:
    """Every piece of `source`'s text a person reads that is outside a translation call."""
    pieces: list[tuple[str, int]] = []
    _stream(environment.parse(source, name=name), pieces)
    text = "".join(piece for piece, _ in pieces)
    # The template line of each line of the laid-out text: a line begins after a newline of the template's text,
    # on the template line after it (expressions and tags may span lines, and lay out on none).
    lines = [pieces[0][1] if pieces else 1]
    for piece, line in pieces:
        lines.extend(line + n for n in range(1, piece.count("\n") + 1))
    reader = _Reader(lines)
    reader.feed(text)
    reader.close()
    return [Untranslated(name, line, found.replace(_EXPRESSION, "{{…}}")) for line, found in reader.found]
