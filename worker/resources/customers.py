"""Customers, written with ``customerSet`` (create, or upsert by id, email or phone)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator

from worker.resources.base import ShopifyInput, SingleMutationResource
from worker.resources.types import Boolean, Tags

# Shopify checks emails itself; this only catches what can never be an address, before a request is spent.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164ISH = re.compile(r"^\+?[0-9 ()\-.]{7,20}$")

Name = Annotated[str, Field(max_length=255)]


class MailingAddress(ShopifyInput):
    """One customer address (``MailingAddressInput``)."""

    address1: Name | None = None
    address2: Name | None = None
    city: Name | None = None
    company: Name | None = None
    country_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    province_code: Annotated[str, Field(max_length=10)] | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    phone: str | None = None
    zip: Annotated[str, Field(max_length=20)] | None = None


class CustomerRecord(ShopifyInput):
    """A mapped customer record: ``CustomerSetInput`` fields plus ``id`` to address an existing customer."""

    id: Annotated[str, Field(pattern=r"^gid://shopify/Customer/\d+$")] | None = None
    email: Annotated[str, Field(max_length=255)] | None = None
    phone: str | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    locale: Annotated[str, Field(max_length=10)] | None = None
    note: Annotated[str, Field(max_length=5000)] | None = None
    tags: Tags = Field(default_factory=list)
    tax_exempt: Boolean | None = None
    addresses: list[MailingAddress] = Field(default_factory=list, max_length=250)

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("is not an email address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        if value is not None and not _E164ISH.match(value):
            raise ValueError("is not a phone number")
        return value


CUSTOMER_SET = """
mutation CustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {
  customerSet(input: $input, identifier: $identifier) {
    customer { id }
    userErrors { field message code }
  }
}
""".strip()


class Customers(SingleMutationResource[CustomerRecord]):
    """Upserts customers: by ``id`` when given, else by email, else by phone; creates otherwise."""

    name = "customers"
    model = CustomerRecord
    mutation = CUSTOMER_SET
    documents = (CUSTOMER_SET,)
    payload_field = "customerSet"
    object_field = "customer"

    def build_variables(self, record: CustomerRecord) -> dict[str, Any]:
        """``input`` without ``id``; the identity goes into ``identifier``."""
        fields = record.model_dump(by_alias=True, exclude_none=True, exclude={"id"})
        if not record.tags:
            fields.pop("tags", None)
        if not record.addresses:
            fields.pop("addresses", None)
        identifier: dict[str, str] | None = None
        if record.id:
            identifier = {"id": record.id}
        elif record.email:
            identifier = {"email": record.email}
        elif record.phone:
            identifier = {"phone": record.phone}
        return {"input": fields, "identifier": identifier}
