"""The worker's health endpoint, for a container orchestrator (Kubernetes probes, Compose healthchecks).

``GUIDANCE_HEALTH_PORT`` set, the worker answers plain HTTP on ``GUIDANCE_HEALTH_HOST:PORT``:

- ``GET /healthz`` (liveness): 200 while the process answers at all; a worker whose event loop is
  stuck answers nothing, and the orchestrator restarts it.
- ``GET /readyz`` (readiness): 200 when every check passes, else 503; the JSON body names each
  check and its problem. The worker's checks: the Temporal worker is polling its task queue, and
  the record store's PostgreSQL answers a query within two seconds.

``python -m activities.health [healthz|readyz]`` asks the worker on this machine (the port from
``GUIDANCE_HEALTH_PORT``) and exits 0 when it is healthy, 1 when not: the probe for images without
curl, such as the worker's (docker-compose.yml).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:  # the probe command imports this module every few seconds: it stays light
    import asyncpg
    from temporalio.worker import Worker

log = structlog.get_logger("health")

# A check returns None when all is well, or says what is wrong.
Check = Callable[[], Awaitable[str | None]]

CHECK_TIMEOUT = 2.0
_MAX_REQUEST_BYTES = 8192
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


def worker_check(worker: Worker) -> Check:
    """Ready when the Temporal worker has started and is not shutting down."""

    async def check() -> str | None:
        return None if worker.is_running else "not polling (starting or stopping)"

    return check


def postgres_check(pool: asyncpg.Pool) -> Check:
    """Ready when PostgreSQL gives a connection and answers ``SELECT 1``."""

    async def check() -> str | None:
        async with pool.acquire(timeout=CHECK_TIMEOUT) as connection:
            await connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT)
        return None

    return check


async def readiness(checks: Mapping[str, Check]) -> tuple[bool, dict[str, str]]:
    """Run every check at once, each within `CHECK_TIMEOUT` seconds.

    Returns:
        Whether all passed, and each check's ``"ok"`` or problem.
    """

    async def run(check: Check) -> str:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                problem = await check()
        except TimeoutError:
            return f"no answer within {CHECK_TIMEOUT:g}s"
        except Exception as error:  # a probe reports any failure; it must never raise itself
            return f"{type(error).__name__}: {error}"
        return problem or "ok"

    names = list(checks)
    results = await asyncio.gather(*(run(checks[name]) for name in names))
    report = dict(zip(names, results, strict=True))
    return all(result == "ok" for result in results), report


class HealthServer:
    """A minimal HTTP/1.1 server for ``/healthz`` and ``/readyz`` (no dependency beyond asyncio).

    Args:
        checks: The readiness checks by name.
    """

    def __init__(self, checks: Mapping[str, Check]) -> None:
        self.checks = dict(checks)

    async def answer(self, method: str, path: str) -> tuple[int, dict[str, Any]]:
        """The status code and JSON body for a request."""
        if path not in ("/healthz", "/readyz"):
            return 404, {"error": f"{path} not found; try /healthz or /readyz"}
        if method not in ("GET", "HEAD"):
            return 405, {"error": f"{method} not allowed; use GET"}
        if path == "/healthz":
            return 200, {"status": "alive"}
        ready, report = await readiness(self.checks)
        return (200 if ready else 503), {"status": "ready" if ready else "not ready", "checks": report}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one request and close the connection."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return
        method, path = "", ""
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(parts) == 3 and parts[2].startswith("HTTP/"):
            method, path = parts[0], parts[1].split("?", 1)[0]
            status, body = await self.answer(method, path)
        else:
            status, body = 400, {"error": "not an HTTP request"}
        content = (json.dumps(body) + "\n").encode()
        headers = (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(content)}\r\n"
            "Cache-Control: no-store\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        try:
            writer.write(headers if method == "HEAD" else headers + content)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
        if status == 503:
            log.warning("not ready", checks=body["checks"])

    @asynccontextmanager
    async def serving(self, host: str, port: int) -> AsyncIterator[asyncio.Server]:
        """Listen on `host`:`port` while the block runs."""
        server = await asyncio.start_server(self.handle, host, port, limit=_MAX_REQUEST_BYTES)
        log.info("health endpoint listening", host=host, port=port)
        try:
            yield server
        finally:
            server.close()
            await server.wait_closed()


def probe(path: str = "readyz", *, port: int | None = None, host: str = "127.0.0.1", timeout: float = 5.0) -> int:
    """Ask the health endpoint; 0 when it answers 200, 1 otherwise (the body goes to stdout)."""
    port = port or int(os.environ.get("GUIDANCE_HEALTH_PORT", "0"))
    if not port:
        print("GUIDANCE_HEALTH_PORT is not set", file=sys.stderr)
        return 1
    url = f"http://{host}:{port}/{path.lstrip('/')}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            print(response.read().decode(), end="")
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.read().decode(), end="")
        return 1
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(probe(*sys.argv[1:2]))
