"""`python -m webapp` with ``GUIDANCE_WEB_PROCESSES``: several processes on one port, stopped together.

Real processes and a real PostgreSQL: a session signed in through whichever process accepted the sign-in holds
on every later connection, whichever process accepts it; SIGTERM ends them all with status 0; a process that
dies on its own takes the service down with a failure instead of leaving it quietly smaller; a start-up error is
printed, not lost with the process that met it; and when the supervising process is killed outright, the
processes it started stop rather than keep the port as orphans.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import psutil

from tests.webapp.server_process import ServedApp, server_process
from tests.webapp.test_pages import sign_in

ENDS_WITHIN = 30


def _children(served: ServedApp) -> list[psutil.Process]:
    return psutil.Process(served.process.pid).children()


async def _ended(served: ServedApp) -> int:
    return await asyncio.to_thread(served.process.wait, ENDS_WITHIN)


async def test_two_processes_serve_one_port_share_sessions_and_stop_together_on_sigterm(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    with server_process(database_url, tmp_path / "var", GUIDANCE_WEB_PROCESSES="2") as served:
        children = _children(served)
        assert served.serving == "2 processes" and len(children) == 2
        base = f"http://{served.host}:{served.port}"
        async with httpx.AsyncClient(base_url=base) as signing:
            assert (await sign_in(signing, "coordinator", "coordinator-dev")).status_code == 303
            cookies = signing.cookies
        # A new connection each time, so that either process may accept it; every one knows the session.
        for _ in range(12):
            async with httpx.AsyncClient(base_url=base, cookies=cookies) as http:
                answer = await http.get("/tasks")
                assert answer.status_code == 200, answer.text[:300]

        served.process.send_signal(signal.SIGTERM)

        assert await _ended(served) == 0
        assert not any(_alive(child) for child in children)
        assert served.process.stdout is not None
        assert "Web app:" not in served.process.stdout.read(), "one banner for the service, not one per process"


async def test_a_process_that_dies_takes_the_service_down_with_a_failure(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    with server_process(database_url, tmp_path / "var", GUIDANCE_WEB_PROCESSES="2") as served:
        first, second = _children(served)

        first.kill()

        assert await _ended(served) == 1
        assert not _alive(second)


async def test_the_processes_stop_when_the_process_that_started_them_is_killed(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    with server_process(database_url, tmp_path / "var", GUIDANCE_WEB_PROCESSES="2") as served:
        children = _children(served)

        served.process.kill()

        gone, alive = await asyncio.to_thread(psutil.wait_procs, children, ENDS_WITHIN)
        assert not alive and len(gone) == 2


async def test_an_error_at_start_is_printed_by_the_process_that_met_it(postgres_url: str, tmp_path: Path) -> None:
    missing = urlunsplit(urlsplit(postgres_url)._replace(path="/no_such_database"))

    code, output = await _run_to_end(DATABASE_URL=missing, GUIDANCE_WEB_PORT="0", GUIDANCE_WEB_PROCESSES="2")

    assert code == 1
    assert 'database "no_such_database" does not exist' in output


async def test_a_process_count_below_one_is_refused_naming_the_setting(postgres_url: str) -> None:
    code, output = await _run_to_end(DATABASE_URL=postgres_url, GUIDANCE_WEB_PORT="0", GUIDANCE_WEB_PROCESSES="0")

    assert code == 1
    assert "error: 1 validation error for WebSettings\nprocesses\n" in output
    assert "greater than or equal to 1" in output and "Traceback" not in output


async def _run_to_end(**env: str) -> tuple[int | None, str]:
    """`python -m webapp` with `env` added, until it ends: its exit code and everything it printed."""
    started = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "webapp",
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(started.communicate(), ENDS_WITHIN)
    return started.returncode, output.decode()


def _alive(process: psutil.Process) -> bool:
    return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
