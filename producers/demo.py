"""``shopify-sync demo``: the whole pipeline against a local Shopify simulator, on bundled sample data.

Embedded mode (no SHOPIFY_SYNC_REDIS_URL) needs nothing but the installed package. With Redis set,
the demo starts separate Celery worker processes on that Redis, as production runs.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from producers.mapping import Mapping
from producers.readers import read_rows
from producers.report import SyncReport
from producers.running import run_syncs
from producers.sync import SyncJob, new_sync_id
from settings import AppSettings, ShopConfig, ShopsConfig
from simulator.config import FaultConfig, ShopSpec
from simulator.server import run_in_thread
from simulator.state import SimulatorState
from worker.app import worker_command
from worker.contract.broker import queue_for

DEMO_SHOP = "demo-shop"
# Faults a real sync meets now and then, so the demo shows retries working.
DEMO_FAULTS = FaultConfig(latency_ms=15, latency_jitter_ms=10, error_rate=0.02, reset_rate=0.01, seed=7)


def _sample(name: str) -> Path:
    return Path(str(resources.files("producers.samples").joinpath(name)))


# Products first (orders and inventory name their SKUs), then customers, orders, inventory.
DEMO_JOBS = (("products", None), ("customers", "customer_id"), ("orders", "order_id"), ("inventory", None))


def run_demo(settings: AppSettings, *, show_progress: bool, worker_processes: int = 2) -> SyncReport:
    """Sync the bundled samples of all four resources into a simulated Standard-plan shop.

    The first ``orderCreate`` answer is dropped after Shopify committed the order, as a lost response
    would be; the report's ``simulator`` section counts the orders per source order to show none was
    created twice.
    """
    token = f"shpat_demo{secrets.token_hex(12)}"
    state = SimulatorState([ShopSpec(name=DEMO_SHOP, access_token=token)], DEMO_FAULTS)
    state.drop_answers("orderCreate", 1)
    run_id = new_sync_id()
    jobs = [
        SyncJob(
            shop=DEMO_SHOP,
            resource=resource,
            mapping=Mapping.load(_sample(f"{resource}.mapping.json")),
            rows=read_rows(_sample(f"{resource}.csv")),
            sync_id=f"{run_id}-{resource}",
            primary_key=primary_key,
        )
        for resource, primary_key in DEMO_JOBS
    ]
    with run_in_thread(state) as sim:
        shop = ShopConfig(shop_name=DEMO_SHOP, access_token=token, admin_url=sim.shop_url(DEMO_SHOP))
        with _workers_for(settings, shop, worker_processes) as shops:
            report = run_syncs(
                settings, shops, jobs, report_id=run_id, timeout_s=600, show_progress=show_progress
            )
        store = state.shop(DEMO_SHOP)
        per_source = Counter(o.get("sourceIdentifier") for o in store.orders.all())
        report.extra["simulator"] = {
            "customers": len(store.customers.all()),
            "products": len(store.products.all()),
            "most_variants": max((len(p.get("variants") or ()) for p in store.products.all()), default=0),
            "orders": len(per_source),
            "duplicate_orders": sum(n - 1 for n in per_source.values()),
            "answers_dropped_after_commit": sum(state.answer_drops.snapshot()["dropped"].values()),
        }
    if report.files.get("report"):
        report.write(Path(report.files["report"]))
    return report


@contextmanager
def _workers_for(settings: AppSettings, shop: ShopConfig, processes: int) -> Iterator[ShopsConfig]:
    """In Redis mode, start Celery worker processes that know the demo shop; embedded mode starts its own."""
    with tempfile.TemporaryDirectory(prefix="shopify-sync-demo-") as tmp:
        shops_file = Path(tmp) / "shops.toml"
        shops_file.write_text(
            f'[[shops]]\nshop_name = "{shop.shop_name}"\naccess_token = "${{DEMO_SHOP_TOKEN}}"\n'
            f'admin_url = "{shop.admin_url}"\n',
            encoding="utf-8",
        )
        shops = ShopsConfig(shops_file, [shop])
        if settings.embedded:
            yield shops
            return
        assert shop.access_token is not None
        env = {
            **os.environ,
            "SHOPIFY_SYNC_SHOPS_FILE": str(shops_file),
            "DEMO_SHOP_TOKEN": shop.access_token.get_secret_value(),
        }
        command = worker_command(
            [queue_for(shop.shop_name)], concurrency=processes, name=f"demo-{os.getpid()}@%h"
        )
        worker = subprocess.Popen(command, env=env, stdout=sys.stderr)  # noqa: S603
        try:
            yield shops
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
