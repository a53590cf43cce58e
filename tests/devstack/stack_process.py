"""`python -m devstack` as a person starts it, in a subprocess on free ports with its own data folder.

Shared by the devstack and end-to-end tests. The subprocess gets a clean environment (no
`DATABASE_URL`, no `TEMPORAL_*`) and runs in a temporary working directory, so neither a developer's
settings nor a running `make dev` on 7233/8233 can change what a test sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psutil

from devstack.temporal_server import HOST, free_port

READY_TIMEOUT_SECONDS = 180.0
STOP_TIMEOUT_SECONDS = 60.0
T = TypeVar("T")

_FOREIGN_SETTINGS = (
    "DATABASE_URL",
    "GUIDANCE_DATABASE_URL",
    "GUIDANCE_DATA_DIR",
    "GUIDANCE_OUTBOX_DIR",
    "GUIDANCE_PEOPLE_FILE",
    "GUIDANCE_WEB_DEV_MAILBOX",
)


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], seconds: float = 10.0) -> T:
    """Call `probe` until `done` holds for its answer or `seconds` have passed; return the last answer.

    For what lags a little behind an action: Temporal's visibility, a record written by an activity.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = await probe()
        if done(value) or loop.time() > deadline:
            return value
        await asyncio.sleep(0.3)


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the settings that would point a subprocess elsewhere."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _FOREIGN_SETTINGS and not key.startswith("TEMPORAL_")
    }
    env.update(extra)
    return env


@dataclass
class RunningStack:
    """A `python -m devstack` that has printed its banner."""

    process: asyncio.subprocess.Process
    data_dir: Path
    port: int
    ui_port: int
    banner: list[str]
    stderr_path: Path
    children: list[psutil.Process] = field(default_factory=list)
    postmaster: psutil.Process | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.ui_port}"

    def banner_value(self, label: str) -> str:
        """The text after ``label:`` in the banner (e.g. ``Web UI``)."""
        for line in self.banner:
            if line.strip().startswith(f"{label}:"):
                return line.split(":", 1)[1].strip()
        raise AssertionError(f"no {label!r} line in the banner:\n" + "\n".join(self.banner))

    @property
    def database_url(self) -> str:
        """The record store's URL as the banner shows it (the embedded server has no password to hide)."""
        return self.banner_value("PostgreSQL").split("  (", 1)[0]

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        """Send `sig`, wait for the exit; return the exit code and what was printed after the banner."""
        if self.process.returncode is None:
            self.process.send_signal(sig)
        assert self.process.stdout is not None
        rest = await asyncio.wait_for(self.process.stdout.read(), STOP_TIMEOUT_SECONDS)
        code = await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_SECONDS)
        return code, rest.decode(errors="replace")

    def survivors(self) -> list[psutil.Process]:
        """The processes the stack started that still run (zombies, reaped by nobody, do not count)."""
        started = [*self.children, *([self.postmaster] if self.postmaster is not None else [])]
        alive = []
        for process in started:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
        return alive


def _postmaster(data_dir: Path) -> psutil.Process | None:
    """The embedded PostgreSQL server: started by pg_ctl, so not among our children."""
    pid_file = data_dir / "postgres" / "postmaster.pid"
    if not pid_file.exists():
        return None
    with contextlib.suppress(psutil.NoSuchProcess, ValueError, IndexError):
        return psutil.Process(int(pid_file.read_text().splitlines()[0]))
    return None


@contextlib.asynccontextmanager
async def devstack_process(
    data_dir: Path, *extra_args: str, env: dict[str, str] | None = None
) -> AsyncIterator[RunningStack]:
    """Start `python -m devstack` on free ports in `data_dir`; yield it once its banner is printed.

    `env` adds variables to the clean environment, e.g. ``DATABASE_URL``. The tests sign in with the development
    users' passwords, the explicit development option ``GUIDANCE_WEB_PASSWORD_SIGN_IN=true``, beside the local
    identity provider; the sign-in tests (tests/webapp/test_sign_in_browser.py) turn it off, as `make dev` has it.

    On exit the stack is stopped with SIGTERM (SIGKILL if it does not stop) unless a test stopped it.
    """
    port, ui_port = free_port(), free_port()
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    stderr_path = data_dir.parent / f"{data_dir.name}-devstack.stderr"
    args = ["-m", "devstack", "--port", str(port), "--ui-port", str(ui_port), "--data-dir", str(data_dir)]
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            *extra_args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            cwd=data_dir.parent,
            env=clean_environment(**{"GUIDANCE_WEB_PASSWORD_SIGN_IN": "true", **(env or {})}),
        )
    stack = RunningStack(process, data_dir, port, ui_port, [], stderr_path)
    try:
        await _read_banner(stack)
        stack.children = psutil.Process(process.pid).children(recursive=True)
        stack.postmaster = _postmaster(data_dir)
        yield stack
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _read_banner(stack: RunningStack) -> None:
    assert stack.process.stdout is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT_SECONDS
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"no banner within {READY_TIMEOUT_SECONDS:.0f} s; stderr:\n{stack.stderr()}")
        line = await asyncio.wait_for(stack.process.stdout.readline(), remaining)
        if not line:
            code = await stack.process.wait()
            raise AssertionError(f"python -m devstack exited with {code} before its banner; stderr:\n{stack.stderr()}")
        stack.banner.append(line.decode(errors="replace").rstrip("\n"))
        # The banner ends with a blank line after the commands to try.
        if stack.banner[-1] == "" and any(text.strip().startswith("Try:") for text in stack.banner):
            return
