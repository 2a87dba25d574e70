"""Writing a validated ``productSet``: scalars, options, variants (list replacement) and metafields.

Variants in the input are matched to existing ones by ``id``, else by their option values;
matched variants keep their id and inventory item, unmatched input entries become new
variants (stocked at every location with zero quantities), and existing variants left out are
deleted with their inventory items and metafields. Options keep their ids when their name
(and values when their name) is unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from simulator.stores import product_rules as rules
from simulator.stores.common import gid, parse_gid, utc_timestamp
from simulator.stores.customer_rules import check_tags
from simulator.stores.inventory import InventoryStore
from simulator.stores.locations import LocationStore
from simulator.stores.metafields import MetafieldStore
from simulator.stores.product_variants import item_fields, new_variant_defaults, variant_fields

SCALARS = ("title", "descriptionHtml", "vendor", "productType", "status")
DEFAULT_OPTIONS = [{"name": rules.DEFAULT_OPTION, "values": [{"name": rules.DEFAULT_VALUE}]}]


class ProductWriter:
    """Applies ``productSet`` input to the store's maps (the caller holds the shop lock)."""

    def __init__(
        self,
        products: dict[str, dict[str, Any]],
        variants: dict[str, dict[str, Any]],
        metafields: MetafieldStore,
        inventory: InventoryStore,
        locations: LocationStore,
    ) -> None:
        self._products = products
        self._variants = variants
        self._metafields = metafields
        self._inventory = inventory
        self._locations = locations
        self._numbers = {
            name: itertools.count(1)
            for name in ("Product", "ProductVariant", "ProductOption", "ProductOptionValue")
        }

    def write(
        self,
        input: Mapping[str, Any],
        target: Mapping[str, Any] | None,
        handle: str,
        identifier: Mapping[str, Any] | None,
    ) -> str:
        """Save the product and return its gid."""
        now = utc_timestamp()
        product = dict(target) if target else self._blank(now)
        for key in SCALARS:
            if input.get(key) is not None:
                product[key] = input[key]
        if "tags" in input:
            product["tags"] = check_tags(input.get("tags"), ("input", "tags"))[0]
        if input.get("seo") is not None:
            product["seo"] = {**product["seo"], **dict(input["seo"])}
        product["handle"] = handle
        options_in, variants_in = input.get("productOptions"), input.get("variants")
        if options_in is None and target is None:
            options_in, variants_in = (
                DEFAULT_OPTIONS,
                [{"optionValues": [{"optionName": rules.DEFAULT_OPTION, "name": rules.DEFAULT_VALUE}]}],
            )
        self._products[product["id"]] = product
        if options_in is not None and variants_in is not None:
            product["options"] = self._options(product["options"], options_in)
            product["variantIds"] = self._replace_variants(product, options_in, variants_in, now)
        if input.get("metafields") is not None:
            self._metafields.replace(product["id"], input["metafields"])
        custom = (identifier or {}).get("customId")
        if custom and target is None and input.get("metafields") is None:
            self._metafields.upsert(product["id"], [{**custom, "type": "id"}])
        product["updatedAt"] = now
        return str(product["id"])

    def _blank(self, now: str) -> dict[str, Any]:
        return {
            "id": gid("Product", next(self._numbers["Product"])),
            "title": "",
            "handle": "",
            "descriptionHtml": "",
            "vendor": "",
            "productType": "",
            "status": "ACTIVE",
            "tags": [],
            "seo": {"title": None, "description": None},
            "options": [],
            "variantIds": [],
            "createdAt": now,
            "updatedAt": now,
        }

    def _options(
        self, existing: Sequence[Mapping[str, Any]], inputs: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        by_name = {str(option["name"]).lower(): option for option in existing}
        options = []
        for position, entry in enumerate(inputs, start=1):
            name = str(entry["name"]).strip()
            old = by_name.get(name.lower())
            old_values = {str(v["name"]): v["id"] for v in (old or {}).get("optionValues", [])}
            values = [
                {
                    "id": old_values.get(str(v["name"])) or self._new("ProductOptionValue"),
                    "name": str(v["name"]),
                }
                for v in entry.get("values") or []
            ]
            options.append(
                {
                    "id": old["id"] if old else self._new("ProductOption"),
                    "name": name,
                    "position": position,
                    "optionValues": values,
                }
            )
        return options

    def _replace_variants(
        self,
        product: Mapping[str, Any],
        options: Sequence[Mapping[str, Any]],
        inputs: Sequence[Mapping[str, Any]],
        now: str,
    ) -> list[str]:
        combinations, _errors = rules.variant_combinations(options, inputs)
        names = [str(option["name"]).strip() for option in options]
        existing = [self._variants[variant_id] for variant_id in product["variantIds"]]
        by_signature = {_signature(v["selectedOptions"]): v for v in existing}
        claimed: list[str] = []
        for position, (entry, combination) in enumerate(zip(inputs, combinations, strict=True), start=1):
            selected = [{"name": n, "value": v} for n, v in zip(names, combination, strict=True)]
            match = (
                self._variants.get(_canonical_variant(entry["id"])) if entry.get("id") is not None else None
            )
            match = match or by_signature.get(_signature(selected))
            if match is not None and match["id"] in claimed:
                match = None
            variant = match if match is not None else self._new_variant(product["id"], now)
            variant.update(variant_fields(entry), selectedOptions=selected, position=position, updatedAt=now)
            variant["title"] = " / ".join(combination)
            self._inventory.update_item(variant["inventoryItemId"], item_fields(entry))
            for quantity in entry.get("inventoryQuantities") or []:
                self._inventory.set_quantity(
                    variant["inventoryItemId"],
                    str(quantity["locationId"]),
                    quantity["name"],
                    int(quantity["quantity"]),
                )
            if entry.get("metafields") is not None:
                self._metafields.replace(variant["id"], entry["metafields"])
            claimed.append(variant["id"])
        for variant in existing:
            if variant["id"] not in claimed:
                self._delete_variant(variant)
        return claimed

    def _new_variant(self, product_id: str, now: str) -> dict[str, Any]:
        variant_id = self._new("ProductVariant")
        item_id = self._inventory.create_item(variant_id, {})
        for location in self._locations.all():
            self._inventory.stock(item_id, location["id"])
        variant = {
            "id": variant_id,
            "productId": product_id,
            "inventoryItemId": item_id,
            "createdAt": now,
            **new_variant_defaults(),
        }
        self._variants[variant_id] = variant
        return variant

    def _delete_variant(self, variant: Mapping[str, Any]) -> None:
        self._variants.pop(variant["id"], None)
        self._inventory.delete_item(variant["inventoryItemId"])
        self._metafields.delete_owner(variant["id"])

    def _new(self, resource: str) -> str:
        return gid(resource, next(self._numbers[resource]))


def _signature(selected: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(s["name"]).lower(), str(s["value"])) for s in selected))


def _canonical_variant(value: Any) -> str:
    parsed = parse_gid(str(value))
    return gid("ProductVariant", parsed[1]) if parsed else str(value)
