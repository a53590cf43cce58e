"""Every message the code and templates show has a translation in each catalog, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from language import LANGUAGES, SOURCE, Language
from language.catalogs import LOCALES_DIR, compiled_path

ROOT = Path(__file__).parents[2]
TRANSLATED = [language for language in LANGUAGES if language != SOURCE]


def _extracted() -> dict[tuple[str | None, str | tuple[str, ...]], list[str]]:
    """Each message id of the sources (as `make messages` extracts them), with where it appears."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)  # type: ignore[no-untyped-call]
    # Keyed by (context, message): a pgettext's (context, id) must not read as a plural's (singular, plural).
    found: dict[tuple[str | None, str | tuple[str, ...]], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(ROOT, method_map, options_map):
        key = message if isinstance(message, str) else tuple(message)
        found.setdefault((context or None, key), []).append(f"{filename}:{lineno}")
    return found


def _catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str | tuple[str, ...]], list[str]]:
    messages = _extracted()
    assert len(messages) >= 10, "the extraction found (almost) nothing: babel.cfg does not match the sources"
    return messages


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation(
    language: str, extracted: dict[tuple[str | None, str | tuple[str, ...]], list[str]]
) -> None:
    catalog = _catalog(language)
    missing = []
    for (context, msgid), where in extracted.items():
        entry = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid, context=context)
        strings = entry.string if entry is not None else ""
        untranslated = not all(strings) if isinstance(strings, tuple) else not strings
        if entry is None or untranslated or entry.fuzzy:
            missing.append(f"{msgid!r} ({where[0]})")
    assert not missing, f"{len(missing)} message(s) without a {language} translation (run `make messages`):\n" + (
        "\n".join(missing[:40])
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language: str) -> None:
    problems = [f"{message.id!r}: {errors}" for message, errors in _catalog(language).check() if errors]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalog_is_current(language: Language) -> None:
    """`make` compiles each catalog from its .po; a stale .mo would show yesterday's words."""
    compiled = compiled_path(language)
    source = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    assert compiled.is_file(), f"{compiled} missing: run `make messages-compile`"
    assert compiled.stat().st_mtime >= source.stat().st_mtime, f"{compiled} is older than its .po"
