"""Credential failures, placed in the project's one error hierarchy (``worker/errors.py``).

A shop without usable credentials is paused like any other auth failure; a refresh that could not
run yet (the lock was busy, the token endpoint answered 5xx or not at all) is retried later.
"""

from __future__ import annotations

from worker.errors import AuthError, RetryableError


class CredentialsError(AuthError):
    """No usable credentials: none stored, the app's client id/secret missing, or a grant refused.

    The message names the ``shopify-sync auth`` command that fixes it and never carries a secret.
    """

    @property
    def category(self) -> str:
        """Stored in the shop's pause reason."""
        return "credentials"


class RefreshBusyError(RetryableError):
    """Another worker held the shop's refresh lock for longer than this one would wait."""

    @property
    def category(self) -> str:
        """Stored in retry outcomes and dead letters."""
        return "refresh_busy"
