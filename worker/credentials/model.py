"""Stored credentials of one shop: the access token, how it is renewed, and when it expires."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

TokenKind = Literal["offline", "expiring", "client_credentials"]
GrantType = Literal["authorization_code", "refresh_token", "client_credentials"]

# Refresh this long before expiry at most (Shopify: "a few minutes before"), and never later than
# when 80 % of the token's lifetime has passed (so a short-lived test token is renewed in time too).
MAX_REFRESH_MARGIN_S = 300.0
REFRESH_AT_SHARE = 0.8


@dataclass(frozen=True)
class StoredCredentials:
    """What a token grant gave us, with absolute times (Unix seconds) instead of ``expires_in``.

    Attributes:
        kind: ``offline`` (never expires, no refresh), ``expiring`` (refreshed with ``refresh_token``)
            or ``client_credentials`` (renewed by asking again with the app's client id and secret).
        access_token: The token; hidden from ``repr``.
        scopes: The scopes the grant answered with.
        obtained_at: When the grant answered.
        expires_at: When the access token expires; None for ``offline``.
        refresh_token: The current refresh token (``expiring`` only); hidden from ``repr``.
        refresh_token_expires_at: When the refresh token expires, when known.
    """

    kind: TokenKind
    access_token: str = field(repr=False)
    scopes: tuple[str, ...] = ()
    obtained_at: float = 0.0
    expires_at: float | None = None
    refresh_token: str | None = field(default=None, repr=False)
    refresh_token_expires_at: float | None = None

    @classmethod
    def from_grant(cls, body: Any, *, grant: GrantType, now: float) -> StoredCredentials:
        """Build from a token endpoint answer.

        Raises:
            ValueError: When the answer lacks an access token or has malformed fields (the message
                names the field, never a value).
        """
        if not isinstance(body, Mapping) or not isinstance(body.get("access_token"), str):
            raise ValueError("the token endpoint answered without an access_token")
        expires_in = _seconds(body, "expires_in")
        refresh_token = body.get("refresh_token")
        if refresh_token is not None and not isinstance(refresh_token, str):
            raise ValueError("refresh_token is not a string")
        refresh_in = _seconds(body, "refresh_token_expires_in")
        kind: TokenKind
        if grant == "client_credentials":
            kind = "client_credentials"
        elif refresh_token:
            kind = "expiring"
        else:
            kind = "offline"
        return cls(
            kind=kind,
            access_token=body["access_token"],
            scopes=_split_scopes(body.get("scope")),
            obtained_at=now,
            expires_at=None if expires_in is None else now + expires_in,
            refresh_token=refresh_token or None,
            refresh_token_expires_at=None if refresh_in is None else now + refresh_in,
        )

    @property
    def renewable(self) -> bool:
        """Whether a new access token can be had without the merchant."""
        return self.kind == "client_credentials" or (self.kind == "expiring" and bool(self.refresh_token))

    def refresh_due(self, now: float) -> bool:
        """Whether the access token should be renewed before it is used."""
        if self.expires_at is None or not self.renewable:
            return False
        lifetime = max(self.expires_at - self.obtained_at, 0.0)
        margin = min(MAX_REFRESH_MARGIN_S, lifetime * (1.0 - REFRESH_AT_SHARE))
        return now >= self.expires_at - margin

    def to_json(self) -> str:
        """The stored form (it holds secrets: never log it)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> StoredCredentials:
        """Read the stored form.

        Raises:
            ValueError: When it is not valid stored credentials.
        """
        try:
            data = json.loads(raw)
            if data.get("kind") not in get_args(TokenKind) or not isinstance(data.get("access_token"), str):
                raise ValueError("bad kind or access_token")
            data["scopes"] = tuple(data.get("scopes") or ())
            return cls(**data)
        except (TypeError, ValueError, AttributeError):
            raise ValueError("stored credentials are unreadable") from None


def _seconds(body: Mapping[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{name} is not a number of seconds")
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{name} is not a number of seconds") from None
    if seconds <= 0:
        raise ValueError(f"{name} is not positive")
    return seconds


def _split_scopes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, str):
        return ()
    return tuple(scope.strip() for scope in value.split(",") if scope.strip())
