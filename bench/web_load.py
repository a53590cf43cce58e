"""The web app under load: 50 advisers and a coordinator browsing a 371-owner cohort, beside a bare page.

Run with `make bench` (or `.venv/bin/python bench/web_load.py`; `--help` lists the options). It starts what
`make dev` runs, each as a process of its own where `make dev` or a deployment has one: embedded PostgreSQL and
the Temporal dev server (bench/common.py), the worker (``python worker.py``), the local OpenID provider of
`make dev` (devstack/identity_provider.py, in this process) and the web app (``python -m webapp``, as a
deployment serves it: uvicorn with `webapp.server`'s settings, from ``--processes`` processes, by default one per
CPU as a deployment on this machine would set ``GUIDANCE_WEB_PROCESSES``). Then:

1. a cohort of all 371 owners (bench/cohort_start.py's, with 50 advisers: one or two per owner) is started
   by the worker and waited for until every period's row is in the record store;
2. queries per page: the same app in this process, on a pool that counts the statements its connections run,
   signed in as the coordinator (every owner's row) and as one adviser (about ten rows), asks for each page
   kind once to warm up and once to count. A page whose count grows with its rows issues a query per row;
3. the load: a process of its own (bench/web_load_client.py) signs the 50 advisers and the coordinator in
   through the provider and has them browse for ``--seconds``, each round the cohort overview, one of their
   periods, their task list and the cohort's CSV report, at most ``--concurrency`` requests in flight;
   meanwhile this process asks ``/healthz`` every 200 ms;
4. the baseline: bench/bare_web.py, a bare Starlette and Jinja page rendering the same rows from memory,
   served by uvicorn with the same settings and as many processes, loaded by the same generator at the same
   concurrency (each person asking for the rows they would see in the overview), with ``/healthz`` asked the
   same way.

Targets (issue 21): the overview's 95th percentile within 3 times the bare page's, no failed request, and
``/healthz`` within 50 ms throughout (its slowest answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from temporalio.client import Client, WorkflowQueryFailedError  # noqa: E402
from temporalio.service import RPCError  # noqa: E402

from activities.db import create_pool  # noqa: E402
from bench.cohort_start import cohort_input  # noqa: E402
from bench.common import (  # noqa: E402
    BenchmarkError,
    Figure,
    Target,
    median,
    parser,
    percentile,
    print_table,
    report_header,
    run_benchmark,
    stack,
    within,
    write_results,
)
from bench.web_load_client import sign_in  # noqa: E402
from devstack.identity_provider import local_identity_provider  # noqa: E402
from devstack.temporal_server import free_port  # noqa: E402
from domain.contract import TASK_QUEUE  # noqa: E402
from readmodel.records import PeriodRow, RecordReader  # noqa: E402
from starter.cohorts import start_cohort  # noqa: E402
from webapp.app import WebApp, create_app  # noqa: E402
from webapp.settings import WebSettings  # noqa: E402
from webapp.users import UserDirectory  # noqa: E402
from workflows.cohort import CohortWorkflow  # noqa: E402

NAME = "web_load"
#: The page kinds every person visits, in this order, round and round.
KINDS = ("overview", "period", "tasks", "report.csv")
ADVISERS = tuple(f"v{n:02d}.veileder" for n in range(1, 51))
COORDINATOR = "coordinator"
HEALTH_INTERVAL = 0.2
SECRET = "bench-web-load-" + "s" * 40
OVERVIEW_RATIO = Target("ratio", "<=", 3)
NO_ERRORS = Target("value", "<=", 0)
HEALTH_MS = Target("value", "<=", 50)


@dataclass
class Load:
    """What one load run measured: every request (page kind, seconds, status) and every `/healthz` answer."""

    seconds: float
    requests: list[tuple[str, float, int]]
    failures: list[str]
    failure_count: int
    health: list[float]
    health_failures: int

    def latencies(self, kind: str) -> list[float]:
        return [seconds for k, seconds, status in self.requests if k == kind and status == 200]


# --- the processes -------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def process(name: str, args: Sequence[str], env: dict[str, str], log: Path) -> AsyncIterator[None]:
    """Run ``python ARGS`` in the repository with `env`, its output in `log`; stopped (SIGTERM, then SIGKILL)."""
    with log.open("wb") as out:
        child = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    try:
        yield
        if child.returncode is not None:
            raise BenchmarkError(f"{name} ended early ({child.returncode}); its log: {log}")
    finally:
        if child.returncode is None:
            child.terminate()
            try:
                await asyncio.wait_for(child.wait(), 20)
            except TimeoutError:
                child.kill()
                await child.wait()


async def answering(url: str, patience: float, what: str) -> None:
    async def poll() -> None:
        async with httpx.AsyncClient(timeout=2) as http:
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(url)).status_code == 200:
                        return
                await asyncio.sleep(0.2)

    await within(poll(), patience, what)


async def cohort_in_store(client: Client, reader: RecordReader, name: str, owners: int, patience: float) -> None:
    """Start the cohort and wait until the worker has started every period and each period's row is written."""
    handle = await start_cohort(client, cohort_input(name, owners, ADVISERS), task_queue=TASK_QUEUE)

    async def settled() -> None:
        while True:
            with contextlib.suppress(WorkflowQueryFailedError, RPCError):
                status = await handle.query(CohortWorkflow.status)
                started = status.periods_started == owners and status.records_pending == 0
                if started and len(await reader.periods(cohort=name)) == owners:
                    return
            await asyncio.sleep(0.5)

    await within(settled(), patience, f"the cohort of {owners} owners in the record store")


