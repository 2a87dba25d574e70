"""The orders of one shop: ``orderCreate``, reads and search (updates are in ``order_updates``).

``orderCreate`` is not idempotent, as on Shopify: the same input twice creates two orders. A
client that must not create an order twice looks it up first, e.g. with
``orders(query: "source_identifier:X")`` (see docs/simulator.md, *Finding an order again*).
Inventory is only claimed with ``options.inventoryBehaviour`` ``DECREMENT_*`` (the default is
``BYPASS``): tracked variants move the quantity from ``available`` to ``committed`` at the
shop's first location.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from simulator.stores import order_build as build
from simulator.stores.common import UserError, gid, parse_gid, utc_timestamp
from simulator.stores.customer_rules import check_tags
from simulator.stores.customers import CustomerStore
from simulator.stores.inventory import InventoryStore
from simulator.stores.locations import LocationStore
from simulator.stores.metafields import MetafieldStore
from simulator.stores.order_customers import associate_customer
from simulator.stores.order_rules import check_order, parse_datetime
from simulator.stores.order_search import order_matches
from simulator.stores.order_updates import OrderUpdates
from simulator.stores.products import ProductStore

ORDER_NUMBER_START = 1000


@dataclass
class CreateResult:
    """Outcome of ``orderCreate``: the order (a copy) or the user errors."""

    order: dict[str, Any] | None
    user_errors: list[UserError] = field(default_factory=list)


class OrderStore:
    """Orders of one shop.

    Args:
        lock: The shop's data lock.
        clock: Monotonic seconds (search-index lag is measured with it).
        search_lag_s: Seconds before a new order matches ``orders(query:)``.

    """

    def __init__(
        self,
        lock: threading.RLock,
        clock: Callable[[], float],
        search_lag_s: Callable[[], float],
        customers: CustomerStore,
        products: ProductStore,
        inventory: InventoryStore,
        locations: LocationStore,
        metafields: MetafieldStore,
    ) -> None:
        self._lock = lock
        self._clock = clock
        self._search_lag_s = search_lag_s
        self._customers = customers
        self._products = products
        self._inventory = inventory
        self._locations = locations
        self._metafields = metafields
        self._orders: dict[str, dict[str, Any]] = {}
        self._counters = {
            name: itertools.count(1)
            for name in ("Order", "LineItem", "ShippingLine", "OrderTransaction", "MailingAddress")
        }
        self.updates = OrderUpdates(
            lock,
            self._orders,
            inventory,
            metafields,
            lambda resource: build.numbered(resource, self._counters),
        )

    def all(self) -> list[dict[str, Any]]:
        """Return every order (with its ``metafields``), oldest first."""
        with self._lock:
            return [
                {**copy.deepcopy(o), "metafields": self._metafields.for_owner(o["id"])}
                for o in self._orders.values()
            ]

    def get(self, order_id: str) -> dict[str, Any] | None:
        """Return the order with this gid, or ``None``."""
        with self._lock:
            found = self._orders.get(_canonical(order_id))
            return copy.deepcopy(found) if found else None

    def search(self, query: str | None) -> list[dict[str, Any]]:
        """Return the orders matching a search string; with a query, only orders the index has seen."""
        now = self._clock()
        with self._lock:
            return [
                copy.deepcopy(order)
                for order in self._orders.values()
                if order_matches(order, query) and (not query or order["indexedAt"] <= now)
            ]

    def by_custom_id(self, custom_id: Mapping[str, Any]) -> dict[str, Any] | None:
        """Return the order whose metafield ``namespace.key`` has the custom id ``value``."""
        owner = self._metafields.find_owner(
            "ORDER", custom_id.get("namespace"), custom_id["key"], custom_id["value"]
        )
        return self.get(owner) if owner else None

    def create(
        self, order: Mapping[str, Any], options: Mapping[str, Any] | None, reject_future: bool
    ) -> CreateResult:
        """Run ``orderCreate``: validate everything, then associate the customer, claim stock and save."""
        options = options or {}
        with self._lock:
            errors = check_order(order, self._variant, reject_future)
            if order.get("metafields") is not None:
                errors += self._metafields.check_inputs(None, order["metafields"], ("order", "metafields"))
            if errors:
                return CreateResult(None, errors)
            claims, errors = self._claims(order, options.get("inventoryBehaviour") or "BYPASS")
            if errors:
                return CreateResult(None, errors)
            customer, errors = associate_customer(order, self._customers)
            if errors:
                return CreateResult(None, errors)
            record = self._build(order, customer, claims)
            for item_id, location_id, quantity in claims:
                self._inventory.commit(item_id, location_id, quantity)
            self._orders[record["id"]] = record
            if order.get("metafields"):
                self._metafields.upsert(record["id"], order["metafields"])
            return CreateResult(copy.deepcopy(record))

    def _variant(self, variant_id: str) -> dict[str, Any] | None:
        parsed = parse_gid(variant_id)
        found = (
            self._products.variant(gid("ProductVariant", parsed[1]))
            if parsed and parsed[0] == "ProductVariant"
            else None
        )
        if found is not None:
            found["product"] = self._products.get(found["productId"])
        return found

    def _claims(
        self, order: Mapping[str, Any], behaviour: str
    ) -> tuple[list[tuple[str, str, int]], list[UserError]]:
        if behaviour == "BYPASS":
            return [], []
        location_id = self._locations.primary()["id"]
        claims, errors = [], []
        for index, line in enumerate(order.get("lineItems") or []):
            variant = self._variant(str(line["variantId"])) if line.get("variantId") is not None else None
            item = self._inventory.item(variant["inventoryItemId"]) if variant else None
            if variant is None or item is None or not item["tracked"]:
                continue
            quantity = int(line["quantity"])
            available = self._inventory.quantity(item["id"], location_id) or 0
            if (
                behaviour == "DECREMENT_OBEYING_POLICY"
                and variant["inventoryPolicy"] == "DENY"
                and available < quantity
            ):
                message = f"Not enough inventory available for '{variant['title']}' ({available} left)"
                errors.append(
                    UserError(
                        ("order", "lineItems", str(index), "quantity"), message, "INVENTORY_CLAIM_FAILED"
                    )
                )
            claims.append((item["id"], location_id, quantity))
        return claims, errors

    def _build(
        self, order: Mapping[str, Any], customer: Mapping[str, Any] | None, claims: list[tuple[str, str, int]]
    ) -> dict[str, Any]:
        now = utc_timestamp()

        def new_id(resource: str) -> str:
            return build.numbered(resource, self._counters)

        order_id = new_id("Order")
        number = int(order_id.rsplit("/", 1)[-1])
        lines = build.line_items(order.get("lineItems") or [], self._variant, new_id)
        shipping = build.shipping_lines(order.get("shippingLines") or [], new_id)
        totals = build.totals(order, lines, shipping)
        transactions = build.transactions(order.get("transactions") or [], new_id, now)
        currency = order.get("currency") or "USD"
        return {
            "id": order_id,
            "number": number,
            "name": order.get("name") or f"#{ORDER_NUMBER_START + number}",
            "email": order.get("email") or (customer or {}).get("email"),
            "phone": order.get("phone"),
            "note": order.get("note"),
            "tags": check_tags(order.get("tags"), ("order", "tags"))[0],
            "poNumber": order.get("poNumber"),
            "sourceName": order.get("sourceName"),
            "sourceIdentifier": order.get("sourceIdentifier"),
            "sourceUrl": order.get("sourceUrl"),
            "test": bool(order.get("test")),
            "customerId": (customer or {}).get("id"),
            "billingAddress": build.address(order.get("billingAddress"), new_id),
            "shippingAddress": build.address(order.get("shippingAddress"), new_id),
            "customAttributes": [dict(a) for a in order.get("customAttributes") or []],
            "discountCodes": build.discount_codes(order.get("discountCode")),
            "lineItems": lines,
            "shippingLines": shipping,
            "taxLines": build.tax_lines(order.get("taxLines") or [], Decimal(totals["subtotal"])),
            "transactions": transactions,
            "totals": totals,
            "currencyCode": currency,
            "presentmentCurrencyCode": order.get("presentmentCurrency") or currency,
            "displayFinancialStatus": build.financial_status(
                order.get("financialStatus"), transactions, Decimal(totals["total"])
            ),
            "displayFulfillmentStatus": order.get("fulfillmentStatus") or "UNFULFILLED",
            "processedAt": _processed_at(order.get("processedAt"), now),
            "closed": order.get("closedAt") is not None,
            "closedAt": order.get("closedAt"),
            "cancelledAt": None,
            "cancelReason": None,
            "inventoryClaims": [list(claim) for claim in claims],
            "createdAt": now,
            "updatedAt": now,
            "indexedAt": self._clock() + self._search_lag_s(),
        }


def _processed_at(value: Any, now: str) -> str:
    moment = parse_datetime(value)
    if moment is None or moment > datetime.now(UTC):
        return now
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canonical(value: str) -> str:
    parsed = parse_gid(value)
    return gid("Order", parsed[1]) if parsed and parsed[0] == "Order" else value
