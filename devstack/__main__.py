"""`python -m devstack [--demo] [--port 7233] [--ui-port 8233] [--data-dir var]`: what `make dev` runs."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from config.settings import AppSettings, InvalidPlanSettings
from devstack.stack import DEFAULT_MAIL_PORT, DEFAULT_PORT, DEFAULT_WEB_PORT, StackError, StackOptions, run_stack
from devstack.temporal_server import DevServerError
from starter.logs import configure_logging
from starter.search_attributes import SearchAttributeClash


def parse_args(argv: list[str] | None = None) -> StackOptions:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description=(
            "Run the guidance engine locally: Temporal dev server with its Web UI, PostgreSQL "
            "(DATABASE_URL, or an embedded server in the data folder) and the worker. Ctrl-C stops it all."
        ),
    )
    parser.add_argument("--demo", action="store_true", help="also start a few demo periods (cohort demo-2026)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="Temporal gRPC port (default %(default)s)")
    parser.add_argument("--ui-port", type=int, default=None, help="Web UI port (default: --port + 1000)")
    parser.add_argument(
        "--web-port",
        type=int,
        default=None,
        help=f"the web app's port (default {DEFAULT_WEB_PORT}; with another --port, any free port; 0: any free port)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder for Temporal's SQLite file, PostgreSQL and the outbox (default: GUIDANCE_DATA_DIR or var)",
    )
    args = parser.parse_args(argv)
    return StackOptions(
        data_dir=args.data_dir if args.data_dir is not None else AppSettings().data_dir,
        port=args.port,
        ui_port=args.ui_port if args.ui_port is not None else args.port + 1000,
        demo=args.demo,
        # Another --port means another stack beside this one (a test, a second checkout): its web app must not
        # clash with the first one's, so it takes any free port, shown in the banner.
        web_port=args.web_port if args.web_port is not None else (DEFAULT_WEB_PORT if args.port == DEFAULT_PORT else 0),
        mail_port=DEFAULT_MAIL_PORT if args.port == DEFAULT_PORT else 0,
    )


async def _run(options: StackOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_stack(options, stop)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    configure_logging()
    try:
        asyncio.run(_run(options))
    except (StackError, DevServerError, SearchAttributeClash, InvalidPlanSettings) as error:
        print(f"devstack: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
