"""What ``orderUpdate`` refuses: FACTS.md, "More observed on live stores", orderUpdate (lines 139-140).

Observed: an invalid phone (field ``["phone"]``), a shipping address without last name or ZIP, a
province that does not belong to the country, and an input with nothing to change (field ``null``).
The fields of the address errors and every message are ours; provinces are checked for the countries
listed here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.stores.common import UserError
from simulator.stores.customer_rules import normalize_phone

PROVINCES: dict[str, frozenset[str]] = {
    "US": frozenset(
        [
            "AL",
            "AK",
            "AZ",
            "AR",
            "CA",
            "CO",
            "CT",
            "DE",
            "DC",
            "FL",
            "GA",
            "HI",
            "ID",
            "IL",
            "IN",
            "IA",
            "KS",
            "KY",
            "LA",
            "ME",
            "MD",
            "MA",
            "MI",
            "MN",
            "MS",
            "MO",
            "MT",
            "NE",
            "NV",
            "NH",
            "NJ",
            "NM",
            "NY",
            "NC",
            "ND",
            "OH",
            "OK",
            "OR",
            "PA",
            "RI",
            "SC",
            "SD",
            "TN",
            "TX",
            "UT",
            "VT",
            "VA",
            "WA",
            "WV",
            "WI",
            "WY",
            "PR",
        ]
    ),
    "CA": frozenset(["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]),
    "AU": frozenset(["ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"]),
}
NO_ZIP = frozenset({"IE", "HK", "AE"})
CHANGEABLE = (
    "email",
    "phone",
    "note",
    "tags",
    "shippingAddress",
    "customAttributes",
    "metafields",
    "poNumber",
)


def update_errors(input: Mapping[str, Any]) -> list[UserError]:
    """The reasons to refuse an ``orderUpdate`` input (plain ``UserError``: no code)."""
    if not any(key in input for key in CHANGEABLE):
        return [UserError(None, "No changes were given to update the order")]
    errors: list[UserError] = []
    if input.get("phone") and normalize_phone(str(input["phone"])) is None:
        errors.append(UserError(("phone",), "Phone is invalid"))
    address = input.get("shippingAddress")
    if isinstance(address, Mapping):
        errors += _address_errors(address, ("shippingAddress",))
    return errors


def _address_errors(address: Mapping[str, Any], here: tuple[str, ...]) -> list[UserError]:
    errors: list[UserError] = []
    if not str(address.get("lastName") or "").strip():
        errors.append(UserError((*here, "lastName"), "Last name can't be blank"))
    country = str(address.get("countryCode") or "")
    if country not in NO_ZIP and not str(address.get("zip") or "").strip():
        errors.append(UserError((*here, "zip"), "Zip can't be blank"))
    province = str(address.get("provinceCode") or address.get("province") or "").strip().upper()
    if province and country in PROVINCES and province not in PROVINCES[country]:
        errors.append(UserError((*here, "provinceCode"), f"Province is not valid for {country}"))
    return errors
