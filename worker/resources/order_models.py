"""The mapped order record: what ``orderCreate`` takes, plus the status changes a later sync may ask for."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from worker.resources.base import ShopifyInput
from worker.resources.shared_models import MailingAddress, Metafield
from worker.resources.types import Boolean, DateTime, Money, Name, Tags

Rate = Annotated[float, Field(ge=0, le=1)]


class LineItem(ShopifyInput):
    """A line: by SKU (resolved to its variant), by variant id, or a custom title and price."""

    sku: Name | None = None
    variant_id: Annotated[str, Field(pattern=r"^gid://shopify/ProductVariant/\d+$")] | None = None
    title: Name | None = None
    price: Money | None = None
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    requires_shipping: Boolean | None = None
    taxable: Boolean | None = None

    @model_validator(mode="after")
    def _addressed(self) -> LineItem:
        if not (self.sku or self.variant_id or (self.title and self.price is not None)):
            raise ValueError("a line item needs a sku, a variantId, or a title and a price")
        return self


class ShippingLine(ShopifyInput):
    """A shipping charge."""

    title: Name
    price: Money
    code: Name | None = None


class TaxLine(ShopifyInput):
    """A tax charged on the order."""

    title: Name
    rate: Rate
    price: Money | None = None


class DiscountCode(ShopifyInput):
    """A discount code applied to the order: a fixed amount, a percentage of the items, or free shipping."""

    code: Name
    type: Literal["fixed", "percentage", "free_shipping"] = "fixed"
    amount: Money | None = None
    percentage: Annotated[float, Field(gt=0, le=100)] | None = None


class Transaction(ShopifyInput):
    """A payment recorded with the order."""

    kind: Literal["SALE", "AUTHORIZATION", "CAPTURE", "REFUND", "VOID", "CHANGE", "EMV_AUTHORIZATION"] = (
        "SALE"
    )
    status: Literal["SUCCESS", "PENDING", "FAILURE", "ERROR", "AWAITING_RESPONSE", "UNKNOWN"] = "SUCCESS"
    amount: Money
    gateway: Name | None = None


class OrderCustomer(ShopifyInput):
    """The buyer, by email: associated with an existing customer, or created/updated (``upsert``)."""

    email: Annotated[str, Field(max_length=255)]
    first_name: Name | None = None
    last_name: Name | None = None
    phone: str | None = None
    upsert: Boolean = True


class Attribute(ShopifyInput):
    """A custom attribute (key/value note) on the order."""

    key: Name
    value: str


class Cancellation(ShopifyInput):
    """Cancel the order (asynchronous in Shopify: it returns a job)."""

    reason: Literal["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"] = "OTHER"
    restock: Boolean = False
    refund: Boolean = False
    notify_customer: Boolean = False
    staff_note: Annotated[str, Field(max_length=255)] | None = None


FinancialStatus = Literal[
    "PENDING", "AUTHORIZED", "PARTIALLY_PAID", "PAID", "PARTIALLY_REFUNDED", "REFUNDED", "VOIDED", "EXPIRED"
]


class OrderRecord(ShopifyInput):
    """A mapped order.

    ``sourceIdentifier`` (the source order's id) is how the order is found again; it is taken from the
    source primary key when the mapping does not set it.
    """

    source_identifier: Annotated[str, Field(min_length=1, max_length=255)]
    source_name: Name = "shopify-sync"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    email: Annotated[str, Field(max_length=255)] | None = None
    phone: str | None = None
    note: Annotated[str, Field(max_length=5000)] | None = None
    tags: Tags | None = None
    po_number: Name | None = None
    processed_at: DateTime | None = None
    test: Boolean | None = None
    financial_status: FinancialStatus | None = None
    fulfillment_status: Literal["FULFILLED", "PARTIAL", "RESTOCKED"] | None = None
    customer: OrderCustomer | None = None
    billing_address: MailingAddress | None = None
    shipping_address: MailingAddress | None = None
    line_items: list[LineItem] = Field(default_factory=list, max_length=250)
    shipping_lines: list[ShippingLine] = Field(default_factory=list, max_length=50)
    tax_lines: list[TaxLine] = Field(default_factory=list, max_length=50)
    discount_code: DiscountCode | None = None
    transactions: list[Transaction] = Field(default_factory=list, max_length=50)
    custom_attributes: list[Attribute] = Field(default_factory=list, max_length=250)
    metafields: list[Metafield] = Field(default_factory=list, max_length=250)
    closed: Boolean | None = None
    mark_as_paid: Boolean | None = None
    cancel: Cancellation | None = None
