"""The codec server: the Temporal Web UI and the `temporal` CLI decode (and encode) payloads through it.

``python -m starter.codec_server`` (``make codec-server``) serves Temporal's codec protocol with the
keys of `GUIDANCE_CODEC_KEYS`: ``POST <prefix>/decode`` and ``POST <prefix>/encode`` take and return
``{"payloads": [{"metadata": {"encoding": "<base64>", ...}, "data": "<base64>"}]}`` (payloads as
protobuf JSON). Only the last path segment counts, so an endpoint with a namespace in its path
(``http://host:8234/default``) works too.

Who may ask:
- with `GUIDANCE_CODEC_TOKEN` set, every request must carry ``Authorization: Bearer <token>`` (401
  otherwise); without it the server refuses to listen on anything but a loopback address, for the
  local Web UI of `make dev`, which has no sign-in and so no token to send;
- browsers only from the origins of `GUIDANCE_CODEC_UI_ORIGINS` (default the dev Web UI,
  http://localhost:8233): their preflight is answered with the headers the UI sends (``Content-Type``,
  ``Authorization``, ``X-Namespace``), and any other origin gets 403.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import sys
from collections.abc import Mapping, Sequence

import structlog
from aiohttp import web
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from starter.codec import AesGcmCodec, PayloadDecryptionError
from starter.codec_keys import CodecKeyError, CodecSettings, is_loopback, load_codec_settings
from starter.logs import configure_logging

log = structlog.get_logger("codec_server")

OPERATIONS = ("encode", "decode")
ALLOWED_HEADERS = "Content-Type, Authorization, X-Namespace"
ALLOWED_METHODS = "POST, OPTIONS"
# The UI decodes a history's payloads in batches; Temporal's own limit is 2 MB a payload.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
#: Payloads in one request, at most. The Web UI and the CLI send an event's or a page's worth (a handful, a few
#: hundred at most); tens of thousands only a hostile or broken client sends.
MAX_PAYLOADS = 1000
#: Payloads encoded or decoded between two turns of the event loop, so one large request never keeps the server
#: from answering the others (parsing and writing the JSON run in a thread).
CHUNK = 50
PREFLIGHT_MAX_AGE_SECONDS = 600


class CodecEndpoint:
    """The one request handler: CORS, the bearer token, then encode or decode.

    Args:
        codec: What encodes and decodes.
        token: The bearer token every request must carry; None: no token is asked for.
        ui_origins: The browser origins allowed to call (exact ``scheme://host[:port]``).
    """

    def __init__(self, codec: PayloadCodec, *, token: str | None, ui_origins: Sequence[str]) -> None:
        self._codec = codec
        self._token = token
        self._origins = frozenset(origin.rstrip("/") for origin in ui_origins)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request (any path, any method: the checks below decide)."""
        operation = request.path.rstrip("/").rsplit("/", 1)[-1]
        if operation not in OPERATIONS:
            return _error(404, "not found: POST to .../encode or .../decode")
        origin = request.headers.get("Origin")
        if origin is not None and origin.rstrip("/") not in self._origins:
            # A page from elsewhere may not use the keys; not even the preflight is answered.
            return _error(403, f"origin {origin} is not allowed (GUIDANCE_CODEC_UI_ORIGINS)")
        cors = _cors_headers(origin)
        if request.method == "OPTIONS":
            # The preflight carries no Authorization header, so it is answered before the token check.
            return web.Response(status=204, headers=cors)
        if request.method != "POST":
            return _error(405, "use POST", {**cors, "Allow": ALLOWED_METHODS})
        if not self._authorised(request):
            return _error(401, "a bearer token is required", {**cors, "WWW-Authenticate": "Bearer"})
        if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
            return _closing(_error(413, _too_large(request.content_length), cors))
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _closing(_error(413, _too_large(None), cors))
        try:
            payloads = await asyncio.to_thread(_parse, body)
        except _Refused as refusal:
            return _error(refusal.status, str(refusal), cors)
        try:
            result = await self._in_chunks(operation, payloads)
        except PayloadDecryptionError as error:
            return _error(400, str(error), cors)
        log.info(f"{operation}d", namespace=request.headers.get("X-Namespace", ""), payloads=len(payloads))
        text = await asyncio.to_thread(json_format.MessageToJson, Payloads(payloads=result), indent=None)
        return web.Response(text=text, content_type="application/json", headers=cors)

    async def _in_chunks(self, operation: str, payloads: Sequence[Payload]) -> list[Payload]:
        """Encode or decode `CHUNK` payloads at a time, letting other requests in between."""
        work = self._codec.encode if operation == "encode" else self._codec.decode
        result: list[Payload] = []
        for start in range(0, len(payloads), CHUNK):
            if start:
                await asyncio.sleep(0)
            result.extend(await work(payloads[start : start + CHUNK]))
        return result

    def _authorised(self, request: web.Request) -> bool:
        if self._token is None:
            return True
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        # compare_digest: the time taken must not tell how much of a guessed token was right.
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._token.encode())


