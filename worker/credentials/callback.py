"""Checks on the OAuth callback Shopify redirects the merchant to, before its ``code`` is used.

In order: no repeated parameter, the ``hmac`` (constant-time compare), the ``timestamp`` window, the
``shop`` host, then the ``state`` nonce, which is consumed last so a forged callback cannot burn it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# Shopify's own JS library accepts callbacks up to 90 s from its clock, either way.
MAX_CALLBACK_SKEW_S = 90.0
SHOP_HOST = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*\.myshopify\.com")


class CallbackRejectedError(Exception):
    """The callback failed a check; the message says which (it never holds the code or the secret)."""


def callback_hmac(params: Mapping[str, str], secret: str) -> str:
    """The hex HMAC-SHA256 Shopify puts in ``hmac``: over the sorted ``k=v`` pairs joined with ``&``.

    ``hmac`` and ``signature`` are left out; ``%`` and ``&`` are escaped in keys and values, ``=`` in keys.
    """

    def escape(text: str, *, key: bool) -> str:
        text = text.replace("%", "%25").replace("&", "%26")
        return text.replace("=", "%3D") if key else text

    message = "&".join(
        f"{escape(k, key=True)}={escape(v, key=False)}"
        for k, v in sorted(params.items())
        if k not in ("hmac", "signature")
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class StateNonces:
    """The ``state`` values this process issued; each one is accepted once."""

    def __init__(self) -> None:
        self._issued: list[str] = []
        self._lock = threading.Lock()

    def issue(self) -> str:
        """A new unguessable nonce."""
        nonce = secrets.token_urlsafe(24)
        with self._lock:
            self._issued.append(nonce)
        return nonce

    def consume(self, value: str) -> bool:
        """True (once) when ``value`` was issued here; compares in constant time."""
        with self._lock:
            for nonce in self._issued:
                if hmac.compare_digest(nonce.encode(), value.encode()):
                    self._issued.remove(nonce)
                    return True
        return False


@dataclass
class CallbackVerifier:
    """Verifies callbacks of one install.

    Attributes:
        secret: The app's client secret.
        shop_domain: ``<shop>.myshopify.com`` of the shop being installed.
        nonces: The ``state`` values issued for it.
        clock: Unix time in seconds.
        max_skew_s: Largest accepted difference between ``timestamp`` and ``clock()``.
    """

    secret: str = field(repr=False)
    shop_domain: str
    nonces: StateNonces
    clock: Callable[[], float] = time.time
    max_skew_s: float = MAX_CALLBACK_SKEW_S

    def verify(self, pairs: Iterable[tuple[str, str]]) -> str:
        """Check a callback's query parameters and return its ``code``.

        Raises:
            CallbackRejectedError: On the first failed check.
        """
        params: dict[str, str] = {}
        for key, value in pairs:
            if key in params:
                raise CallbackRejectedError(f"parameter {key!r} is repeated")
            params[key] = value
        given = params.get("hmac", "")
        expected = callback_hmac(params, self.secret)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise CallbackRejectedError("hmac does not match the parameters")
        self._check_timestamp(params.get("timestamp", ""))
        shop = params.get("shop", "")
        if not SHOP_HOST.fullmatch(shop):
            raise CallbackRejectedError(f"shop {shop!r} is not a myshopify.com shop host")
        if shop.lower() != self.shop_domain.lower():
            raise CallbackRejectedError(f"shop {shop!r} is not the shop being installed")
        if not params.get("code"):
            raise CallbackRejectedError("the callback has no code")
        if not self.nonces.consume(params.get("state", "")):
            raise CallbackRejectedError("state is unknown or was already used")
        return params["code"]

    def _check_timestamp(self, raw: str) -> None:
        try:
            timestamp = int(raw)
        except ValueError:
            raise CallbackRejectedError("timestamp is missing or not a whole number") from None
        skew = abs(self.clock() - timestamp)
        if skew > self.max_skew_s:
            raise CallbackRejectedError(
                f"timestamp is {skew:.0f} s away from now (limit {self.max_skew_s:.0f} s)"
            )
