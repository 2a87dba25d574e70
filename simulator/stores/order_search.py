"""Search strings for ``orders(query:)``.

The real schema documents these filters for ``QueryRoot.orders(query:)``; the simulator
understands ``source_identifier`` ("the ID of the order placed on the originating platform"),
``source_name``, ``name`` (with or without ``#``), ``email``, ``tag``, ``tag_not``, ``id``,
``po_number``, ``sku``, ``customer_id``, ``test``, ``status`` (``open``, ``closed``,
``cancelled``, ``not_closed``), ``financial_status`` and ``fulfillment_status`` (lower-case
display statuses), and bare words (name, email). Values match case-insensitively and exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from simulator.stores.search import Term, parse_query

Order = Mapping[str, Any]


def _number(value: Any) -> str:
    return str(value or "").split("?", 1)[0].rsplit("/", 1)[-1]


def _statuses(order: Order) -> list[str]:
    statuses = ["closed" if order["closed"] else "open"]
    if order["cancelledAt"]:
        statuses.append("cancelled")
    if not order["closed"]:
        statuses.append("not_closed")
    return statuses


FIELDS: dict[str, Callable[[Order], list[str]]] = {
    "source_identifier": lambda o: [o.get("sourceIdentifier") or ""],
    "source_name": lambda o: [o.get("sourceName") or ""],
    "name": lambda o: [o["name"], str(o["name"]).lstrip("#")],
    "email": lambda o: [o.get("email") or ""],
    "tag": lambda o: list(o.get("tags") or []),
    "id": lambda o: [_number(o["id"])],
    "po_number": lambda o: [o.get("poNumber") or ""],
    "sku": lambda o: [line.get("sku") or "" for line in o["lineItems"]],
    "customer_id": lambda o: [_number(o.get("customerId"))],
    "test": lambda o: ["true" if o.get("test") else "false"],
    "status": _statuses,
    "financial_status": lambda o: [str(o.get("displayFinancialStatus") or "").lower()],
    "fulfillment_status": lambda o: [str(o.get("displayFulfillmentStatus") or "").lower()],
}
DEFAULT_FIELDS = ("name", "email")


def order_matches(order: Order, query: str | None) -> bool:
    """Return whether an order matches a search string (empty: every order)."""
    groups = parse_query(query)
    if not groups:
        return True
    return any(all(_term(order, term) for term in group) for group in groups)


def _term(order: Order, term: Term) -> bool:
    field, negated = term.field, term.negated
    if field == "tag_not":
        field, negated = "tag", not negated
    names = [field] if field else list(DEFAULT_FIELDS)
    wanted = term.value.lower()
    found = False
    for name in names:
        getter = FIELDS.get(name)
        if getter is None:
            continue
        candidates = [c.lower() for c in getter(order) if c]
        found = (
            bool(candidates) if wanted == "*" else wanted.lstrip("#") in [c.lstrip("#") for c in candidates]
        )
        if found:
            break
    return found != negated
