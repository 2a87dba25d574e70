"""Metafields of every owner (customers, products, variants, orders) in one store.

Records are dicts in the GraphQL ``Metafield`` shape plus ``ownerId``. Writers:

- ``metafieldsSet`` (:meth:`MetafieldStore.set_many`): at most 25 entries, atomic, upsert by
  (owner, namespace, key), compare-and-set through ``compareDigest``;
- ``productSet`` (:meth:`replace`): the product's list is replaced, entries left out deleted;
- ``orderCreate``/``orderUpdate`` (:meth:`upsert`): entries are added or updated.

Messages and fields follow captures from live stores (docs/simulator.md, *Metafields*).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simulator.stores.common import UserError, gid, parse_gid, utc_timestamp
from simulator.stores.metafield_types import BadValueError, name_errors, normalised

MAX_METAFIELDS_SET = 25
OWNER_TYPES = {
    "Customer": "CUSTOMER",
    "Product": "PRODUCT",
    "ProductVariant": "PRODUCTVARIANT",
    "Order": "ORDER",
}
OwnerExists = Callable[[str], bool]


def digest(record: Mapping[str, Any]) -> str:
    """Return the ``compareDigest`` of a metafield (opaque to clients; ours hashes type and value)."""
    return hashlib.sha256(json.dumps([record["type"], record["value"]]).encode()).hexdigest()


def owner_type_of(owner_id: str) -> str | None:
    """Return the ``MetafieldOwnerType`` of an owner gid, or ``None`` for unsupported owners."""
    parsed = parse_gid(owner_id)
    return OWNER_TYPES.get(parsed[0]) if parsed else None


class MetafieldStore:
    """All metafields of one shop, grouped by owner gid.

    Args:
        lock: The shop's data lock (shared with the stores that write metafields).
        app_namespace: Namespace used when an input leaves ``namespace`` out (``app--<id>``).

    """

    def __init__(self, lock: threading.RLock, app_namespace: str) -> None:
        self._lock = lock
        self._app_namespace = app_namespace
        self._by_owner: dict[str, list[dict[str, Any]]] = {}
        self._numbers = itertools.count(1)

    def for_owner(self, owner_id: str) -> list[dict[str, Any]]:
        """Return the owner's metafields, oldest first."""
        with self._lock:
            return copy.deepcopy(self._by_owner.get(owner_id, []))

    def get(self, owner_id: str, namespace: str | None, key: str) -> dict[str, Any] | None:
        """Return one metafield of an owner (``namespace`` ``None`` means the app namespace)."""
        with self._lock:
            found = self._find(owner_id, namespace or self._app_namespace, key)
            return copy.deepcopy(found) if found else None

    def find_owner(self, owner_type: str, namespace: str | None, key: str, value: str) -> str | None:
        """Return the owner whose metafield ``namespace.key`` equals ``value`` (custom ids)."""
        wanted_namespace = namespace or self._app_namespace
        with self._lock:
            for owner_id, records in self._by_owner.items():
                if owner_type_of(owner_id) != owner_type:
                    continue
                for record in records:
                    if (record["namespace"], record["key"], record["value"]) == (
                        wanted_namespace,
                        key,
                        value,
                    ):
                        return owner_id
        return None

    def check_inputs(
        self, owner_id: str | None, inputs: Sequence[Mapping[str, Any]], path: tuple[str, ...]
    ) -> list[UserError]:
        """Validate ``MetafieldInput`` entries (productSet, orderCreate, orderUpdate)."""
        errors: list[UserError] = []
        with self._lock:
            for index, entry in enumerate(inputs):
                here = (*path, str(index))
                existing = (
                    self._find(owner_id, self._namespace(entry), entry.get("key") or "") if owner_id else None
                )
                errors += self._entry_errors(entry, existing, here)
        return errors

    def replace(self, owner_id: str, inputs: Sequence[Mapping[str, Any]]) -> None:
        """Make ``inputs`` the owner's whole list (entries left out are deleted). Inputs must be valid."""
        with self._lock:
            kept = [self._write(owner_id, entry) for entry in inputs]
            self._by_owner[owner_id] = kept

    def upsert(self, owner_id: str, inputs: Sequence[Mapping[str, Any]]) -> None:
        """Add or update each of ``inputs`` on the owner, keeping the others. Inputs must be valid."""
        with self._lock:
            for entry in inputs:
                self._store(owner_id, self._write(owner_id, entry))

    def delete_owner(self, owner_id: str) -> None:
        """Forget every metafield of an owner."""
        with self._lock:
            self._by_owner.pop(owner_id, None)

    def set_many(
        self, entries: Sequence[Mapping[str, Any]], owner_exists: OwnerExists
    ) -> tuple[list[dict[str, Any]] | None, list[UserError]]:
        """Run ``metafieldsSet``: all entries are written, or none (``([], errors)``).

        Returns ``(None, errors)`` when more than 25 entries are given, as Shopify does.
        """
        if len(entries) > MAX_METAFIELDS_SET:
            message = f"Exceeded the maximum metafields input limit of {MAX_METAFIELDS_SET}."
            return None, [UserError(("metafields",), message, "LESS_THAN_OR_EQUAL_TO")]
        with self._lock:
            errors: list[UserError] = []
            for index, entry in enumerate(entries):
                here = ("metafields", str(index))
                owner_id = str(entry["ownerId"])
                if owner_type_of(owner_id) is None or not owner_exists(owner_id):
                    errors.append(UserError((*here, "ownerId"), "Owner does not exist.", "INVALID_VALUE"))
                    continue
                existing = self._find(owner_id, self._namespace(entry), str(entry["key"]))
                errors += self._entry_errors(entry, existing, here)
                errors += _digest_errors(entry, existing, here)
            if errors:
                return [], errors
            written = []
            for entry in entries:
                record = self._write(str(entry["ownerId"]), entry)
                self._store(str(entry["ownerId"]), record)
                written.append(copy.deepcopy(record))
            return written, []

    def _entry_errors(
        self, entry: Mapping[str, Any], existing: Mapping[str, Any] | None, here: tuple[str, ...]
    ) -> list[UserError]:
        errors: list[UserError] = []
        if not entry.get("key"):
            errors.append(UserError((*here, "key"), "Key can't be blank", "BLANK"))
        if entry.get("value") is None or entry.get("value") == "":
            errors.append(UserError((*here, "value"), "Value can't be blank", "BLANK"))
        if entry.get("namespace") is not None:
            errors += name_errors(
                str(entry["namespace"]), str(entry.get("key") or ""), self._app_namespace, here
            )
        elif entry.get("key"):
            errors += name_errors(self._app_namespace, str(entry["key"]), self._app_namespace, here)
        type_name = entry.get("type") or (existing or {}).get("type")
        if not type_name:
            errors.append(UserError((*here, "type"), "Type can't be blank", "BLANK"))
        elif entry.get("value"):
            try:
                normalised(str(type_name), str(entry["value"]))
            except BadValueError as problem:
                errors.append(UserError((*here, "value"), str(problem), "INVALID_VALUE"))
        return errors

    def _namespace(self, entry: Mapping[str, Any]) -> str:
        return str(entry.get("namespace") or self._app_namespace)

    def _find(self, owner_id: str | None, namespace: str, key: str) -> dict[str, Any] | None:
        for record in self._by_owner.get(owner_id or "", []):
            if record["namespace"] == namespace and record["key"] == key:
                return record
        return None

    def _write(self, owner_id: str, entry: Mapping[str, Any]) -> dict[str, Any]:
        namespace, key = self._namespace(entry), str(entry["key"])
        existing = self._find(owner_id, namespace, key)
        now = utc_timestamp()
        record = (
            dict(existing)
            if existing
            else {
                "id": gid("Metafield", next(self._numbers)),
                "ownerId": owner_id,
                "ownerType": owner_type_of(owner_id),
                "namespace": namespace,
                "key": key,
                "createdAt": now,
            }
        )
        type_name = str(entry.get("type") or record.get("type"))
        record.update(type=type_name, value=normalised(type_name, str(entry["value"])), updatedAt=now)
        record["compareDigest"] = digest(record)
        return record

    def _store(self, owner_id: str, record: dict[str, Any]) -> None:
        records = self._by_owner.setdefault(owner_id, [])
        for index, current in enumerate(records):
            if current["id"] == record["id"]:
                records[index] = record
                return
        records.append(record)


def _digest_errors(
    entry: Mapping[str, Any], existing: Mapping[str, Any] | None, here: tuple[str, ...]
) -> list[UserError]:
    if "compareDigest" not in entry:
        return []
    wanted = entry["compareDigest"]
    current = existing["compareDigest"] if existing else None
    if wanted == current:
        return []
    message = "The metafield has been modified since it was loaded."
    return [UserError((*here, "compareDigest"), message, "STALE_OBJECT")]
