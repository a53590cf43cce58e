"""The codec server's bounds: payloads and bytes per request, and one large request never holding up the others."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from temporalio.api.common.v1 import Payload

from starter.codec import AesGcmCodec
from starter.codec_server import MAX_PAYLOADS, MAX_REQUEST_BYTES, build_app
from tests.codec.keys import NEW
from tests.codec.test_codec_server import NAME, TOKEN, UI_ORIGIN, b64, encrypted_as_the_worker_writes, ui_headers


class SlowCodec(AesGcmCodec):
    """Takes a millisecond of the event loop's time a payload (as large payloads would), and tells when it began."""

    def __init__(self) -> None:
        super().__init__([NEW])
        self.began = asyncio.Event()

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        self.began.set()
        until = time.perf_counter() + 0.001 * len(payloads)
        while time.perf_counter() < until:
            pass  # CPU work on the event loop, as decoding is
        return await super().decode(payloads)


async def serve(codec: AesGcmCodec) -> tuple[web.AppRunner, str]:
    # A refused body is read and dropped for `lingering_time` before the connection closes (10 s by default).
    runner = web.AppRunner(build_app(codec, token=TOKEN, ui_origins=[UI_ORIGIN]), lingering_time=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def slow() -> AsyncIterator[tuple[SlowCodec, str]]:
    codec = SlowCodec()
    runner, url = await serve(codec)
    try:
        yield codec, url
    finally:
        await runner.cleanup()


def plain(n: int) -> list[dict[str, Any]]:
    return [{"metadata": {"encoding": b64(b"json/plain")}, "data": b64(b'"x"')} for _ in range(n)]


async def post(session: aiohttp.ClientSession, url: str, body: str | bytes) -> tuple[int, Any]:
    async with session.post(f"{url}/decode", data=body) as response:
        return response.status, await response.json()


async def test_tens_of_thousands_of_payloads_are_refused_naming_the_bound(slow: tuple[SlowCodec, str]) -> None:
    codec, url = slow
    async with aiohttp.ClientSession(headers=ui_headers()) as session:
        status, body = await post(session, url, json.dumps({"payloads": plain(20_000)}))
    assert status == 413
    assert body["error"].startswith(f"payloads: 20000 in one request, at most {MAX_PAYLOADS}"), body
    assert not codec.began.is_set(), "the refused request was decoded"


async def test_a_body_over_the_bound_is_refused_naming_it(slow: tuple[SlowCodec, str]) -> None:
    _, url = slow
    async with aiohttp.ClientSession(headers=ui_headers()) as session:
        status, body = await post(session, url, b" " * (MAX_REQUEST_BYTES + 1))
    assert status == 413
    assert body["error"].startswith("request body too large"), body
    assert f"at most {MAX_REQUEST_BYTES} bytes" in body["error"]


async def test_a_large_request_does_not_hold_up_a_normal_one(slow: tuple[SlowCodec, str]) -> None:
    """The most payloads one request may have (a second of decoding here) and, sent while they are decoded, one
    payload the Web UI asks for: that one is answered first, as the server takes the large one in chunks."""
    codec, url = slow
    normal = {"payloads": [await encrypted_as_the_worker_writes(NAME, AesGcmCodec([NEW]))]}
    async with aiohttp.ClientSession(headers=ui_headers()) as session:
        large = asyncio.create_task(post(session, url, json.dumps({"payloads": plain(MAX_PAYLOADS)})))
        await codec.began.wait()
        status, body = await post(session, url, json.dumps(normal))
        answered_while_large_ran = not large.done()
        large_status, large_body = await large
    assert (status, len(body["payloads"])) == (200, 1)
    assert answered_while_large_ran, "the normal request waited for the large one"
    assert (large_status, len(large_body["payloads"])) == (200, MAX_PAYLOADS)
