"""A plan's table (a parsed plan file) turned into a `ProgrammePlan`, and exactly what is wrong with a bad one.

Reading the file is the edge's job (config/plan_files.py); this module gets the table and the name the plan
must have. A bad table gives `PlanDataError`, whose problems each name the field path
(``phases[2].expected_weeks``) and what is allowed.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from domain.programme import MeetingSeries, PhasePlan, PlanLabels, ProgrammePlan

# The model of the entries in each list field, to name the allowed fields of an unknown one.
_ENTRY_MODELS: dict[str, type[BaseModel]] = {"phases": PhasePlan, "meetings": MeetingSeries, "labels": PlanLabels}


class PlanDataError(ValueError):
    """A plan's table that is not a valid plan; ``problems`` has one line per fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def plan_from_data(data: dict[str, Any], name: str) -> ProgrammePlan:
    """Validate the table of the plan called `name` (its file's name without ``.toml``).

    Raises:
        PlanDataError: The table is not a valid plan, or names itself otherwise than `name`.
    """
    try:
        plan = ProgrammePlan.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        # A list whose entries failed is also reported "too short" (the failed entries do not count): noise.
        inner = {tuple(e["loc"][:1]) for e in errors if len(e["loc"]) > 1}
        kept = [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in inner)]
        raise PlanDataError([_problem(e) for e in kept]) from None
    if plan.name != name:
        raise PlanDataError([f"name: {plan.name!r} must be the file's name without .toml ({name!r})"])
    # Checked for a plan file, not by the model: plans recorded in running periods before labels existed have none.
    missing = plan.missing_labels()
    if missing:
        raise PlanDataError(missing)
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
