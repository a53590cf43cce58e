"""readmodel.rendering: a render's data is freed by reference counting when the render ends, not left in reference
cycles for the cycle collector, and the template modules Jinja keeps between renders keep working."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from jinja2 import DictLoader, Environment, Template

from readmodel.rendering import FreedTemplate

TEMPLATES = {
    # A macro of its own, one imported with the page's context, one without, and an include that defines one.
    "page.html": (
        '{% from "rows.html" import row with context %}{% import "plain.html" as plain %}'
        "{% macro title(t) %}<h1>{{ t }}</h1>{% endmacro %}"
        "{{ title(heading) }}{% for r in rows %}{{ row(r) }}{% endfor %}{{ plain.rule() }}"
        '{% include "footer.html" %}'
    ),
    "rows.html": "{% macro row(r) %}<p>{{ r.name }} of {{ heading }}</p>{% endmacro %}",
    "plain.html": "{% macro rule() %}<hr>{{ mark }}{% endmacro %}",
    "footer.html": "{% macro sign(n) %}<footer>{{ n }}</footer>{% endmacro %}{{ sign(rows | length) }}",
}


class Row:
    """A row of page data that a weak reference can follow."""

    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture
def no_collector() -> Iterator[None]:
    """CPython's cycle collector off for the test: what is freed is freed by reference counting."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _environment(template_class: type[Template]) -> Environment:
    environment = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    environment.template_class = template_class
    environment.globals["mark"] = "§"  # a global the macro of the module Jinja keeps looks up in its context
    return environment


def _render_and_watch(environment: Environment) -> tuple[str, list[weakref.ref[Row]]]:
    rows = [Row("Drammen"), Row("Bergen")]
    watched = [weakref.ref(r) for r in rows]
    html = environment.get_template("page.html").render(heading="2027", rows=rows)
    del rows
    return html, watched


@pytest.mark.usefixtures("no_collector")
def test_a_renders_data_is_freed_when_the_render_ends() -> None:
    html, watched = _render_and_watch(_environment(FreedTemplate))

    assert html == ("<h1>2027</h1><p>Drammen of 2027</p><p>Bergen of 2027</p><hr>§<footer>2</footer>"), (
        "every kind of macro rendered as Jinja renders it"
    )
    assert all(ref() is None for ref in watched), "the rows are gone with no collector run"


@pytest.mark.usefixtures("no_collector")
def test_jinjas_own_template_keeps_the_data_in_cycles_until_the_collector_runs() -> None:
    """What FreedTemplate is for: the same render with Jinja's own class keeps the rows."""
    _, watched = _render_and_watch(_environment(Template))

    assert all(ref() is not None for ref in watched)
    gc.collect()
    assert all(ref() is None for ref in watched)


def test_a_module_jinja_keeps_between_renders_still_works_after_them() -> None:
    environment = _environment(FreedTemplate)
    first = environment.get_template("page.html").render(heading="2027", rows=[Row("Drammen")])
    second = environment.get_template("page.html").render(heading="2028", rows=[Row("Bergen"), Row("Molde")])

    assert first == "<h1>2027</h1><p>Drammen of 2027</p><hr>§<footer>1</footer>"
    assert second == "<h1>2028</h1><p>Bergen of 2028</p><p>Molde of 2028</p><hr>§<footer>2</footer>"
