"""The codec server over real HTTP: the Web UI's decode request, the bearer token, CORS, the entry point."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from devstack.temporal_server import free_port
from starter.codec import AesGcmCodec
from starter.codec_keys import CodecSettings
from starter.codec_server import CodecServerError, app_from_settings, build_app
from starter.converter import DATA_CONVERTER
from tests.codec.keys import NEW, OLD, entry

TOKEN = "test-token-1234"
UI_ORIGIN = "http://localhost:8233"
NAME = "Kari Nordmann"
REPO = Path(__file__).resolve().parents[2]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
async def codec_url() -> AsyncIterator[str]:
    """A codec server on a free port with the keys NEW (encrypting) and OLD, the token and the dev UI origin."""
    app = build_app(AesGcmCodec([NEW, OLD]), token=TOKEN, ui_origins=[UI_ORIGIN])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def encrypted_as_the_worker_writes(text: str, key_codec: AesGcmCodec) -> dict[str, Any]:
    """A payload as Temporal's history holds it, in the protobuf JSON the Web UI sends (built by hand)."""
    [sealed] = await key_codec.encode(DATA_CONVERTER.payload_converter.to_payloads([text]))
    return {"metadata": {k: b64(v) for k, v in sealed.metadata.items()}, "data": b64(sealed.data)}


def ui_headers(**extra: str) -> dict[str, str]:
    """What the Web UI sends with a decode request (its namespace, and the token when it passes one)."""
    return {
        "Content-Type": "application/json",
        "X-Namespace": "default",
        "Origin": UI_ORIGIN,
        "Authorization": f"Bearer {TOKEN}",
        **extra,
    }


async def test_the_web_ui_decode_request_is_answered_with_clear_payloads(codec_url: str) -> None:
    old_payload = await encrypted_as_the_worker_writes(NAME, AesGcmCodec([OLD]))  # from before a rotation
    new_payload = await encrypted_as_the_worker_writes("adv-0042", AesGcmCodec([NEW]))
    plain_payload = {"metadata": {"encoding": b64(b"json/plain")}, "data": b64(b'"plain"')}

    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{codec_url}/decode",
            data=json.dumps({"payloads": [old_payload, new_payload, plain_payload]}),
            headers=ui_headers(),
        ) as response,
    ):
        body = await response.json()
        headers = response.headers

    assert response.status == 200
    assert headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    assert headers["Content-Type"].startswith("application/json")
    decoded = [
        (base64.b64decode(p["metadata"]["encoding"]), json.loads(base64.b64decode(p["data"]))) for p in body["payloads"]
    ]
    assert decoded == [(b"json/plain", NAME), (b"json/plain", "adv-0042"), (b"json/plain", "plain")]


async def test_encode_then_decode_round_trips_under_a_namespace_path(codec_url: str) -> None:
    clear = {"payloads": [{"metadata": {"encoding": b64(b"json/plain")}, "data": b64(json.dumps(NAME).encode())}]}

    async with aiohttp.ClientSession(headers=ui_headers()) as session:
        async with session.post(f"{codec_url}/default/encode", data=json.dumps(clear)) as response:
            encoded = await response.json()
        async with session.post(f"{codec_url}/default/decode", data=json.dumps(encoded)) as response:
            decoded = await response.json()

    [sealed] = encoded["payloads"]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == b"binary/encrypted"
    assert base64.b64decode(sealed["metadata"]["encryption-key-id"]) == NEW.id.encode()
    assert b"Nordmann" not in base64.b64decode(sealed["data"])
    assert decoded == clear


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}"])
async def test_a_request_without_the_token_is_refused(codec_url: str, authorization: str | None) -> None:
    headers = ui_headers()
    del headers["Authorization"]
    if authorization is not None:
        headers["Authorization"] = authorization
    payload = await encrypted_as_the_worker_writes(NAME, AesGcmCodec([NEW]))

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{codec_url}/decode", data=json.dumps({"payloads": [payload]}), headers=headers) as response,
    ):
        text = await response.text()

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["Access-Control-Allow-Origin"] == UI_ORIGIN, "the UI can read why"
    assert "Nordmann" not in text


