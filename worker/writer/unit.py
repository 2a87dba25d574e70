"""One unit's attempts: send it, settle each record, and split it in halves when refused whole."""

from __future__ import annotations

import time
from dataclasses import dataclass

from worker.contract.envelopes import RecordEnvelope
from worker.contract.pauses import ShopPauses
from worker.errors import ShopifyError, ThrottledError, UserErrorsError
from worker.gateway import ShopGateway, request_log
from worker.lookups import LookupCache
from worker.ratelimit.limiter import WaitTooLongError
from worker.resources import Resource
from worker.writer.probe import access_check, probe_succeeds
from worker.writer.settle import Settler, failure_reason
from worker.writer.units import Unit, write_context

# A unit still unsent when the batch's time is up goes back to the broker after this many seconds.
OVERTIME_DELAY_S = 0.5


@dataclass
class UnitWriter:
    """Writes units of one batch until each record is settled.

    Parameters:
        gateway: Sends documents to the shop under its bucket.
        resource: The kind of record.
        settler: Where records end.
        pauses: Paused-shop flags.
        sync_id: The sync the records belong to (part of idempotency keys).
        lookups: Cached SKU and location lookups, for the resources that need them.
        probe_interval_s: A paused shop is probed at most once per this many seconds, by one worker.
        deadline: ``time.monotonic()`` after which units not yet sent are deferred.
    """

    gateway: ShopGateway
    resource: Resource  # type: ignore[type-arg]
    settler: Settler
    pauses: ShopPauses
    sync_id: str
    lookups: LookupCache | None
    probe_interval_s: float
    deadline: float

    async def write(self, unit: Unit) -> None:
        """Attempt the unit until every record in it is synced, dead-lettered, deferred or held."""
        shop = self.gateway.shop
        ctx = write_context(
            unit, shop=shop, resource=self.resource.name, sync_id=self.sync_id, lookups=self.lookups
        )
        while True:
            if time.monotonic() > self.deadline:
                self.settler.defer(unit, OVERTIME_DELAY_S)
                return
            pause = self.pauses.reason(shop)
            if pause and not await self._resumed():
                self.settler.hold(unit, pause["category"])
                return
            access = self.pauses.access.get(shop, self.resource.name)
            if access and not await self._access_resumed():
                self.settler.hold_for_access(unit, access)
                return
            try:
                with request_log() as requests:
                    results = await self.resource.write([m for _, m in unit], self.gateway.send, ctx)
            except WaitTooLongError as exc:
                self.settler.defer(unit, exc.wait_s)
                return
            except ShopifyError as err:
                if len(unit) > 1 and self._split_on(err):
                    half = len(unit) // 2
                    await self.write(unit[:half])
                    await self.write(unit[half:])
                    return
                if not await self.settler.after_failure(unit, err):
                    return
                continue
            written: list[tuple[RecordEnvelope, str]] = []
            for (record, _), result in zip(unit, results, strict=True):
                if isinstance(result, UserErrorsError):
                    self.settler.dead_letter(record, failure_reason(result))
                else:
                    written.append((record, result))
            request_id = requests.request_ids[-1] if requests.request_ids else None
            self.settler.synced(written, request_id, requests.cost / len(unit))
            return

    def _split_on(self, err: ShopifyError) -> bool:
        """Whether a unit refused unrun is worth sending again as two halves.

        A unit that costs more than one request may (the bucket was smaller than assumed) is always
        split. A throttled pack is split too: when the server gives only ``Retry-After`` and no bucket
        figures, halves are how the pack size finds what the bucket can take.
        """
        if err.code == "MAX_COST_EXCEEDED":
            return True
        return self.resource.packable and type(err) is ThrottledError

    async def _resumed(self) -> bool:
        """Whether a probe found the paused shop answering again (the batch then resumes its held records)."""
        if not await probe_succeeds(self.gateway, self.pauses, self.probe_interval_s):
            return False
        self.settler.outcome.resumed = True
        return True

    async def _access_resumed(self) -> bool:
        """Whether reading the token's scopes ended this resource's access pause (it may end others')."""
        resumed = await access_check(self.gateway, self.pauses.access, self.probe_interval_s)
        self.settler.outcome.access_resumed.extend(
            r for r in resumed if r not in self.settler.outcome.access_resumed
        )
        return self.resource.name in resumed
