"""Customers, written with ``customerSet`` (create, or upsert by id, custom id, email or phone).

``customerSet`` has no marketing-consent and no metafield fields, so those go through their own
mutations after it, addressed to the customer it returned. All of them set values, so a retried
record writes the same result again.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from worker.resources.base import RecordResult, Send, ShopifyInput, SingleMutationResource, WriteContext
from worker.resources.follow_ups import Step, send_steps
from worker.resources.shared_models import CustomId, MailingAddress, Metafield
from worker.resources.types import Boolean, DateTime, Name, Tags

# Shopify checks emails itself; this only catches what can never be an address, before a request is spent.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164ISH = re.compile(r"^\+?[0-9 ()\-.]{7,20}$")
METAFIELDS_PER_CALL = 25
# States Shopify reports but refuses as input ("Cannot specify NOT_SUBSCRIBED as a marketing state
# input", FACTS.md): a warehouse that holds them has nothing to set, so no consent mutation is sent.
REPORTED_ONLY_STATES = frozenset({"NOT_SUBSCRIBED", "REDACTED"})


class MarketingConsent(ShopifyInput):
    """Email or SMS marketing consent."""

    marketing_state: Literal["NOT_SUBSCRIBED", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED", "REDACTED"]
    marketing_opt_in_level: Literal["SINGLE_OPT_IN", "CONFIRMED_OPT_IN", "UNKNOWN"] | None = None
    consent_updated_at: DateTime | None = None

    @property
    def settable(self) -> bool:
        """Whether Shopify accepts this state as input."""
        return self.marketing_state not in REPORTED_ONLY_STATES


class CustomerRecord(ShopifyInput):
    """A mapped customer: ``CustomerSetInput`` fields, its identity, consent and metafields."""

    id: Annotated[str, Field(pattern=r"^gid://shopify/Customer/\d+$")] | None = None
    custom_id: CustomId | None = None
    email: Annotated[str, Field(max_length=255)] | None = None
    phone: str | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    locale: Annotated[str, Field(max_length=10)] | None = None
    note: Annotated[str, Field(max_length=5000)] | None = None
    tags: Tags = Field(default_factory=list)
    tax_exempt: Boolean | None = None
    addresses: list[MailingAddress] = Field(default_factory=list, max_length=250)
    email_marketing_consent: MarketingConsent | None = None
    sms_marketing_consent: MarketingConsent | None = None
    metafields: list[Metafield] = Field(default_factory=list, max_length=250)

    @field_validator("email_marketing_consent")
    @classmethod
    def _subscribed_email_has_opt_in_level(cls, value: MarketingConsent | None) -> MarketingConsent | None:
        """Shopify answers MISSING_ARGUMENT after the customer is written; say it before anything is sent."""
        if value and value.marketing_state == "SUBSCRIBED" and value.marketing_opt_in_level is None:
            raise ValueError(
                "marketingOptInLevel is required when marketingState is SUBSCRIBED "
                "(SINGLE_OPT_IN, CONFIRMED_OPT_IN or UNKNOWN)"
            )
        return value

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

EMAIL_CONSENT = """
mutation EmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field message code }
  }
}
""".strip()

SMS_CONSENT = """
mutation SmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field message code }
  }
}
""".strip()

METAFIELDS_SET = """
mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id }
    userErrors { field message code }
  }
}
""".strip()

FOLLOW_UP_FIELDS = {"email_marketing_consent", "sms_marketing_consent", "metafields", "custom_id", "id"}


class Customers(SingleMutationResource[CustomerRecord]):
    """Upserts customers, then sets their marketing consent and metafields when the record has them."""

    name = "customers"
    model = CustomerRecord
    mutation = CUSTOMER_SET
    documents = (CUSTOMER_SET, EMAIL_CONSENT, SMS_CONSENT, METAFIELDS_SET)
    payload_field = "customerSet"
    object_field = "customer"
    packable = True

    def can_pack(self, record: CustomerRecord) -> bool:
        """Only an upsert is packed.

        Without an id, custom id, email or phone, ``customerSet`` creates; one lost answer to a pack
        would then create every such customer of the pack again.
        """
        return bool(record.id or record.custom_id or record.email or record.phone)

    def build_variables(self, record: CustomerRecord) -> dict[str, Any]:
        """``input`` without the identity fields; the identity goes into ``identifier``."""
        fields = record.model_dump(by_alias=True, exclude_none=True, exclude=FOLLOW_UP_FIELDS)
        if not record.tags:
            fields.pop("tags", None)
        if not record.addresses:
            fields.pop("addresses", None)
        identifier: dict[str, Any] | None = None
        if record.id:
            identifier = {"id": record.id}
        elif record.custom_id:
            identifier = {"customId": record.custom_id.model_dump(by_alias=True, exclude_none=True)}
        elif record.email:
            identifier = {"email": record.email}
        elif record.phone:
            identifier = {"phone": record.phone}
        return {"input": fields, "identifier": identifier}

    async def write(self, records: list[CustomerRecord], send: Send, ctx: WriteContext) -> list[RecordResult]:
        """``customerSet`` for the unit, then consent and metafields for each customer it returned."""
        results = await super().write(records, send, ctx)
        return [
            await self.follow_ups(record, gid, send) if isinstance(gid, str) else gid
            for record, gid in zip(records, results, strict=True)
        ]

    async def follow_ups(self, record: CustomerRecord, gid: str, send: Send) -> RecordResult:
        """Consent and metafields of a customer written as ``gid`` (also after a bulk ``customerSet``)."""
        steps: list[Step] = []
        if record.email_marketing_consent and record.email_marketing_consent.settable:
            consent = record.email_marketing_consent.model_dump(by_alias=True, exclude_none=True)
            variables = {"input": {"customerId": gid, "emailMarketingConsent": consent}}
            steps.append(Step(EMAIL_CONSENT, "customerEmailMarketingConsentUpdate", variables))
        if record.sms_marketing_consent and record.sms_marketing_consent.settable:
            consent = record.sms_marketing_consent.model_dump(by_alias=True, exclude_none=True)
            variables = {"input": {"customerId": gid, "smsMarketingConsent": consent}}
            steps.append(Step(SMS_CONSENT, "customerSmsMarketingConsentUpdate", variables))
        for start in range(0, len(record.metafields), METAFIELDS_PER_CALL):
            chunk = record.metafields[start : start + METAFIELDS_PER_CALL]
            entries = [{"ownerId": gid, **m.model_dump(by_alias=True)} for m in chunk]
            steps.append(Step(METAFIELDS_SET, "metafieldsSet", {"metafields": entries}, index_offset=start))
        return await send_steps(steps, send, gid) or gid
