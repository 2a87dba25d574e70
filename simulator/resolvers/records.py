"""Small helpers shared by the resource resolvers: numbers of global ids, sorting, money."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from simulator.resolvers.pagination import connection
from simulator.stores.common import parse_gid
from simulator.stores.money import money_bag

Record = Mapping[str, Any]
SortValue = Callable[[Record], Any]


def number_of(record: Record) -> int:
    """Return the numeric part of a record's global id."""
    parsed = parse_gid(str(record["id"]))
    return parsed[1] if parsed else 0


def legacy_id(record: Record, _info: GraphQLResolveInfo) -> str:
    """``legacyResourceId``: the number of the global id, as a string."""
    return str(number_of(record))


def sorted_connection(
    items: Sequence[Record], args: Mapping[str, Any], sort_values: Mapping[str, SortValue], default: str
) -> dict[str, Any]:
    """Sort ``items`` by the ``sortKey`` argument (unknown keys sort by id) and slice a connection."""
    key = str(args.get("sortKey") or default)
    value_of: SortValue = sort_values.get(key, number_of)
    ordered = sorted(
        items, key=lambda item: (value_of(item), number_of(item)), reverse=bool(args.get("reverse"))
    )
    return connection(ordered, args, number_of, value_of)


def bag(amount: Any, currency: str) -> dict[str, Any]:
    """Return a ``MoneyBag`` for a ``Decimal`` string."""
    return money_bag(Decimal(str(amount)), currency)
