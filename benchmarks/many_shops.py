"""Many shops on the same workers: ``shops`` Standard shops of ``records`` customers each, all at once.

Figures: records synced per second against the sum of the shops' ceilings over the same time; the
slowest shop's time (from its sync's enqueue to its last record settled) against one shop's time alone;
and the workers' CPU while idle afterwards, subscribed to every shop's queue. Every shop's customers are
counted in the simulator's store too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from producers.sync import SyncJob, new_sync_id

if TYPE_CHECKING:
    from benchmarks.harness import Plan
    from benchmarks.throughput import Bench

POLL_S = 0.5
IDLE_S = 10.0


def run(bench: Bench, shops: int, records: int, plan: Plan, *, timeout_s: float) -> dict[str, Any]:
    """Start workers for ``shops`` new shops (and one more, synced alone first), sync them all at once."""
    from benchmarks.throughput import customer_rows

    solo = bench.add_shop("many-solo", plan)
    names = [bench.add_shop(f"many{i:04d}", plan) for i in range(shops)]
    bench.start_workers()
    try:
        solo_run = bench.sync(solo, records, timeout_s=timeout_s, poll_s=0.05)
        cost = solo_run.record_cost
        enqueued: dict[str, tuple[str, float]] = {}
        started = time.monotonic()
        for name in names:
            sync_id = new_sync_id()
            rows = customer_rows(f"{name}-{sync_id}", records)
            bench.runner.enqueue(SyncJob(name, "customers", bench.mapping, rows, sync_id))
            enqueued[name] = (sync_id, time.monotonic())
        finished = _follow(bench, enqueued, records, started + timeout_s)
        ended = max(finished.values(), default=time.monotonic())
        elapsed = ended - started
        synced = sum(bench.runner.tracker.counts(sync_id).synced for sync_id, _ in enqueued.values())
        in_store = sum(bench.in_store(name) for name in names)
        idle_cpu = _idle_cpu_percent(bench)
    finally:
        bench.stop_workers()
    slowest = max((finished.get(name, ended) - at for name, (_, at) in enqueued.items()), default=0.0)
    ceiling = shops * (plan.bucket + plan.rate * elapsed) / cost / elapsed
    return {
        "shops": shops,
        "records_per_shop": records,
        "synced": synced,
        "in_store": in_store,
        "store_agrees": in_store == synced,
        "unfinished_shops": shops - len(finished),
        "elapsed_s": round(elapsed, 2),
        "records_per_s": round(synced / elapsed, 2),
        "sum_of_ceilings_records_per_s": round(ceiling, 2),
        "share_of_ceilings": round(synced / elapsed / ceiling, 4),
        "solo_shop_s": round(solo_run.elapsed_s, 2),
        "slowest_shop_s": round(slowest, 2),
        "slowest_vs_solo": round(slowest / solo_run.elapsed_s, 2),
        "idle_worker_cpu_percent": idle_cpu,
    }


def _follow(
    bench: Bench, enqueued: dict[str, tuple[str, float]], records: int, deadline: float
) -> dict[str, float]:
    """When each shop's last record settled (sampled every ``POLL_S``), until all did or ``deadline``."""
    finished: dict[str, float] = {}
    while len(finished) < len(enqueued) and time.monotonic() < deadline:
        for name, (sync_id, _) in enqueued.items():
            if name in finished:
                continue
            counts = bench.runner.tracker.counts(sync_id)
            if counts.synced + counts.dead_lettered >= records:
                finished[name] = time.monotonic()
        time.sleep(POLL_S)
    return finished


def _idle_cpu_percent(bench: Bench) -> float:
    """Worker CPU (every process, user + system) over ``IDLE_S`` idle seconds, in percent of one core."""
    before = bench.worker_cpu_s()
    time.sleep(IDLE_S)
    return round(100 * (bench.worker_cpu_s() - before) / IDLE_S, 2)
