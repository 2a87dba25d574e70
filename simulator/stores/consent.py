"""Email and SMS marketing consent of customers (``customer*MarketingConsentUpdate``).

Consent is kept on the customer record (``emailMarketingConsent``/``smsMarketingConsent``);
a customer without one is ``NOT_SUBSCRIBED`` at ``SINGLE_OPT_IN``. Behaviour from live
captures (docs/simulator.md, *Marketing consent*): ``NOT_SUBSCRIBED``, ``REDACTED`` and
``INVALID`` cannot be set (a top-level error); an unknown customer, a future
``consentUpdatedAt`` and ``PENDING`` without ``CONFIRMED_OPT_IN`` are user errors; the email
mutation returns the unchanged customer with its user errors while the SMS one returns
``null``; a customer without an email is left alone, one without a phone is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from simulator.stores.common import UserError, utc_timestamp
from simulator.stores.customers import CustomerStore
from simulator.stores.order_rules import parse_datetime

Channel = Literal["email", "sms"]
NOT_SETTABLE = ("NOT_SUBSCRIBED", "REDACTED", "INVALID")
DEFAULT_CONSENT: dict[str, Any] = {
    "marketingState": "NOT_SUBSCRIBED",
    "marketingOptInLevel": "SINGLE_OPT_IN",
    "consentUpdatedAt": None,
    "consentCollectedFrom": None,
}


class ConsentStateNotSettableError(Exception):
    """The input asks for a state only Shopify sets; answered as a top-level ``INVALID`` error."""

    def __init__(self, state: str) -> None:
        super().__init__(f"Cannot specify {state} as a marketing state input")


@dataclass
class ConsentResult:
    """The customer to answer with (``None`` for none) and the user errors."""

    customer: dict[str, Any] | None
    user_errors: list[UserError] = field(default_factory=list)


def consent_of(customer: Mapping[str, Any], channel: Channel) -> dict[str, Any]:
    """Return a customer's consent on a channel (defaults when never set)."""
    return {**DEFAULT_CONSENT, **(customer.get(f"{channel}MarketingConsent") or {})}


def update_consent(customers: CustomerStore, input: Mapping[str, Any], channel: Channel) -> ConsentResult:
    """Run ``customerEmailMarketingConsentUpdate`` (``channel="email"``) or the SMS one.

    Raises:
        ConsentStateNotSettableError: For ``NOT_SUBSCRIBED``, ``REDACTED`` or ``INVALID``.

    """
    key = f"{channel}MarketingConsent"
    wanted = input[key]
    if wanted["marketingState"] in NOT_SETTABLE:
        raise ConsentStateNotSettableError(wanted["marketingState"])
    customer = customers.get(str(input["customerId"]))
    if customer is None:
        if channel == "email":
            return ConsentResult(None, [UserError(("input", "customerId"), "Customer not found", "INVALID")])
        return ConsentResult(None, [UserError(None, "Customer not found", None)])
    errors = _errors(wanted, ("input", key))
    if (
        channel == "email"
        and wanted["marketingState"] == "SUBSCRIBED"
        and not wanted.get("marketingOptInLevel")
    ):
        # FACTS.md, "More observed on live stores", marketing consent (line 134); message ours.
        message = "Marketing opt in level is required when subscribing"
        errors.append(UserError(("input", key, "marketingOptInLevel"), message, "MISSING_ARGUMENT"))
    if channel == "sms" and not customer.get("phone"):
        errors.append(
            UserError(("input", key), "A phone number is required to set the SMS consent state.", "INVALID")
        )
    if errors:
        return ConsentResult(customer if channel == "email" else None, errors)
    if channel == "email" and not customer.get("email"):
        return ConsentResult(customer)
    current = consent_of(customer, channel)
    consent = {
        "marketingState": wanted["marketingState"],
        "marketingOptInLevel": wanted.get("marketingOptInLevel") or current["marketingOptInLevel"],
        "consentUpdatedAt": wanted.get("consentUpdatedAt") or utc_timestamp(),
        "consentCollectedFrom": "OTHER" if channel == "sms" else None,
    }
    updated = customers.patch(customer["id"], {key: consent})
    return ConsentResult(updated)


def _errors(wanted: Mapping[str, Any], here: tuple[str, ...]) -> list[UserError]:
    errors = []
    moment = parse_datetime(wanted.get("consentUpdatedAt"))
    if moment is not None and moment > datetime.now(UTC):
        message = "Consent updated at must not be in the future"
        errors.append(UserError((*here, "consentUpdatedAt"), message, "INVALID"))
    if wanted["marketingState"] == "PENDING" and wanted.get("marketingOptInLevel") != "CONFIRMED_OPT_IN":
        message = "Marketing opt in level must be confirmed opt-in for pending consent state"
        errors.append(UserError((*here, "marketingOptInLevel"), message, "INVALID"))
    return errors