async def test_the_browser_preflight_is_allowed_for_the_ui_origin_without_a_token(codec_url: str) -> None:
    preflight = {
        "Origin": UI_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace,authorization",
    }

    async with (
        aiohttp.ClientSession() as session,
        session.options(f"{codec_url}/decode", headers=preflight) as response,
    ):
        headers = response.headers

    assert response.status == 204
    assert headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-namespace", "authorization"} <= allowed
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Vary"] == "Origin"


async def test_another_origin_is_refused_even_with_the_token(codec_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.options(
            f"{codec_url}/decode", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        ) as preflight:
            preflight_status = preflight.status
            preflight_origin = preflight.headers.get("Access-Control-Allow-Origin")
        async with session.post(
            f"{codec_url}/decode", data='{"payloads": []}', headers=ui_headers(Origin="https://evil.example")
        ) as post:
            post_status = post.status

    assert (preflight_status, preflight_origin, post_status) == (403, None, 403)


async def test_decode_errors_name_the_problem(codec_url: str) -> None:
    unknown = await encrypted_as_the_worker_writes(NAME, AesGcmCodec([NEW.__class__("k2020", NEW.material)]))

    async with aiohttp.ClientSession(headers=ui_headers()) as session:
        async with session.post(f"{codec_url}/decode", data=json.dumps({"payloads": [unknown]})) as response:
            unknown_key = (response.status, (await response.json())["error"])
        async with session.post(f"{codec_url}/decode", data='{"payload": "not the shape"}') as response:
            bad_shape = (response.status, (await response.json())["error"])
        async with session.get(f"{codec_url}/decode") as response:
            wrong_method = response.status
        async with session.post(f"{codec_url}/elsewhere", data="{}") as response:
            unknown_path = response.status

    assert unknown_key[0] == 400
    assert "key 'k2020', which is not configured" in unknown_key[1]
    assert bad_shape[0] == 400
    assert 'expected {"payloads": [...]}' in bad_shape[1]
    assert (wrong_method, unknown_path) == (405, 404)


def test_the_server_refuses_to_run_without_keys_or_unguarded_beyond_loopback() -> None:
    keyed = CodecSettings(keys=(NEW,), host="0.0.0.0")

    with pytest.raises(CodecServerError, match="GUIDANCE_CODEC_KEYS is not set"):
        app_from_settings(CodecSettings(keys=()))
    with pytest.raises(CodecServerError, match=r"GUIDANCE_CODEC_TOKEN is not set.*not 0\.0\.0\.0"):
        app_from_settings(keyed)
    assert isinstance(app_from_settings(keyed.model_copy(update={"host": "127.0.0.1"})), web.Application)


async def test_the_entry_point_serves_the_configured_keys(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDANCE_CODEC_")}
    env.update(GUIDANCE_CODEC_KEYS=f"{entry(NEW)},{entry(OLD)}", GUIDANCE_CODEC_TOKEN=TOKEN)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.codec_server",
        "--port",
        str(port),
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        payload = await encrypted_as_the_worker_writes(NAME, AesGcmCodec([OLD]))
        body = await _post_when_listening(f"http://127.0.0.1:{port}/decode", {"payloads": [payload]})
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)

    assert f"Codec server on http://127.0.0.1:{port}" in banner
    assert "k2027 encrypts" in banner and "bearer token required" in banner
    assert json.loads(base64.b64decode(body["payloads"][0]["data"])) == NAME
    assert code == 0, "SIGTERM stops it cleanly"


async def _post_when_listening(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST once the server accepts connections (it prints its banner just before it binds)."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:
        for _ in range(100):
            try:
                async with session.post(url, data=json.dumps(body)) as response:
                    assert response.status == 200, await response.text()
                    answer: dict[str, Any] = await response.json()
                    return answer
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.1)
    raise AssertionError(f"nothing listens on {url}")
