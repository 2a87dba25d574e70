"""Products with variants, written whole with ``productSet``.

``productSet`` replaces the variant list: a variant left out is deleted. Warehouse tables hold one row
per variant, so the producer groups the rows of one product (``group_key``, ``merge``) into one record
that carries all its variants, and a product is always sent whole (up to Shopify's 2,048 variants).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from worker.resources.base import ShopifyInput, SingleMutationResource, merge_rows
from worker.resources.blanks import clean_fields, json_fields
from worker.resources.product_options import drop_blank_options
from worker.resources.shared_models import CustomId, Metafield
from worker.resources.types import Boolean, Money, Name, Tags

MAX_VARIANTS = 2048
MAX_OPTIONS = 3
DEFAULT_OPTION = ("Title", "Default Title")


class Seo(ShopifyInput):
    """Search-engine title and description."""

    title: Annotated[str, Field(max_length=70)] | None = None
    description: Annotated[str, Field(max_length=320)] | None = None


class Variant(ShopifyInput):
    """One variant: its option values (``option1``..``option3``), price, SKU and inventory item fields."""

    option1: Name | None = None
    option2: Name | None = None
    option3: Name | None = None
    price: Money | None = None
    compare_at_price: Money | None = None
    sku: Name | None = None
    barcode: Name | None = None
    inventory_policy: Literal["DENY", "CONTINUE"] | None = None
    cost: Money | None = None
    tracked: Boolean | None = None
    requires_shipping: Boolean | None = None
    weight: Annotated[float, Field(ge=0)] | None = None
    weight_unit: Literal["GRAMS", "KILOGRAMS", "OUNCES", "POUNDS"] = "KILOGRAMS"
    taxable: Boolean | None = None

    @property
    def option_values(self) -> tuple[str, ...]:
        """The variant's option values, in option order."""
        return tuple(v for v in (self.option1, self.option2, self.option3) if v is not None)


class ProductRecord(ShopifyInput):
    """A mapped product: ``ProductSetInput`` fields, its identity, option names and variants."""

    id: Annotated[str, Field(pattern=r"^gid://shopify/Product/\d+$")] | None = None
    custom_id: CustomId | None = None
    handle: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-_]*$", max_length=255)] | None = None
    title: Name | None = None
    description_html: str | None = None
    vendor: Name | None = None
    product_type: Name | None = None
    status: Literal["ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"] | None = None
    tags: Tags | None = None
    seo: Seo | None = None
    metafields: list[Metafield] = Field(default_factory=list, max_length=250)
    options: Annotated[list[Name], Field(max_length=MAX_OPTIONS)] = Field(default_factory=list)
    variants: Annotated[list[Variant], Field(max_length=MAX_VARIANTS)] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _blank_options_dropped(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        return drop_blank_options(clean_fields(data, json_fields(cls)))

    @model_validator(mode="after")
    def _identity_and_options(self) -> ProductRecord:
        if not (self.id or self.custom_id or self.handle):
            raise ValueError("a product needs a handle, an id or a customId to be upserted")
        widths = {len(v.option_values) for v in self.variants}
        if len(widths) > 1:
            raise ValueError("every variant must give the same number of option values")
        width = widths.pop() if widths else 0
        if width == 0 and len(self.variants) > 1:
            raise ValueError("several variants need option values (option1..option3) to tell them apart")
        if self.options and width and len(self.options) != width:
            raise ValueError(f"{len(self.options)} option names for {width} option values per variant")
        combos = [v.option_values for v in self.variants]
        if len(set(combos)) != len(combos):
            raise ValueError("two variants have the same option values")
        return self

    @property
    def option_names(self) -> list[str]:
        """Declared option names, or ``Option1``.. when only values were mapped."""
        width = len(self.variants[0].option_values) if self.variants else 0
        if not width:
            return []
        return self.options or [f"Option{i + 1}" for i in range(width)]


PRODUCT_SET = """
mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id }
    userErrors { field message code }
  }
}
""".strip()


class Products(SingleMutationResource[ProductRecord]):
    """Upserts products by handle (default), id or custom-ID metafield, with all their variants."""

    name = "products"
    model = ProductRecord
    mutation = PRODUCT_SET
    documents = (PRODUCT_SET,)
    payload_field = "productSet"
    object_field = "product"
    packable = True

    def group_key(self, payload: Mapping[str, Any]) -> str | None:
        """Rows with the same key are variants of one product: its id, custom id, or handle."""
        custom = payload.get("customId") or payload.get("custom_id")
        if isinstance(custom, dict) and custom.get("value"):
            return f"custom:{custom.get('namespace')}:{custom.get('key')}:{custom['value']}"
        for field in ("id", "handle"):
            value = payload.get(field)
            if isinstance(value, str) and value.strip():
                return f"{field}:{value.strip()}"
        return None

    def merge(self, payloads: list[dict[str, Any]]) -> dict[str, Any]:
        """One product from its rows: every row adds its variant."""
        return merge_rows(payloads, "variants")

    def build_variables(self, record: ProductRecord) -> dict[str, Any]:
        """``productSet`` input with ``productOptions`` and each variant's ``optionValues``."""
        fields = record.model_dump(
            by_alias=True,
            exclude_none=True,
            include={
                "handle",
                "title",
                "description_html",
                "vendor",
                "product_type",
                "status",
                "tags",
                "seo",
            },
        )
        if record.metafields:
            fields["metafields"] = [m.model_dump(by_alias=True) for m in record.metafields]
        names = record.option_names or [DEFAULT_OPTION[0]]
        variants = record.variants or [Variant()]
        values = [v.option_values or (DEFAULT_OPTION[1],) for v in variants]
        fields["productOptions"] = [
            {"name": name, "values": [{"name": value} for value in dict.fromkeys(v[i] for v in values)]}
            for i, name in enumerate(names)
        ]
        fields["variants"] = [
            _variant_input(v, names, vals) for v, vals in zip(variants, values, strict=True)
        ]
        return {"input": fields, "identifier": _identifier(record)}

    def cost(self, record: ProductRecord) -> float:
        """Cost of productSet since 2025-10: 10 + 0.2 per variant + 0.4 per metafield, plus the product."""
        metafields = len(record.metafields)
        return 11 + 0.2 * max(len(record.variants), 1) + 0.4 * metafields


def _identifier(record: ProductRecord) -> dict[str, Any]:
    if record.id:
        return {"id": record.id}
    if record.custom_id:
        return {"customId": record.custom_id.model_dump(by_alias=True, exclude_none=True)}
    return {"handle": record.handle}


def _variant_input(variant: Variant, names: list[str], values: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = variant.model_dump(
        by_alias=True,
        exclude_none=True,
        include={"price", "compare_at_price", "sku", "barcode", "inventory_policy", "taxable"},
    )
    out["optionValues"] = [{"optionName": n, "name": v} for n, v in zip(names, values, strict=True)]
    item: dict[str, Any] = {}
    if variant.sku is not None:
        item["sku"] = variant.sku
    if variant.cost is not None:
        item["cost"] = variant.cost
    if variant.tracked is not None:
        item["tracked"] = variant.tracked
    if variant.requires_shipping is not None:
        item["requiresShipping"] = variant.requires_shipping
    if variant.weight is not None:
        item["measurement"] = {"weight": {"value": variant.weight, "unit": variant.weight_unit}}
    if item:
        out["inventoryItem"] = item
    return out
