"""The tokens a simulated shop issued through OAuth: codes, access tokens and rotating refresh tokens.

Lifetimes run on the simulator's monotonic clock, so a test with a fake clock (or a short
``access_token_ttl_s``) can make a token expire without waiting an hour.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.config import ShopSpec

CODE_TTL_S = 600.0


@dataclass
class _Issued:
    expires_at: float | None


@dataclass
class _Code:
    expires_at: float
    scopes: tuple[str, ...]


class GrantRefusedError(Exception):
    """A token request that must be refused; ``error`` is the OAuth error code."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class TokenBook:
    """Issued codes, access tokens and refresh tokens of one shop, and a count of grants by type.

    A refresh token is single use: using it retires it and issues a new pair. (Shopify lets an app
    retry a used refresh token until the replacement is first used; the simulator is stricter, so a
    client that refreshes twice with the same token is caught.)
    """

    def __init__(self, spec: ShopSpec, clock: Callable[[], float]) -> None:
        self._spec = spec
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Issued] = {}
        self._refresh: dict[str, float] = {}
        # Every call of a grant, refused ones included, by grant type; and the refused ones.
        self.grants: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self._history: list[str] = []

    def issue_code(self, scopes: tuple[str, ...]) -> str:
        """Return a new authorization code for ``scopes``, valid for ten minutes, once."""
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = _Code(self._clock() + CODE_TTL_S, scopes)
        return code

    def accepts(self, token: str) -> bool:
        """Whether ``token`` was issued here and has not expired."""
        now = self._clock()
        with self._lock:
            for issued, entry in self._access.items():
                if hmac.compare_digest(issued.encode(), token.encode()):
                    return entry.expires_at is None or now < entry.expires_at
        return False

    def exchange_code(self, code: str, *, expiring: bool) -> dict[str, Any]:
        """The authorization-code grant; the code is spent even when the exchange fails later."""
        with self._lock:
            self.grants["authorization_code"] += 1
            entry = self._codes.pop(code, None)
            if entry is None or self._clock() >= entry.expires_at:
                self.refused["authorization_code"] += 1
                raise GrantRefusedError("invalid_grant", "The authorization code is invalid or expired.")
            self._spec.scopes = entry.scopes
            if expiring:
                return self._expiring_pair()
            return {"access_token": self._new_access(None), "scope": self._scope()}

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """The refresh-token grant: retires ``refresh_token`` and issues a new pair."""
        with self._lock:
            self.grants["refresh_token"] += 1
            expires_at = self._refresh.pop(refresh_token, None)
            if expires_at is None or self._clock() >= expires_at:
                self.refused["refresh_token"] += 1
                raise GrantRefusedError("invalid_grant", "The refresh token is invalid, used or expired.")
            return self._expiring_pair()

    def client_credentials(self) -> dict[str, Any]:
        """The client-credentials grant: a token for ``client_credentials_ttl_s`` seconds, no refresh."""
        with self._lock:
            self.grants["client_credentials"] += 1
            ttl = self._spec.client_credentials_ttl_s
            return {
                "access_token": self._new_access(ttl),
                "scope": self._scope(),
                "expires_in": _whole_seconds(ttl),
            }

    def issued(self) -> list[str]:
        """Every access and refresh token issued so far, retired ones included (to check none leaks)."""
        with self._lock:
            return list(self._history)

    def revoke_all(self) -> None:
        """Forget every issued token and code (an uninstall)."""
        with self._lock:
            self._codes.clear()
            self._access.clear()
            self._refresh.clear()

    def _expiring_pair(self) -> dict[str, Any]:
        ttl = self._spec.access_token_ttl_s
        refresh_ttl = self._spec.refresh_token_ttl_s
        refresh_token = "shprt_" + secrets.token_hex(16)
        self._refresh[refresh_token] = self._clock() + refresh_ttl
        self._history.append(refresh_token)
        return {
            "access_token": self._new_access(ttl),
            "scope": self._scope(),
            "expires_in": _whole_seconds(ttl),
            "refresh_token": refresh_token,
            "refresh_token_expires_in": _whole_seconds(refresh_ttl),
        }

    def _new_access(self, ttl_s: float | None) -> str:
        token = "shpat_" + secrets.token_hex(16)
        self._access[token] = _Issued(None if ttl_s is None else self._clock() + ttl_s)
        self._history.append(token)
        return token

    def _scope(self) -> str:
        return ",".join(self._spec.scopes)


def _whole_seconds(ttl_s: float) -> int | float:
    """Shopify answers whole seconds; a sub-second test lifetime is passed through as it is."""
    return int(ttl_s) if float(ttl_s).is_integer() else ttl_s
