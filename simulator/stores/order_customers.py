"""The customer of a new order: ``customer.toAssociate`` {id | email}, ``customer.toUpsert``, ``customerId``.

``toUpsert`` runs ``customerSet`` (upsert by ``id``, else ``email``, else ``phone``, else a new
customer) and reports its user errors under ``["order", "customer", "toUpsert", ...]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.stores.common import UserError, gid, parse_gid
from simulator.stores.customer_rules import normalize_email
from simulator.stores.customers import CustomerStore
from simulator.stores.order_rules import customer_error

UPSERT_FIELDS = ("email", "phone", "firstName", "lastName", "note", "tags", "taxExempt", "addresses")


def associate_customer(
    order: Mapping[str, Any], customers: CustomerStore
) -> tuple[dict[str, Any] | None, list[UserError]]:
    """Return the order's customer (created or updated for ``toUpsert``), or the errors."""
    if order.get("customerId") is not None:
        found = customers.get(_customer_gid(order["customerId"]))
        if found is None:
            return None, [UserError(("order", "customerId"), "Customer does not exist", "INVALID")]
        return found, []
    customer = order.get("customer") or {}
    if customer.get("toAssociate") is not None:
        return _associate(customer["toAssociate"], customers)
    if customer.get("toUpsert") is not None:
        return _upsert(customer["toUpsert"], customers)
    return None, []


def _associate(
    target: Mapping[str, Any], customers: CustomerStore
) -> tuple[dict[str, Any] | None, list[UserError]]:
    if target.get("id") is not None:
        found = customers.get(_customer_gid(target["id"]))
        where: tuple[str, ...] = ("toAssociate", "id")
    elif target.get("email"):
        found = customers.find(email=normalize_email(str(target["email"])))
        where = ("toAssociate", "email")
    else:
        return None, [customer_error(("toAssociate",), "Customer id or email is required")]
    if found is None:
        return None, [customer_error(where, "Customer does not exist")]
    return found, []


def _upsert(
    attributes: Mapping[str, Any], customers: CustomerStore
) -> tuple[dict[str, Any] | None, list[UserError]]:
    input = {key: attributes[key] for key in UPSERT_FIELDS if key in attributes}
    identifier: dict[str, Any] | None = None
    if attributes.get("id") is not None:
        identifier = {"id": _customer_gid(attributes["id"])}
    elif attributes.get("email"):
        identifier = {"email": attributes["email"]}
    elif attributes.get("phone"):
        identifier = {"phone": attributes["phone"]}
    result = customers.customer_set(input, identifier)
    prefix = ("order", "customer", "toUpsert")
    errors = [
        UserError((*prefix, *(error.field or ("input",))[1:]), error.message, "INVALID")
        for error in result.user_errors
    ]
    return (None, errors) if errors else (result.customer, [])


def _customer_gid(value: Any) -> str:
    parsed = parse_gid(str(value))
    return gid("Customer", parsed[1]) if parsed and parsed[0] == "Customer" else str(value)
