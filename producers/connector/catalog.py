"""``discover``: one stream per registered resource, its schema generated from the model that validates it."""

from __future__ import annotations

import math

from producers.connector.protocol import Catalog, MultiwovenMessage, Stream
from producers.connector.schema import model_schema
from worker.resources import RESOURCES, Resource

# Shopify's Standard plan restores 100 points per second; higher plans restore more. The hint is sized
# for the smallest plan, so Multiwoven never hands over more records than that store can take in a
# minute; the shared limiter in the workers is what really keeps every shop within its bucket.
STANDARD_RESTORE_RATE = 100.0
# Multiwoven's threads per stream: enough to keep the workers busy, few enough to keep its load low.
REQUEST_CONCURRENCY = 10
# A mutation costs 10 points plus its selection (customerSet: 10-16).
RECORD_COST = 11.0
# Records a Standard-plan store can take per minute.
RECORDS_PER_MINUTE = math.floor(60 * STANDARD_RESTORE_RATE / RECORD_COST)


def stream_for(resource: Resource) -> Stream:  # type: ignore[type-arg]
    """The catalog stream of one resource.

    Unbatched on purpose: Multiwoven marks a whole batch failed or succeeded from the counts, while one
    record per call lets it store each record's outcome (and dead-letter reason) on its sync record.
    """
    return Stream(
        name=resource.name,
        action="create",
        json_schema=model_schema(resource.model),
        supported_sync_modes=["incremental"],
        batch_support=False,
        batch_size=1,
        request_rate_limit=RECORDS_PER_MINUTE,
        request_rate_limit_unit="minute",
        request_rate_concurrency=REQUEST_CONCURRENCY,
    )


def discover() -> MultiwovenMessage:
    """The catalog message: every resource in ``worker.resources.RESOURCES``."""
    streams = [stream_for(resource) for resource in RESOURCES.values()]
    catalog = Catalog(
        streams=streams,
        request_rate_limit=min(s.request_rate_limit or 60 for s in streams),
        request_rate_limit_unit="minute",
        request_rate_concurrency=REQUEST_CONCURRENCY,
        schema_mode="schema",
    )
    return MultiwovenMessage(type="catalog", catalog=catalog)
