"""Progress bars of long command-line work: starting a cohort's periods (`guidance cohort start`), reading and
scoring an indicator file (`guidance select`), recording replay histories (`make histories`).

A bar is drawn on stderr, and only when stderr is a terminal: stdout carries the same table, CSV or JSON
whether a person watches or not, and a pipe, a log file or a test sees nothing extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TaskID, TextColumn, TimeElapsedColumn


def stderr_console() -> Console:
    """Standard error, where progress goes."""
    return Console(stderr=True, highlight=False)


def progress_bar(*, counted: bool = True, transient: bool = False, console: Console | None = None) -> Progress:
    """A progress display in the one style of the project: what is happening, a bar, how many of how many
    (when `counted`), the time so far. It draws nothing unless its console (default: stderr) is a terminal.

    Args:
        counted: Show "done/total"; off for steps whose size is not known beforehand.
        transient: Clear the bars when done, so what the command prints afterwards stands alone.
        console: Where to draw; the tests give a console of their own.
    """
    console = console or stderr_console()
    columns: list[ProgressColumn] = [TextColumn("{task.description}"), BarColumn()]
    if counted:
        columns.append(MofNCompleteColumn())
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=console, transient=transient, disable=not console.is_terminal)


@contextmanager
def step(progress: Progress, description: str) -> Iterator[TaskID]:
    """One step of unknown size: its own line with a pulsing bar while it runs, full once it is done."""
    task = progress.add_task(description, total=None)
    yield task
    progress.update(task, total=1, completed=1)


@contextmanager
def counted_step(progress: Progress, task: TaskID, description: str) -> Iterator[None]:
    """One of the steps a counted bar counts: the bar names it while it runs and counts it once it is done."""
    progress.update(task, description=description)
    yield
    progress.advance(task)
