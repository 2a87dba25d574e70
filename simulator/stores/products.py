"""The products of one shop, with ``productSet`` semantics, and their reads.

``productSet`` (shopify.dev reference and live captures, docs/simulator.md *productSet*): no
identifier creates; ``identifier: {id}`` updates or fails with ``NOT_FOUND``; ``{handle}`` and
``{customId}`` (a product metafield ``namespace.key == value``) update the match or create.
List fields (``variants``, ``metafields``) are replaced, omitted scalars are unchanged, and
``productOptions`` and ``variants`` come together. All checks run before anything is written.
Records: products hold ``variantIds``; variants and inventory items live in their own maps.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.stores import product_rules as rules
from simulator.stores.common import UserError, gid, parse_gid
from simulator.stores.inventory import InventoryStore
from simulator.stores.locations import LocationStore
from simulator.stores.metafields import MetafieldStore
from simulator.stores.product_search import product_matches, variant_matches
from simulator.stores.product_variants import check_variant_fields
from simulator.stores.product_writer import ProductWriter


@dataclass
class SetResult:
    """Outcome of ``productSet``: the saved product (a copy) or the user errors."""

    product: dict[str, Any] | None
    user_errors: list[UserError] = field(default_factory=list)


class ProductStore:
    """Products and variants of one shop (inventory items are in the ``InventoryStore``)."""

    def __init__(
        self,
        lock: threading.RLock,
        metafields: MetafieldStore,
        inventory: InventoryStore,
        locations: LocationStore,
    ) -> None:
        self._lock = lock
        self._metafields = metafields
        self._inventory = inventory
        self._locations = locations
        self._products: dict[str, dict[str, Any]] = {}
        self._variants: dict[str, dict[str, Any]] = {}
        self._writer = ProductWriter(self._products, self._variants, metafields, inventory, locations)

    # Reads -------------------------------------------------------------------------------

    def all(self) -> list[dict[str, Any]]:
        """Return every product with its variants (each with ``inventoryItem``) and metafields."""
        with self._lock:
            return [self._export(product) for product in self._products.values()]

    def get(self, product_id: str) -> dict[str, Any] | None:
        """Return the product with this gid, or ``None``."""
        with self._lock:
            found = self._products.get(product_id)
            return copy.deepcopy(found) if found else None

    def by_handle(self, handle: str) -> dict[str, Any] | None:
        """Return the product with this handle, or ``None``."""
        with self._lock:
            found = self._find_handle(handle)
            return copy.deepcopy(found) if found else None

    def by_custom_id(self, custom_id: Mapping[str, Any]) -> dict[str, Any] | None:
        """Return the product whose metafield ``namespace.key`` has the custom id ``value``."""
        owner = self._metafields.find_owner(
            "PRODUCT", custom_id.get("namespace"), custom_id["key"], custom_id["value"]
        )
        return self.get(owner) if owner else None

    def variant(self, variant_id: str) -> dict[str, Any] | None:
        """Return the variant with this gid, or ``None``."""
        with self._lock:
            found = self._variants.get(variant_id)
            return copy.deepcopy(found) if found else None

    def variants_of(self, product_id: str) -> list[dict[str, Any]]:
        """Return a product's variants by position."""
        with self._lock:
            product = self._products.get(product_id)
            ids = product["variantIds"] if product else []
            return [copy.deepcopy(self._variants[variant_id]) for variant_id in ids]

    def variant_by_sku(self, sku: str) -> dict[str, Any] | None:
        """Return the first variant with this SKU, or ``None``."""
        with self._lock:
            for variant in self._variants.values():
                if sku and variant.get("sku") == sku:
                    return copy.deepcopy(variant)
        return None

    def search(self, query: str | None) -> list[dict[str, Any]]:
        """Return the products matching a search string, oldest first."""
        with self._lock:
            return [
                copy.deepcopy(product)
                for product in self._products.values()
                if product_matches(product, [self._variants[v] for v in product["variantIds"]], query)
            ]

    def search_variants(self, query: str | None) -> list[dict[str, Any]]:
        """Return the variants matching a search string, oldest first."""
        with self._lock:
            return [
                copy.deepcopy(variant)
                for variant in self._variants.values()
                if variant_matches(variant, self._products[variant["productId"]], query)
            ]

    # productSet --------------------------------------------------------------------------

    def product_set(self, input: Mapping[str, Any], identifier: Mapping[str, Any] | None) -> SetResult:
        """Create, update or upsert a product the way ``productSet`` does."""
        with self._lock:
            target, errors = self._resolve_target(input, identifier)
            if errors:
                return SetResult(None, errors)
            handle, errors = self._handle(input, target, identifier)
            errors = rules.check_scalars(input, target is None) + errors
            errors += self._check_lists(input, target, identifier)
            if errors:
                return SetResult(None, errors)
            product_id = self._writer.write(input, target, handle, identifier)
            return SetResult(copy.deepcopy(self._products[product_id]))

    def _resolve_target(
        self, input: Mapping[str, Any], identifier: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any] | None, list[UserError]]:
        keys = {key: value for key, value in (identifier or {}).items() if value is not None}
        if keys and input.get("id") is not None:
            message = "The id field is not allowed if identifier is provided."
            return None, [UserError(("input",), message, "ID_NOT_ALLOWED")]
        if "id" in keys:
            target = self._products.get(_canonical(keys["id"]))
            if target is None:
                message = "Resource matching the identifier was not found."
                return None, [UserError(("input",), message, "NOT_FOUND")]
            return target, []
        if "handle" in keys:
            return self._handle_target(input, str(keys["handle"]))
        if "customId" in keys:
            custom = keys["customId"]
            owner = self._metafields.find_owner(
                "PRODUCT", custom.get("namespace"), custom["key"], custom["value"]
            )
            return (self._products.get(owner) if owner else None), []
        if input.get("id") is not None:
            target = self._products.get(_canonical(input["id"]))
            if target is None:
                return None, [UserError(("input", "id"), "Product does not exist", "PRODUCT_DOES_NOT_EXIST")]
            return target, []
        return None, []

    def _handle_target(
        self, input: Mapping[str, Any], handle: str
    ) -> tuple[dict[str, Any] | None, list[UserError]]:
        if not input.get("handle"):
            message = "The input field corresponding to the identifier is required."
            return None, [UserError(("input",), message, "MISSING_FIELD_REQUIRED")]
        if rules.slugify(str(input["handle"])) != rules.slugify(handle):
            message = "The identifier value does not match the value of the corresponding field in the input."
            return None, [UserError(("input",), message, "INPUT_MISMATCH")]
        return self._find_handle(rules.slugify(handle)), []

    def _handle(
        self, input: Mapping[str, Any], target: Mapping[str, Any] | None, identifier: Mapping[str, Any] | None
    ) -> tuple[str, list[UserError]]:
        given = str(input.get("handle") or "")
        wanted = rules.slugify(given)
        if wanted:
            owner = self._find_handle(wanted)
            if owner is not None and (target is None or owner["id"] != target["id"]):
                return wanted, [rules.handle_taken(given)]
            return wanted, rules.handle_too_long(wanted)
        if target is not None:
            return str(target["handle"]), []
        base = rules.slugify(str(input.get("title") or "")) or "product"
        handle, suffix = base, 0
        while self._find_handle(handle) is not None:
            suffix += 1
            handle = f"{base}-{suffix}"
        return handle, rules.handle_too_long(handle)

    def _check_lists(
        self, input: Mapping[str, Any], target: Mapping[str, Any] | None, identifier: Mapping[str, Any] | None
    ) -> list[UserError]:
        errors = rules.check_options_and_variants(input)
        options, variants = input.get("productOptions"), input.get("variants")
        if options is not None and variants is not None:
            errors += rules.check_options(options)
            errors += rules.variant_combinations(options, variants)[1]
            errors += check_variant_fields(variants, lambda loc: self._locations.get(loc) is not None)
            known = set(target["variantIds"]) if target else set()
            for index, entry in enumerate(variants):
                if entry.get("id") is not None and _canonical(entry["id"], "ProductVariant") not in known:
                    where = ("input", "variants", str(index), "id")
                    errors.append(
                        UserError(where, "Product variant does not exist.", "PRODUCT_VARIANT_DOES_NOT_EXIST")
                    )
                if entry.get("metafields") is not None:
                    path = ("input", "variants", str(index), "metafields")
                    errors += self._metafields.check_inputs(None, entry["metafields"], path)
        target_id = target["id"] if target else None
        if input.get("metafields") is not None:
            errors += self._metafields.check_inputs(target_id, input["metafields"], ("input", "metafields"))
            custom = (identifier or {}).get("customId")
            if custom and not any(
                (m.get("namespace"), m.get("key"), m.get("value"))
                == (custom.get("namespace"), custom["key"], custom["value"])
                for m in input["metafields"]
            ):
                message = "The input argument `metafields` (if present) must contain the `customId` value."
                errors.append(UserError(("input", "metafields"), message, "METAFIELD_MISMATCH"))
        return errors

    def _find_handle(self, handle: str) -> dict[str, Any] | None:
        for product in self._products.values():
            if product["handle"] == handle:
                return product
        return None

    def _export(self, product: Mapping[str, Any]) -> dict[str, Any]:
        variants = []
        for variant_id in product["variantIds"]:
            variant = copy.deepcopy(self._variants[variant_id])
            variant["inventoryItem"] = self._inventory.item(variant["inventoryItemId"])
            variants.append(variant)
        return {
            **copy.deepcopy(dict(product)),
            "variants": variants,
            "metafields": self._metafields.for_owner(product["id"]),
        }


def _canonical(value: Any, resource: str = "Product") -> str:
    parsed = parse_gid(str(value))
    return gid(resource, parsed[1]) if parsed and parsed[0] == resource else str(value)
