"""What one shop keeps of its bulk mutations: staged files, operations, and how they behave (config).

Limits follow Shopify's bulk import guide and what live stores answered (FACTS.md, docs/bulk.md): at
most 5 open bulk mutations per shop from API 2026-01 (1 before), files up to 100 MiB, 24 hours per run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from simulator.stores.common import gid

OPEN = ("CREATED", "RUNNING", "CANCELING")
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@dataclass
class BulkConfig:
    """How a shop's bulk operations behave; tests and benchmarks change it at any time.

    Attributes:
        lines_per_s: Input lines executed per second (Shopify publishes no figure: an assumption).
        max_upload_bytes: The largest staged file accepted (Shopify: 100 MiB).
        max_duration_s: An operation still running after this long fails with ``TIMEOUT`` (Shopify: 24 h).
        fail_after_lines: Fault: the operation fails (``INTERNAL_SERVER_ERROR``) after this many lines,
            with the results so far at ``partialDataUrl``.
        partial_every: Fault: every n-th executed line's result is missing from the result file.
        lose_result: Fault: the operation completes but its result file is gone (the URL answers 404).
    """

    lines_per_s: float = 200.0
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_duration_s: float = 24 * 3600.0
    fail_after_lines: int | None = None
    partial_every: int = 0
    lose_result: bool = False


@dataclass
class BulkOperation:
    """One bulk mutation and what it has done so far."""

    number: int
    mutation: str
    lines: list[str]
    base_url: str
    shop_name: str
    api_version: str
    created_at: str
    status: str = "CREATED"
    error_code: str | None = None
    completed_at: str | None = None
    executed: int = 0
    results: list[str] = field(default_factory=list)
    result_ready: bool = False
    lost: bool = False
    cancel_requested: bool = False

    @property
    def id(self) -> str:
        """The operation's global id."""
        return gid("BulkOperation", self.number)

    def result_text(self) -> str:
        """The result file: one JSON object per executed line."""
        return "".join(line + "\n" for line in self.results)

    def to_graphql(self) -> dict[str, Any]:
        """The ``BulkOperation`` object as the API shows it."""
        url = partial = None
        if self.result_ready and self.status == "COMPLETED":
            url = f"{self.base_url}/_bulk/results/{self.shop_name}/{self.number}.jsonl"
        elif self.result_ready and self.results:
            partial = f"{self.base_url}/_bulk/results/{self.shop_name}/{self.number}.jsonl"
        return {
            "id": self.id,
            "status": self.status,
            "errorCode": self.error_code,
            "createdAt": self.created_at,
            "completedAt": self.completed_at,
            "objectCount": str(self.executed),
            "rootObjectCount": str(self.executed),
            "fileSize": str(len(self.result_text().encode())) if url or partial else None,
            "url": url,
            "partialDataUrl": partial,
            "query": self.mutation,
            "type": "MUTATION",
        }


class BulkBook:
    """One shop's staged files and bulk operations (thread-safe: tests read it from another thread)."""

    def __init__(self) -> None:
        self.config = BulkConfig()
        self._lock = threading.Lock()
        self._files: dict[str, bytes] = {}
        self._operations: dict[int, BulkOperation] = {}
        self._next = 1

    def stage(self, path: str, content: bytes) -> None:
        """Keep an uploaded file under its staged path."""
        with self._lock:
            self._files[path] = content

    def staged(self, path: str) -> bytes | None:
        """The file uploaded at ``path``, or None."""
        with self._lock:
            return self._files.get(path)

    def open_count(self) -> int:
        """Operations not finished yet."""
        with self._lock:
            return sum(1 for op in self._operations.values() if op.status in OPEN)

    def add(self, **fields: Any) -> BulkOperation:
        """Record a new operation (status CREATED)."""
        with self._lock:
            operation = BulkOperation(number=self._next, **fields)
            self._operations[self._next] = operation
            self._next += 1
            return operation

    def get(self, number: int) -> BulkOperation | None:
        """The operation with this number, or None."""
        with self._lock:
            return self._operations.get(number)

    def newest_first(self) -> list[BulkOperation]:
        """Every operation, newest first (``bulkOperations``' default order)."""
        with self._lock:
            return sorted(self._operations.values(), key=lambda op: op.number, reverse=True)


def max_open_operations(api_version: str) -> int:
    """Bulk mutations a shop may run at once: 5 from API 2026-01, 1 before (Shopify's bulk import guide)."""
    return 5 if api_version >= "2026-01" else 1
