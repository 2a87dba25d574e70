"""Field resolvers of the simulator, one module per resource.

Each module exports ``RESOLVERS``: a mapping of ``(type name, field name)`` to a resolver.
Fields without a resolver read the key of the same name from the parent dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Resolver = Callable[..., Any]


def registries() -> list[Mapping[tuple[str, str], Resolver]]:
    """Return the resolver registries of every served resource."""
    from simulator.resolvers import (
        bulk,
        consent,
        customers,
        inventory,
        metafields,
        order_status,
        orders,
        products,
        shop,
    )

    return [
        shop.RESOLVERS,
        customers.RESOLVERS,
        consent.RESOLVERS,
        metafields.RESOLVERS,
        products.RESOLVERS,
        inventory.RESOLVERS,
        orders.RESOLVERS,
        order_status.RESOLVERS,
        bulk.RESOLVERS,
    ]
