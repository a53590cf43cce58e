"""Payload encryption: what Temporal stores of a period (inputs, updates, results, summaries, failures)
is AES-256-GCM ciphertext, so advisers' and contacts' names and addresses never sit in its history in
clear text.

An encrypted payload has the metadata ``encoding: binary/encrypted`` and ``encryption-key-id: <id>``;
its data is a 12-byte random nonce followed by the sealed original payload (metadata and data, so the
JSON encoding travels inside). The key id is bound to the ciphertext as associated data: a payload
relabelled with another key id fails authentication instead of decrypting under the wrong key.

Search attributes are not payloads the codec sees: Temporal indexes them in clear text. They must carry
ids only (docs/operating.md, "Protected data").
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    EncodingPayloadConverter,
    PayloadCodec,
)

from starter.codec_keys import CodecKey
from starter.converter import DATA_CONVERTER, ExplainingPydanticPayloadConverter

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
# AES-GCM's standard 96-bit nonce, drawn at random: safe up to about 2**32 payloads per key (NIST
# SP 800-38D), far more than one key encrypts between rotations.
NONCE_BYTES = 12
TAG_BYTES = 16


class PayloadDecryptionError(ValueError):
    """An encrypted payload this codec cannot open; the message names the key id and what to do."""


class UnknownKeyId(PayloadDecryptionError):
    """The payload was encrypted with a key that is not configured (removed too early, or never added)."""


def is_encrypted(payload: Payload) -> bool:
    """True when `payload` carries this codec's encoding."""
    return payload.metadata.get("encoding") == ENCODING


class AesGcmCodec(PayloadCodec):
    """Encrypts with the first key, decrypts with whichever key a payload names; plain payloads pass.

    Plain payloads pass through `decode` unchanged: periods started before encryption was switched on,
    and messages from clients without the codec, must still be readable.
    """

    def __init__(self, keys: Sequence[CodecKey]) -> None:
        """Args:
        keys: The configured keys, the encrypting one first.

        Raises:
            ValueError: No keys.
        """
        if not keys:
            raise ValueError("an encrypting codec needs at least one key")
        self._encrypting_id = keys[0].id
        self._ciphers = {key.id: AESGCM(key.material) for key in keys}

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The configured key ids, the encrypting one first."""
        return tuple(self._ciphers)

    # AES-GCM on a payload of a few kilobytes takes microseconds: no need to leave the event loop.
    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Each payload sealed with the first key."""
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Each encrypted payload opened; plain payloads as they are.

        Raises:
            UnknownKeyId: A payload names a key that is not configured.
            PayloadDecryptionError: A payload fails authentication (altered, or another key under its id).
        """
        return [self.decrypt(payload) if is_encrypted(payload) else payload for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        """`payload` (metadata and data) sealed with the encrypting key."""
        key_id = self._encrypting_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id.encode()}, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        """The original payload of an encrypted one (see `decode` for the errors)."""
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        if not key_id:
            raise PayloadDecryptionError(f"an encrypted payload has no {KEY_ID_METADATA} metadata")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownKeyId(
                f"payload encrypted with key {key_id!r}, which is not configured "
                f"(GUIDANCE_CODEC_KEYS has {', '.join(self._ciphers)}); add that key back to read it"
            )
        if len(payload.data) < NONCE_BYTES + TAG_BYTES:
            raise PayloadDecryptionError(f"payload encrypted with key {key_id!r} is truncated")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            opened = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag:
            raise PayloadDecryptionError(
                f"payload encrypted with key {key_id!r} failed authentication: it was altered, or it was "
                "encrypted with another key under the same id"
            ) from None
        original = Payload()
        original.ParseFromString(opened)
        return original


class _EncryptedPayloadRefusal(EncodingPayloadConverter):
    """Meets an encrypted payload the codec did not open, in a process without keys: says so plainly.

    Without it the SDK fails with "Unknown payload encoding binary/encrypted", which tells an operator
    nothing about the missing setting. It never encodes a value.
    """

    @property
    def encoding(self) -> str:
        return ENCODING.decode()

    def to_payload(self, value: Any) -> Payload | None:
        return None

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        raise UnknownKeyId(
            f"payload encrypted with key {key_id!r}, but GUIDANCE_CODEC_KEYS is not set here; "
            "set it as the workers have it (docs/operating.md, Protected data)"
        )


class EnginePayloadConverter(ExplainingPydanticPayloadConverter):
    """The pydantic converter with readable errors, which also explains an encrypted payload it cannot read."""

    @classmethod
    def encoding_converters(cls) -> tuple[EncodingPayloadConverter, ...]:
        return (*super().encoding_converters(), _EncryptedPayloadRefusal())


def protected_data_converter(keys: Sequence[CodecKey]) -> DataConverter:
    """The engine's data converter (`DATA_CONVERTER`), encrypting payloads under `keys` when there are any.

    Without keys there is no codec: payloads stay plain JSON. With keys, failure messages and stack
    traces move into the failure's encoded attributes, so the codec encrypts them too (an activity's
    error may quote a name); clients and workers that share the keys see the original messages.
    """
    plain = dataclasses.replace(DATA_CONVERTER, payload_converter_class=EnginePayloadConverter)
    if not keys:
        return plain
    return dataclasses.replace(
        plain, payload_codec=AesGcmCodec(keys), failure_converter_class=DefaultFailureConverterWithEncodedAttributes
    )
