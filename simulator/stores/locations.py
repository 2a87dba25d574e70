"""The locations of one shop: a fixed set created with the shop.

Shopify creates one location with a new store ("Shop location"); merchants add more. The
simulator starts every shop with ``DEFAULT_LOCATIONS`` so multi-location inventory can be
exercised without a ``locationAdd`` mutation.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from simulator.stores.common import gid, utc_timestamp
from simulator.stores.search import FieldGetter, matches, parse_query

DEFAULT_LOCATIONS: tuple[str, ...] = ("Main warehouse", "Store front")

SEARCH_FIELDS: dict[str, FieldGetter] = {
    "name": lambda loc: [loc["name"]],
    "id": lambda loc: [str(loc["id"]).rsplit("/", 1)[-1]],
    "active": lambda loc: ["true" if loc["isActive"] else "false"],
}


class LocationStore:
    """Read-only locations, in creation order (``Location/1`` is the primary one)."""

    def __init__(self, names: Sequence[str] = DEFAULT_LOCATIONS) -> None:
        now = utc_timestamp()
        self._locations = [
            {
                "id": gid("Location", number),
                "name": name,
                "isActive": True,
                "createdAt": now,
                "updatedAt": now,
            }
            for number, name in enumerate(names, start=1)
        ]

    def all(self) -> list[dict[str, Any]]:
        """Return every location."""
        return copy.deepcopy(self._locations)

    def get(self, location_id: str) -> dict[str, Any] | None:
        """Return the location with this gid, or ``None``."""
        for location in self._locations:
            if location["id"] == location_id:
                return copy.deepcopy(location)
        return None

    def primary(self) -> dict[str, Any]:
        """Return the shop's first location (where ``orderCreate`` takes inventory from)."""
        return copy.deepcopy(self._locations[0])

    def search(self, query: str | None) -> list[dict[str, Any]]:
        """Return the locations matching a search string (``name:``, ``id:``, ``active:``, bare words)."""
        groups = parse_query(query)
        return [
            copy.deepcopy(loc) for loc in self._locations if matches(loc, groups, SEARCH_FIELDS, ("name",))
        ]
