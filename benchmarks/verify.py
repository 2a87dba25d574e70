"""Record-by-record checks after a run: every record ended once, synced or dead-lettered, and each synced
record is exactly one object in the shop (the simulator's store), with the gid the worker reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from worker.contract.deadletters import DeadLetterStore
from worker.contract.tracking import SyncTracker

FINAL = ("synced", "dead_lettered")


@dataclass
class RecordCheck:
    """How the records of one sync ended.

    Attributes:
        records: Records the sync had to settle (the expected keys).
        synced: Expected records whose outcome is ``synced``.
        dead_lettered: Expected records whose outcome is ``dead_lettered``, with a dead letter.
        lost: Expected records with no final outcome (none, ``retrying`` or ``paused``).
        double_outcomes: Records that ended twice over: synced yet still in the dead letters, or
            dead-lettered without a dead letter.
        unexpected: Outcomes of keys the sync never had.
        counter_errors: Counters (``total``, ``synced``, ``dead_lettered``) that disagree with the outcomes.
        gids: Synced record key -> the gid the worker reported.
        letters: Dead-lettered record key -> "category: message (attempts)", from its dead letter.
    """

    records: int = 0
    synced: int = 0
    dead_lettered: int = 0
    lost: list[str] = field(default_factory=list)
    double_outcomes: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    counter_errors: list[str] = field(default_factory=list)
    gids: dict[str, str] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every record ended exactly once and the counters agree."""
        return not (self.lost or self.double_outcomes or self.unexpected or self.counter_errors)


def check_records(
    tracker: SyncTracker, dead_letters: DeadLetterStore, sync_id: str, expected_keys: Iterable[str]
) -> RecordCheck:
    """Compare the outcomes and dead letters of ``sync_id`` with the keys it was given."""
    keys = list(dict.fromkeys(expected_keys))
    outcomes = tracker.outcomes(sync_id)
    lettered = {
        entry.record_key: f"{entry.reason.category}: {entry.reason.message} ({entry.attempts} attempts)"
        for entry in dead_letters.iter(sync_id=sync_id)
    }
    check = RecordCheck(records=len(keys))
    for key in keys:
        state = (outcomes.get(key) or {}).get("state")
        if state not in FINAL:
            check.lost.append(key)
        elif state == "synced":
            check.synced += 1
            check.gids[key] = str(outcomes[key].get("gid"))
            if key in lettered:
                check.double_outcomes.append(key)
        elif key in lettered:
            check.dead_lettered += 1
            check.letters[key] = lettered[key]
        else:
            check.double_outcomes.append(key)
    check.unexpected = sorted(set(outcomes) - set(keys))
    counts = tracker.counts(sync_id)
    for name, seen, want in (
        ("total", counts.total, check.records),
        ("synced", counts.synced, check.synced),
        ("dead_lettered", counts.dead_lettered, check.dead_lettered),
    ):
        if seen != want:
            check.counter_errors.append(f"{name}: counter {seen}, records {want}")
    return check


@dataclass
class StoreCheck:
    """How the shop's objects of one resource match the synced records.

    Attributes:
        objects: Objects in the shop.
        duplicates: Objects beyond the first with the same identity (email, handle, source order id).
        duplicated: The identities held by more than one object.
        missing: Synced records whose object is absent, or present under another gid.
        extra: Identities in the shop that no synced record accounts for.
    """

    objects: int = 0
    duplicates: int = 0
    duplicated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """One object per synced record, nothing else."""
        return not (self.duplicates or self.missing or self.extra)


def duplicate_count(objects: Iterable[Mapping[str, Any]], identity: str) -> int:
    """Objects beyond the first with the same ``identity`` value (compared case-insensitively)."""
    seen = Counter(str(o.get(identity) or "").lower() for o in objects)
    return sum(n - 1 for n in seen.values())


def check_store(
    objects: list[dict[str, Any]],
    identity: str,
    gids: Mapping[str, str],
    identity_of: Mapping[str, str],
    *,
    allowed_extra: Iterable[str] = (),
) -> StoreCheck:
    """Match synced records (``gids``: key -> gid) with the shop's ``objects`` by ``identity``.

    Args:
        objects: The shop's objects of one resource, as the simulator lists them.
        identity: The field that identifies an object (``email``, ``handle``, ``sourceIdentifier``).
        gids: Synced record key -> gid reported by the worker.
        identity_of: Record key -> the identity its object must have.
        allowed_extra: Identities present before the run (seeded objects).
    """
    by_identity: dict[str, list[str]] = {}
    for obj in objects:
        by_identity.setdefault(str(obj.get(identity) or "").lower(), []).append(str(obj.get("id")))
    check = StoreCheck(objects=len(objects), duplicates=duplicate_count(objects, identity))
    check.duplicated = sorted(value for value, ids in by_identity.items() if len(ids) > 1)
    accounted = {value.lower() for value in allowed_extra}
    for key, gid in gids.items():
        wanted = identity_of[key].lower()
        accounted.add(wanted)
        if gid not in by_identity.get(wanted, []):
            check.missing.append(key)
    check.extra = sorted(set(by_identity) - accounted)
    return check


def check_levels(
    levels: list[dict[str, Any]], synced: Iterable[str], quantities: Mapping[str, tuple[str, str, int]]
) -> list[str]:
    """Synced inventory records whose quantity is not the shop's ``available`` at that SKU and location."""
    available = {(level.get("sku"), level.get("locationName")): level.get("available") for level in levels}
    wrong = []
    for key in synced:
        if key not in quantities:
            continue
        sku, location, quantity = quantities[key]
        if available.get((sku, location)) != quantity:
            wrong.append(key)
    return wrong


def double_applies(applies: Mapping[str, Any]) -> list[str]:
    """Inventory sets applied more than once: an idempotency key applied twice, or a level changed by
    two applies (every record of a run sets a level of its own, once).

    Args:
        applies: The simulator's ``inventory-applies`` answer for one shop.
    """
    found = [f"key {key}: applied {n} times" for key, n in applies.get("by_key", {}).items() if n > 1]
    found += [
        f"{level.get('sku')}@{level.get('locationName')}: changed {level['changes']} times"
        for level in applies.get("levels", [])
        if int(level.get("changes", 0)) > 1
    ]
    return found