class _Refused(ValueError):
    """A request body the server does not take (`status`: 400 or 413)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _too_large(size: int | None) -> str:
    given = f" (got {size} bytes)" if size is not None else ""
    return f"request body too large{given}: at most {MAX_REQUEST_BYTES} bytes; send the payloads in smaller batches"


def _closing(response: web.Response) -> web.Response:
    """The answer to a body too large to read: the connection closes, so the client stops sending the rest."""
    response.force_close()
    return response


def _parse(body: bytes) -> list[Payload]:
    """The payloads of a request body (run in a thread: a large body takes a while to parse).

    Raises:
        _Refused: Not ``{"payloads": [...]}`` as protobuf JSON (400), or more than `MAX_PAYLOADS` (413).
    """
    expected = 'expected {"payloads": [...]} as protobuf JSON'
    try:
        document = json.loads(body)
    except ValueError as error:
        raise _Refused(400, f"{expected}: {error}") from None
    if not isinstance(document, dict):
        raise _Refused(400, f"{expected}: the body is not a JSON object")
    listed = document.get("payloads")
    if isinstance(listed, list) and len(listed) > MAX_PAYLOADS:
        raise _Refused(
            413, f"payloads: {len(listed)} in one request, at most {MAX_PAYLOADS}; send them in smaller batches"
        )
    try:
        return list(json_format.ParseDict(document, Payloads()).payloads)
    except json_format.ParseError as error:
        raise _Refused(400, f"{expected}: {error}") from None


def _cors_headers(origin: str | None) -> dict[str, str]:
    """The CORS answer for an allowed origin (nothing for a request without one, e.g. the CLI)."""
    if origin is None:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        # The UI's "include cross-origin credentials" option sends cookies; the browser needs this to allow it.
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
        "Vary": "Origin",
    }


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def build_app(codec: PayloadCodec, *, token: str | None, ui_origins: Sequence[str]) -> web.Application:
    """The codec server's application (the arguments are those of `CodecEndpoint`)."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_route("*", "/{path:.*}", CodecEndpoint(codec, token=token, ui_origins=ui_origins).handle)
    return app


class CodecServerError(Exception):
    """Settings the codec server cannot run with; printed as one line."""


def app_from_settings(settings: CodecSettings) -> web.Application:
    """The application for `settings`, checked.

    Raises:
        CodecServerError: No keys, or no token while listening beyond this machine.
    """
    if not settings.keys:
        raise CodecServerError("GUIDANCE_CODEC_KEYS is not set: there is nothing to decode with (make codec-key)")
    token = settings.token.get_secret_value() if settings.token is not None else None
    if token is None and not is_loopback(settings.host):
        raise CodecServerError(
            f"GUIDANCE_CODEC_TOKEN is not set: without a token the codec server listens on a loopback "
            f"address only, not {settings.host}"
        )
    return build_app(AesGcmCodec(settings.keys), token=token, ui_origins=settings.ui_origins)


def main(argv: list[str] | None = None) -> int:
    """``python -m starter.codec_server [--host HOST] [--port PORT]``; stops on Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m starter.codec_server",
        description="Serve Temporal's codec protocol with the keys of GUIDANCE_CODEC_KEYS (docs/operating.md).",
    )
    parser.add_argument("--host", default=None, help="listen address (default: GUIDANCE_CODEC_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: GUIDANCE_CODEC_PORT or 8234)")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        settings = load_codec_settings()
    except CodecKeyError as error:
        print(f"codec server: {error}", file=sys.stderr)
        return 2
    overrides = {name: value for name, value in (("host", args.host), ("port", args.port)) if value is not None}
    settings = settings.model_copy(update=overrides)
    try:
        app = app_from_settings(settings)
    except CodecServerError as error:
        print(f"codec server: {error}", file=sys.stderr)
        return 2
    key_ids = [key.id for key in settings.keys]
    print(
        f"Codec server on http://{settings.host}:{settings.port} (keys {', '.join(key_ids)}; {key_ids[0]} encrypts; "
        f"{'bearer token required' if settings.token else 'no token'}; Web UI origins "
        f"{', '.join(settings.ui_origins)}). Ctrl-C stops it.",
        flush=True,
    )
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
