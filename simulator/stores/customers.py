"""The in-memory customer store of one shop, with ``customerSet`` semantics.

Records are plain dicts in the GraphQL ``Customer`` shape (``id``, ``email``, ``phone``,
``firstName``, ``lastName``, ``note``, ``tags``, ``locale``, ``taxExempt``, ``taxExemptions``,
``addresses``, ``state``, ``verifiedEmail``, ``createdAt``, ``updatedAt``); readers always get
deep copies. A lock makes the store safe to read from a test thread while the server writes.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.stores import customer_rules as rules
from simulator.stores.addresses import build_addresses
from simulator.stores.common import UserError, gid, parse_gid, utc_timestamp
from simulator.stores.search import FieldGetter, Term, matches, parse_query


@dataclass
class SetResult:
    """Outcome of ``customerSet``: the saved customer (a copy) or the user errors."""

    customer: dict[str, Any] | None
    user_errors: list[UserError] = field(default_factory=list)


SEARCH_FIELDS: dict[str, FieldGetter] = {
    "email": lambda c: [c.get("email") or ""],
    "phone": lambda c: [c.get("phone") or ""],
    "first_name": lambda c: [c.get("firstName") or ""],
    "last_name": lambda c: [c.get("lastName") or ""],
    "tag": lambda c: list(c.get("tags") or []),
    "id": lambda c: [str(c["id"]).rsplit("/", 1)[-1]],
    "state": lambda c: [c.get("state") or ""],
}
DEFAULT_SEARCH_FIELDS = ("email", "first_name", "last_name", "phone")


class CustomerStore:
    """All customers of one shop."""

    def __init__(self, now: Callable[[], str] = utc_timestamp) -> None:
        self._now = now
        self._lock = threading.RLock()
        self._customers: dict[str, dict[str, Any]] = {}
        # ("email" | "phone", stored value) -> customer id; both are unique per shop.
        self._ids_by_contact: dict[tuple[str, str], str] = {}
        self._customer_numbers = itertools.count(1)
        self._address_numbers = itertools.count(1)

    def all(self) -> list[dict[str, Any]]:
        """Return every customer as a plain dict, oldest first."""
        with self._lock:
            return copy.deepcopy(list(self._customers.values()))

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """Return the customer with this gid, or ``None``."""
        with self._lock:
            record = self._customers.get(customer_id)
            return copy.deepcopy(record) if record else None

    def find(self, *, email: str | None = None, phone: str | None = None) -> dict[str, Any] | None:
        """Return the customer with this (normalised) email or phone, or ``None``."""
        with self._lock:
            record = self._find(email=email, phone=phone)
            return copy.deepcopy(record) if record else None

    def search(self, query: str | None) -> list[dict[str, Any]]:
        """Return the customers matching a Shopify search string, oldest first."""
        groups = parse_query(query)
        with self._lock:
            found = [c for c in self._customers.values() if _search_match(c, groups)]
            return copy.deepcopy(found)

    def find_address(self, address_id: str) -> dict[str, Any] | None:
        """Return the address with this gid from any customer, or ``None``."""
        with self._lock:
            for customer in self._customers.values():
                for address in customer["addresses"]:
                    if address["id"] == address_id:
                        found: dict[str, Any] = copy.deepcopy(address)
                        return found
        return None

    def patch(self, customer_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Merge fields ``customerSet`` does not own (e.g. marketing consent) into a customer."""
        with self._lock:
            record = self._customers.get(customer_id)
            if record is None:
                return None
            record.update(changes, updatedAt=self._now())
            return copy.deepcopy(record)

    def customer_set(self, input: Mapping[str, Any], identifier: Mapping[str, Any] | None) -> SetResult:
        """Create, update or upsert a customer the way ``customerSet`` does.

        ``identifier.customId`` is resolved by the caller (``resolvers/customers.py``) into an id.
        """
        with self._lock:
            target, errors = self._resolve_target(input, identifier)
            if errors:
                return SetResult(None, errors)
            changes, errors = self._validate(input, target)
            merged = {**(target or self._blank()), **changes}
            if not errors:
                errors = self._check_record(merged)
            if errors:
                return SetResult(None, errors)
            merged["updatedAt"] = self._now()
            self._store(merged)
            return SetResult(copy.deepcopy(merged))

    def _resolve_target(
        self, input: Mapping[str, Any], identifier: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any] | None, list[UserError]]:
        keys = {key: value for key, value in (identifier or {}).items() if value is not None}
        input_id = input.get("id")
        if keys and input_id is not None:
            message = "The id field is not allowed if identifier is provided."
            return None, [UserError(("input",), message, "ID_NOT_ALLOWED")]
        wanted_id = keys.get("id", input_id)
        if wanted_id is not None:
            target = self._customers.get(_canonical_customer_id(wanted_id))
            if target is None:
                message = "Resource matching the identifier was not found."
                return None, [UserError(("input",), message, "NOT_FOUND")]
            return target, []
        for key in ("email", "phone"):
            if key in keys:
                return self._upsert_target(key, str(keys[key]), input)
        return None, []

    def _upsert_target(
        self, key: str, wanted: str, input: Mapping[str, Any]
    ) -> tuple[dict[str, Any] | None, list[UserError]]:
        if input.get(key) is None:
            message = "The input field corresponding to the identifier is required."
            return None, [UserError(("input",), message, "MISSING_FIELD_REQUIRED")]
        normalize = rules.normalize_email if key == "email" else _phone_key
        if normalize(str(input[key])) != normalize(wanted):
            message = "The identifier value does not match the value of the corresponding field in the input."
            return None, [UserError(("input",), message, "INPUT_MISMATCH")]
        lookup = normalize(wanted)
        return (self._find(email=lookup) if key == "email" else self._find(phone=lookup)), []

    def _validate(
        self, input: Mapping[str, Any], target: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], list[UserError]]:
        changes: dict[str, Any] = {}
        errors: list[UserError] = []

        def path(name: str) -> tuple[str, ...]:
            return ("input", name)

        if "email" in input:
            changes["email"], found = rules.check_email(input["email"], path("email"))
            errors += found
        if "phone" in input:
            changes["phone"], found = rules.check_phone(input["phone"], path("phone"))
            errors += found
        for name, label in (("firstName", "First name"), ("lastName", "Last name")):
            if name in input:
                changes[name], found = rules.check_length(
                    input[name], path(name), label, rules.MAX_NAME_LENGTH
                )
                errors += found
        if "note" in input:
            changes["note"], found = rules.check_length(
                input["note"], path("note"), "Note", rules.MAX_NOTE_LENGTH
            )
            errors += found
        if "tags" in input:
            changes["tags"], found = rules.check_tags(input["tags"], path("tags"))
            errors += found
        if input.get("locale"):
            changes["locale"] = str(input["locale"])
        errors += rules.check_tax_exempt(input.get("taxExempt"), "taxExempt" in input, path("taxExempt"))
        if input.get("taxExempt") is not None:
            changes["taxExempt"] = bool(input["taxExempt"])
        if "taxExemptions" in input:
            changes["taxExemptions"] = list(input["taxExemptions"] or [])
        if input.get("addresses") is not None:
            existing = target["addresses"] if target else []
            changes["addresses"], found = build_addresses(
                input["addresses"], existing, lambda: next(self._address_numbers)
            )
            errors += found
        return changes, errors

    def _check_record(self, record: Mapping[str, Any]) -> list[UserError]:
        if not any(record.get(key) for key in ("firstName", "lastName", "email", "phone")):
            return [rules.identity_error()]
        errors: list[UserError] = []
        other = self._find(email=record["email"]) if record.get("email") else None
        if other is not None and other["id"] != record["id"]:
            errors.append(UserError(("input", "email"), "Email has already been taken", "TAKEN"))
        other = self._find(phone=record["phone"]) if record.get("phone") else None
        if other is not None and other["id"] != record["id"]:
            errors.append(UserError(("input", "phone"), "Phone has already been taken", "TAKEN"))
        return errors

    def _find(self, *, email: str | None = None, phone: str | None = None) -> dict[str, Any] | None:
        if email is not None:
            found = self._ids_by_contact.get(("email", rules.normalize_email(email)))
        else:
            found = self._ids_by_contact.get(("phone", _phone_key(phone))) if phone is not None else None
        return self._customers.get(found) if found is not None else None

    def _store(self, record: dict[str, Any]) -> None:
        previous = self._customers.get(record["id"])
        for key in ("email", "phone"):
            if previous is not None and previous.get(key):
                self._ids_by_contact.pop((key, previous[key]), None)
            if record.get(key):
                self._ids_by_contact[(key, record[key])] = record["id"]
        self._customers[record["id"]] = record

    def _blank(self) -> dict[str, Any]:
        now = self._now()
        return {
            "id": gid("Customer", next(self._customer_numbers)),
            "email": None,
            "phone": None,
            "firstName": None,
            "lastName": None,
            "note": None,
            "tags": [],
            "locale": "en",
            "taxExempt": False,
            "taxExemptions": [],
            "addresses": [],
            "state": "DISABLED",
            "verifiedEmail": True,
            "createdAt": now,
            "updatedAt": now,
        }


def _canonical_customer_id(value: Any) -> str:
    parsed = parse_gid(str(value))
    if parsed is None or parsed[0] != "Customer":
        return str(value)
    return gid("Customer", parsed[1])


def _phone_key(raw: str) -> str:
    return rules.normalize_phone(raw) or raw.strip()


def _search_match(customer: Mapping[str, Any], groups: list[list[Term]]) -> bool:
    # ``tag_not:x`` is a negated ``tag:x``.
    adjusted = [
        [Term("tag", term.value, not term.negated) if term.field == "tag_not" else term for term in group]
        for group in groups
    ]
    return matches(customer, adjusted, SEARCH_FIELDS, DEFAULT_SEARCH_FIELDS)
