"""`python -m webapp`: the web app on its own, against `DATABASE_URL` and the Temporal the environment names.

With ``GUIDANCE_WEB_PROCESSES`` above 1 it serves the one port from that many processes (webapp/processes.py).
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys

from pydantic import ValidationError

from config.people import PeopleFileError
from config.settings import AppSettings
from webapp import page_work
from webapp.mailbox_pages import DevMailboxRefused
from webapp.processes import serve_forked
from webapp.server import bind_socket, lazy_client, web_app_running, web_url
from webapp.settings import WebSettings
from webapp.users import UsersFileError


async def _serve(sock: socket.socket, settings: WebSettings, app_settings: AppSettings, *, banner: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with web_app_running(
        sock,
        database_url=app_settings.database_url or "",
        temporal=lazy_client(),
        data_dir=app_settings.data_dir,
        settings=settings,
    ):
        if banner:
            shown = f"{settings.processes} processes" if settings.processes > 1 else "one process"
            print(f"Web app: {web_url(sock)}  ({shown}; Ctrl-C stops it)", flush=True)
        await stop.wait()


def _run(sock: socket.socket, settings: WebSettings, app_settings: AppSettings, index: int) -> int:
    try:
        asyncio.run(_serve(sock, settings, app_settings, banner=index == 0))
    except (OSError, UsersFileError, PeopleFileError, DevMailboxRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    try:
        settings, app_settings = WebSettings(), AppSettings()
    except ValidationError as error:  # which setting, what it holds and what is allowed
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not app_settings.database_url:
        print("error: set DATABASE_URL to the record store (`make dev` starts everything)", file=sys.stderr)
        return 1
    try:
        sock = bind_socket(settings.host, settings.port)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    page_work.steady_collector()
    return serve_forked(settings.processes, lambda index: _run(sock, settings, app_settings, index), sock)


if __name__ == "__main__":
    sys.exit(main())
