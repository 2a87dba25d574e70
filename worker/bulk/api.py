"""The bulk operation API of one shop: stage a file, ask for the operation, follow it, read its results.

GraphQL requests go through the shop's gateway (the shared bucket; a bulk job draws about 11 points to
stage, 10 to start and a few per poll, whatever the number of lines). The file goes up, and the results
come down, over plain HTTP to the signed URLs Shopify hands out: no token is sent there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from worker.bulk.documents import CANCEL, OPERATION, RECENT_OPERATIONS, RUN_MUTATION, STAGED_UPLOADS_CREATE
from worker.errors import NetworkError, ServerError
from worker.gateway import ShopGateway

FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
GONE = frozenset({403, 404, 410})  # an expired signed link, or a result Shopify no longer has


@dataclass(frozen=True)
class OperationStatus:
    """What ``bulkOperation(id:)`` says."""

    id: str
    status: str
    error_code: str | None = None
    url: str | None = None
    partial_url: str | None = None
    object_count: int = 0

    @property
    def finished(self) -> bool:
        """No line will run any more."""
        return self.status in FINISHED


class BulkRefusedError(Exception):
    """``bulkOperationRunMutation`` answered a userError: no operation was created."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(f"{code or 'refused'}: {message}")
        self.code = code
        self.message = message


class BulkApi:
    """Bulk calls for one shop."""

    def __init__(self, gateway: ShopGateway, session: aiohttp.ClientSession, *, timeout_s: float) -> None:
        self._gateway = gateway
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def stage(self, content: bytes, filename: str) -> str:
        """Upload ``content`` as a staged JSONL file; returns the path to run the mutation with.

        Raises:
            ShopifyError: The staged upload could not be created, or the upload failed (retryable).
        """
        variables = {
            "input": [{"resource": "BULK_MUTATION_VARIABLES", "filename": filename,
                       "mimeType": "text/jsonl", "httpMethod": "POST"}]
        }  # fmt: skip
        answer = await self._gateway.send(STAGED_UPLOADS_CREATE, variables)
        payload = answer.data.get("stagedUploadsCreate") or {}
        targets = payload.get("stagedTargets") or []
        if payload.get("userErrors") or not targets:
            raise ServerError(f"stagedUploadsCreate gave no target: {payload.get('userErrors')}")
        target = targets[0]
        parameters = [(p["name"], p["value"]) for p in target["parameters"]]
        form = aiohttp.FormData()
        for name, value in parameters:  # in the order given, the file last
            form.add_field(name, value)
        form.add_field("file", content, filename=filename, content_type="text/jsonl")
        try:
            async with self._session.post(target["url"], data=form, timeout=self._timeout) as response:
                await response.read()
                if response.status not in (200, 201, 204):
                    raise ServerError(
                        f"staged upload answered HTTP {response.status}", status=response.status
                    )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise NetworkError(f"staged upload failed: {type(exc).__name__}") from exc
        return str(dict(parameters)["key"])

    async def submit(self, mutation: str, staged_path: str, client_identifier: str) -> str:
        """Ask for the bulk operation; returns its id.

        Raises:
            BulkRefusedError: Shopify refused it (``OPERATION_IN_PROGRESS``, ``NO_SUCH_FILE``, ...).
        """
        variables = {
            "mutation": mutation,
            "stagedUploadPath": staged_path,
            "clientIdentifier": client_identifier,
        }
        answer = await self._gateway.send(RUN_MUTATION, variables)
        payload = answer.data.get("bulkOperationRunMutation") or {}
        errors = payload.get("userErrors") or []
        operation = payload.get("bulkOperation") or {}
        if errors or not operation.get("id"):
            first = errors[0] if errors else {}
            raise BulkRefusedError(first.get("code"), str(first.get("message") or "no operation"))
        return str(operation["id"])

    async def status(self, operation_id: str) -> OperationStatus:
        """The operation's status and result links.

        Raises:
            ServerError: Shopify does not know the operation (retryable: it may not be visible yet).
        """
        answer = await self._gateway.send(OPERATION, {"id": operation_id})
        op = answer.data.get("bulkOperation")
        if not op:
            raise ServerError(f"bulk operation {operation_id} not found")
        return OperationStatus(
            id=operation_id,
            status=str(op["status"]),
            error_code=op.get("errorCode"),
            url=op.get("url"),
            partial_url=op.get("partialDataUrl"),
            object_count=int(op.get("objectCount") or 0),
        )

    async def find(self, marker: str) -> str | None:
        """The id of the recent bulk mutation whose document carries ``marker``, if Shopify has one."""
        answer = await self._gateway.send(RECENT_OPERATIONS, {"first": 50})
        nodes = (answer.data.get("bulkOperations") or {}).get("nodes") or []
        for node in nodes:
            if marker in str(node.get("query") or ""):
                return str(node["id"])
        return None

    async def cancel(self, operation_id: str) -> None:
        """Ask Shopify to stop the operation (lines may still run while it is CANCELING)."""
        await self._gateway.send(CANCEL, {"id": operation_id})

    async def results(self, url: str) -> dict[int, dict[str, Any]] | None:
        """The result file by ``__lineNumber`` (never by position); None when the file is gone.

        Raises:
            NetworkError: No answer (retryable).
            ServerError: A 5xx answer (retryable).
        """
        try:
            async with self._session.get(url, timeout=self._timeout) as response:
                if response.status in GONE:
                    return None
                if response.status >= 300:
                    raise ServerError(f"result file answered HTTP {response.status}", status=response.status)
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise NetworkError(f"result file download failed: {type(exc).__name__}") from exc
        return parse_results(body)


def parse_results(body: bytes) -> dict[int, dict[str, Any]]:
    """Result lines by their ``__lineNumber``; a line without one, or unreadable, is skipped."""
    out: dict[int, dict[str, Any]] = {}
    for raw in body.splitlines():
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        number = entry.get("__lineNumber") if isinstance(entry, dict) else None
        if isinstance(number, int):
            out[number] = entry
    return out
