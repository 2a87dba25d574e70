"""The resources this connector writes, by name."""

from worker.resources.base import RecordInvalidError, Resource, ShopifyInput, WriteContext
from worker.resources.customers import Customers
from worker.resources.inventory import Inventory
from worker.resources.orders import Orders
from worker.resources.products import Products

RESOURCES: dict[str, Resource] = {r.name: r for r in (Customers(), Products(), Orders(), Inventory())}  # type: ignore[type-arg]


def get_resource(name: str) -> Resource:  # type: ignore[type-arg]
    """The resource called ``name``.

    Raises:
        ValueError: Naming the known resources.
    """
    try:
        return RESOURCES[name]
    except KeyError:
        raise ValueError(f"unknown resource {name!r}; known: {', '.join(sorted(RESOURCES))}") from None


__all__ = ["RESOURCES", "RecordInvalidError", "Resource", "ShopifyInput", "WriteContext", "get_resource"]
