"""Input shapes several resources share: addresses, metafields, and metafield-based identities."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from worker.resources.base import ShopifyInput
from worker.resources.types import Name


class MailingAddress(ShopifyInput):
    """One address (``MailingAddressInput``)."""

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


class Metafield(ShopifyInput):
    """One metafield (``MetafieldInput``)."""

    namespace: Annotated[str, Field(min_length=1, max_length=255)]
    key: Annotated[str, Field(min_length=1, max_length=64)]
    type: Annotated[str, Field(min_length=1)]
    value: str


class CustomId(ShopifyInput):
    """A unique metafield value that identifies an object (``UniqueMetafieldValueInput``)."""

    namespace: str | None = None
    key: Annotated[str, Field(min_length=1)]
    value: Annotated[str, Field(min_length=1)]
