"""Resolvers for ``shop``, ``currentAppInstallation`` and the ``node``/``nodes`` lookups."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.context import context_of, require_scope
from simulator.resolvers.nodes import find_node
from simulator.stores.common import gid, parse_gid

SCOPE_DESCRIPTIONS = {"read": "Read", "write": "Modify"}


def resolve_shop(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    """Return the ``Shop`` of the request."""
    shop = context_of(info).shop
    return {
        "id": gid("Shop", shop.number),
        "name": shop.spec.name,
        "email": f"owner@{shop.spec.name}.example",
        "myshopifyDomain": shop.domain,
        "ianaTimezone": "America/New_York",
    }


def resolve_current_app_installation(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    """Return the ``AppInstallation`` of the token, with the scopes it grants."""
    shop = context_of(info).shop
    scopes = []
    for handle in shop.spec.scopes:
        verb, _, resource = handle.partition("_")
        description = f"{SCOPE_DESCRIPTIONS.get(verb, verb.capitalize())} {resource.replace('_', ' ')}"
        scopes.append({"handle": handle, "description": description})
    return {"id": gid("AppInstallation", shop.number), "accessScopes": scopes}


def resolve_node(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """Return any object by global id, tagged with ``__typename`` for type resolution."""
    return _lookup(info, id)


def resolve_nodes(_root: Any, info: GraphQLResolveInfo, ids: list[str]) -> list[dict[str, Any] | None]:
    """Return objects by global ids, ``null`` for unknown ones, in order."""
    return [_lookup(info, node_id) for node_id in ids]


def _lookup(info: GraphQLResolveInfo, node_id: str) -> dict[str, Any] | None:
    parsed = parse_gid(node_id)
    if parsed is None:
        return None
    resource, _number = parsed
    shop = context_of(info).shop
    found: dict[str, Any] | None = None
    if resource == "Customer":
        require_scope(info, "read_customers")
        found = shop.customers.get(node_id)
    elif resource == "MailingAddress":
        require_scope(info, "read_customers")
        found = shop.customers.find_address(node_id)
    elif resource == "Shop":
        found = resolve_shop(None, info)
    elif resource == "AppInstallation":
        found = resolve_current_app_installation(None, info)
    else:
        found = find_node(info, resource, node_id)
    if found is None or (resource in ("Shop", "AppInstallation") and found["id"] != node_id):
        return None
    return {**found, "__typename": resource}


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("QueryRoot", "shop"): resolve_shop,
    ("QueryRoot", "currentAppInstallation"): resolve_current_app_installation,
    ("QueryRoot", "node"): resolve_node,
    ("QueryRoot", "nodes"): resolve_nodes,
}
