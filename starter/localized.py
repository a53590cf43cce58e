"""The `guidance` command speaks the language of its environment (`LANG`, ...: `language.environment`).

The language is chosen when the command runs, not when its modules are imported: `LocalizedGroup.main` (what
both the console script and a test's `CliRunner` call) reads the environment, uses that language for the
whole run, and first translates the help of every command, option and argument.

Why the help is translated then, and not written translated at import: Typer and Click keep the help texts
of the decorators as plain strings from the moment a module is imported, and a module is imported once per
process, before anything could look at the environment (a test imports `starter.cli` while it collects, then
runs commands in several languages). So the help is written in English and marked with `N_` for the
catalogs, and `localize` looks each text up when the command tree for a run has been built (Typer builds it
afresh for every run). No module has to be imported in a particular order for this to work.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from language.current import gettext, using
from language.environment import language_from_environment


def typer_app(**options: Any) -> typer.Typer:
    """A Typer app of the `guidance` command tree: its help and usage errors in Click's plain layout.

    Not rich's: its help layout imports rich's Markdown, syntax and traceback modules on every `--help`, a
    tenth of a second of a command that should answer at once (bench/cli_startup.py). rich stays for the
    tables a command prints.
    """
    options.setdefault("cls", PlainHelpGroup)
    return typer.Typer(rich_markup_mode=None, **options)


class PlainHelpGroup(TyperGroup):
    """A group whose help lists each command with the first sentence of its help, not cut off after 45
    characters, as Click would."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=sys.maxsize)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class LocalizedGroup(PlainHelpGroup):
    """The root of the command tree: it runs in the environment's language and shows its help in it."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        # `using`, not `set_language`: the language ends with the run, so a test's next run reads it afresh.
        with using(language_from_environment(os.environ)):
            self.localize()
            return super().main(args, *rest, **options)

    def localize(self) -> None:
        """Translate the help of this command tree into the current language (the texts are the English msgids)."""
        translate_help(self)


def translate_help(command: Any) -> None:
    """Every help text of `command` and the commands under it, in the current language.

    `command` is a command of the Click that Typer carries inside it (`typer._click`, not a public module),
    so it is read by the attributes every Click command has: its help texts, `params` and a group's `commands`.
    """
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute, None)
        if text:
            setattr(command, attribute, gettext(text))
    for parameter in command.params:
        text = getattr(parameter, "help", None)
        if text:
            parameter.help = gettext(text)
    for child in getattr(command, "commands", {}).values():
        translate_help(child)
