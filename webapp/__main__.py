"""`python -m webapp`: the web app on its own, against `DATABASE_URL` and the Temporal the environment names."""

from __future__ import annotations

import asyncio
import signal
import sys

from config.people import PeopleFileError
from config.settings import AppSettings
from webapp.mailbox_pages import DevMailboxRefused
from webapp.server import bind_socket, lazy_client, web_app_running, web_url
from webapp.settings import WebSettings
from webapp.users import UsersFileError


async def _serve() -> None:
    settings, app_settings = WebSettings(), AppSettings()
    if not app_settings.database_url:
        raise SystemExit("error: set DATABASE_URL to the record store (or use `make dev`, which starts everything)")
    sock = bind_socket(settings.host, settings.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with web_app_running(
        sock,
        database_url=app_settings.database_url,
        temporal=lazy_client(),
        data_dir=app_settings.data_dir,
        settings=settings,
    ):
        print(f"Web app: {web_url(sock)}  (Ctrl-C stops it)", flush=True)
        await stop.wait()


def main() -> int:
    try:
        asyncio.run(_serve())
    except (OSError, UsersFileError, PeopleFileError, DevMailboxRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
