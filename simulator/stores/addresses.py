"""``MailingAddressInput`` -> ``MailingAddress`` records for customer address lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simulator.stores.common import UserError, gid, parse_gid
from simulator.stores.customer_rules import normalize_phone

# Country names for the codes a demo is likely to use; other codes print as the code.
COUNTRY_NAMES: dict[str, str] = {
    "AU": "Australia",
    "BR": "Brazil",
    "CA": "Canada",
    "DE": "Germany",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "IN": "India",
    "IT": "Italy",
    "JP": "Japan",
    "MX": "Mexico",
    "NL": "Netherlands",
    "NZ": "New Zealand",
    "SE": "Sweden",
    "US": "United States",
}

_TEXT_FIELDS = ("address1", "address2", "city", "company", "firstName", "lastName", "zip")


def address_gid(number: int) -> str:
    """Return a customer address id the way Shopify prints it."""
    return gid("MailingAddress", number, "?model_name=CustomerAddress")


def build_addresses(
    inputs: Sequence[Mapping[str, Any]],
    existing: Sequence[Mapping[str, Any]],
    next_number: Callable[[], int],
) -> tuple[list[dict[str, Any]], list[UserError]]:
    """Replace an address list: entries with a known ``id`` keep it, the rest get new ids.

    Args:
        inputs: The ``addresses`` list of the input (already coerced by GraphQL).
        existing: The customer's current addresses.
        next_number: Source of new address numbers.

    Returns:
        The new address records and the user errors found in them.

    """
    known = {address["id"]: address for address in existing}
    records: list[dict[str, Any]] = []
    errors: list[UserError] = []
    for index, item in enumerate(inputs):
        address_id = _reuse_id(item.get("id"), known) or address_gid(next_number())
        record, item_errors = _build_one(item, address_id, ("input", "addresses", str(index)))
        records.append(record)
        errors.extend(item_errors)
    return records, errors


def _reuse_id(value: Any, known: Mapping[str, Any]) -> str | None:
    if not isinstance(value, str):
        return None
    parsed = parse_gid(value)
    if parsed is None:
        return None
    candidate = address_gid(parsed[1])
    return candidate if candidate in known else None


def _build_one(
    item: Mapping[str, Any], address_id: str, path: tuple[str, ...]
) -> tuple[dict[str, Any], list[UserError]]:
    errors: list[UserError] = []
    record: dict[str, Any] = {"id": address_id}
    for key in _TEXT_FIELDS:
        record[key] = item.get(key)
    code = item.get("countryCode")
    record["countryCodeV2"] = code
    record["country"] = COUNTRY_NAMES.get(code, code) if code else item.get("country")
    record["provinceCode"] = item.get("provinceCode")
    record["province"] = item.get("province") or item.get("provinceCode")
    phone = item.get("phone")
    if phone:
        normalized = normalize_phone(str(phone))
        if normalized is None:
            errors.append(UserError((*path, "phone"), "Phone is invalid", "INVALID"))
        phone = normalized or phone
    record["phone"] = phone
    names = [part for part in (record["firstName"], record["lastName"]) if part]
    record["name"] = " ".join(names) or None
    record["formattedArea"] = formatted_area(record)
    return record, errors


def formatted_area(record: Mapping[str, Any]) -> str | None:
    """Return e.g. ``"Ottawa ON, Canada"`` (city, province code, country), as observed."""
    locality = " ".join(part for part in (record.get("city"), record.get("provinceCode")) if part)
    parts = [part for part in (locality, record.get("country")) if part]
    return ", ".join(parts) or None
