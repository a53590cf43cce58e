"""`GUIDANCE_CODEC_*` settings: key entries, their errors (which never show key material), new keys."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner

from starter import cli, commands
from starter.codec_keys import (
    DEFAULT_UI_ORIGIN,
    KEY_BYTES,
    CodecKeyError,
    CodecSettings,
    is_loopback,
    load_codec_settings,
    main,
    new_key_entry,
    parse_keys,
)
from tests.codec.keys import NEW, OLD, entry


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither a developer's GUIDANCE_CODEC_* variables nor a .env file may change what these tests see."""
    monkeypatch.chdir(tmp_path)
    for name in ("KEYS", "TOKEN", "UI_ORIGINS", "HOST", "PORT"):
        monkeypatch.delenv(f"GUIDANCE_CODEC_{name}", raising=False)


def test_keys_are_read_in_order_with_spaces_allowed() -> None:
    assert parse_keys(f" {entry(NEW)} ,{entry(OLD)}, ") == (NEW, OLD)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k1", r"entry 1: write id:base64key"),
        ("bad id:AAAA", r"entry 1: write id:base64key"),
        (
            f"{entry(NEW)},{NEW.id}:{base64.b64encode(OLD.material).decode()}",
            r"entry 2 \('k2027'\): the id is used twice",
        ),
        ("k1:not base64!", r"entry 1 \('k1'\): the key is not valid base64"),
        (f"k1:{base64.b64encode(bytes(16)).decode()}", r"entry 1 \('k1'\): the key is 16 bytes; AES-256-GCM needs 32"),
    ],
)
def test_a_bad_entry_is_named_by_position_and_id(text: str, message: str) -> None:
    with pytest.raises(CodecKeyError, match=message):
        parse_keys(text)


def test_a_settings_error_is_one_line_and_never_shows_the_key_material(monkeypatch: pytest.MonkeyPatch) -> None:
    short_key = base64.b64encode(b"0123456789abcdef").decode()
    monkeypatch.setenv("GUIDANCE_CODEC_KEYS", f"{entry(NEW)},k2:{short_key}")
    monkeypatch.setenv("GUIDANCE_CODEC_PORT", "70000")

    with pytest.raises(CodecKeyError) as raised:
        load_codec_settings()

    message = str(raised.value)
    assert message == (
        "invalid settings: GUIDANCE_CODEC_KEYS entry 2 ('k2'): the key is 16 bytes; AES-256-GCM needs 32 "
        "(make codec-key prints a new one); GUIDANCE_CODEC_PORT: Input should be less than or equal to 65535"
    )
    assert short_key not in message and entry(NEW).split(":")[1] not in message


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_CODEC_KEYS", f"{entry(NEW)},{entry(OLD)}")
    monkeypatch.setenv("GUIDANCE_CODEC_TOKEN", "s3cret")
    monkeypatch.setenv("GUIDANCE_CODEC_UI_ORIGINS", "https://temporal.udir.no, http://localhost:8233")

    settings = CodecSettings()

    assert settings.keys == (NEW, OLD)
    assert settings.token is not None and settings.token.get_secret_value() == "s3cret"
    assert settings.ui_origins == ("https://temporal.udir.no", "http://localhost:8233")
    assert "s3cret" not in repr(settings) and NEW.material.hex() not in repr(settings)


def test_defaults_are_plain_payloads_and_the_dev_web_ui(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_CODEC_TOKEN", "")  # an empty line in .env means no token

    settings = CodecSettings()

    assert settings.keys == ()
    assert settings.token is None
    assert settings.ui_origins == (DEFAULT_UI_ORIGIN,)
    assert settings.host == "127.0.0.1"


def test_a_new_key_entry_is_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--id", "k2028"]) == 0
    printed = capsys.readouterr().out.strip()

    [key] = parse_keys(printed)
    assert key.id == "k2028"
    assert len(key.material) == KEY_BYTES
    assert parse_keys(new_key_entry("k2028"))[0].material != key.material, "every key is new"


def test_a_new_key_needs_a_usable_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--id", "no spaces"]) == 2
    assert "key id 'no spaces'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("codec.udir.no", False)],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_guidance_command_names_a_bad_key_instead_of_blaming_the_server() -> None:
    result = CliRunner().invoke(
        cli.app, ["status", "--cohort", "2027", "--owner", "3301"], env={"GUIDANCE_CODEC_KEYS": "k1:abcd"}
    )

    assert result.exit_code == commands.EXIT_USAGE
    assert "invalid settings: GUIDANCE_CODEC_KEYS entry 1 ('k1'): the key is 3 bytes" in result.output
    assert "cannot connect" not in result.output
