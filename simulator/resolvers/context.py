"""The per-request context handed to resolvers, and the checks they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

if TYPE_CHECKING:
    from simulator.state import ShopState

ACCESS_SCOPES_DOC = "https://shopify.dev/api/usage/access-scopes"


@dataclass
class RequestContext:
    """What a resolver may use: the shop, the API version and a mutation counter."""

    shop: ShopState
    api_version: str
    mutations_executed: int = 0
    executed_mutations: list[str] = field(default_factory=list)
    refused_whole: bool = False  # the answer is top-level errors only, no data (productSet over size)
    base_url: str = ""  # scheme://host of the request: where upload targets and result files are served


def context_of(info: GraphQLResolveInfo) -> RequestContext:
    """Return the request context of a resolver call."""
    context: RequestContext = info.context
    return context


def record_mutation(info: GraphQLResolveInfo) -> RequestContext:
    """Count the current mutation field as executed (for stats and lost-answer faults)."""
    context = context_of(info)
    context.mutations_executed += 1
    context.executed_mutations.append(info.field_name)
    return context


def require_scope(info: GraphQLResolveInfo, scope: str) -> None:
    """Raise Shopify's ``ACCESS_DENIED`` error unless the token grants ``scope``.

    Raises:
        GraphQLError: When the scope is missing (the field then resolves to ``null``).

    """
    if context_of(info).shop.has_scope(scope):
        return
    required = f"`{scope}` access scope."
    raise GraphQLError(
        f"Access denied for {info.field_name} field. Required access: {required}",
        extensions={"code": "ACCESS_DENIED", "documentation": ACCESS_SCOPES_DOC, "requiredAccess": required},
    )


def idempotency_key(info: GraphQLResolveInfo) -> str | None:
    """Return the ``@idempotent(key:)`` value on the current field, if any.

    For the resources that require the directive (``inventorySetQuantities`` from 2026-04).
    """
    for node in info.field_nodes:
        for directive in node.directives or ():
            if directive.name.value != "idempotent":
                continue
            for argument in directive.arguments:
                if argument.name.value == "key":
                    return _literal_or_variable(argument.value, info.variable_values)
    return None


def _literal_or_variable(node: Any, variables: dict[str, Any]) -> str | None:
    name = getattr(node, "name", None)
    if node.kind == "variable" and name is not None:
        value = variables.get(name.value)
        return None if value is None else str(value)
    value = getattr(node, "value", None)
    return None if value is None else str(value)
