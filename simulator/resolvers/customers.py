"""Resolvers for customer reads, ``customerSet`` and the computed ``Customer`` fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.consent import default_email_address, default_phone_number
from simulator.resolvers.context import context_of, record_mutation, require_scope
from simulator.resolvers.pagination import connection
from simulator.state import ShopState
from simulator.stores.common import parse_gid
from simulator.stores.customer_rules import normalize_email, normalize_phone

SORT_VALUES: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "CREATED_AT": lambda c: c["createdAt"],
    "UPDATED_AT": lambda c: c["updatedAt"],
    "NAME": lambda c: display_name(c).lower(),
}


def number_of(record: Mapping[str, Any]) -> int:
    """Return the numeric part of a record's global id."""
    parsed = parse_gid(record["id"])
    return parsed[1] if parsed else 0


def display_name(customer: Mapping[str, Any]) -> str:
    """Return ``First Last``, falling back to the email, then the phone number."""
    name = " ".join(part for part in (customer.get("firstName"), customer.get("lastName")) if part)
    return name or customer.get("email") or customer.get("phone") or ""


def resolve_customer(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``customer(id:)``."""
    require_scope(info, "read_customers")
    return context_of(info).shop.customers.get(id)


def resolve_customer_by_identifier(
    _root: Any, info: GraphQLResolveInfo, identifier: Mapping[str, Any]
) -> dict[str, Any] | None:
    """``customerByIdentifier(identifier:)`` by id, email address or phone number."""
    require_scope(info, "read_customers")
    store = context_of(info).shop.customers
    if identifier.get("customId") is not None:
        owner = _custom_id_owner(context_of(info).shop, identifier["customId"])
        return store.get(owner) if owner else None
    if identifier.get("id") is not None:
        return store.get(identifier["id"])
    if identifier.get("emailAddress") is not None:
        return store.find(email=normalize_email(identifier["emailAddress"]))
    if identifier.get("phoneNumber") is not None:
        phone = str(identifier["phoneNumber"])
        return store.find(phone=normalize_phone(phone) or phone)
    return None


def resolve_customers(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``customers(first:, after:, last:, before:, reverse:, sortKey:, query:)``."""
    require_scope(info, "read_customers")
    found = context_of(info).shop.customers.search(args.get("query"))
    sort_key = args.get("sortKey") or "ID"
    value_of: Callable[[Mapping[str, Any]], Any] = SORT_VALUES.get(str(sort_key), number_of)
    found.sort(key=lambda c: (value_of(c), number_of(c)), reverse=bool(args.get("reverse")))
    return connection(found, args, number_of, value_of)


def resolve_customer_set(
    _root: Any,
    info: GraphQLResolveInfo,
    input: Mapping[str, Any],
    identifier: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``customerSet(input:, identifier:)``: create, update by id, or upsert by email/phone."""
    require_scope(info, "write_customers")
    custom = (identifier or {}).get("customId")
    if custom is not None:
        return _customer_set_by_custom_id(info, input, custom)
    context = record_mutation(info)
    result = context.shop.customers.customer_set(input, identifier)
    return {
        "customer": result.customer,
        "userErrors": [user_error.to_graphql() for user_error in result.user_errors],
    }


def _customer_set_by_custom_id(
    info: GraphQLResolveInfo, input: Mapping[str, Any], custom: Mapping[str, Any]
) -> dict[str, Any]:
    """Upsert by a unique customer metafield: update its owner, or create one that gets the metafield."""
    shop = context_of(info).shop
    with shop.data_lock:
        owner = _custom_id_owner(shop, custom)
        record_mutation(info)
        result = shop.customers.customer_set(input, {"id": owner} if owner else None)
        if result.customer is not None and owner is None:
            entry = {**custom, "type": "id"}
            shop.metafields.upsert(result.customer["id"], [entry])
    return {
        "customer": result.customer,
        "userErrors": [user_error.to_graphql() for user_error in result.user_errors],
    }


def _custom_id_owner(shop: ShopState, custom: Mapping[str, Any]) -> str | None:
    """The customer whose unique metafield holds the custom id (top-level NOT_FOUND without a definition)."""
    namespace = custom.get("namespace")
    shop.definitions.require("CUSTOMER", namespace, custom["key"])
    return shop.metafields.find_owner("CUSTOMER", namespace, custom["key"], custom["value"])


def resolve_addresses_v2(
    customer: Mapping[str, Any], _info: GraphQLResolveInfo, **args: Any
) -> dict[str, Any]:
    """``Customer.addressesV2``: the address list as a connection."""
    addresses = list(customer.get("addresses") or [])
    if args.get("reverse"):
        addresses.reverse()
    return connection(addresses, args, number_of, lambda a: str(number_of(a)))


def resolve_addresses(
    customer: Mapping[str, Any], _info: GraphQLResolveInfo, first: int | None = None
) -> list[dict[str, Any]]:
    """``Customer.addresses(first:)`` (deprecated list form)."""
    addresses = list(customer.get("addresses") or [])
    return addresses if first is None else addresses[: max(0, first)]


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("QueryRoot", "customer"): resolve_customer,
    ("QueryRoot", "customerByIdentifier"): resolve_customer_by_identifier,
    ("QueryRoot", "customers"): resolve_customers,
    ("Mutation", "customerSet"): resolve_customer_set,
    ("Customer", "legacyResourceId"): lambda c, _info: str(number_of(c)),
    ("Customer", "displayName"): lambda c, _info: display_name(c),
    ("Customer", "defaultEmailAddress"): default_email_address,  # with marketing consent
    ("Customer", "defaultPhoneNumber"): default_phone_number,
    ("Customer", "defaultAddress"): lambda c, _info: (c.get("addresses") or [None])[0],
    ("Customer", "addresses"): resolve_addresses,
    ("Customer", "addressesV2"): resolve_addresses_v2,
}
