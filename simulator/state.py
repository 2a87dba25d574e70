"""Everything the simulator remembers: shops, their buckets and data, faults and counters."""

from __future__ import annotations

import hmac
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from simulator.bucket import LeakyBucket
from simulator.bulk.book import BulkBook
from simulator.config import FaultConfig, ShopSpec
from simulator.drops import AnswerDrops
from simulator.faults import FaultInjector
from simulator.order_limit import OrderCreateLimit
from simulator.stores.customers import CustomerStore
from simulator.stores.idempotency import IdempotencyBook
from simulator.stores.inventory import InventoryStore
from simulator.stores.inventory_applies import InventoryApplies
from simulator.stores.locations import LocationStore
from simulator.stores.metafield_definitions import UniqueDefinitions
from simulator.stores.metafields import MetafieldStore
from simulator.stores.orders import OrderStore
from simulator.stores.products import ProductStore
from simulator.tokens import TokenBook


class ShopState:
    """One simulated shop: its spec, leaky bucket, data stores and token status."""

    def __init__(self, spec: ShopSpec, clock: Callable[[], float]) -> None:
        self.spec = spec
        self.bucket = LeakyBucket(spec.bucket_size, spec.restore_rate, clock)
        self.customers = CustomerStore()
        self.number = zlib.crc32(spec.name.encode()) % 10_000_000_000 + 1
        self.tokens = TokenBook(spec, clock)
        self._revoked = False
        self.data_lock = threading.RLock()  # products, inventory, orders and metafields change together
        self.locations = LocationStore()
        self.metafields = MetafieldStore(self.data_lock, f"app--{self.number}")
        self.definitions = UniqueDefinitions(f"app--{self.number}")
        self.inventory = InventoryStore(self.data_lock, lambda loc: self.locations.get(loc) is not None)
        self.products = ProductStore(self.data_lock, self.metafields, self.inventory, self.locations)
        self.orders = OrderStore(
            self.data_lock,
            clock,
            lambda: self.spec.order_search_lag_s,
            self.customers,
            self.products,
            self.inventory,
            self.locations,
            self.metafields,
        )
        self.idempotency = IdempotencyBook(clock)
        self.inventory_applies = InventoryApplies()
        self.order_create_limit = OrderCreateLimit(clock)
        self.bulk = BulkBook()  # staged files and bulk mutations (simulator/bulk)

    @property
    def domain(self) -> str:
        """The shop's ``*.myshopify.com`` domain."""
        return f"{self.spec.name}.myshopify.com"

    @property
    def revoked(self) -> bool:
        """Whether the token was revoked (every request then answers 401)."""
        return self._revoked

    def revoke_token(self) -> None:
        """Revoke the spec's token and every OAuth token issued so far, as an uninstall would.

        A later OAuth install issues new tokens that work again.
        """
        self._revoked = True
        self.tokens.revoke_all()

    def accepts(self, token: str | None) -> bool:
        """Return whether ``token`` authenticates: the spec's token, or an unexpired OAuth-issued one."""
        if not token:
            return False
        if not self._revoked and hmac.compare_digest(token.encode(), self.spec.access_token.encode()):
            return True
        return self.tokens.accepts(token)

    def has_scope(self, scope: str) -> bool:
        """Return whether the token grants ``scope``; ``write_x`` implies ``read_x``."""
        granted = set(self.spec.scopes)
        if scope in granted:
            return True
        return scope.startswith("read_") and "write_" + scope[len("read_") :] in granted


