"""``shopify-sync auth status``: per shop, the token's kind and expiry, and its scopes against each need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from settings.shops import ShopConfig
from worker.access import ACCESS_SCOPES
from worker.api_versions import fallen_forward
from worker.client import ShopifyClient
from worker.credentials.provider import TokenProvider
from worker.credentials.scopes import SCOPES_BY_RESOURCE, missing_scopes, scope_advice
from worker.credentials.store import CredentialStore
from worker.errors import ShopifyError

ACCESS_SCOPES_QUERY = ACCESS_SCOPES


@dataclass
class ShopAuthStatus:
    """What ``auth status`` knows about one shop (never a token).

    Attributes:
        shop: The shop handle.
        kind: ``static`` (shops-file token), a stored ``TokenKind``, or ``none``.
        expires_at: When the access token expires (Unix seconds); None when it does not or is unknown.
        refresh_token_expires_at: When the refresh token expires, for ``expiring`` tokens.
        granted: Scopes the token holds (``currentAppInstallation.accessScopes``); None when not checked.
        problem: Why the scopes could not be checked, or why there is no token.
        missing: Resource -> scopes it needs that the token lacks (only checked resources).
        version_warning: Set when Shopify served another API version than the configured one.
    """

    shop: str
    kind: str
    expires_at: float | None = None
    refresh_token_expires_at: float | None = None
    granted: tuple[str, ...] | None = None
    problem: str | None = None
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    version_warning: str | None = None

    def advice(self) -> str | None:
        """What to do about missing scopes, or None."""
        lacking = tuple(dict.fromkeys(s for scopes in self.missing.values() for s in scopes))
        if not lacking:
            return None
        return scope_advice(self.kind, self.shop, lacking)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "shop": self.shop,
            "kind": self.kind,
            "expires_at": _iso(self.expires_at),
            "refresh_token_expires_at": _iso(self.refresh_token_expires_at),
            "scopes_granted": None if self.granted is None else list(self.granted),
            "resources": {
                resource: {"needs": list(needs), "missing": list(self.missing.get(resource, ()))}
                for resource, needs in SCOPES_BY_RESOURCE.items()
            },
            "problem": self.problem,
            "api_version_warning": self.version_warning,
            "advice": self.advice(),
        }

    def render(self, now: float) -> list[str]:
        """Readable lines."""
        lines = [f"{self.shop}: {_describe_kind(self.kind)}; {expiry_text(self.expires_at, now)}"]
        if self.refresh_token_expires_at is not None:
            lines.append(f"  refresh token {expiry_text(self.refresh_token_expires_at, now)}")
        if self.problem:
            lines.append(f"  {self.problem}")
        if self.version_warning:
            lines.append(f"  warning: {self.version_warning}")
        if self.granted is not None:
            lines.append(f"  scopes granted: {', '.join(self.granted) or 'none'}")
            for resource, needs in SCOPES_BY_RESOURCE.items():
                lacking = self.missing.get(resource, ())
                state = f"MISSING {', '.join(lacking)}" if lacking else "ok"
                lines.append(f"  {resource:<10} needs {', '.join(needs):<32} {state}")
        advice = self.advice()
        if advice:
            lines.append(f"  to fix: {advice}")
        return lines


async def check_shop(
    shop: ShopConfig,
    *,
    store: Callable[[], CredentialStore],
    tokens: TokenProvider,
    session: aiohttp.ClientSession | None,
) -> ShopAuthStatus:
    """Describe ``shop``'s credentials; with a ``session``, also ask Shopify which scopes the token has.

    Asking may renew an expiring token first (under the same lock as the workers).
    """
    name = shop.shop_name
    if shop.access_token is not None:
        status = ShopAuthStatus(name, "static")
    else:
        try:
            stored = store().get(name)
        except ValueError as exc:
            return ShopAuthStatus(name, "none", problem=f"stored credentials are unusable: {exc}")
        if stored is None:
            problem = (
                f"no token: run `shopify-sync auth install --shop {name}` "
                f"or `shopify-sync auth client-credentials --shop {name}`"
            )
            return ShopAuthStatus(name, "none", problem=problem)
        status = ShopAuthStatus(name, stored.kind, stored.expires_at, stored.refresh_token_expires_at)
    if session is None:
        return status
    try:
        result = await ShopifyClient(session, shop, tokens=tokens).execute(ACCESS_SCOPES_QUERY)
    except ShopifyError as exc:
        status.problem = f"cannot read the granted scopes: {exc}"
        return status
    if status.kind != "static":
        renewed = store().get(name)  # the check may have renewed the token
        if renewed is not None:
            status.expires_at = renewed.expires_at
            status.refresh_token_expires_at = renewed.refresh_token_expires_at
    status.version_warning = fallen_forward(shop.api_version, result.api_version)
    installation = result.data.get("currentAppInstallation") or {}
    status.granted = tuple(str(s.get("handle")) for s in installation.get("accessScopes") or ())
    for resource, needs in SCOPES_BY_RESOURCE.items():
        lacking = missing_scopes(status.granted, needs)
        if lacking:
            status.missing[resource] = lacking
    return status


def _describe_kind(kind: str) -> str:
    return {
        "static": "access token from the shops file (custom app)",
        "offline": "stored offline token (does not expire)",
        "expiring": "stored expiring token (refreshed by the workers)",
        "client_credentials": "stored client-credentials token (renewed by the workers)",
        "none": "no credentials",
    }.get(kind, kind)


def expiry_text(at: float | None, now: float) -> str:
    """``expires at <ISO time> (in 42 min)``, ``expired at ...`` or ``no expiry``."""
    if at is None:
        return "no expiry"
    left = at - now
    when = _iso(at)
    if left <= 0:
        return f"expired at {when}"
    return f"expires at {when} (in {_duration(left)})"


def _duration(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _iso(at: float | None) -> str | None:
    return None if at is None else dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="seconds")
