"""One cheap request to a paused shop, to learn whether it answers again or has the access it lacked."""

from __future__ import annotations

import logging

from worker.access import ACCESS_SCOPES
from worker.contract.access_pauses import AccessPauses
from worker.contract.pauses import ShopPauses
from worker.errors import ShopifyError
from worker.gateway import ShopGateway

log = logging.getLogger(__name__)

PROBE = "query Probe { shop { name } }"


async def probe_succeeds(gateway: ShopGateway, pauses: ShopPauses, interval_s: float) -> bool:
    """A paused shop gets one probe per ``interval_s`` (across every worker), never a storm.

    When it succeeds (the merchant fixed the token, paid the bill), the shop is unpaused; the caller
    goes on writing and has its held records enqueued again. Never used for a denied access (it needs
    none): see ``access_check``.
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


async def access_check(gateway: ShopGateway, pauses: AccessPauses, interval_s: float) -> list[str]:
    """Read the token's scopes for a shop with access pauses, at most once per ``interval_s``.

    The probe for an access must exercise that access: ``shop { name }`` needs none. Granted scopes can
    be read (``currentAppInstallation.accessScopes``); a scope the token was seen lacking and now holds
    ends its pause. Returns the resources unpaused (their held batches still to release).
    """
    shop = gateway.shop
    if not pauses.probe_due(shop, interval_s):
        return []
    try:
        result = await gateway.send(ACCESS_SCOPES, {})
    except ShopifyError as err:
        log.info("could not read the token's scopes: %s", err, extra={"shop": shop})
        return []
    installation = result.data.get("currentAppInstallation") or {}
    granted = [str(s.get("handle")) for s in installation.get("accessScopes") or () if isinstance(s, dict)]
    resumed = pauses.observe(shop, granted)
    if resumed:
        log.warning("the token now holds the access denied before; resuming %s", ", ".join(resumed),
                    extra={"shop": shop})  # fmt: skip
    return resumed
