"""The simulator's GraphQL schema: the SDL subset in ``schema*.graphql`` plus resolvers.

``schema.graphql`` holds the root types and customers; each ``schema_<resource>.graphql`` adds a
resource, extending ``QueryRoot``/``Mutation`` with ``extend type``. The schema is built once
per process (``functools.cache``). Resolvers are attached by ``(type name, field name)`` from
the registries of the resource modules, so adding a resource means adding its SDL, a store
module and a ``RESOLVERS`` mapping listed in ``resolvers.registries()``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, build_schema

from simulator.resolvers import Resolver, registries

MAX_QUERY_COST = 1000


def schema_sdl() -> str:
    """Return the SDL text of the served subset: ``schema.graphql``, then ``schema_*.graphql`` by name."""
    package = resources.files("simulator")
    extras = sorted(
        entry.name
        for entry in package.iterdir()
        if entry.name.startswith("schema_") and entry.name.endswith(".graphql")
    )
    return "\n".join(
        package.joinpath(name).read_text(encoding="utf-8") for name in ["schema.graphql", *extras]
    )


@functools.cache
def simulator_schema() -> GraphQLSchema:
    """Build the served schema with resolvers attached (once per process).

    Raises:
        LookupError: If a registry names a type or field the SDL does not declare.

    """
    schema = build_schema(schema_sdl())
    for registry in registries():
        _attach(schema, registry)
    return schema


def _attach(schema: GraphQLSchema, registry: Mapping[tuple[str, str], Resolver]) -> None:
    for (type_name, field_name), resolver in registry.items():
        graphql_type: Any = schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType) or field_name not in graphql_type.fields:
            raise LookupError(f"resolver for unknown field {type_name}.{field_name}")
        graphql_type.fields[field_name].resolve = resolver
