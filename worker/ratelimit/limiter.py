"""Client side of the shared leaky bucket (``bucket.lua``): reserve before a request, reconcile after."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import redis

from worker.contract.keys import Keys
from worker.errors import CostExceedsBucketError

_SCRIPT = resources.files("worker.ratelimit").joinpath("bucket.lua").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Reservation:
    """Points taken from a shop's bucket for one request.

    Attributes:
        shop: The shop handle.
        token: Identifies the reservation while the request is in flight.
        cost: Points reserved.
        granted: False when the bucket did not hold enough points; then ``wait_s`` says how long
            until it will.
        wait_s: Seconds to wait before asking again.
        available: Points left in the bucket after this call.
        learned: True once the server's answers have told the shop's bucket size and restore rate; before,
            ``wait_s`` comes from assumed figures.
    """

    shop: str
    token: str
    cost: float
    granted: bool
    wait_s: float
    available: float
    learned: bool = True


@dataclass(frozen=True)
class Booking:
    """A batch's place in its shop's schedule (``ShopLimiter.book``).

    Attributes:
        booked: False while the shop's bucket is not known yet: nothing was booked; ask again after
            ``wait_s``.
        wait_s: Seconds until the batch should start.
    """

    booked: bool
    wait_s: float


UNLEARNED_POLL_S = 0.5


class WaitTooLongError(Exception):
    """The bucket will not hold enough points within the allowed wait; re-schedule instead of sleeping."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"shop bucket needs {wait_s:.2f}s to refill")
        self.wait_s = wait_s


class ShopLimiter:
    """One leaky bucket per shop, kept in Redis so every worker process on every machine shares it.

    Parameters:
        client: Redis connection (a real server, or fakeredis in embedded mode).
        keys: Key names.
        default_capacity: Bucket size in points assumed until the first answer from the shop.
        default_restore_rate: Points per second assumed until the first answer from the shop.
        reservation_ttl_s: A reservation stops counting after this long, so a worker that died
            mid-request cannot shrink the bucket forever.
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        default_capacity: float = 2000.0,
        default_restore_rate: float = 100.0,
        reservation_ttl_s: float = 120.0,
    ) -> None:
        self._keys = keys
        self._client = client
        self._script = client.register_script(_SCRIPT)
        self._defaults = (default_capacity, default_restore_rate, reservation_ttl_s)

    def _call(
        self, op: str, shop: str, token: str, cost: float, *server: str
    ) -> tuple[bool, float, float, bool]:
        capacity, rate, ttl = self._defaults
        raw = self._script(
            keys=[self._keys.bucket(shop), self._keys.inflight(shop)],
            args=[op, token, repr(float(cost)), repr(capacity), repr(rate), repr(ttl), *server],
        )
        granted, wait_s, available, learned = raw
        return bool(int(granted)), float(wait_s), float(available), learned in (b"1", "1", 1)

    def try_acquire(self, shop: str, cost: float) -> Reservation:
        """Take ``cost`` points if the bucket holds them now; never waits."""
        token = uuid.uuid4().hex
        granted, wait_s, available, learned = self._call("acquire", shop, token, cost)
        return Reservation(shop, token, cost, granted, wait_s, available, learned)

    async def acquire(
        self,
        shop: str,
        cost: float,
        *,
        sleep: Callable[[float], Awaitable[Any]],
        max_wait_s: float,
    ) -> Reservation:
        """Take ``cost`` points, sleeping while the bucket refills.

        While the bucket is not learned yet, waits are short polls: the first answer from the shop (to
        any worker) may show a bucket ten times bigger than assumed.

        Raises:
            WaitTooLongError: When a single wait would exceed ``max_wait_s`` (learned buckets only).
            CostExceedsBucketError: When the request costs more than the shop's whole bucket.
        """
        while True:
            reservation = self.try_acquire(shop, cost)
            if reservation.granted:
                return reservation
            if reservation.wait_s < 0:
                raise CostExceedsBucketError(
                    f"a request of {cost:g} points can never fit this shop's bucket",
                    shop=shop,
                    code="MAX_COST_EXCEEDED",
                )
            if not reservation.learned:
                await sleep(min(reservation.wait_s, UNLEARNED_POLL_S))
                continue
            if reservation.wait_s > max_wait_s:
                raise WaitTooLongError(reservation.wait_s)
            await sleep(reservation.wait_s)

    def reconcile(
        self,
        reservation: Reservation,
        throttle_status: Mapping[str, Any] | None,
        actual_cost: float | None = None,
    ) -> float:
        """Release a reservation, refunding what it did not use; adopt the server's numbers when it sent them.

        Returns:
            Points available after reconciling.
        """
        server: tuple[str, ...] = ("", "", "")
        if throttle_status:
            server = tuple(
                repr(float(throttle_status[k])) if throttle_status.get(k) is not None else ""
                for k in ("currentlyAvailable", "maximumAvailable", "restoreRate")
            )
        actual = "" if actual_cost is None else repr(float(actual_cost))
        _, _, available, _ = self._call(
            "reconcile", reservation.shop, reservation.token, reservation.cost, *server, actual
        )
        return available

    def book(self, shop: str, cost: float) -> Booking:
        """Book ``cost`` points of work for a batch, in the shop's schedule.

        Batches booked one after another start one after another, each when the bucket will have paid for
        the work booked before it, so a shop's backlog waits in the broker instead of in worker slots.
        """
        booked, wait_s, _, _ = self._call("book", shop, "", cost)
        return Booking(booked, wait_s)

    def capacity(self, shop: str) -> float:
        """The shop's bucket size: learned from its answers, or the assumed default."""
        raw = self._client.hget(self._keys.bucket(shop), "capacity")
        return float(raw) if raw is not None else self._defaults[0]
