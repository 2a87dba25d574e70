"""The GraphQL documents of the bulk path, and the inner mutation a job runs.

Each job sends its resource's own mutation (the one the per-request path sends) under an operation name
that carries the job id. ``BulkOperation`` has no field for the ``clientIdentifier``, but it shows the
mutation (``query``): a worker that crashed between asking for the operation and recording its id finds it
again among the shop's recent bulk operations by that name, and never submits the same file twice.
"""

from __future__ import annotations

import re

STAGED_UPLOADS_CREATE = """
mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}
""".strip()

RUN_MUTATION = """
mutation BulkRun($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(
    mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier
  ) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
""".strip()

_OPERATION_FIELDS = "id status errorCode objectCount url partialDataUrl createdAt completedAt"

OPERATION = f"""
query BulkOperation($id: ID!) {{
  bulkOperation(id: $id) {{ {_OPERATION_FIELDS} }}
}}
""".strip()

RECENT_OPERATIONS = """
query RecentBulkMutations($first: Int!) {
  bulkOperations(first: $first, query: "operation_type:mutation") {
    nodes { id status query }
  }
}
""".strip()

CANCEL = """
mutation BulkCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
""".strip()

DOCUMENTS = (STAGED_UPLOADS_CREATE, RUN_MUTATION, OPERATION, RECENT_OPERATIONS, CANCEL)

_NAME = re.compile(r"^(\s*mutation\s+)([_A-Za-z][_0-9A-Za-z]*)")


def marker(job_id: str) -> str:
    """The part of the operation name that names the job (GraphQL names: letters, digits, ``_``)."""
    return "Bulk_" + re.sub(r"[^0-9A-Za-z]", "_", job_id)


def inner_mutation(mutation: str, job_id: str) -> str:
    """``mutation`` renamed ``<Name>_<marker>``, so the operation shows which job asked for it."""
    named, count = _NAME.subn(lambda m: f"{m.group(1)}{m.group(2)}_{marker(job_id)}", mutation, count=1)
    if not count:
        raise ValueError("a bulk mutation must be a named mutation operation")
    return named