def plans_of_people(cohort: str, rows: list[PeriodRow]) -> list[dict[str, Any]]:
    """Each person's round of pages: the overview, one of their periods (a new one each round), tasks, CSV."""
    people = []
    for name in (COORDINATOR, *ADVISERS):
        theirs = rows if name == COORDINATOR else [p for p in rows if name in p.advisers]
        if not theirs:
            raise BenchmarkError(f"{name} follows no period of the cohort")
        pages = []
        for p in theirs[:4]:
            pages += [
                ["overview", f"/cohorts/{cohort}"],
                ["period", f"/periods/{p.workflow_id}"],
                ["tasks", "/tasks"],
                ["report.csv", f"/cohorts/{cohort}/report.csv"],
            ]
        people.append({"name": name, "pages": pages})
    return people


async def run_load(folder: Path, label: str, base_url: str, plan: dict[str, Any]) -> Load:
    """The load generator's process against `base_url`, and `/healthz` asked every 200 ms while it browses."""
    plan_file, result_file = folder / f"{label}-plan.json", folder / f"{label}-result.json"
    plan_file.write_text(json.dumps({**plan, "base_url": base_url}))
    generator = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "web_load_client.py"),
        str(plan_file),
        str(result_file),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert generator.stdout is not None
    health: list[float] = []
    health_failures = 0
    # The generator says when it begins browsing (after signing everyone in): /healthz is timed from then on.
    await within(generator.stdout.readline(), 300, f"{label}: everyone signed in")
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        while generator.returncode is None:
            began = time.perf_counter()
            try:
                answer = await http.get("/healthz")
                if answer.status_code == 200:
                    health.append(time.perf_counter() - began)
                else:
                    health_failures += 1
            except httpx.HTTPError:
                health_failures += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(generator.wait(), max(0.0, HEALTH_INTERVAL - (time.perf_counter() - began)))
    if generator.returncode != 0:
        raise BenchmarkError(f"{label}: the load generator failed ({generator.returncode}); see its output above")
    result = json.loads(result_file.read_text())
    return Load(
        result["seconds"],
        [(str(k), float(s), int(c)) for k, s, c in result["requests"]],
        result["failures"],
        result["failure_count"],
        health,
        health_failures,
    )


# --- queries per page ----------------------------------------------------------------------------


async def queries_per_page(
    database_url: str, client: Client, settings: WebSettings, folder: Path, people: list[dict[str, Any]]
) -> dict[str, dict[str, int]]:
    """The statements each page kind issues, for the coordinator and the first adviser: the app in this process
    on a pool that counts them, each page asked once to warm up (plans, type codecs) and once counted."""
    statements: list[str] = []
    pool = await create_pool(
        database_url, min_size=1, max_size=4, query_logger=lambda q: statements.append(q.query), no_session_state=True
    )

    async def temporal() -> Client:
        return client

    counts: dict[str, dict[str, int]] = {}
    try:
        web = WebApp(
            reader=RecordReader(pool),
            temporal=temporal,
            users=UserDirectory.development(),
            settings=settings,
            secret=SECRET,
        )
        transport = httpx.ASGITransport(app=create_app(web))
        for person in people[:2]:
            async with (
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as app,
                httpx.AsyncClient(timeout=10) as provider,
            ):
                await sign_in(app, provider, person["name"])
                round_of_pages = dict(person["pages"][: len(KINDS)])
                for path in round_of_pages.values():
                    await app.get(path)
                counted = {}
                for kind, path in round_of_pages.items():
                    statements.clear()
                    answer = await app.get(path)
                    if answer.status_code != 200:
                        raise BenchmarkError(f"{path} as {person['name']}: HTTP {answer.status_code}")
                    await asyncio.sleep(0)  # the query logger is called soon after each statement
                    counted[kind] = len(statements)
                counts[person["name"]] = counted
    finally:
        await pool.close()
    return counts


