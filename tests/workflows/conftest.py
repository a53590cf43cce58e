"""Figures the workflow tests report at the end of a run (pytest's terminal summary), such as history sizes."""

from __future__ import annotations

import pytest

#: One line per figure, added by a test (`report_figure`) and printed after the run.
FIGURES: list[str] = []


def report_figure(line: str) -> None:
    """Print `line` in the run's terminal summary (a figure a reader compares across runs, not an assertion)."""
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("workflow figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
