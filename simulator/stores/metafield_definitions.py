"""Metafield definitions with a uniqueness constraint: what ``customId`` upserts look values up by.

FACTS.md, "More observed on live stores" (lines 146-147): ``customerSet`` by ``customId`` works only
when a metafield definition with a uniqueness constraint exists for that namespace/key; otherwise
the answer is a top-level ``NOT_FOUND``. The simulator applies the same rule to ``productSet``
(unverified there). Tests create definitions through ``POST
/_simulator/shops/{shop}/metafield-definitions`` or :meth:`UniqueDefinitions.add`.
"""

from __future__ import annotations

import threading

from graphql import GraphQLError

OWNER_TYPES = frozenset({"CUSTOMER", "PRODUCT", "ORDER"})
MISSING_MESSAGE = "Metafield definition of type 'id' is required when using custom ids."


class UniqueDefinitions:
    """The shop's unique metafield definitions, by (owner type, namespace, key)."""

    def __init__(self, app_namespace: str) -> None:
        self._app_namespace = app_namespace
        self._lock = threading.Lock()
        self._defined: set[tuple[str, str, str]] = set()

    def add(self, owner_type: str, namespace: str | None, key: str) -> None:
        """Define ``namespace.key`` as unique on ``owner_type`` (``CUSTOMER``, ``PRODUCT``, ``ORDER``)."""
        if owner_type not in OWNER_TYPES or not key:
            raise ValueError(f"owner type must be one of {sorted(OWNER_TYPES)} and key non-empty")
        with self._lock:
            self._defined.add((owner_type, namespace or self._app_namespace, key))

    def require(self, owner_type: str, namespace: str | None, key: str) -> None:
        """Raise Shopify's top-level ``NOT_FOUND`` unless the definition exists.

        Raises:
            GraphQLError: No unique definition for ``namespace.key`` on ``owner_type``.
        """
        with self._lock:
            if (owner_type, namespace or self._app_namespace, key) in self._defined:
                return
        raise GraphQLError(MISSING_MESSAGE, extensions={"code": "NOT_FOUND"})