# --- the run -------------------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000


async def main(options: Any) -> None:
    report_header(NAME, options.quick)
    began = time.perf_counter()
    owners = options.owners or (50 if options.quick else 371)
    seconds = options.seconds or (10.0 if options.quick else 60.0)
    cohort = "bench-web"
    async with stack("web") as servers:
        client = await servers.dev_server.connect()
        env = {
            **os.environ,
            "DATABASE_URL": servers.database_url,
            "TEMPORAL_ADDRESS": servers.dev_server.address,
            "GUIDANCE_DATA_DIR": str(servers.folder / "data"),
        }
        logs = servers.folder
        print(f"logs of the processes in {logs}", flush=True)
        async with process("the worker", ["worker.py"], env, logs / "worker.log"):
            with local_identity_provider(WebSettings(_env_file=None, secret=SECRET)) as settings:
                # The bench's advisers, known to the provider as the development users are (PUT /users/<sub>).
                async with httpx.AsyncClient(base_url=settings.oidc_issuer or "", timeout=10) as provider:
                    for name in ADVISERS:
                        claims = {
                            settings.oidc_name_claim: name,
                            "name": name,
                            settings.oidc_role_claim: [settings.oidc_adviser_values[0]],
                        }
                        (await provider.put(f"/users/{name}", json=claims)).raise_for_status()
                port = free_port()
                web_env = {
                    **env,
                    "GUIDANCE_WEB_PORT": str(port),
                    "GUIDANCE_WEB_SECRET": SECRET,
                    "GUIDANCE_WEB_OIDC_ISSUER": settings.oidc_issuer or "",
                    "GUIDANCE_WEB_OIDC_CLIENT_ID": settings.oidc_client_id or "",
                    "GUIDANCE_WEB_OIDC_CLIENT_SECRET": (
                        settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
                    ),
                    "GUIDANCE_WEB_OIDC_PROVIDER_NAME": settings.oidc_provider_name,
                    "GUIDANCE_WEB_PROCESSES": str(options.processes),
                }
                web_url = f"http://127.0.0.1:{port}"
                print(f"starting a cohort of {owners} owners with {len(ADVISERS)} advisers ...", flush=True)
                pool = await create_pool(servers.database_url, min_size=1, max_size=2)
                try:
                    reader = RecordReader(pool)
                    cohort_began = time.perf_counter()
                    await cohort_in_store(client, reader, cohort, owners, 600)
                    rows = await reader.periods(cohort=cohort)
                finally:
                    await pool.close()
                print(f"  every period's row written after {time.perf_counter() - cohort_began:.1f} s", flush=True)
                people = plans_of_people(cohort, rows)
                print("counting the queries of each page ...", flush=True)
                queries = await queries_per_page(servers.database_url, client, settings, servers.folder, people)
                plan = {"people": people, "concurrency": options.concurrency, "seconds": seconds, "sign_in": True}
                async with process("the web app", ["-m", "webapp"], web_env, logs / "webapp.log"):
                    await answering(f"{web_url}/healthz", 60, "the web app answering /healthz")
                    print(
                        f"browsing the web app: {len(people)} people, {options.concurrency} requests at a time, "
                        f"{seconds:.0f} s ...",
                        flush=True,
                    )
                    app_load = await run_load(servers.folder, "webapp", web_url, plan)
        # The baseline: the same people asking for the rows they would see, from memory, no sign-in.
        bare_port = free_port()
        bare_url = f"http://127.0.0.1:{bare_port}"
        bare_people = [
            {"name": p["name"], "pages": [["overview", f"/cohorts/{cohort}?as={p['name']}"]]} for p in people
        ]
        bare_plan = {**plan, "people": bare_people, "sign_in": False}
        bare_args = ["bench/bare_web.py", str(bare_port), servers.database_url, cohort, str(options.processes)]
        async with process("the bare page", bare_args, env, logs / "bare.log"):
            await answering(f"{bare_url}/healthz", 60, "the bare page answering /healthz")
            print(f"browsing the bare page: same people and concurrency, {seconds:.0f} s ...", flush=True)
            bare_load = await run_load(servers.folder, "bare", bare_url, bare_plan)
    figures = report(app_load, bare_load, queries, owners)
    print_table(f"{NAME}: {owners} owners, {len(people)} people, {options.concurrency} at a time", figures)
    if app_load.failures:
        print("\nfailed requests (the first few):")
        for failure in app_load.failures[:10]:
            print(f"  {failure}")
    details = {
        "owners": owners,
        "people": len(people),
        "concurrency": options.concurrency,
        "processes": options.processes,
        "seconds": seconds,
        "queries_per_page": queries,
        "requests": {kind: len(app_load.latencies(kind)) for kind in KINDS},
        "bare_requests": len(bare_load.latencies("overview")),
        "failures": app_load.failures,
        "health_polls": len(app_load.health),
    }
    write_results(NAME, options.output, figures, began=began, options=vars(options), details=details)


