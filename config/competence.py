"""The register of competence environments (kompetansemiljøer), read from `config/data/competence_environments.toml`.

Each ``[[environments]]`` row names an environment (id, name, kind), the development areas it serves (the plans'
codes, ``development_areas`` in plans/*.toml) and its public general contact (web address; general mail or phone
where the institution publishes one). The file is checked whole, as plan files are: a bad row is refused naming the
row (its index and id) and the field, and an area no plan knows is refused too. The worker checks it at start-up,
`guidance competence check [FILE]` checks any file, and the `guidance` command and the web app take the environment
an update carries from it (`domain.competence` says why the workflow never reads it).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from config.settings import InvalidPlanSettings, known_plans, resolve_plan
from domain.competence import CompetenceEnvironment, RegisterDataError, register_from_data

#: The register shipped with the engine.
REGISTER_FILE = Path(__file__).resolve().parent / "data" / "competence_environments.toml"


class RegisterFileError(ValueError):
    """A register file that cannot be read or is not valid; ``problems``: one line per fault, each naming the file."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = [f"{path}: {problem}" for problem in problems]
        super().__init__("\n".join(self.problems))


class UnknownEnvironment(LookupError):
    """No environment of the register has the id; the message lists those serving the area asked for."""

    def __init__(self, environment_id: str, known: list[str]) -> None:
        super().__init__(f"unknown competence environment {environment_id!r}; known: {', '.join(known) or 'none'}")
        self.environment_id = environment_id
        self.known = known


def plan_areas() -> frozenset[str]:
    """The development areas of every plan the engine runs (a plan that does not load adds none: its own check says
    why)."""
    areas: set[str] = set()
    for name in known_plans():
        try:
            areas.update(resolve_plan(name).development_areas)
        except InvalidPlanSettings:
            continue
    return frozenset(areas)


def load_register_file(path: Path) -> tuple[CompetenceEnvironment, ...]:
    """Read and check a register file.

    Raises:
        RegisterFileError: the file is missing, not TOML, or not a valid register (each problem names the row and
            field).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RegisterFileError(path, [f"cannot be read: {error}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegisterFileError(path, [f"is not valid TOML: {error}"]) from None
    try:
        return register_from_data(data, plan_areas())
    except RegisterDataError as error:
        raise RegisterFileError(path, error.problems) from None


@cache
def competence_register() -> tuple[CompetenceEnvironment, ...]:
    """The shipped register, read and checked once per process."""
    return load_register_file(REGISTER_FILE)


def environments_for(area: str | None) -> list[CompetenceEnvironment]:
    """The environments that serve a development area (none for no area), by kind and name."""
    return sorted((e for e in competence_register() if e.serves(area)), key=lambda e: (e.kind, e.name))


def environment_by_id(environment_id: str) -> CompetenceEnvironment:
    """The register's environment of that id.

    Raises:
        UnknownEnvironment: no environment has it.
    """
    for environment in competence_register():
        if environment.id == environment_id.strip():
            return environment
    raise UnknownEnvironment(environment_id, sorted(e.id for e in competence_register()))
