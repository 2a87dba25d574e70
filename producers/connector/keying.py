"""Keys for records Multiwoven already mapped: they carry none of their own, so their content names them.

The connector's ``write`` and the HTTP producer key their records here, then hand them to the same
``RecordPipeline`` as ``shopify-sync sync``, only without the mapping step.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from worker.contract.envelopes import RecordEnvelope


def content_digest(fields: dict[str, Any]) -> str:
    """A short, stable hash of a record's content."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    # surrogatepass: a lone surrogate still hashes (callers refuse such records, see json_limits)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def keyed(records: list[dict[str, Any]], key_field: str | None) -> list[RecordEnvelope]:
    """Envelopes keyed by content: ``<key field value>#<digest>`` when the field is set, else the digest.

    Mapped records carry no key of their own. A record sent twice gets the same key (and is taken in
    once); a changed record gets a new one (and is written).
    """
    out = []
    for fields in records:
        digest = content_digest(fields)
        value = fields.get(key_field) if key_field else None
        key = f"{value}#{digest[:12]}" if value not in (None, "") else digest
        out.append(RecordEnvelope(key=key, payload=fields, source=fields))
    return out
