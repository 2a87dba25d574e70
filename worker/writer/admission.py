"""A batch books its turn in its shop's schedule before it starts (``ShopLimiter.book``)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from worker.gateway import ShopGateway

# A batch whose booked turn is at most this far away starts now and waits in the limiter; a later one
# goes back to the broker until its turn, leaving the worker slot to other shops.
ADMISSION_SLACK_S = 0.5


@dataclass(frozen=True)
class Postponed:
    """The batch's turn is ``wait_s`` away; ``not_before`` (epoch seconds) is set when it was booked."""

    wait_s: float
    not_before: float | None


def admit(gateway: ShopGateway, cost: float) -> Postponed | None:
    """Book ``cost`` points; None when the batch may start now.

    ``not_before`` stays unset when the shop's bucket was not known yet and nothing was booked, so the
    next run books again.
    """
    booking = gateway.book(cost)
    if booking.wait_s <= ADMISSION_SLACK_S:
        return None
    return Postponed(booking.wait_s, time.time() + booking.wait_s if booking.booked else None)
