"""`guidance` starts quickly because it imports only what the command it runs needs (issue 21): this checks which
modules a fresh process has loaded, not how long it took, so it holds on a busy machine too.

`guidance --help` may load Typer and Click, but none of (nor may a mistyped command, but for pydantic, which Typer
uses to read the root's options):

- ``temporalio``: the SDK and its Rust bridge, half a second on its own, needed by the commands that reach Temporal;
- ``pydantic``, ``domain.models`` (with the working-day calendar and its ``holidays``): the messages' models;
- ``structlog``: logging is set up when a command runs;
- ``asyncpg``, ``readmodel``, ``activities``, ``workflows``: the record store, the reports and the workflow code;
- ``babel``: the catalogs are read with the standard library's gettext;
- ``selection``: the indicator scoring of `guidance select`;
- ``rich``: the help is in Click's plain layout (`starter.localized.typer_app`); rich prints a command's tables;
- any command module (``starter.*_cli``): each is imported when its command runs.

`guidance status` needs Temporal's client, the models and rich, but not the worker side of the SDK
(``temporalio.worker``, loaded by the deployment calls of `guidance setup`), the selection, the record store, the
public holidays (``holidays``: the working-day calendar builds its tables when a working day is first asked for) or
Jinja (the read model's labels are plain functions; their template filters live in ``readmodel.display``), or the
workflows' code (the client asks a period's status query by name).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import typer.main

from starter import cli

ROOT = Path(__file__).parents[2]

#: What `guidance --help` must not import: the packages (and their submodules) named in the docstring.
NOT_FOR_HELP = (
    "temporalio",
    "pydantic",
    "pydantic_core",
    "domain.models",
    "domain.calendar",
    "holidays",
    "structlog",
    "asyncpg",
    "readmodel",
    "activities",
    "workflows",
    "babel",
    "selection",
    "rich",
)
#: What the module of `guidance status` must not import.
NOT_FOR_STATUS = (
    "temporalio.worker",
    "selection",
    "asyncpg",
    "readmodel.records",
    "starter.deployment",
    "holidays",
    "jinja2",
    "workflows",
)


def loaded_after(script: str) -> set[str]:
    """The modules a fresh interpreter holds after running `script` (which must not write to stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", f"{script}\nimport sys\nprint('\\n'.join(sys.modules), file=sys.stderr)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(done.stderr.split())


def running(*args: str) -> str:
    """A script that runs `guidance ARGS` in-process, as the console script would, its output put aside."""
    return (
        "import contextlib, io\nfrom starter import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    try:\n"
        f"        cli.app({list(args)!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
    )


def among(loaded: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == p or m.startswith(f"{p}.") for p in packages))


def test_the_help_loads_no_command_module_and_none_of_the_heavy_packages() -> None:
    loaded = loaded_after(running("--help"))

    assert "starter.cli" in loaded
    assert among(loaded, NOT_FOR_HELP) == []
    assert sorted(m for m in loaded if m.startswith("starter.") and m.endswith("_cli")) == []


def test_a_mistyped_command_loads_none_of_them_but_pydantic() -> None:
    loaded = loaded_after(running("no-such-command"))

    # Typer itself converts the root's options (--timeout) with pydantic once it parses them, as for every command.
    assert among(loaded, tuple(p for p in NOT_FOR_HELP if not p.startswith("pydantic"))) == []


def test_the_status_command_loads_the_client_but_not_the_worker_the_selection_or_the_store() -> None:
    loaded = loaded_after("import starter.period_cli")

    assert "temporalio.client" in loaded  # the check below would pass vacuously without it
    assert among(loaded, NOT_FOR_STATUS) == []


def test_the_negative_checks_can_fail() -> None:
    loaded = loaded_after("import starter.setup_cli, starter.select_cli")

    assert among(loaded, NOT_FOR_STATUS) != []
    assert among(loaded, NOT_FOR_HELP) != []


def test_every_command_a_module_defines_is_listed_once_with_the_module_that_defines_it() -> None:
    listed = [(c.name, c.module) for c in cli.COMMANDS]
    defined = []
    for module in sorted({m for _, m in listed}):
        group = typer.main.get_group(importlib.import_module(module).app)
        names = [group.name] if group.name else list(group.commands)
        defined += [(name, module) for name in names]

    assert len({name for name, _ in listed}) == len(listed)
    assert sorted(defined) == sorted(listed)
