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
import hmac
import sys
from collections.abc import Mapping, Sequence

import structlog
from aiohttp import web
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
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
        try:
            payloads = json_format.Parse(await request.text(), Payloads())
        except json_format.ParseError as error:
            return _error(400, f'expected {{"payloads": [...]}} as protobuf JSON: {error}', cors)
        try:
            if operation == "encode":
                result = await self._codec.encode(payloads.payloads)
            else:
                result = await self._codec.decode(payloads.payloads)
        except PayloadDecryptionError as error:
            return _error(400, str(error), cors)
        log.info(f"{operation}d", namespace=request.headers.get("X-Namespace", ""), payloads=len(payloads.payloads))
        body = json_format.MessageToJson(Payloads(payloads=result), indent=None)
        return web.Response(text=body, content_type="application/json", headers=cors)

    def _authorised(self, request: web.Request) -> bool:
        if self._token is None:
            return True
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        # compare_digest: the time taken must not tell how much of a guessed token was right.
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._token.encode())


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
