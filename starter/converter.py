"""The pydantic data converter of every client and worker, with readable validation errors.

A payload that does not fit its model (an update with an unknown milestone, a date that is no date)
fails with one line per problem, naming the field, what is allowed and what was given. In an update
that error rejects the update before anything reaches history; the message travels as the cause of
the SDK's "Failed decoding arguments". A workflow's start input that does not decode fails the workflow
with that message (`InvalidStartInput`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from types import UnionType
from typing import Any, Union, get_args, get_origin

import temporalio.api.common.v1
from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, PydanticPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    EncodingPayloadConverter,
    JSONPlainPayloadConverter,
)

from config.owners import all_owners
from domain.cohort import CohortInput
from domain.contract import InvalidPayload, InvalidStartInput, UnreadState
from domain.models import PeriodInput, SchoolOwner, registered_owner_problems


def explain_problems(error: ValidationError, options: Mapping[str, str] | None = None) -> list[str]:
    """One line per problem: ``field.path (--option): what is wrong (got: value)``.

    Args:
        error: The validation error.
        options: The command-line option that fills each top-level field, to name it too.
    """
    lines = []
    for problem in error.errors(include_url=False):
        message = problem["msg"].removeprefix("Value error, ")
        location = problem["loc"]
        where = ".".join(_member_name(str(part)) for part in location) or error.title
        option = (options or {}).get(str(location[0])) if location else None
        given = repr(problem.get("input"))
        shown = given if len(given) <= 80 else given[:77] + "..."
        lines.append(f"{where}{f' ({option})' if option else ''}: {message} (got: {shown})")
    return lines


# Pydantic names a union's member by its validator chain: "function-after[_unique_advisers(), PeriodInput]".
_VALIDATED_MEMBER = re.compile(r"^function-(?:after|before|wrap|plain)\[.*, (\w+)\]$")


def _member_name(part: str) -> str:
    """A location's part as a person reads it: a union member's model name without pydantic's validator chain."""
    named = _VALIDATED_MEMBER.match(part)
    return named.group(1) if named else part


def explain(error: ValidationError) -> str:
    """All problems of a validation error on one line."""
    return "; ".join(explain_problems(error))


# One cache of type adapters for the whole process. The SDK makes a new payload converter for every workflow run
# (and two per workflow task, outside the sandbox), each with a cache of its own, so every cached period built and
# kept its own adapters (schema, validator, serializer) for the same few message types. A type adapter is
# immutable once built: sharing it between converters and threads is safe.
_TYPE_ADAPTERS = functools.lru_cache(maxsize=1024)(TypeAdapter)


class _ExplainingJSONConverter(PydanticJSONPlainPayloadConverter):
    def __init__(self) -> None:
        super().__init__()
        self._type_adapter = _TYPE_ADAPTERS

    def from_payload(self, payload: temporalio.api.common.v1.Payload, type_hint: type | None = None) -> Any:
        try:
            return super().from_payload(payload, type_hint)
        except ValidationError as error:
            raise InvalidPayload(explain(error)) from None


def _is_start_input(type_hint: type | None) -> bool:
    """The hint asks for a workflow's start input: a model (or a union with one) marked ``workflow_start_input``."""
    return any(getattr(model, "workflow_start_input", False) for model in _models(type_hint))


def _is_continued_state(payload: temporalio.api.common.v1.Payload, type_hint: type | None) -> bool:
    """The payload is an object with every required field of a model of the hint marked ``workflow_continued_state``
    (as a state the engine carried through continue-as-new has; a start input may not have them all)."""
    states = [m for m in _models(type_hint) if getattr(m, "workflow_continued_state", False)]
    if not states:
        return False
    try:
        given = json.loads(payload.data)
    except ValueError:
        return False
    return isinstance(given, dict) and any(
        all(name in given for name, info in model.model_fields.items() if info.is_required()) for model in states
    )


