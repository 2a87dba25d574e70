"""One cheap request to a paused shop, to learn whether it answers again."""

from __future__ import annotations

import logging

from worker.contract.pauses import ShopPauses
from worker.errors import ShopifyError
from worker.gateway import ShopGateway

log = logging.getLogger(__name__)

PROBE = "query Probe { shop { name } }"


async def probe_succeeds(gateway: ShopGateway, pauses: ShopPauses, interval_s: float) -> bool:
    """A paused shop gets one probe per ``interval_s`` (across every worker), never a storm.

    When it succeeds (the merchant fixed the token, paid the bill), the shop is unpaused; the caller
    goes on writing and has its held records enqueued again.
    """
    shop = gateway.shop
    if not pauses.probe_due(shop, interval_s):
        return False
    try:
        await gateway.send(PROBE, {})
    except ShopifyError as err:
        log.info("paused shop still refuses: %s", err, extra={"shop": shop})
        return False
    log.warning("paused shop answers again; resuming it", extra={"shop": shop})
    pauses.unpause(shop)
    return True
