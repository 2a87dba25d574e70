"""Validation of ``ProductSetInput``: scalars, handles, options and the variants' option values.

Messages and fields observed on live stores (docs/simulator.md, *productSet*): a title over
255 characters is ``["input", "title"]`` "is too long (maximum is 255 characters)" plus
``["input"]`` "Handle is too long ..." for the handle derived from it; vendor and product type
over 255 are ``["input"]`` errors; a taken explicit handle is "Handle 'x' already in use.
Please provide a new handle." (``HANDLE_NOT_UNIQUE``); a repeated option-value combination is
``["input", "variants", "<i>"]`` "The variant 'S / Red' already exists. Please change at least
one option value.". Other messages are the ``ProductSetUserErrorCode`` descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from simulator.stores.common import UserError

MAX_TEXT = 255
MAX_OPTIONS = 3
MAX_VARIANTS = 2048
DEFAULT_OPTION = "Title"
DEFAULT_VALUE = "Default Title"
INVALID_PRODUCT = "INVALID_PRODUCT"


def slugify(text: str) -> str:
    """Return Shopify's handle for a title: lower case, runs of other characters become ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def check_scalars(input: Mapping[str, Any], creating: bool) -> list[UserError]:
    """Check title, vendor and product type lengths, and that a new product has a title."""
    errors: list[UserError] = []
    title = input.get("title")
    if creating and not (title or "").strip():
        errors.append(UserError(("input", "title"), "Title can't be blank", INVALID_PRODUCT))
    if title is not None and len(title) > MAX_TEXT:
        errors.append(
            UserError(("input", "title"), "is too long (maximum is 255 characters)", INVALID_PRODUCT)
        )
    if len(input.get("vendor") or "") > MAX_TEXT:
        errors.append(
            UserError(("input",), "Vendor is too long (maximum is 255 characters)", INVALID_PRODUCT)
        )
    if len(input.get("productType") or "") > MAX_TEXT:
        for label in ("Product type", "Custom product type"):
            message = f"{label} is too long (maximum is 255 characters)"
            errors.append(UserError(("input",), message, INVALID_PRODUCT))
    return errors


def handle_too_long(handle: str) -> list[UserError]:
    """Return the error for a handle (given or derived from the title) over 255 characters."""
    if len(handle) <= MAX_TEXT:
        return []
    return [UserError(("input",), "Handle is too long (maximum is 255 characters)", INVALID_PRODUCT)]


def handle_taken(given: str) -> UserError:
    """Return ``HANDLE_NOT_UNIQUE`` for an explicit handle another product has."""
    message = f"Handle '{given}' already in use. Please provide a new handle."
    return UserError(("input", "handle"), message, "HANDLE_NOT_UNIQUE")


def check_options(options: Sequence[Mapping[str, Any]]) -> list[UserError]:
    """Check ``productOptions``: at most 3, named, unique names, at least one value, unique values."""
    errors: list[UserError] = []
    if len(options) > MAX_OPTIONS:
        errors.append(
            UserError(
                ("input", "productOptions"), "Options are limited to 3 per product", "OPTIONS_OVER_LIMIT"
            )
        )
    seen_names: set[str] = set()
    for index, option in enumerate(options):
        here = ("input", "productOptions", str(index))
        name = (option.get("name") or "").strip()
        if not name:
            errors.append(UserError((*here, "name"), "Option name can't be blank", "INVALID_INPUT"))
        elif name.lower() in seen_names:
            errors.append(UserError((*here, "name"), "Duplicated option name.", "DUPLICATED_OPTION_NAME"))
        elif " / " in name:  # FACTS.md, "More observed on live stores", productSet (line 143); wording ours
            errors.append(UserError((*here, "name"), "Option name cannot contain ' / '.", "INVALID_INPUT"))
        seen_names.add(name.lower())
        values = [str(value.get("name") or "") for value in option.get("values") or []]
        if not values:
            message = "Each option must have at least one option value specified."
            errors.append(UserError((*here, "values"), message, "OPTION_VALUES_MISSING"))
        seen_values: set[str] = set()
        for value_index, value in enumerate(values):
            if value.lower() in seen_values:
                where = (*here, "values", str(value_index))
                errors.append(UserError(where, "Duplicated option value.", "DUPLICATED_OPTION_VALUE"))
            seen_values.add(value.lower())
    return errors


def variant_combinations(
    options: Sequence[Mapping[str, Any]], variants: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[str, ...]], list[UserError]]:
    """Map each variant to its option values, in option order, and check them.

    Every variant must name each declared option exactly once, with a declared value; no two
    variants may share a combination. Returns the combinations (one per variant) and errors.
    """
    declared = [
        (str(o.get("name") or ""), [str(v.get("name") or "") for v in o.get("values") or []]) for o in options
    ]
    by_name = {name.lower(): position for position, (name, _values) in enumerate(declared)}
    combinations: list[tuple[str, ...]] = []
    errors: list[UserError] = []
    seen: set[tuple[str, ...]] = set()
    for index, variant in enumerate(variants):
        here = ("input", "variants", str(index))
        chosen: dict[int, str] = {}
        for value_index, value in enumerate(variant.get("optionValues") or []):
            where = (*here, "optionValues", str(value_index))
            position = by_name.get(str(value.get("optionName") or "").lower())
            if position is None:
                errors.append(UserError(where, "Option does not exist.", "OPTION_DOES_NOT_EXIST"))
                continue
            name = str(value.get("name") or "")
            if name not in declared[position][1]:
                errors.append(UserError(where, "Option value does not exist.", "OPTION_VALUE_DOES_NOT_EXIST"))
            chosen[position] = name
        for position, (option_name, _values) in enumerate(declared):
            if position not in chosen:
                message = f"Variant must have a value for option '{option_name}'."
                errors.append(UserError((*here, "optionValues"), message, "INVALID_VARIANT"))
        combination = tuple(chosen.get(position, "") for position in range(len(declared)))
        if len(chosen) == len(declared) and combination in seen:
            title = " / ".join(combination)
            message = f"The variant '{title}' already exists. Please change at least one option value."
            errors.append(UserError(here, message, "INVALID_VARIANT"))
        seen.add(combination)
        combinations.append(combination)
    return combinations, errors


def check_options_and_variants(input: Mapping[str, Any]) -> list[UserError]:
    """Check that ``productOptions`` and ``variants`` come together."""
    has_options, has_variants = input.get("productOptions") is not None, input.get("variants") is not None
    if has_options and not has_variants:
        message = "Variants input is required when updating product options"
        return [UserError(("input", "variants"), message, "VARIANTS_INPUT_MISSING")]
    if has_variants and not has_options:
        message = "Must specify product options when updating variants."
        return [UserError(("input", "productOptions"), message, "PRODUCT_OPTIONS_INPUT_MISSING")]
    return []
