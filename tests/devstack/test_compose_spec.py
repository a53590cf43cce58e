"""docker-compose.yml is valid against the Compose Specification, as `docker compose` would load it.

Docker does not run here, so the test does what Compose does before it starts anything: parse the YAML,
interpolate ``${VAR:-default}`` with an empty environment, validate the result against the
specification's JSON schema (the copy that the `check-jsonschema` package ships, so nothing is downloaded),
convert what Compose converts (durations, counts) and check the references between services that the
schema cannot see. Deliberately broken copies of the file must fail the same checks (each of them, but
the endless wait, is one that `docker compose config` refuses too).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_OPERATOR = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:?[-?+])(?P<argument>.*))?$", re.DOTALL)
ONE_SHOT_RESTARTS = {"no", "on-failure"}
_DURATION = re.compile(r"^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$")
DURATION_KEYS = ("interval", "timeout", "start_period", "start_interval")


def compose_schema() -> dict[str, Any]:
    """The Compose Specification's JSON schema (draft 2020-12) as vendored by check-jsonschema."""
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _substitute(text: str, environment: Mapping[str, str]) -> str:
    """Compose's interpolation of one string: ``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and friends."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return environment.get(match["named"], "")
        expression = _OPERATOR.match(match["braced"])
        if expression is None:
            raise ValueError(f"invalid interpolation format: ${{{match['braced']}}}")
        name, operator, argument = expression["name"], expression["operator"], expression["argument"]
        value = environment.get(name)
        unset_or_empty = not value if operator and operator.startswith(":") else value is None
        if operator in (":-", "-"):
            return argument if unset_or_empty else (value or "")
        if operator in (":?", "?"):
            if unset_or_empty:
                raise ValueError(f"required variable {name} is missing a value: {argument}")
            return value or ""
        if operator in (":+", "+"):
            return "" if unset_or_empty else argument
        return value or ""

    return _VARIABLE.sub(replace, text)


def interpolate(node: Any, environment: Mapping[str, str]) -> Any:
    """Every string value of a loaded Compose file interpolated (keys are left as they are, as Compose does)."""
    if isinstance(node, str):
        return _substitute(node, environment)
    if isinstance(node, Mapping):
        return {key: interpolate(value, environment) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, environment) for item in node]
    return node


def load_compose(text: str, environment: Mapping[str, str] | None = None) -> Any:
    """The Compose model of `text`: YAML (anchors and merge keys resolved), then interpolated."""
    return interpolate(YAML(typ="safe", pure=True).load(io.StringIO(text)), environment or {})


def reference_problems(model: Mapping[str, Any]) -> list[str]:
    """References the schema cannot see: unknown services and volumes (`docker compose config` refuses them),
    and waits that could never end (Compose accepts them and `up` then hangs): healthy without a healthcheck,
    completed for a service that restarts for ever."""
    problems: list[str] = []
    services: Mapping[str, Any] = model.get("services") or {}
    volumes = set(model.get("volumes") or {})
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        waits = dict.fromkeys(depends_on, "service_started") if isinstance(depends_on, list) else depends_on
        for other, wait in waits.items():
            condition = wait if isinstance(wait, str) else wait.get("condition", "service_started")
            if other not in services:
                problems.append(f"service {name} depends on undefined service {other}")
            elif condition == "service_healthy" and "healthcheck" not in services[other]:
                problems.append(f"service {name} waits for {other} to be healthy, which has no healthcheck")
            elif condition == "service_completed_successfully":
                restart = str(services[other].get("restart", "no")).split(":")[0]
                if restart not in ONE_SHOT_RESTARTS:
                    problems.append(f"service {name} waits for {other} to complete, which restarts {restart}")
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0] if isinstance(mount, str) else mount.get("source", "")
            if source and not source.startswith((".", "/", "~", "$")) and source not in volumes:
                problems.append(f"service {name} mounts undefined volume {source}")
    return problems


def value_problems(model: Mapping[str, Any]) -> list[str]:
    """Values the schema lets through as text (they may come from a variable) that Compose then converts:
    durations (Go syntax, ``1m30s``) and counts."""
    problems: list[str] = []
    for name, service in (model.get("services") or {}).items():
        healthcheck = service.get("healthcheck") or {}
        durations = {f"healthcheck.{key}": healthcheck.get(key) for key in DURATION_KEYS}
        durations["stop_grace_period"] = service.get("stop_grace_period")
        for key, value in durations.items():
            if isinstance(value, str) and not _DURATION.match(value):
                problems.append(f"service {name}: {key} {value!r} is not a duration such as 1m30s")
        retries = healthcheck.get("retries")
        if isinstance(retries, str) and not retries.isdigit():
            problems.append(f"service {name}: healthcheck.retries {retries!r} is not a whole number")
    return problems


def compose_problems(text: str) -> list[str]:
    """Every schema violation and reference problem of a Compose file's text; empty when Compose would load it."""
    model = load_compose(text)
    validator = Draft202012Validator(compose_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(model), key=lambda error: list(map(str, error.absolute_path)))
    ]
    return problems + reference_problems(model) + value_problems(model)


