"""Generated plan files (`config.plan_files.load_plan_file`): a shipped plan with up to three fields changed,
dropped or added (plausible and hostile values), and files of any bytes. Each is read as a valid plan or
refused with `PlanFileError`, every problem of which names the file and a field path of the plan; nothing
else is ever raised.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import event, given, settings
from hypothesis import strategies as st

from config.plan_files import SHIPPED_PLANS_DIR, PlanFileError, load_plan_file, plan_names
from domain.programme import MeetingSeries, PhasePlan, ProgrammePlan
from tests.properties.hostile import field_value, hostile_text, odd_text

SHIPPED = {
    name: tomllib.loads((SHIPPED_PLANS_DIR / f"{name}.toml").read_text()) for name in plan_names(SHIPPED_PLANS_DIR)
}
#: A problem begins with a field path of the plan (``phases[2].expected_weeks``) and then says what is wrong;
#: an unknown field is named as written (quoted unless it reads as a name) and the allowed ones are listed.
# Labels nest a level deeper (``labels.nb.phases``).
FIELD_PATH = re.compile(r"^(?P<field>[a-z_]+)(\[\d+\])?(\.[A-Za-z0-9_]+)*[: ]")
UNKNOWN_FIELD = re.compile(r"^(?P<path>\S.*?): is not a field of a plan here; allowed: [a-z_]+(, [a-z_]+)*$", re.S)
ENTRY_FIELDS = {"phases": list(PhasePlan.model_fields), "meetings": list(MeetingSeries.model_fields)}
PLAUSIBLE = st.one_of(
    st.integers(min_value=-3, max_value=400),
    st.booleans(),
    st.sampled_from(["NO", "SE", "DK", "Europe/Oslo", "Europe/Stockholm", "Mars/Base", "09:00", "25:61", "gathering"]),
    st.sampled_from(["mapping", "completed", "Mapping", "studies", "evaluation_done", "a" * 49, ""]),
    st.lists(st.integers(min_value=0, max_value=13), max_size=13),
    st.text(max_size=20),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("plan-properties")


def _without_nulls(value: Any) -> Any:
    """TOML has no null: a drawn None leaves the key out (as a person deleting the line would)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


@st.composite
def mutated_plans(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(SHIPPED)))
    data: dict[str, Any] = {**SHIPPED[name], "phases": [dict(p) for p in SHIPPED[name]["phases"]]}
    data["meetings"] = [dict(m) for m in SHIPPED[name].get("meetings", [])]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        table = data
        fields = list(ProgrammePlan.model_fields)
        where = draw(st.sampled_from(["plan", "phases", "meetings"]))
        if where != "plan" and data[where]:
            table = draw(st.sampled_from(data[where]))
            fields = ENTRY_FIELDS[where]
        key = draw(st.one_of(st.sampled_from(fields), odd_text(min_size=1, max_size=12), st.sampled_from(["colour"])))
        action = draw(st.sampled_from(["set", "set", "set", "drop"]))
        if action == "drop":
            table.pop(key, None)
        else:
            table[key] = draw(field_value(PLAUSIBLE))
    return name, _without_nulls(data)


@settings(max_examples=settings().max_examples * 2)
@given(plan=mutated_plans())
def test_a_changed_plan_is_read_or_refused_naming_the_file_and_a_field_path(
    folder: Path, plan: tuple[str, dict[str, Any]]
) -> None:
    name, data = plan
    path = folder / f"{name}.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    try:
        read = load_plan_file(path)
    except PlanFileError as error:
        refused: PlanFileError | None = error
    else:
        refused = None
    if refused is not None:
        event("refused")
        assert refused.problems
        for problem in refused.problems:
            assert problem.startswith(f"{path}: "), problem
            said = problem.removeprefix(f"{path}: ")
            found = FIELD_PATH.match(said)
            named = found is not None and found["field"] in ProgrammePlan.model_fields
            assert named or UNKNOWN_FIELD.match(said), problem
        return
    event("read")
    assert read.name == name
    assert ProgrammePlan.model_validate(read.model_dump()) == read


@given(
    data=st.one_of(
        st.binary(max_size=300),
        hostile_text(),
        st.builds(lambda body: f'name = "x"\nversion = "1"\n{body}', odd_text(max_size=200)),
    )
)
def test_no_file_raises_anything_but_a_plan_file_error(folder: Path, data: str | bytes) -> None:
    path = folder / "x.toml"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(PlanFileError) as refused:
        load_plan_file(path)
    assert all(problem.startswith(f"{path}: ") for problem in refused.value.problems)