class Stats:
    """Request counters, safe to read from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_status: Counter[int] = Counter()
        self._throttled = 0
        self._mutations = 0
        self._resets = 0
        self._errors_after_commit = 0
        self._by_shop: dict[str, Counter[str]] = {}

    def record_status(self, status: int, shop: str = "") -> None:
        """Count one answered GraphQL-endpoint request."""
        with self._lock:
            self._by_status[status] += 1
            self._by_shop.setdefault(shop, Counter())["requests"] += 1

    def record_throttled(self, shop: str = "") -> None:
        """Count one throttled answer (HTTP 200 ``THROTTLED`` or HTTP 429)."""
        with self._lock:
            self._throttled += 1
            self._by_shop.setdefault(shop, Counter())["throttled"] += 1

    def record_mutations(self, count: int) -> None:
        """Count mutation root fields that were executed."""
        with self._lock:
            self._mutations += count

    def record_reset(self) -> None:
        """Count one connection closed without an answer."""
        with self._lock:
            self._resets += 1

    def record_error_after_commit(self) -> None:
        """Count one 5xx answered after the request's mutations were committed."""
        with self._lock:
            self._errors_after_commit += 1

    def snapshot(self) -> dict[str, Any]:
        """Return the counters as JSON-ready data (status codes as string keys)."""
        with self._lock:
            by_status = {str(status): count for status, count in sorted(self._by_status.items())}
            return {
                "by_status": by_status,
                "requests_total": sum(self._by_status.values()) + self._resets,
                "throttled": self._throttled,
                "mutations": self._mutations,
                "connection_resets": self._resets,
                "errors_after_commit": self._errors_after_commit,
                "by_shop": {
                    shop: {"requests": c["requests"], "throttled": c["throttled"]}
                    for shop, c in sorted(self._by_shop.items())
                },
            }


class SimulatorState:
    """The whole simulated world shared by the HTTP app and by tests.

    Args:
        shops: Shops to create up front.
        faults: Faults to inject; ``None`` means none. Replace ``state.faults`` at any time.
        clock: Monotonic clock in seconds used by every leaky bucket and token lifetime.
        wall_clock: Unix time in seconds, for the ``timestamp`` of OAuth callbacks.

    """

    def __init__(
        self,
        shops: Iterable[ShopSpec] = (),
        faults: FaultConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.stats_counters = Stats()
        self._shops: dict[str, ShopState] = {}
        self._lock = threading.Lock()
        self._injector = FaultInjector(faults or FaultConfig())
        self.answer_drops = AnswerDrops()
        for spec in shops:
            self.add_shop(spec)

    @property
    def faults(self) -> FaultConfig:
        """The active fault config; assigning a new one restarts its (seeded) dice."""
        return self._injector.config

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._injector = FaultInjector(config)

    def drop_answers(self, operation: str, count: int = 1) -> None:
        """Commit, then drop the answers of the next ``count`` requests that run ``operation``.

        E.g. ``state.drop_answers("orderCreate")``: the next ``orderCreate`` creates its order and
        the client sees the connection close instead of an answer (see :mod:`simulator.drops`).
        """
        self.answer_drops.arm(operation, count)

    @property
    def fault_injector(self) -> FaultInjector:
        """The dice of the active fault config."""
        return self._injector

    def add_shop(self, spec: ShopSpec) -> ShopState:
        """Create a shop with empty data and a full bucket.

        Raises:
            ValueError: If a shop with this name exists.

        """
        with self._lock:
            if spec.name in self._shops:
                raise ValueError(f"shop {spec.name!r} already exists")
            shop = ShopState(spec, self.clock)
            self._shops[spec.name] = shop
            return shop

    def shop(self, name: str) -> ShopState:
        """Return the shop with this handle.

        Raises:
            KeyError: If there is no such shop.

        """
        with self._lock:
            return self._shops[name]

    def find_shop(self, name: str) -> ShopState | None:
        """Return the shop with this handle, or ``None``."""
        with self._lock:
            return self._shops.get(name)

    def shop_names(self) -> list[str]:
        """Return the handles of all shops."""
        with self._lock:
            return sorted(self._shops)

    def stats(self) -> dict[str, Any]:
        """Return the request counters (see :meth:`Stats.snapshot`)."""
        return self.stats_counters.snapshot()
