"""Access scopes each resource needs, and what to do when a token lacks one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from worker.contract.access import scope_covered

# A write scope includes its read scope. Inventory also reads locations (quantities are per location).
SCOPES_BY_RESOURCE: Mapping[str, tuple[str, ...]] = {
    "customers": ("write_customers",),
    "products": ("write_products",),
    "orders": ("write_orders",),
    "inventory": ("write_inventory", "read_locations"),
}


def scopes_for(resources: Iterable[str]) -> tuple[str, ...]:
    """The scopes needed to write ``resources``, in a stable order.

    Raises:
        ValueError: Naming an unknown resource and the known ones.
    """
    needed: list[str] = []
    for resource in resources:
        if resource not in SCOPES_BY_RESOURCE:
            raise ValueError(f"unknown resource {resource!r}; known: {', '.join(SCOPES_BY_RESOURCE)}")
        needed += [scope for scope in SCOPES_BY_RESOURCE[resource] if scope not in needed]
    return tuple(needed)


def has_scope(granted: Iterable[str], scope: str) -> bool:
    """Whether ``granted`` covers ``scope`` (``write_x`` covers ``read_x``)."""
    return scope_covered(granted, scope)


def missing_scopes(granted: Iterable[str], needed: Iterable[str]) -> tuple[str, ...]:
    """The scopes of ``needed`` that ``granted`` does not cover."""
    held = tuple(granted)
    return tuple(scope for scope in needed if not has_scope(held, scope))


def scope_advice(kind: str, shop: str, missing: Iterable[str]) -> str:
    """What the operator does to get ``missing`` scopes, by how the shop's token was obtained.

    ``kind`` is ``static`` for a token from the shops file (a custom app made in the Shopify admin),
    else the stored token's kind.
    """
    scopes = ", ".join(missing)
    if kind == "static":
        return (
            f"grant {scopes} in the custom app's Admin API access scopes in the Shopify admin, reinstall "
            "the app, and put its new access token in the shops file"
        )
    if kind == "client_credentials":
        return (
            f"add {scopes} to the app's access scopes in the Dev Dashboard, release a new app version, "
            f"then run `shopify-sync auth client-credentials --shop {shop}`"
        )
    return (
        f"add {scopes} to the shop's `scopes` in the shops file, then run "
        f"`shopify-sync auth install --shop {shop}` so the merchant approves them"
    )
