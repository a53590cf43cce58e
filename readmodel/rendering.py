"""Templates whose render leaves no garbage for the cycle collector: a page's data is freed when the page is done.

Jinja compiles a template's macros to closures over the render's `Context`, and puts them in that context's
variables: a reference cycle (context -> macro -> context). An included template or one imported "with context"
gets a context of its own holding every variable of the page. So after each render the page's whole data (for the
coordinator's cohort overview, every owner's row, line and phase) stays in memory until CPython's cycle collector
finds it, and it is a collection that frees it: under load (bench/web_load.py) the web app spent about a tenth of
its time in collections, the longest holding every request of the process for a few hundred milliseconds, and
most of the data the collections freed had been moved to older generations (collected more rarely and at more
cost) because the collector ran while its page was still being rendered.

`FreedTemplate` (the web app's environment's `template_class`: webapp/app.py) clears, when a render ends, the
variables of every context the render made for itself, which breaks those cycles: reference counting then frees
the page's data at once, and the cycle collector finds nothing of it. A template module Jinja keeps between renders
(a template imported without context, made from the globals alone) is not the render's and is left as it is.
"""

from __future__ import annotations

import contextvars
from typing import Any

from jinja2 import Template
from jinja2.runtime import Context

#: The contexts the render in progress (in this thread) made for itself, to clear when it ends.
_made: contextvars.ContextVar[list[Context] | None] = contextvars.ContextVar("render_contexts", default=None)


class FreedTemplate(Template):
    """A Jinja template whose render breaks the reference cycles of its contexts when it ends (module docstring)."""

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Any = None,
    ) -> Context:
        context = super().new_context(vars, shared, locals)
        made = _made.get()
        # With no variables it is the module Jinja keeps for an import without context: not this render's.
        if made is not None and vars is not None:
            made.append(context)
        return context

    def render(self, *args: Any, **kwargs: Any) -> str:
        made: list[Context] = []
        token = _made.set(made)
        try:
            return super().render(*args, **kwargs)
        finally:
            _made.reset(token)
            for context in made:
                context.vars.clear()
                context.exported_vars.clear()
                context.parent = {}
