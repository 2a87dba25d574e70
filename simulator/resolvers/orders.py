"""Resolvers for order reads, ``orderCreate`` and the computed ``Order``/``LineItem`` fields.

Finding an order again (the connector's guard against creating one twice):
``orders(first: 1, query: "source_identifier:'SRC-1'")``, one of the filters the real schema
documents for ``QueryRoot.orders(query:)``; ``order(id:)`` and ``orderByIdentifier`` (id or a
custom-id metafield) read one order.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.context import context_of, record_mutation, require_scope
from simulator.resolvers.limits import check_input_sizes
from simulator.resolvers.pagination import connection
from simulator.resolvers.records import bag, legacy_id, number_of, sorted_connection
from simulator.stores import order_build as build
from simulator.stores.order_updates import can_mark_as_paid

ORDER_SORTS = {
    "PROCESSED_AT": lambda o: o["processedAt"],
    "CREATED_AT": lambda o: o["createdAt"],
    "UPDATED_AT": lambda o: o["updatedAt"],
    "ORDER_NUMBER": lambda o: int(o["number"]),
}
MONEY_FIELDS = {
    "subtotalPriceSet": "subtotal",
    "totalPriceSet": "total",
    "totalTaxSet": "tax",
    "totalShippingPriceSet": "shipping",
    "totalDiscountsSet": "discounts",
}


def resolve_order(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``order(id:)``."""
    require_scope(info, "read_orders")
    return context_of(info).shop.orders.get(id)


def resolve_order_by_identifier(
    _root: Any, info: GraphQLResolveInfo, identifier: Mapping[str, Any]
) -> dict[str, Any] | None:
    """``orderByIdentifier(identifier:)`` by id or custom id (an order metafield)."""
    require_scope(info, "read_orders")
    orders = context_of(info).shop.orders
    if identifier.get("id") is not None:
        return orders.get(str(identifier["id"]))
    if identifier.get("customId") is not None:
        return orders.by_custom_id(identifier["customId"])
    return None


def resolve_orders(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``orders(first:, ..., sortKey: PROCESSED_AT, query:)``; see :mod:`simulator.stores.order_search`."""
    require_scope(info, "read_orders")
    found = context_of(info).shop.orders.search(args.get("query"))
    return sorted_connection(found, args, ORDER_SORTS, "PROCESSED_AT")


def resolve_order_create(
    _root: Any, info: GraphQLResolveInfo, order: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``orderCreate(order:, options:)``: not idempotent; every successful call is a new order."""
    require_scope(info, "write_orders")
    check_input_sizes(info, {"order": order})
    context = record_mutation(info)
    reject_future = context.api_version < "2026-07"
    result = context.shop.orders.create(order, options, reject_future)
    return {"order": result.order, "userErrors": [error.to_graphql() for error in result.user_errors]}


def resolve_line_items(order: Mapping[str, Any], _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``Order.lineItems(...)``."""
    lines = [{**line, "currency": order["currencyCode"]} for line in order["lineItems"]]
    if args.get("reverse"):
        lines.reverse()
    return connection(lines, args, number_of, lambda line: number_of(line))


def resolve_shipping_lines(
    order: Mapping[str, Any], _info: GraphQLResolveInfo, **args: Any
) -> dict[str, Any]:
    """``Order.shippingLines(...)``."""
    lines = [{**line, "currency": order["currencyCode"]} for line in order["shippingLines"]]
    return connection(lines, args, number_of, lambda line: number_of(line))


def resolve_order_tax_lines(
    owner: Mapping[str, Any], _info: GraphQLResolveInfo, first: int | None = None
) -> list[dict[str, Any]]:
    """``taxLines`` of an order, line item or shipping line, with their currency."""
    currency = owner.get("currencyCode") or owner.get("currency") or "USD"
    lines = [{**tax, "currency": currency} for tax in owner["taxLines"]]
    return lines if first is None else lines[: max(0, first)]


def resolve_transactions(
    order: Mapping[str, Any], _info: GraphQLResolveInfo, first: int | None = None, **_args: Any
) -> list[dict[str, Any]]:
    """``Order.transactions(first:)``."""
    transactions = [{**t, "currency": order["currencyCode"]} for t in order["transactions"]]
    return transactions if first is None else transactions[: max(0, first)]


def _money(key: str) -> Resolver:
    return lambda order, _info: bag(order["totals"][key], order["currencyCode"])


def _quantity(order: Mapping[str, Any], _info: GraphQLResolveInfo) -> int:
    return sum(int(line["quantity"]) for line in order["lineItems"])


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("QueryRoot", "order"): resolve_order,
    ("QueryRoot", "orderByIdentifier"): resolve_order_by_identifier,
    ("QueryRoot", "orders"): resolve_orders,
    ("Mutation", "orderCreate"): resolve_order_create,
    ("Order", "legacyResourceId"): legacy_id,
    ("Order", "customer"): lambda o, info: (
        context_of(info).shop.customers.get(o["customerId"]) if o["customerId"] else None
    ),
    ("Order", "lineItems"): resolve_line_items,
    ("Order", "shippingLines"): resolve_shipping_lines,
    ("Order", "taxLines"): resolve_order_tax_lines,
    ("Order", "transactions"): resolve_transactions,
    ("Order", "discountCode"): lambda o, _i: (o["discountCodes"] or [None])[0],
    ("Order", "canMarkAsPaid"): lambda o, _i: can_mark_as_paid(o),
    ("Order", "fullyPaid"): lambda o, _i: o["displayFinancialStatus"] == "PAID",
    ("Order", "unpaid"): lambda o, _i: (
        o["displayFinancialStatus"] in (None, "PENDING", "AUTHORIZED", "EXPIRED")
    ),
    ("Order", "totalOutstandingSet"): lambda o, _i: bag(build.outstanding(o), o["currencyCode"]),
    ("Order", "confirmed"): lambda _o, _i: True,
    ("Order", "subtotalLineItemsQuantity"): _quantity,
    ("Order", "currentSubtotalLineItemsQuantity"): _quantity,
    **{("Order", name): _money(key) for name, key in MONEY_FIELDS.items()},
    ("LineItem", "originalUnitPriceSet"): lambda line, _i: bag(line["unitPrice"], line["currency"]),
    ("LineItem", "originalTotalSet"): lambda line, _i: bag(
        Decimal(line["unitPrice"]) * int(line["quantity"]), line["currency"]
    ),
    ("LineItem", "variant"): lambda line, info: (
        context_of(info).shop.products.variant(line["variantId"]) if line["variantId"] else None
    ),
    ("LineItem", "product"): lambda line, info: (
        context_of(info).shop.products.get(line["productId"]) if line["productId"] else None
    ),
    ("LineItem", "taxLines"): resolve_order_tax_lines,
    ("ShippingLine", "originalPriceSet"): lambda line, _i: bag(line["price"], line["currency"]),
    ("ShippingLine", "taxLines"): lambda line, info: resolve_order_tax_lines(line, info),
    ("TaxLine", "priceSet"): lambda tax, _i: bag(tax["price"], tax["currency"]),
    ("OrderTransaction", "amountSet"): lambda t, _i: bag(t["amount"], t["currency"]),
}