def test_the_vendored_schema_is_the_compose_specification() -> None:
    schema = compose_schema()

    assert schema["title"] == "Compose Specification"
    Draft202012Validator.check_schema(schema)


def test_docker_compose_yml_is_valid_against_the_compose_specification() -> None:
    assert compose_problems(COMPOSE_FILE.read_text()) == []


def test_the_worker_service_is_probed_on_the_port_it_serves_health_on() -> None:
    worker = load_compose(COMPOSE_FILE.read_text())["services"]["worker"]

    test = worker["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "-m", "activities.health"]
    assert find_spec(test[3]) is not None
    assert worker["environment"]["GUIDANCE_HEALTH_PORT"] in worker["expose"]
    assert worker["environment"]["GUIDANCE_RETENTION_DAYS"] == "365"


def test_interpolation_follows_compose() -> None:
    environment = {"SET": "x", "EMPTY": ""}

    assert _substitute("${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} $SET $$HOME ${SET:+alt}", environment) == (
        "x d d  x $HOME alt"
    )
    with pytest.raises(ValueError, match="required variable UNSET"):
        _substitute("${UNSET:?set it}", environment)


BROKEN = {
    "misspelt service key": (
        '    healthcheck:\n      test: ["CMD", "python"',
        '    healthchek:\n      test: ["CMD", "python"',
        "healthchek",
    ),
    "unknown wait condition": ("condition: service_healthy", "condition: service_ready", "service_ready"),
    "number as text": ("retries: 3\n", "retries: three\n", "three"),
    "duration without unit": ("interval: 15s", "interval: 15 seconds", "15 seconds"),
    "list where text belongs": ("stop_grace_period: 30s", "stop_grace_period: [30s]", "30s"),
    "port list as a number": ('    ports:\n      - "8080:8080"', "    ports: 8080", "8080"),
    "undefined service": ("      app-db:\n        condition", "      app-database:\n        condition", "app-database"),
    "undefined volume": ("      - worker-data:/var", "      - worker-state:/var", "worker-state"),
    "one-shot that restarts": (
        "    restart: on-failure:5\n\n  temporal:",
        "    restart: always\n\n  temporal:",
        "always",
    ),
}


@pytest.mark.parametrize("change", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_copy_of_the_file_fails(change: tuple[str, str, str], tmp_path: Path) -> None:
    original, broken, named = change
    text = COMPOSE_FILE.read_text()
    assert text.count(original) >= 1, f"the test's anchor {original!r} is no longer in docker-compose.yml"
    copy = tmp_path / "docker-compose.yml"
    copy.write_text(text.replace(original, broken, 1))

    problems = compose_problems(copy.read_text())

    assert problems, f"{named!r} was not noticed"
    assert any(named in problem for problem in problems), problems
