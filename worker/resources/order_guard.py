"""Exactly-once ``orderCreate``: look the order up before creating it, and note a create in flight.

``orderCreate`` is not idempotent: a request whose answer was lost may have created the order. So every
write first looks the order up, and creates it only when Shopify has none:

1. the order ledger (shared Redis): the gid of every order this connector created, by source order id;
2. Shopify's search, ``orders(query: "source_identifier:...")``, for orders created elsewhere or before;
3. when neither knows the order but an earlier ``orderCreate`` for it ended without a clear answer
   (a reset, a timeout, a 5xx) less than ``SEARCH_SETTLE_S`` ago, the write is retried later instead of
   creating: Shopify indexes new orders for search asynchronously, so a committed order can be
   invisible for a moment.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from worker.client import GraphQLResult
from worker.errors import AuthError, OutcomeUnknownError, ShopUnavailableError, ThrottledError
from worker.resources.base import Send, WriteContext
from worker.resources.order_documents import FIND_ORDER, ORDER_BY_ID, ORDER_CREATE
from worker.resources.shopify_ids import search_value

SEARCH_SETTLE_S = 15
LEDGER_TTL_S = 90 * 24 * 3600


async def existing_order(source_id: str, send: Send, ctx: WriteContext) -> dict[str, Any] | None:
    """The order Shopify holds for ``source_id``: the ledger's first, else one found by search."""
    return await _known(source_id, send, ctx) or await _find(source_id, send)


async def create_once(
    source_id: str, variables: dict[str, Any], send: Send, ctx: WriteContext
) -> GraphQLResult:
    """``orderCreate``, with a note in the ledger while its outcome is unknown.

    Raises:
        OutcomeUnknownError: An earlier create for ``source_id`` ended without a clear answer less than
            ``SEARCH_SETTLE_S`` ago; look again after ``retry_after_s``.
    """
    ledger = ctx.lookups
    if ledger is not None:
        # Atomic, so two copies of one task running at once cannot both get past it.
        now = time.time()
        earlier = ledger.claim(
            ctx.shop, "order-create", source_id, now, hold_s=SEARCH_SETTLE_S, ttl_s=LEDGER_TTL_S
        )
        if earlier is not None:
            raise OutcomeUnknownError(
                f"an earlier orderCreate for {source_id!r} may have committed; waiting for Shopify's "
                "order search before creating it",
                shop=ctx.shop,
                retry_after_s=earlier + SEARCH_SETTLE_S - now,
            )
    try:
        result = await send(ORDER_CREATE, variables)
    except (ThrottledError, AuthError, ShopUnavailableError):
        if ledger is not None:  # refused before running: no order was made
            ledger.forget(ctx.shop, "order-create", source_id)
        raise
    if ledger is not None:
        created = (result.data.get("orderCreate") or {}).get("order") or {}
        if created.get("id"):
            ledger.put_many(ctx.shop, "order", {source_id: str(created["id"])}, ttl_s=LEDGER_TTL_S)
        ledger.forget(ctx.shop, "order-create", source_id)
    return result


def adopt_unclear_create(source_id: str, order: Mapping[str, Any], ctx: WriteContext) -> None:
    """An order found while an ``orderCreate`` of ours for it had no clear answer is the one it committed.

    That happens after a lost answer or a 5xx after commit: the ledger learns its gid and the create's
    claim ends. The order holds the record as sent, so the update that follows changes nothing unless
    the record changed since (``order_changes``).
    """
    ledger = ctx.lookups
    if ledger is None or not ledger.get_many(ctx.shop, "order-create", [source_id]):
        return
    ledger.put_many(ctx.shop, "order", {source_id: str(order["id"])}, ttl_s=LEDGER_TTL_S)
    ledger.forget(ctx.shop, "order-create", source_id)


async def _known(source_id: str, send: Send, ctx: WriteContext) -> dict[str, Any] | None:
    """The order the ledger says this connector created for ``source_id``, read fresh from Shopify."""
    known = ctx.lookups.get_many(ctx.shop, "order", [source_id]) if ctx.lookups else {}
    if source_id not in known:
        return None
    result = await send(ORDER_BY_ID, {"id": known[source_id]})
    order = result.data.get("order")
    return dict(order) if isinstance(order, Mapping) else None


async def _find(source_id: str, send: Send) -> dict[str, Any] | None:
    result = await send(FIND_ORDER, {"query": f"source_identifier:{search_value(source_id)}"})
    nodes = (result.data.get("orders") or {}).get("nodes") or ()
    return next((dict(n) for n in nodes if n.get("sourceIdentifier") == source_id), None)
