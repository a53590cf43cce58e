"""The load generator of bench/web_load.py, a process of its own: people browsing the web app at a fixed concurrency.

    python bench/web_load_client.py PLAN.json RESULT.json

The plan (written by bench/web_load.py) names the app's address, the people, each person's pages in the order
they visit them, the concurrency and the seconds to browse. Each person signs in first through the identity
provider (`sign_in`: the app's OIDC sign-in, the provider's form, the app's callback), unless the plan says the
app has no sign-in (the bare baseline, which is told who asks in the query). Then every person visits their pages
round and round, one request at a time, and at most `concurrency` requests of all the people are in flight
together. The result holds every request's page kind, seconds and status (0: no answer), and the requests
that failed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

#: A request that takes longer is a failure (an error), not a latency.
REQUEST_TIMEOUT = 30.0


class SignInFailed(Exception):
    """The sign-in round trip did not end signed in (the message says where it stopped)."""


def _location(answer: httpx.Response, step: str) -> str:
    if answer.status_code not in (302, 303, 307) or "location" not in answer.headers:
        raise SignInFailed(f"{step}: expected a redirect, got {answer.status_code}: {answer.text[:200]}")
    return answer.headers["location"]


async def sign_in(app: httpx.AsyncClient, provider: httpx.AsyncClient, name: str) -> None:
    """Sign `name` in through the app's OpenID Connect sign-in, as a browser does: the app sends them to the
    provider, the local provider's form is posted with their name (`sub`), the provider sends them back to the
    app's callback, which sets the session cookie in `app`."""
    to_provider = _location(await app.get("/login/oidc", params={"next": "/"}), "the app's sign-in")
    back = urlsplit(_location(await provider.post(to_provider, data={"sub": name}), "the provider's form"))
    signed_in = await app.get(f"{back.path}?{back.query}")
    if _location(signed_in, "the app's callback") != "/":
        raise SignInFailed(f"the callback sent {name} to {signed_in.headers['location']}, not back to /")


async def browse(plan: dict[str, Any]) -> dict[str, Any]:
    gate = asyncio.Semaphore(plan["concurrency"])
    requests: list[tuple[str, float, int]] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=plan["concurrency"] + 10, max_keepalive_connections=plan["concurrency"])
    timeout = httpx.Timeout(REQUEST_TIMEOUT)
    people = plan["people"]
    clients = [httpx.AsyncClient(base_url=plan["base_url"], limits=limits, timeout=timeout) for _ in people]
    try:
        if plan["sign_in"]:
            async with httpx.AsyncClient(timeout=timeout) as provider:
                # A few at a time: signing in is not what is measured.
                signing = asyncio.Semaphore(8)

                async def one(client: httpx.AsyncClient, name: str) -> None:
                    async with signing:
                        await sign_in(client, provider, name)

                await asyncio.gather(*(one(c, p["name"]) for c, p in zip(clients, people, strict=True)))
        print("browsing", flush=True)  # bench/web_load.py times /healthz from here on
        began = time.perf_counter()
        ends = began + plan["seconds"]

        async def person(client: httpx.AsyncClient, pages: list[list[str]], offset: int) -> None:
            # People start at different pages, so the kinds are mixed from the first second on.
            i = offset
            while time.perf_counter() < ends:
                kind, path = pages[i % len(pages)]
                i += 1
                async with gate:
                    sent = time.perf_counter()
                    try:
                        answer = await client.get(path)
                        status = answer.status_code
                    except httpx.HTTPError as error:
                        status = 0
                        failures.append(f"{kind} {path}: {type(error).__name__}: {error}")
                    seconds = time.perf_counter() - sent
                if status != 200 and status != 0:
                    failures.append(f"{kind} {path}: HTTP {status}")
                requests.append((kind, seconds, status))

        await asyncio.gather(*(person(c, p["pages"], n) for n, (c, p) in enumerate(zip(clients, people, strict=True))))
        elapsed = time.perf_counter() - began
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return {"seconds": elapsed, "requests": requests, "failures": failures[:50], "failure_count": len(failures)}


def main(argv: list[str]) -> int:
    plan_file, result_file = Path(argv[0]), Path(argv[1])
    plan = json.loads(plan_file.read_text())
    try:
        result = asyncio.run(browse(plan))
    except SignInFailed as error:
        print(f"load generator: sign-in failed: {error}", file=sys.stderr)
        return 1
    result_file.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