def report(app: Load, bare: Load, queries: dict[str, dict[str, int]], owners: int) -> list[Figure]:
    bare_overview = bare.latencies("overview")
    figures = []
    for kind in KINDS:
        seen = app.latencies(kind)
        baseline = kind == "overview"
        figures.append(
            Figure(
                f"{kind}: p50",
                ms(percentile(seen, 50)),
                ms(percentile(bare_overview, 50)) if baseline else None,
                "ms",
            )
        )
        figures.append(
            Figure(
                f"{kind}: p95",
                ms(percentile(seen, 95)),
                ms(percentile(bare_overview, 95)) if baseline else None,
                "ms",
                OVERVIEW_RATIO if baseline else None,
                "baseline: the bare page of the same rows" if baseline else "",
            )
        )
    figures += [
        Figure(
            "requests per second, all pages",
            len(app.requests) / app.seconds,
            len(bare.requests) / bare.seconds,
            "1/s",
            note="baseline: the bare page's",
        ),
        Figure("failed requests", app.failure_count, bare.failure_count, "", NO_ERRORS),
        Figure(
            "/healthz: slowest answer under load",
            ms(max(app.health, default=float("nan"))),
            ms(max(bare.health, default=float("nan"))),
            "ms",
            HEALTH_MS,
            f"{len(app.health)} answers, every {HEALTH_INTERVAL * 1000:.0f} ms; {app.health_failures} unanswered; "
            "baseline: the bare page's server under its load",
        ),
        Figure("/healthz: p99 under load", ms(percentile(app.health, 99)), ms(percentile(bare.health, 99)), "ms"),
        Figure("/healthz: p50 under load", ms(median(app.health)), ms(median(bare.health)), "ms"),
    ]
    coordinator, adviser = queries[COORDINATOR], queries[ADVISERS[0]]
    for kind in KINDS:
        per_row = kind != "period"  # a period page shows one period, whoever asks
        figures.append(
            Figure(
                f"queries: {kind}, coordinator",
                coordinator[kind],
                adviser[kind] if per_row else None,
                "",
                None,
                # No target: a coordinator's page also reads what only coordinators see (invitations, letters,
                # refused mail, the advisers), so the two roles differ by those few statements, not per row.
                f"baseline: the same page for {ADVISERS[0]} (their own rows; the coordinator sees all {owners})"
                if per_row
                else "",
            )
        )
    return figures


def options_parser() -> Any:
    p = parser("50 advisers and a coordinator browsing the web app, beside a bare page of the same rows.", NAME)
    p.add_argument("--owners", type=int, help="owners in the cohort (371; --quick: 50)")
    p.add_argument("--seconds", type=float, help="seconds of browsing each, app and baseline (60; --quick: 10)")
    p.add_argument("--concurrency", type=int, default=50, help="requests in flight at most (50)")
    p.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes serving the app (GUIDANCE_WEB_PROCESSES), and the bare page alike (this machine's CPUs)",
    )
    return p


if __name__ == "__main__":
    run_benchmark(main, options_parser().parse_args())
