"""The progress bars of long commands (`starter.progress`): drawn on a terminal, nothing anywhere else."""

from __future__ import annotations

import io

from rich.console import Console

from starter.progress import counted_step, progress_bar, step
from tests.helpers.terminal import CLEARED, last_screen


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    written = io.StringIO()
    return Console(file=written, force_terminal=terminal, width=100, color_system=None), written


def test_on_a_terminal_a_counted_bar_names_the_step_running_and_counts_the_steps_done() -> None:
    console, written = _console(terminal=True)

    with progress_bar(console=console) as progress:
        bar = progress.add_task("Recording replay histories", total=3)
        with counted_step(progress, bar, "A period withdrawn"):
            pass
        with counted_step(progress, bar, "A cohort's life"):
            pass

    [line] = last_screen(written.getvalue())
    assert line.startswith("A cohort's life ") and " 2/3 " in line
    assert not written.getvalue().endswith(CLEARED), "the finished bar stays on screen"


def test_steps_of_unknown_size_each_get_a_line_that_is_full_once_done() -> None:
    console, written = _console(terminal=True)

    with progress_bar(counted=False, console=console) as progress:
        with step(progress, "Reading and checking indicators.csv"):
            pass
        with step(progress, "Scoring 371 school owners"):
            pass

    lines = last_screen(written.getvalue())
    assert [line.split("━")[0].strip() for line in lines] == [
        "Reading and checking indicators.csv",
        "Scoring 371 school owners",
    ]
    assert all("━" in line and "/" not in line for line in lines)


def test_a_transient_bar_is_erased_when_done() -> None:
    console, written = _console(terminal=True)

    with progress_bar(counted=False, transient=True, console=console) as progress, step(progress, "Scoring"):
        pass

    assert "Scoring" in written.getvalue() and written.getvalue().endswith(CLEARED)


def test_without_a_terminal_nothing_is_drawn() -> None:
    console, written = _console(terminal=False)

    with progress_bar(console=console) as progress:
        bar = progress.add_task("Starting the periods of cohort 2027", total=3)
        progress.update(bar, completed=3)

    assert written.getvalue() == ""
