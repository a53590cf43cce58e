"""The pydantic data converter of every client and worker, with readable validation errors.

A payload that does not fit its model (an update with an unknown milestone, a date that is no date)
fails with one line per problem, naming the field, what is allowed and what was given. In an update
that error rejects the update before anything reaches history; the message travels as the cause of
the SDK's "Failed decoding arguments".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import temporalio.api.common.v1
from pydantic import ValidationError
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, PydanticPayloadConverter
from temporalio.converter import DataConverter


class InvalidPayload(ValueError):
    """A payload that does not validate against its model."""


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
        where = ".".join(str(part) for part in location) or error.title
        option = (options or {}).get(str(location[0])) if location else None
        given = repr(problem.get("input"))
        shown = given if len(given) <= 80 else given[:77] + "..."
        lines.append(f"{where}{f' ({option})' if option else ''}: {message} (got: {shown})")
    return lines


def explain(error: ValidationError) -> str:
    """All problems of a validation error on one line."""
    return "; ".join(explain_problems(error))


class _ExplainingJSONConverter(PydanticJSONPlainPayloadConverter):
    def from_payload(self, payload: temporalio.api.common.v1.Payload, type_hint: type | None = None) -> Any:
        try:
            return super().from_payload(payload, type_hint)
        except ValidationError as error:
            raise InvalidPayload(explain(error)) from None


class ExplainingPydanticPayloadConverter(PydanticPayloadConverter):
    """`PydanticPayloadConverter` whose validation errors read as `explain` writes them."""

    def __init__(self) -> None:
        super().__init__()
        explaining = _ExplainingJSONConverter()
        self._set_converters(
            *(explaining if isinstance(c, PydanticJSONPlainPayloadConverter) else c for c in self.converters.values())
        )


DATA_CONVERTER = DataConverter(payload_converter_class=ExplainingPydanticPayloadConverter)
