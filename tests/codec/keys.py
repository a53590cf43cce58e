"""Keys for the codec tests: fixed bytes, so a failing test can be replayed exactly."""

from __future__ import annotations

import base64

from starter.codec_keys import KEY_BYTES, CodecKey

OLD = CodecKey("k2026", bytes(range(KEY_BYTES)))
NEW = CodecKey("k2027", bytes(range(100, 100 + KEY_BYTES)))


def entry(key: CodecKey) -> str:
    """The key as a `GUIDANCE_CODEC_KEYS` entry."""
    return f"{key.id}:{base64.b64encode(key.material).decode()}"
