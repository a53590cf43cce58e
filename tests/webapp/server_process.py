"""`python -m webapp` as `make web` and a deployment run it: a process of its own on a free port."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.webapp.conftest import SECRET

BANNER = re.compile(r"Web app: http://localhost:(\d+)  \((.+); Ctrl-C stops it\)")


@dataclass(frozen=True)
class ServedApp:
    host: str
    port: int
    #: What the banner says serves the port ("one process", "2 processes").
    serving: str
    process: subprocess.Popen[str]


@contextlib.contextmanager
def server_process(database_url: str, data_dir: Path, **env: str) -> Iterator[ServedApp]:
    """The web app on a free port once its banner is printed (`env`: more of its settings); stopped after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "webapp"],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "GUIDANCE_DATA_DIR": str(data_dir),
            "GUIDANCE_WEB_PORT": "0",
            "GUIDANCE_WEB_SECRET": SECRET,
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            found = BANNER.search(line)
            if found:
                yield ServedApp("127.0.0.1", int(found.group(1)), found.group(2), process)
                break
        else:
            pytest.fail(f"the web app did not start (exit {process.wait()})")
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)
