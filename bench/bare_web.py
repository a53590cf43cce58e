"""The baseline of bench/web_load.py: a bare Starlette and Jinja page rendering a cohort's rows from memory.

    python bench/bare_web.py PORT DATABASE_URL COHORT [PROCESSES]

It reads the cohort's periods from the record store once, at start, and then serves ``/cohorts/{cohort}``: a
table of the rows the person named by ``?as=`` would see in the real overview (a coordinator every owner, an
adviser the periods they follow), with no sign-in, no Temporal and no query. Served by uvicorn with the web
app's own settings (`webapp.server`: PROCESSES processes as `GUIDANCE_WEB_PROCESSES` gives the app, uvicorn's
default loop and HTTP protocol, warnings only, no access log, no lifespan), so the two differ only in the work a
page does. ``/healthz`` answers ``ok``.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import uvicorn
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import HTMLResponse, PlainTextResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from activities.db import create_pool  # noqa: E402
from readmodel.records import PeriodRow, RecordReader  # noqa: E402
from webapp.processes import serve_forked  # noqa: E402
from webapp.server import bind_socket, web_url  # noqa: E402

PAGE = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cohort {{ cohort }}</title></head>
<body><h1>Cohort {{ cohort }}</h1>
<table><thead><tr><th>Owner</th><th>Name</th><th>County</th><th>Phase</th><th>Start</th><th>Status</th>
<th>Advisers</th><th>Plan</th></tr></thead><tbody>
{% for p in rows %}<tr><td><a href="/periods/{{ p.workflow_id }}">{{ p.owner_id }}</a></td><td>{{ p.owner_name }}</td>
<td>{{ p.county }}</td><td>{{ p.phase }}</td><td>{{ p.start_date }}</td><td>{{ p.status }}</td>
<td>{{ p.advisers | join(", ") }}</td><td>{{ p.plan }}</td></tr>
{% endfor %}</tbody></table></body></html>
"""
)


def bare_app(cohort: str, rows: list[PeriodRow]) -> Starlette:
    async def overview(request: Request) -> Response:
        person = request.query_params.get("as", "")
        shown = rows if person == "coordinator" else [p for p in rows if person in p.advisers]
        return HTMLResponse(PAGE.render(cohort=cohort, rows=shown))

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(f"/cohorts/{cohort}", overview), Route("/healthz", healthz)])


async def _rows(database_url: str, cohort: str) -> list[PeriodRow]:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        return await RecordReader(pool).periods(cohort=cohort)
    finally:
        await pool.close()


async def _serve(sock: socket.socket, cohort: str, rows: list[PeriodRow]) -> None:
    config = uvicorn.Config(bare_app(cohort, rows), log_level="warning", access_log=False, lifespan="off")
    await uvicorn.Server(config).serve(sockets=[sock])


def main(port: int, database_url: str, cohort: str, processes: int) -> int:
    rows = asyncio.run(_rows(database_url, cohort))
    sock = bind_socket("127.0.0.1", port)
    print(f"bare page: {web_url(sock)}/cohorts/{cohort} ({len(rows)} rows, {processes} processes)", flush=True)
    return serve_forked(processes, lambda index: asyncio.run(_serve(sock, cohort, rows)) or 0, sock)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1))
