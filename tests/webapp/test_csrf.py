"""The multipart CSRF check in front of asgi-csrf (webapp/csrf.py), driven with the body in small pieces."""

from __future__ import annotations

from itsdangerous.url_safe import URLSafeSerializer
from starlette.types import Message, Receive, Scope, Send

from language.current import using
from webapp.csrf import TOKEN_WITHIN, MultipartCsrfToken

SECRET = "s" * 40
BOUNDARY = "xyz"


def _body(token: str, file_text: str = "a;b\n1;2\n") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="indicators"; filename="ind.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{file_text}\r\n--{BOUNDARY}--\r\n"
    ).encode()


async def _post(body: bytes, cookie: str, piece: int = 7) -> tuple[list[Message], dict[str, object]]:
    """Send `body` in pieces of `piece` bytes; answers what was sent back and what the app behind saw."""
    seen: dict[str, object] = {}
    chunks = [body[i : i + piece] for i in range(0, len(body), piece)]
    incoming: list[Message] = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        received = b""
        while True:
            message = await receive()
            received += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen["header"] = dict(scope["headers"]).get(b"x-csrftoken")
        seen["body"] = received
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> Message:
        return incoming.pop(0)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/selection/files",
        "headers": [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"cookie", f"session=abc; csrftoken={cookie}".encode()),
            (b"accept-language", b"en"),  # a refusal here follows the browser's language
        ],
    }
    await MultipartCsrfToken(app, SECRET)(scope, receive, send)
    return sent, seen


def _token() -> str:
    return URLSafeSerializer(SECRET).dumps("0123456789abcdef", "csrftoken")


async def test_the_token_read_in_pieces_reaches_asgi_csrf_as_its_header_and_the_body_is_replayed_whole() -> None:
    token = _token()
    body = _body(token)

    sent, seen = await _post(body, cookie=token)

    assert sent[0]["status"] == 200
    assert seen == {"header": token.encode(), "body": body}


async def test_a_token_that_is_not_the_cookies_or_a_cookie_not_signed_by_us_is_refused() -> None:
    token = _token()
    forged = URLSafeSerializer("another secret" * 3).dumps("0123456789abcdef", "csrftoken")

    wrong, wrong_seen = await _post(_body("not-the-token"), cookie=token)
    unsigned, unsigned_seen = await _post(_body(forged), cookie=forged)

    assert wrong[0]["status"] == 403 and wrong_seen == {}
    assert unsigned[0]["status"] == 403 and unsigned_seen == {}


async def test_a_token_beyond_the_first_fields_is_refused_without_reading_on() -> None:
    token = _token()
    padding = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n{"x" * (TOKEN_WITHIN + 10_000)}\r\n'
    ).encode()

    with using("en"):  # the language RequestBounds sets from the browser's, outside this middleware
        sent, seen = await _post(padding + _body(token), cookie=token, piece=4096)

    assert sent[0]["status"] == 403 and b"no csrftoken in the first 64 kB" in sent[1]["body"]
    assert seen == {}