def _models(type_hint: type | None) -> tuple[type[BaseModel], ...]:
    """The pydantic models a type hint asks for (a model, or a union of models), else none."""
    union = isinstance(type_hint, UnionType) or get_origin(type_hint) is Union
    members = get_args(type_hint) if union else (type_hint,)
    models = tuple(m for m in members if isinstance(m, type) and issubclass(m, BaseModel))
    return models if len(models) == len(members) else ()


class ExplainingPydanticPayloadConverter(PydanticPayloadConverter):
    """`PydanticPayloadConverter` whose validation errors read as `explain` writes them.

    Where a message's model is expected, a payload that decodes to something else (``null``, raw bytes,
    a protobuf message: those converters ignore the type asked for) is refused as `InvalidPayload` too,
    so no handler ever receives ``None`` in place of its message.
    """

    def __init__(self) -> None:
        # The SDK builds a new payload converter for every workflow run and twice for every workflow task. The
        # encoding converters inside keep nothing of a run's own (the type adapters are shared above), so every
        # instance of a class shares one set, built once: building them (a pydantic serializer each) had been a
        # measurable part of each workflow task.
        CompositePayloadConverter.__init__(self, *_encoding_converters(type(self)))

    @classmethod
    def encoding_converters(cls) -> tuple[EncodingPayloadConverter, ...]:
        """The encoding converters of an instance, in order (built once per class by `_encoding_converters`)."""
        explaining = _ExplainingJSONConverter()
        return tuple(
            explaining if isinstance(c, JSONPlainPayloadConverter) else c
            for c in DefaultPayloadConverter.default_encoding_payload_converters
        )

    def from_payloads(
        self, payloads: Sequence[temporalio.api.common.v1.Payload], type_hints: list[type] | None = None
    ) -> list[Any]:
        try:
            values = super().from_payloads(payloads, type_hints)
            for value, hint in zip(values, type_hints or [], strict=False):
                models = _models(hint)
                if models and not isinstance(value, models):
                    expected = " or ".join(m.__name__ for m in models)
                    given = "null" if value is None else type(value).__name__
                    raise InvalidPayload(f"{expected}: a {expected} object is required (got: {given})")
        except InvalidPayload as error:
            hinted = list(zip(payloads, type_hints or [], strict=False))
            if any(_is_start_input(h) and not _is_continued_state(p, h) for p, h in hinted):
                raise InvalidStartInput(str(error)) from None
            if len(hinted) == 1 and _is_start_input(hinted[0][1]):
                # A continued state that does not decode: whether a client sent it (refused) or the engine wrote it
                # (its task waits for a worker that reads it), only the workflow can tell (`UnreadState`).
                return [UnreadState(str(error))]
            raise
        problems = [problem for value in values for problem in unregistered_owners(value)]
        if problems:
            more = f"; and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
            raise InvalidStartInput("; ".join(problems[:SHOWN_PROBLEMS]) + more)
        return values


#: Owners not in the register named in one refusal, at most (a cohort may name hundreds).
SHOWN_PROBLEMS = 10


@functools.cache
def _register() -> dict[str, SchoolOwner]:
    return {o.id: o for o in all_owners()}


def unregistered_owners(value: Any) -> list[str]:
    """The problems of a start input whose owners are not those of the shipped register (config/data): a raw
    Temporal client may name any; the `guidance` command and the web app take them from the register. A state
    carried through continue-as-new is not checked: its owners were checked when its period started."""
    if isinstance(value, PeriodInput):
        named = [("PeriodInput.owner", value.owner)]
    elif isinstance(value, CohortInput):
        named = [(f"CohortInput.owners.{i}.owner", o.owner) for i, o in enumerate(value.owners)]
    else:
        return []
    return [p for field, owner in named for p in registered_owner_problems(owner, _register().get(owner.id), field)]


@functools.cache
def _encoding_converters(cls: type[ExplainingPydanticPayloadConverter]) -> tuple[EncodingPayloadConverter, ...]:
    return cls.encoding_converters()


DATA_CONVERTER = DataConverter(payload_converter_class=ExplainingPydanticPayloadConverter)
