"""Resolvers for email/SMS marketing consent: the two update mutations and the consent fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.context import record_mutation, require_scope
from simulator.stores.consent import Channel, ConsentStateNotSettableError, consent_of, update_consent


def _update(info: GraphQLResolveInfo, input: Mapping[str, Any], channel: Channel) -> dict[str, Any]:
    require_scope(info, "write_customers")
    context = record_mutation(info)
    try:
        result = update_consent(context.shop.customers, input, channel)
    except ConsentStateNotSettableError as error:
        raise GraphQLError(str(error), info.field_nodes, extensions={"code": "INVALID"}) from error
    return {"customer": result.customer, "userErrors": [e.to_graphql() for e in result.user_errors]}


def resolve_email_consent_update(
    _root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]
) -> dict[str, Any]:
    """``customerEmailMarketingConsentUpdate(input: {customerId, emailMarketingConsent})``."""
    return _update(info, input, "email")


def resolve_sms_consent_update(
    _root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]
) -> dict[str, Any]:
    """``customerSmsMarketingConsentUpdate(input: {customerId, smsMarketingConsent})``."""
    return _update(info, input, "sms")


def default_email_address(customer: Mapping[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    """``Customer.defaultEmailAddress`` with its marketing state (``null`` without an email)."""
    if not customer.get("email"):
        return None
    consent = consent_of(customer, "email")
    return {
        "emailAddress": customer["email"],
        "marketingState": consent["marketingState"],
        "marketingOptInLevel": consent["marketingOptInLevel"],
        "marketingUpdatedAt": consent["consentUpdatedAt"],
    }


def default_phone_number(customer: Mapping[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    """``Customer.defaultPhoneNumber`` with its (deprecated) SMS marketing fields."""
    if not customer.get("phone"):
        return None
    consent = consent_of(customer, "sms")
    return {
        "phoneNumber": customer["phone"],
        "marketingState": consent["marketingState"],
        "marketingOptInLevel": consent["marketingOptInLevel"],
        "marketingUpdatedAt": consent["consentUpdatedAt"],
        "marketingCollectedFrom": consent["consentCollectedFrom"],
    }


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("Mutation", "customerEmailMarketingConsentUpdate"): resolve_email_consent_update,
    ("Mutation", "customerSmsMarketingConsentUpdate"): resolve_sms_consent_update,
    ("Customer", "emailMarketingConsent"): lambda c, _i: consent_of(c, "email") if c.get("email") else None,
    ("Customer", "smsMarketingConsent"): lambda c, _i: consent_of(c, "sms") if c.get("phone") else None,
}
