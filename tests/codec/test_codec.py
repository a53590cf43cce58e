"""The AES-GCM payload codec: round trip, key rotation, and the errors a wrong key or altered data gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer

from starter.codec import (
    ENCODING,
    KEY_ID_METADATA,
    AesGcmCodec,
    EnginePayloadConverter,
    PayloadDecryptionError,
    UnknownKeyId,
    protected_data_converter,
)
from starter.connect import data_converter
from starter.converter import DATA_CONVERTER
from tests.codec.keys import NEW, OLD, entry
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.sandbox import workflow_runner

NAME = "Kari Nordmann"


def plain(text: str) -> Payload:
    """A payload as the pydantic converter writes a string."""
    return DATA_CONVERTER.payload_converter.to_payloads([text])[0]


async def test_a_payload_round_trips_and_its_ciphertext_hides_the_text() -> None:
    codec = AesGcmCodec([NEW])
    original = plain(NAME)

    [sealed] = await codec.encode([original])
    [opened] = await codec.decode([sealed])

    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == NEW.id.encode()
    assert b"Nordmann" not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString(), "the original encoding travels inside the ciphertext"
    assert opened == original


async def test_the_same_payload_encrypts_differently_each_time() -> None:
    codec = AesGcmCodec([NEW])

    first, second = await codec.encode([plain(NAME), plain(NAME)])

    assert first.data != second.data, "a fresh nonce each time: equal values must not show as equal ciphertext"


async def test_after_a_rotation_old_payloads_decrypt_and_new_ones_use_the_new_key() -> None:
    [written_before] = await AesGcmCodec([OLD]).encode([plain(NAME)])
    rotated = AesGcmCodec([NEW, OLD])

    [opened] = await rotated.decode([written_before])
    [written_after] = await rotated.encode([plain(NAME)])

    assert opened == plain(NAME)
    assert written_after.metadata[KEY_ID_METADATA] == NEW.id.encode()
    assert rotated.key_ids == (NEW.id, OLD.id)


async def test_a_payload_of_a_key_no_longer_configured_names_that_key() -> None:
    [written] = await AesGcmCodec([OLD]).encode([plain(NAME)])

    with pytest.raises(UnknownKeyId, match=r"key 'k2026', which is not configured \(GUIDANCE_CODEC_KEYS has k2027\)"):
        await AesGcmCodec([NEW]).decode([written])


async def test_altered_ciphertext_fails_authentication() -> None:
    codec = AesGcmCodec([NEW])
    [sealed] = await codec.encode([plain(NAME)])
    altered = Payload()
    altered.CopyFrom(sealed)
    altered.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])

    with pytest.raises(PayloadDecryptionError, match="key 'k2027' failed authentication: it was altered"):
        await codec.decode([altered])


async def test_a_payload_relabelled_with_another_configured_key_fails_authentication() -> None:
    codec = AesGcmCodec([NEW, OLD])
    [sealed] = await codec.encode([plain(NAME)])
    relabelled = Payload()
    relabelled.CopyFrom(sealed)
    relabelled.metadata[KEY_ID_METADATA] = OLD.id.encode()

    with pytest.raises(PayloadDecryptionError, match="key 'k2026' failed authentication"):
        await codec.decode([relabelled])


async def test_a_truncated_payload_or_one_without_key_id_is_refused_clearly() -> None:
    codec = AesGcmCodec([NEW])
    truncated = Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: NEW.id.encode()}, data=b"short")
    unlabelled = Payload(metadata={"encoding": ENCODING}, data=bytes(64))

    with pytest.raises(PayloadDecryptionError, match="truncated"):
        await codec.decode([truncated])
    with pytest.raises(PayloadDecryptionError, match=f"no {KEY_ID_METADATA} metadata"):
        await codec.decode([unlabelled])


async def test_plain_payloads_pass_through_decode() -> None:
    # Periods started before encryption was switched on, and clients without the codec, write plain JSON.
    original = plain(NAME)

    assert await AesGcmCodec([NEW]).decode([original]) == [original]


def test_a_codec_needs_a_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        AesGcmCodec([])


async def test_failure_messages_are_encrypted_and_restored_for_those_with_the_key() -> None:
    converter = protected_data_converter([NEW])
    failure = Failure()

    await converter.encode_failure(ApplicationError(f"refused: adviser {NAME}"), failure)
    stored = failure.SerializeToString()
    error = await converter.decode_failure(failure)

    assert b"Nordmann" not in stored
    assert str(error) == f"refused: adviser {NAME}"


async def test_without_keys_payloads_stay_plain_and_an_encrypted_one_is_explained() -> None:
    converter = protected_data_converter([])
    [written] = await protected_data_converter([NEW]).encode([NAME])

    [payload] = await converter.encode([NAME])

    assert converter.payload_codec is None
    assert payload == plain(NAME)
    with pytest.raises(UnknownKeyId, match="key 'k2027', but GUIDANCE_CODEC_KEYS is not set here"):
        await converter.decode([written], [str])


def test_every_client_and_worker_encrypts_when_the_environment_has_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of a developer's
    monkeypatch.setenv("GUIDANCE_CODEC_KEYS", f"{entry(NEW)}, {entry(OLD)}")
    keyed: DataConverter = data_converter()
    monkeypatch.delenv("GUIDANCE_CODEC_KEYS")
    unkeyed: DataConverter = data_converter()

    assert isinstance(keyed.payload_codec, AesGcmCodec)
    assert keyed.payload_codec.key_ids == (NEW.id, OLD.id)
    assert keyed.payload_converter_class is EnginePayloadConverter
    assert issubclass(EnginePayloadConverter, DATA_CONVERTER.payload_converter_class), "still the pydantic converter"
    assert unkeyed.payload_codec is None


HISTORIES = Path(__file__).resolve().parents[1] / "histories"
# Read at collection, so that the test does no blocking file I/O in the event loop.
PLAIN_HISTORY = (HISTORIES / "guidance_period-1.0-withdrawn.json").read_text()


async def test_switching_encryption_on_keeps_periods_started_without_it_running() -> None:
    # A period runs for years: a worker that gets keys must still replay what it wrote in plain JSON.
    history = WorkflowHistory.from_json("plain", json.loads(PLAIN_HISTORY))
    replayer = Replayer(
        workflows=[GuidancePeriodWorkflow, CohortWorkflow],
        data_converter=protected_data_converter([NEW]),
        workflow_runner=workflow_runner(),
    )

    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)

    assert result.replay_failure is None
