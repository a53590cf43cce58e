"""Programme plans as TOML files: finding them in a folder and reading one.

Each plan lives in ``<plans dir>/<name>.toml`` (the shipped ones in ``plans/``, see its README). A bad file
gives `PlanFileError`, whose problems each name the file, the field path (``phases[2].expected_weeks``)
and what is allowed, so `guidance plan check FILE` can print them and nothing starts on a broken plan. The
table read from the file is checked by the domain (`domain.plan_data.plan_from_data`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from domain.plan_data import PlanDataError, plan_from_data
from domain.programme import ProgrammePlan

#: The plans shipped with the engine, one file each.
SHIPPED_PLANS_DIR = Path(__file__).resolve().parent.parent / "plans"


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
    try:
        return plan_from_data(data, path.stem)
    except PlanDataError as error:
        raise PlanFileError(path, error.problems) from None
