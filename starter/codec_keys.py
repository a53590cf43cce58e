"""The encryption keys and codec server settings (environment prefix ``GUIDANCE_CODEC_``), and new keys.

`GUIDANCE_CODEC_KEYS` lists ``id:base64key`` entries separated by commas: the first key encrypts, every
key decrypts. Rotating is putting a new key first and keeping the old ones for as long as a history
written with them may be read (a period runs up to 30 months, and its history is kept for the
namespace's retention after it closes). Without keys, payloads stay plain JSON.

``python -m starter.codec_keys [--id ID]`` prints a new entry (``make codec-key``).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import ipaddress
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: AES-256-GCM: one key length only, so a short key can never slip in unnoticed.
KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_UI_ORIGIN = "http://localhost:8233"
DEFAULT_CODEC_PORT = 8234


class CodecKeyError(ValueError):
    """A `GUIDANCE_CODEC_*` setting that cannot be used; the message names it, never a key's material."""


@dataclass(frozen=True)
class CodecKey:
    """One AES-256-GCM key and the id written beside every payload it encrypts.

    Attributes:
        id: Short and stable (e.g. ``k2027a``): it is stored in each encrypted payload's metadata.
        material: The 32 key bytes (left out of the repr, so a log line never shows them).
    """

    id: str
    material: bytes = field(repr=False)


def parse_keys(text: str) -> tuple[CodecKey, ...]:
    """The keys of a `GUIDANCE_CODEC_KEYS` value, in order (the first one encrypts).

    Raises:
        CodecKeyError: An entry is malformed, an id repeats, or a key is not 32 bytes of base64.
    """
    keys: list[CodecKey] = []
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for number, entry in enumerate(entries, start=1):
        key_id, separator, encoded = entry.partition(":")
        key_id = key_id.strip()
        where = f"GUIDANCE_CODEC_KEYS entry {number}"
        if not separator or not KEY_ID_PATTERN.match(key_id):
            raise CodecKeyError(f"{where}: write id:base64key, the id of letters, digits, '.', '_' or '-' (at most 64)")
        where += f" ({key_id!r})"
        if any(key.id == key_id for key in keys):
            raise CodecKeyError(f"{where}: the id is used twice; each key needs its own id")
        try:
            material = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise CodecKeyError(f"{where}: the key is not valid base64") from None
        if len(material) != KEY_BYTES:
            raise CodecKeyError(
                f"{where}: the key is {len(material)} bytes; AES-256-GCM needs {KEY_BYTES} "
                "(make codec-key prints a new one)"
            )
        keys.append(CodecKey(key_id, material))
    return tuple(keys)


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


class CodecSettings(BaseSettings):
    """Payload encryption and the codec server. Environment prefix ``GUIDANCE_CODEC_``.

    Attributes:
        keys: ``id:base64key,...``; the first encrypts, all decrypt; none: plain payloads.
        token: The bearer token the codec server requires; unset, it serves loopback addresses only.
        ui_origins: The Web UI origins allowed to call the codec server from a browser (CORS).
        host: Where the codec server listens.
        port: The codec server's port.
    """

    # hide_input_in_errors: a malformed entry must not print the key material in the error.
    model_config = SettingsConfigDict(
        env_prefix="GUIDANCE_CODEC_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    keys: Annotated[tuple[CodecKey, ...], NoDecode] = ()
    token: SecretStr | None = None
    ui_origins: Annotated[tuple[str, ...], NoDecode] = (DEFAULT_UI_ORIGIN,)
    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_CODEC_PORT, ge=1, le=65535)

    @field_validator("keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: object) -> object:
        return parse_keys(value) if isinstance(value, str) else value

    @field_validator("ui_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("token")
    @classmethod
    def _empty_token_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        # `GUIDANCE_CODEC_TOKEN=` in a .env file means "no token", not "the empty token".
        return value if value is not None and value.get_secret_value() else None


def load_codec_settings() -> CodecSettings:
    """`CodecSettings` from the environment and .env, with any problem said in one line.

    Raises:
        CodecKeyError: A setting is invalid (the message names it, never a key's material).
    """
    try:
        return CodecSettings()
    except ValidationError as error:
        problems = "; ".join(
            f"GUIDANCE_CODEC_{'_'.join(map(str, problem['loc'])).upper()}: {problem['msg']}"
            if not problem["msg"].startswith("Value error, ")
            else problem["msg"].removeprefix("Value error, ")
            for problem in error.errors(include_url=False)
        )
        raise CodecKeyError(f"invalid settings: {problems}") from None


def is_loopback(host: str) -> bool:
    """True for addresses only this machine reaches (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_key_entry(key_id: str) -> str:
    """A fresh ``id:base64key`` entry from the operating system's random source.

    Raises:
        CodecKeyError: The id is not usable.
    """
    if not KEY_ID_PATTERN.match(key_id):
        raise CodecKeyError(f"key id {key_id!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


def main(argv: list[str] | None = None) -> int:
    """``python -m starter.codec_keys``: print a new key entry for `GUIDANCE_CODEC_KEYS`."""
    default_id = "k" + datetime.datetime.now(datetime.UTC).strftime("%Y%m%d")
    parser = argparse.ArgumentParser(
        prog="python -m starter.codec_keys",
        description="Print a new AES-256-GCM key as id:base64key. Put it first in GUIDANCE_CODEC_KEYS "
        "to encrypt with it; keep the older keys after it so old histories still decrypt.",
    )
    parser.add_argument("--id", default=default_id, help="the key's id (default: k and today's date, %(default)s)")
    args = parser.parse_args(argv)
    try:
        print(new_key_entry(args.id))
    except CodecKeyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
