"""Which Worker Deployment version a worker polls as: the settings, the build id and the deployment files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import AppSettings
from starter.deployment import BuildIdUnknown, build_id, deployment_config

ROOT = Path(__file__).resolve().parents[2]


def _settings(**values: object) -> AppSettings:
    return AppSettings(_env_file=None, **values)  # type: ignore[arg-type]


def test_versioning_is_off_unless_turned_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUIDANCE_WORKER_VERSIONING", raising=False)
    assert deployment_config(_settings()) is None


def test_the_setting_names_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_WORKER_VERSIONING", "true")
    monkeypatch.setenv("GUIDANCE_BUILD_ID", "1.4.0-g0123abcd")
    config = deployment_config(_settings())
    assert config is not None and config.use_worker_versioning
    assert config.version.to_canonical_string() == "guidance-engine.1.4.0-g0123abcd"


def test_a_checkout_without_the_setting_takes_version_and_commit() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert build_id(_settings(build_id=""), ROOT).endswith(f"-g{commit}")


def test_no_setting_and_no_git_is_refused_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(BuildIdUnknown, match="GUIDANCE_BUILD_ID"):
        build_id(_settings(), tmp_path)


@pytest.mark.parametrize("field", ["deployment_name", "build_id"])
def test_a_name_temporal_cannot_split_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        _settings(**{field: "guidance engine/1"})


def test_the_image_and_compose_turn_versioning_on_with_a_build_id() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "ARG GUIDANCE_BUILD_ID" in dockerfile and "GUIDANCE_BUILD_ID=${GUIDANCE_BUILD_ID}" in dockerfile
    assert "GUIDANCE_WORKER_VERSIONING=true" in dockerfile
    assert "GUIDANCE_BUILD_ID: ${GUIDANCE_BUILD_ID:-local}" in compose
    assert 'GUIDANCE_WORKER_VERSIONING: "true"' in compose
