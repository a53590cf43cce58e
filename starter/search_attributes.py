"""Registering the engine's custom search attributes (domain.contract) on a namespace, idempotently."""

from __future__ import annotations

from collections.abc import Mapping

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.contract import SEARCH_ATTRIBUTE_TYPES, SEARCH_ATTRIBUTES


class SearchAttributeClash(RuntimeError):
    """A search attribute the namespace already has, with another type than the contract's."""


async def register_search_attributes(client: Client, attributes: Mapping[str, str] = SEARCH_ATTRIBUTES) -> list[str]:
    """Add the custom search attributes the client's namespace lacks; return their names (none on a rerun).

    Raises:
        SearchAttributeClash: An attribute is registered with another type (e.g. a dev server's SQLite
            file from before a contract change).
    """
    wanted = {name: IndexedValueType.ValueType(SEARCH_ATTRIBUTE_TYPES[kind]) for name, kind in attributes.items()}
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        known = dict(listed.custom_attributes)
    except RPCError as err:
        # The time-skipping test server can add search attributes but not list them.
        if err.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        known = {}
    clashes = [name for name, kind in wanted.items() if name in known and known[name] != kind]
    if clashes:
        details = ", ".join(
            f"{n} is {IndexedValueType.Name(known[n])}, the contract says {attributes[n]}" for n in clashes
        )
        raise SearchAttributeClash(
            f"search attributes registered with another type: {details}; a local SQLite file from before a "
            "contract change can be deleted to start afresh (its periods are lost)"
        )
    missing = {name: kind for name, kind in wanted.items() if name not in known}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)
