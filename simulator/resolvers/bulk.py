"""Resolvers for staged uploads and bulk mutations (``stagedUploadsCreate``, ``bulkOperation*``).

The checks and their order follow what live stores answered (FACTS.md "Bulk mutations"): a bad
``clientIdentifier`` or mutation is ``INVALID_MUTATION``; nothing uploaded at the path is
``NO_SUCH_FILE``, which wins over ``OPERATION_IN_PROGRESS``; an empty or oversized file is
``INVALID_STAGED_UPLOAD_FILE``. The operation then runs in the background (``simulator.bulk.runner``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLResolveInfo

from simulator.bulk.book import OPEN, max_open_operations
from simulator.bulk.runner import mutation_problem, start
from simulator.resolvers import Resolver
from simulator.resolvers.context import context_of, record_mutation
from simulator.resolvers.pagination import connection
from simulator.stores.common import parse_gid, utc_timestamp

UPLOAD_PATH = "/_bulk/uploads"


def resolve_staged_uploads(
    _root: Any, info: GraphQLResolveInfo, input: list[Mapping[str, Any]]
) -> dict[str, Any]:
    """One upload target per input: a form POST whose ``key`` is the path to run the mutation with."""
    context = record_mutation(info)
    targets = []
    for entry in input:
        path = f"tmp/{context.shop.number}/bulk/{uuid.uuid4()}/{entry['filename']}"
        parameters = {
            "Content-Type": entry["mimeType"],
            "success_action_status": "201",
            "acl": "private",
            "key": path,
            "x-goog-date": utc_timestamp().replace("-", "").replace(":", ""),
            "x-goog-credential": "simulator",
            "x-goog-algorithm": "GOOG4-RSA-SHA256",
            "x-goog-signature": uuid.uuid4().hex,
            "policy": uuid.uuid4().hex,
        }
        targets.append(
            {
                "url": f"{context.base_url}{UPLOAD_PATH}",
                "resourceUrl": f"{context.base_url}{UPLOAD_PATH}/{path}",
                "parameters": [{"name": k, "value": v} for k, v in parameters.items()],
            }
        )
    return {"stagedTargets": targets, "userErrors": []}


def resolve_run_mutation(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``bulkOperationRunMutation(mutation:, stagedUploadPath:, clientIdentifier:)``."""
    context = record_mutation(info)
    shop = context.shop
    identifier = args.get("clientIdentifier")
    if identifier is not None and not 10 <= len(identifier) <= 255:
        return _refused("INVALID_MUTATION", "Client identifier must be between 10 and 255 characters", None)
    problem = mutation_problem(args["mutation"])
    if problem is not None:
        return _refused("INVALID_MUTATION", problem, ["mutation"])
    content = shop.bulk.staged(args["stagedUploadPath"])
    if content is None:
        return _refused("NO_SUCH_FILE", "The file does not exist", ["stagedUploadPath"])
    if not content.strip() or len(content) > shop.bulk.config.max_upload_bytes:
        return _refused("INVALID_STAGED_UPLOAD_FILE", "The staged upload file is empty or too large", None)
    if shop.bulk.open_count() >= max_open_operations(context.api_version):
        message = "A bulk mutation operation for this app and shop is already in progress"
        return _refused("OPERATION_IN_PROGRESS", message, None)
    lines = [line for line in content.decode("utf-8", errors="replace").split("\n") if line.strip()]
    operation = shop.bulk.add(
        mutation=args["mutation"],
        lines=lines,
        base_url=context.base_url,
        shop_name=shop.spec.name,
        api_version=context.api_version,
        created_at=utc_timestamp(),
    )
    start(shop, operation)
    return {"bulkOperation": operation.to_graphql(), "userErrors": []}


def _refused(code: str, message: str, field: list[str] | None) -> dict[str, Any]:
    return {"bulkOperation": None, "userErrors": [{"field": field, "message": message, "code": code}]}


def resolve_bulk_operation(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``bulkOperation(id:)``: its status, counters and, once finished, its result links."""
    parsed = parse_gid(id)
    if parsed is None or parsed[0] != "BulkOperation":
        return None
    operation = context_of(info).shop.bulk.get(parsed[1])
    return operation.to_graphql() if operation else None


def resolve_bulk_operations(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``bulkOperations(first:, query:)``, newest first; the query filters by status and operation_type."""
    terms = dict(t.split(":", 1) for t in (args.get("query") or "").split() if ":" in t)
    found = [op.to_graphql() for op in context_of(info).shop.bulk.newest_first()]
    if "status" in terms:
        found = [op for op in found if op["status"] == terms["status"].upper()]
    if terms.get("operation_type", "mutation").lower() != "mutation":
        found = []
    return connection(found, args, lambda op: parse_gid(op["id"])[1], lambda op: op["createdAt"])  # type: ignore[index]


def resolve_cancel(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    """``bulkOperationCancel(id:)``: CANCELING while it runs; an error once it has finished."""
    record_mutation(info)
    parsed = parse_gid(id)
    operation = context_of(info).shop.bulk.get(parsed[1]) if parsed else None
    if operation is None:
        return {
            "bulkOperation": None,
            "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}],
        }
    if operation.status not in OPEN:
        message = f"A bulk operation cannot be canceled when it is {operation.status.lower()}"
        return {"bulkOperation": operation.to_graphql(), "userErrors": [{"field": None, "message": message}]}
    operation.cancel_requested = True
    operation.status = "CANCELING"
    return {"bulkOperation": operation.to_graphql(), "userErrors": []}


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("Mutation", "stagedUploadsCreate"): resolve_staged_uploads,
    ("Mutation", "bulkOperationRunMutation"): resolve_run_mutation,
    ("Mutation", "bulkOperationCancel"): resolve_cancel,
    ("QueryRoot", "bulkOperation"): resolve_bulk_operation,
    ("QueryRoot", "bulkOperations"): resolve_bulk_operations,
}
