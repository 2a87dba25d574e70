"""One error hierarchy for everything Shopify can answer, grouped by what the caller does next.

- ``RetryableError``: try the same request again later (throttling, 5xx, network trouble).
- ``PermanentError``: this record cannot succeed as it is; dead-letter it with the reason.
- ``AuthError`` and ``ShopUnavailableError``: the shop cannot take writes now; pause it, keep its records.

``classify`` is the only place that turns an HTTP answer into one of these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from worker.access import required_access, required_access_of_403
from worker.contract.access import RequiredAccess


@dataclass(frozen=True)
class UserError:
    """One entry of a mutation's ``userErrors`` list."""

    field: tuple[str, ...]
    message: str
    code: str | None = None

    @classmethod
    def from_payload(cls, raw: Mapping[str, Any]) -> UserError:
        """Build from Shopify's ``{"field": [...], "message": ..., "code": ...}``."""
        path = raw.get("field") or ()
        return cls(
            field=tuple(str(p) for p in path), message=str(raw.get("message", "")), code=raw.get("code")
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in dead letters."""
        return {"field": ".".join(self.field), "message": self.message, "code": self.code}


@dataclass(eq=False)
class ShopifyError(Exception):
    """Root of every failure talking to Shopify.

    Attributes:
        message: What went wrong, safe to log (never contains a token).
        shop: The shop handle.
        status: HTTP status of the answer, or None when no answer arrived.
        request_id: Shopify's ``X-Request-Id``, for support tickets.
        code: Shopify's error code (``THROTTLED``, ``ACCESS_DENIED``, ...) when there is one.
    """

    message: str
    shop: str = ""
    status: int | None = None
    request_id: str | None = None
    code: str | None = None

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(self.code)
        if self.request_id:
            parts.append(f"request {self.request_id}")
        return " | ".join(parts)

    @property
    def category(self) -> str:
        """Short machine-readable name of the failure, as stored in dead letters and pauses."""
        return _CATEGORIES.get(type(self), "error")


class RetryableError(ShopifyError):
    """The same request may succeed later."""


@dataclass(eq=False)
class ThrottledError(RetryableError):
    """THROTTLED (HTTP 200) or HTTP 429. ``retry_after_s`` is the server's advice, when it gave one."""

    retry_after_s: float | None = None
    throttle_status: Mapping[str, Any] | None = None
    requested_cost: float | None = None


class OutcomeUnknownError(ThrottledError):
    """An earlier non-idempotent write may have committed but cannot be seen yet.

    Wait ``retry_after_s`` and look again; like a throttle, waiting does not use up the record's attempts.
    """


class ServerError(RetryableError):
    """HTTP 5xx."""


class StaleLookupError(RetryableError):
    """Shopify refused an id from the lookup cache; the entry is dropped, so a retry looks it up again."""


class NetworkError(RetryableError):
    """No answer: connection refused or reset, timeout. The request may or may not have reached Shopify."""


class PermanentError(ShopifyError):
    """This record will fail the same way every time; dead-letter it."""


@dataclass(eq=False)
class UserErrorsError(PermanentError):
    """The mutation answered with ``userErrors``."""

    user_errors: tuple[UserError, ...] = field(default_factory=tuple)


@dataclass(eq=False)
class FollowUpFailedError(UserErrorsError):
    """A follow-up mutation (consent, metafields, order status) answered userErrors after the main write.

    Attributes:
        gid: The object the main write created or updated.
        step: The mutation that failed (``metafieldsSet``, ``orderCancel``, ...).
    """

    gid: str = ""
    step: str = ""


class SchemaError(PermanentError):
    """Shopify rejected the GraphQL document or its variables (a bug here, or a record it cannot express)."""


class CostExceedsBucketError(PermanentError):
    """The request costs more points than the shop's bucket can ever hold."""


class AuthError(ShopifyError):
    """The credentials do not allow this write: 401, 403, or ``ACCESS_DENIED``."""


class InvalidTokenError(AuthError):
    """401: the access token is wrong, revoked or expired."""


@dataclass(eq=False)
class MissingScopeError(AuthError):
    """403 or ``ACCESS_DENIED``: the request needs an access (scope, staff permission or plan) it lacks.

    ``required`` is what Shopify named; only the writes that need it are paused, not the whole shop.
    """

    required: RequiredAccess = field(default_factory=RequiredAccess)


class ShopUnavailableError(ShopifyError):
    """402 (frozen or unpaid shop), 423 (locked) or 404 (wrong shop domain or path)."""


_CATEGORIES: dict[type[ShopifyError], str] = {
    ThrottledError: "throttled",
    OutcomeUnknownError: "outcome_unknown",
    ServerError: "server_error",
    StaleLookupError: "stale_lookup",
    NetworkError: "network_error",
    UserErrorsError: "user_error",
    SchemaError: "schema_error",
    CostExceedsBucketError: "cost_exceeds_bucket",
    InvalidTokenError: "invalid_token",
    MissingScopeError: "missing_scope",
    ShopUnavailableError: "shop_unavailable",
}


def _parse_retry_after(value: str | None) -> float | None:
    """Shopify sends decimal seconds (``2.0``); other clients crashed parsing it as an int."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _error_text(body: Any) -> str:
    if isinstance(body, Mapping) and "errors" in body:
        errors = body["errors"]
        if isinstance(errors, str):
            return errors
        return json.dumps(errors)[:500]
    return str(body)[:500]


def _code(error: Any) -> str:
    return str((error.get("extensions") or {}).get("code") or "") if isinstance(error, Mapping) else ""


_WHOLE_REQUEST_CODES = frozenset({"THROTTLED", "ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "MAX_COST_EXCEEDED"})


def alias_errors(body: Any) -> dict[str, str] | None:
    """Top-level errors that each belong to one root field of a packed request, or None.

    On live stores one alias of a packed mutation can fail with an ``errors[]`` entry whose ``path``
    starts with that alias and whose ``data.<alias>`` is null, while the other aliases succeed and keep
    their data (FACTS.md, "More observed on live stores"). Then only those aliases failed: returns
    alias -> message. Errors about the whole request (throttling, access, no path), or every root
    field failing, are not partial: None.
    """
    if not isinstance(body, Mapping):
        return None
    errors, data = body.get("errors"), body.get("data")
    if not isinstance(errors, list) or not errors or not isinstance(data, Mapping) or not data:
        return None
    failed: dict[str, str] = {}
    for error in errors:
        if not isinstance(error, Mapping):
            return None
        path, code = error.get("path"), (error.get("extensions") or {}).get("code")
        if not path or code in _WHOLE_REQUEST_CODES:
            return None
        key = str(path[0])
        if key not in data or data[key] is not None:
            return None
        failed.setdefault(key, f"{error.get('message', 'error')}" + (f" ({code})" if code else ""))
    return failed if len(failed) < len(data) else None


def classify(
    status: int,
    body: Any,
    *,
    shop: str = "",
    headers: Mapping[str, str] | None = None,
    graphql: bool = True,
) -> ShopifyError | None:
    """Turn one HTTP answer into the error it means, or None when the request succeeded.

    Looks at the GraphQL body as well as the status: THROTTLED, ACCESS_DENIED and document
    errors all arrive with HTTP 200. ``userErrors`` are per mutation and are left to the caller.
    A success status with a body that is not a JSON object (a proxy, a captive portal) is a
    ``ServerError``. With ``graphql`` False (the OAuth token endpoint) only the status is read:
    any answer below 400 is the caller's to read.
    """
    headers = headers or {}
    request_id = headers.get("X-Request-Id")
    common: dict[str, Any] = {"shop": shop, "status": status, "request_id": request_id}
    text = _error_text(body)
    if status == 429:
        return ThrottledError(
            "rate limited",
            retry_after_s=_parse_retry_after(headers.get("Retry-After")),
            code="THROTTLED",
            **common,
        )
    if status == 401:
        return InvalidTokenError(f"invalid or revoked access token: {text}", **common)
    if status == 403:
        return MissingScopeError(f"access denied: {text}", required=required_access_of_403(text), **common)
    if status in (402, 423):
        return ShopUnavailableError(f"shop unavailable: {text}", **common)
    if status == 404:
        # An old API version is still answered (Shopify falls forward): a 404 is a wrong shop or path.
        return ShopUnavailableError(f"not found (wrong shop domain or path): {text}", **common)
    if status >= 500:
        return ServerError(f"server error: {text}", **common)
    if status >= 400:
        return SchemaError(f"request rejected: {text}", **common)
    if not graphql:
        return None
    if not isinstance(body, Mapping):
        return ServerError("answer is not a JSON object" + (f": {text}" if body else ""), **common)
    errors = body.get("errors")
    if not errors or alias_errors(body) is not None:
        return None
    if isinstance(errors, str):
        return SchemaError(errors, **common)
    codes = [_code(e) for e in errors]
    if "THROTTLED" in codes:
        throttle = ((body.get("extensions") or {}).get("cost") or {}).get("throttleStatus")
        return ThrottledError("throttled", code="THROTTLED", throttle_status=throttle, **common)
    if "ACCESS_DENIED" in codes:
        required = required_access(next(e for e in errors if _code(e) == "ACCESS_DENIED"))
        return MissingScopeError(f"access denied: {text}", code="ACCESS_DENIED", required=required, **common)
    if "INTERNAL_SERVER_ERROR" in codes:
        return ServerError(f"internal error: {text}", code="INTERNAL_SERVER_ERROR", **common)
    return SchemaError(f"GraphQL errors: {text}", code=next((c for c in codes if c), None), **common)
