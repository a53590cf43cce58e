"""The pages' templates (webapp/app.py): a serving process compiles every one before it answers, so no page waits
for its templates after a start and a template that does not compile stops the start, not someone's page."""

from __future__ import annotations

from pathlib import Path

from starlette.templating import Jinja2Templates

from readmodel import documents
from webapp import app as web_app
from webapp.app import compile_all, page_templates


def _template_files(*folders: Path) -> set[str]:
    return {str(path.relative_to(folder)) for folder in folders for path in folder.rglob("*") if path.is_file()}


def _compiled(templates: Jinja2Templates) -> set[str]:
    """The names of the templates Jinja keeps compiled (its cache's keys: the loader and the name)."""
    assert templates.env.cache is not None
    return {name for _, name in templates.env.cache}


def test_every_template_of_the_pages_is_compiled_before_the_app_serves() -> None:
    templates = page_templates()

    names = compile_all(templates)

    assert set(names) == _template_files(web_app.HERE / "templates", documents.TEMPLATES)
    assert _compiled(templates) == set(names), "each one kept compiled"


def test_the_pages_templates_are_compiled_on_first_use_otherwise() -> None:
    """What compile_all changes: a fresh set of templates holds none compiled (the tests' many apps keep it so)."""
    assert _compiled(page_templates()) == set()
