"""Programme plans as TOML files: reading one, and saying exactly what is wrong with a bad one.

Each plan lives in ``<plans dir>/<name>.toml`` (the shipped ones in ``plans/``, see its README). A bad file
gives `PlanFileError`, whose problems each name the file, the field path (``phases[2].expected_weeks``)
and what is allowed, so `guidance plan check FILE` can print them and nothing starts on a broken plan.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from domain.programme import MeetingSeries, PhasePlan, ProgrammePlan

#: The plans shipped with the engine, one file each.
SHIPPED_PLANS_DIR = Path(__file__).resolve().parent.parent / "plans"

# The model of the entries in each list field, to name the allowed fields of an unknown one.
_ENTRY_MODELS: dict[str, type[BaseModel]] = {"phases": PhasePlan, "meetings": MeetingSeries}


class PlanFileError(ValueError):
    """A plan file that cannot be read or is not a valid plan; ``problems`` has one line per fault."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = [f"{path}: {problem}" for problem in problems]
        super().__init__("\n".join(self.problems))


def plan_names(directory: Path) -> list[str]:
    """The names of the plans in a folder (the stems of its ``.toml`` files), sorted."""
    return sorted(path.stem for path in directory.glob("*.toml")) if directory.is_dir() else []


def load_plan_file(path: Path) -> ProgrammePlan:
    """Read and validate one plan file.

    Raises:
        PlanFileError: The file is missing, is not TOML, or is not a valid plan; each problem names the
            field path and what is allowed. A plan's ``name`` must be its file's name.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanFileError(path, [f"cannot be read: {error}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PlanFileError(path, [f"is not valid TOML: {error}"]) from None
    return plan_from_data(data, path)


def plan_from_data(data: dict[str, Any], path: Path) -> ProgrammePlan:
    """Validate the table of a plan file (`path` names it in the errors)."""
    try:
        plan = ProgrammePlan.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        # A list whose entries failed is also reported "too short" (the failed entries do not count): noise.
        inner = {tuple(e["loc"][:1]) for e in errors if len(e["loc"]) > 1}
        kept = [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in inner)]
        raise PlanFileError(path, [_problem(e) for e in kept]) from None
    if plan.name != path.stem:
        raise PlanFileError(path, [f"name: {plan.name!r} must be the file's name without .toml ({path.stem!r})"])
    return plan


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("phases", 2, "expected_weeks")`` as ``phases[2].expected_weeks``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        # A key someone typed may be anything: quoted unless it reads as a name, so it cannot pass for one.
        name = part if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) else repr(part)
        text += f".{name}" if text else name
    return text


def _problem(error: Any) -> str:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    message: str = error["msg"]
    if error["type"] == "extra_forbidden":
        message = f"is not a field of a plan here; allowed: {', '.join(_allowed_fields(loc[:-1]))}"
    elif error["type"] == "missing":
        message = "is required"
    elif "input" in error and error["type"] not in ("value_error", "assertion_error"):
        message = f"{message} (got {error['input']!r})"
    message = re.sub(r"^Value error, ", "", message)
    if not loc:
        return message  # the plan's own checks name the field themselves
    return f"{field_path(loc)}: {message}"


def _allowed_fields(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = ProgrammePlan
    if loc and isinstance(loc[0], str) and loc[0] in _ENTRY_MODELS:
        model = _ENTRY_MODELS[loc[0]]
    return list(model.model_fields)
