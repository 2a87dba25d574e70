"""Chaos run: sync thousands of records while the simulator fails requests and the run kills workers and
restarts Redis; then check, record by record, that nothing was lost and nothing was written twice.

    python -m benchmarks.chaos            # full: 10,000 records, 3 shops, 3 worker kills, Redis restarted
    python -m benchmarks.chaos --quick    # 1,200 records, 1 kill, Redis restarted and SIGKILLed (~1 min)
    python -m benchmarks.chaos --json     # one JSON object on stdout (progress goes to stderr)

Everything is a real process: a ``redis-server`` with an append-only file on a spare port (never the one
on 6379), the simulator (``shopify-sync simulator``), two Celery workers of two processes, and one
producer process per shop (``benchmarks.produce``: its products, customers, orders and inventory, one
sync after the other, as ``shopify-sync sync`` runs each). Faults: 5% 5xx, 2% connection resets, 1% of
mutation answers dropped after the mutation committed, 1% answered 5xx after the mutation committed, and
THROTTLED bursts (every few seconds a shop's bucket is emptied and held empty for half a second). Redis is
restarted gracefully (SIGTERM: the append-only file is flushed) and SIGKILLed (no flush; with
``appendfsync everysec`` up to a second of writes is lost). Kills alternate between SIGKILL of a whole worker
(main process and pool, restarted at once: its tasks come back after the broker's visibility timeout)
and SIGKILL of one pool process (its task goes back to the queue at once); ``--quick`` kills a pool
process. Exit code 0 when every record ended exactly once (synced or dead-lettered), no valid record was
dead-lettered (``valid_dead_lettered``), no object exists twice, no inventory set was applied twice (the
simulator counts real applies per idempotency key and level) and the counters match the simulator's
store; 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import redis

from benchmarks import results
from benchmarks.dataset import (
    RESOURCE_ORDER,
    TAKEN_PHONE,
    ShopRows,
    shop_rows,
)
from benchmarks.harness import (
    RedisServer,
    SimulatorControl,
    SimulatorProcess,
    SyncProcess,
    WorkerProcess,
    deployment_env,
    wait_for,
    write_jsonl,
    write_shops_file,
)
from benchmarks.verify import (
    RecordCheck,
    StoreCheck,
    check_levels,
    check_records,
    check_store,
    double_applies,
)
from worker.contract.broker import queue_for
from worker.contract.deadletters import DeadLetterStore
from worker.contract.keys import Keys
from worker.contract.tracking import SyncTracker

# Worker settings for the run: short waits, so a short visibility timeout is safe (settings demand more
# than 10 x the longest wait) and a killed worker's tasks come back within seconds.
WORKER_SETTINGS: dict[str, object] = {
    "base_backoff_s": 0.05,
    "max_backoff_s": 1,
    "max_inline_wait_s": 1,
    "request_timeout_s": 10,
    "log_level": "WARNING",
}
PLUS_BUCKET = {"bucket_size": 20000.0, "restore_rate": 1000.0}  # Shopify Plus


@dataclass(frozen=True)
class ChaosPlan:
    """What to run and which faults to inject."""

    records: int = 10_000
    shops: int = 3
    kills: int = 3
    redis_restarts: int = 1
    workers: int = 2
    concurrency: int = 2
    error_rate: float = 0.05
    reset_rate: float = 0.02
    drop_after_commit_rate: float = 0.01
    error_after_commit_rate: float = 0.01
    redis_kills: int = 1
    # answers dropped after commit for sure (besides the rate): the first requests running these mutations
    armed_drops: tuple[str, ...] = ("orderCreate", "inventorySetQuantities", "customerSet")
    throttle_burst_every_s: float = 4.0
    redis_downtime_s: float = 2.0
    visibility_timeout_s: int = 20
    kill_kinds: tuple[str, ...] = ("kill_worker", "kill_pool_child")
    seed: int = 2026
    timeout_s: float = 1200.0
    bulk: bool = False  # products, customers and inventory through bulk operations (sync --bulk)

    @classmethod
    def quick(cls) -> ChaosPlan:
        """Under a minute on two cores: a pool process is killed (its task comes back at once, where a whole
        worker's come back after the visibility timeout), and that timeout is 12 s."""
        return cls(
            records=1_200,
            kills=1,
            kill_kinds=("kill_pool_child",),
            redis_restarts=1,
            visibility_timeout_s=12,
            timeout_s=120.0,
        )


@dataclass
class ChaosLog:
    """What the run did to the deployment."""

    kills: list[dict[str, Any]] = field(default_factory=list)
    redis_restarts: list[dict[str, Any]] = field(default_factory=list)
    redis_kills: list[dict[str, Any]] = field(default_factory=list)
    throttle_bursts: int = 0
    producer_failures: list[str] = field(default_factory=list)
    resent_records: int = 0
    stalled: bool = False


@dataclass
class Deployment:
    """The processes of one run and the names they share."""

    plan: ChaosPlan
    workdir: Path
    redis_server: RedisServer
    simulator: SimulatorProcess
    prefix: str = field(default_factory=lambda: f"chaos-{uuid.uuid4().hex[:8]}")
    tokens: dict[str, str] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def control(self) -> SimulatorControl:
        """The simulator's control endpoints."""
        return self.simulator.control

    def sync_id(self, shop: str, resource: str) -> str:
        """The sync id of one shop's resource in this run."""
        return f"{self.prefix}-{shop}-{resource}"


def log(message: str) -> None:
    """Progress on stderr (stdout carries the result)."""
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Setting up


def shop_names(plan: ChaosPlan, prefix: str) -> list[str]:
    """The run's shop handles."""
    return [f"{prefix}-shop{n}" for n in range(plan.shops)]


def create_shops(deployment: Deployment) -> None:
    """Create the shops in the simulator (Plus-sized buckets) and seed the customer who owns TAKEN_PHONE."""
    for shop in shop_names(deployment.plan, deployment.prefix):
        token = f"shpat_{secrets.token_hex(16)}"
        deployment.tokens[shop] = token
        deployment.control.add_shop(shop, token, **PLUS_BUCKET)
        deployment.control.seed_customer(shop, token, f"owner@{shop}.example.com", TAKEN_PHONE)


def write_inputs(deployment: Deployment) -> dict[str, ShopRows]:
    """Generate each shop's rows and write them as JSON lines under the work directory."""
    shops = shop_names(deployment.plan, deployment.prefix)
    per_shop = deployment.plan.records // len(shops)
    datasets = {}
    for n, shop in enumerate(shops):
        rows = shop_rows(shop, per_shop + (deployment.plan.records % len(shops) if n == 0 else 0), n)
        for resource in RESOURCE_ORDER:
            write_jsonl(deployment.workdir / f"{shop}-{resource}.jsonl", rows.rows[resource])
        datasets[shop] = rows
    return datasets


def start_workers(deployment: Deployment) -> None:
    """The shops file, the environment, and the worker processes."""
    shops = list(deployment.tokens)
    shops_file = write_shops_file(
        deployment.workdir / "shops.toml", {s: deployment.control.shop_url(s) for s in shops}
    )
    deployment.env = deployment_env(
        redis_url=deployment.redis_server.url,
        key_prefix=deployment.prefix,
        shops_file=shops_file,
        output_dir=deployment.workdir / "out",
        tokens=deployment.tokens,
        broker_visibility_timeout_s=deployment.plan.visibility_timeout_s,
        **WORKER_SETTINGS,
    )
    for n in range(deployment.plan.workers):
        worker = WorkerProcess(
            shops,
            deployment.env,
            deployment.workdir / f"worker-{n}.log",
            concurrency=deployment.plan.concurrency,
            name=f"{deployment.prefix}-{n}@%h",
        )
        deployment.workers.append(worker.start())


# Producers


def start_producers(deployment: Deployment) -> list[SyncProcess]:
    """One producer process per shop, running its four syncs one after the other (``benchmarks.produce``)."""
    producers = []
    for shop in deployment.tokens:
        command = [
            sys.executable, "-m", "benchmarks.produce", "--shop", shop, "--inputs", str(deployment.workdir),
            "--sync-prefix", deployment.prefix, "--timeout", str(deployment.plan.timeout_s),
            *(["--bulk"] if deployment.plan.bulk else []),
        ]  # fmt: skip
        log_path = deployment.workdir / f"producer-{shop}.log"
        producers.append(SyncProcess(command, deployment.env, log_path).start())
    return producers


def resent_records(producers: list[SyncProcess]) -> int:
    """Records the producers sent again because no task held them any more (``pipeline.recovery``)."""
    found = re.compile(r"(\d+) record\(s\) of sync \S+ were held by no task")
    text = "".join(p.log_path.read_text(encoding="utf-8", errors="replace") for p in producers)
    return sum(int(m.group(1)) for m in found.finditer(text))


def producer_failures(producers: list[SyncProcess]) -> list[str]:
    """Producers that ended without a report (they crashed, or were stopped)."""
    failures = []
    for producer in producers:
        code, report = producer.result(timeout_s=30)
        if not report:
            failures.append(f"{producer.log_path.name}: exit {code}, no report")
    return failures


# Chaos


def progress(deployment: Deployment, tracker: SyncTracker, total: int) -> float | None:
    """Share of all records settled so far; None while Redis does not answer."""
    try:
        counts = [
            tracker.counts(deployment.sync_id(shop, resource))
            for shop in deployment.tokens
            for resource in RESOURCE_ORDER
        ]
    except redis.RedisError:
        return None
    return sum(c.synced + c.dead_lettered for c in counts) / max(total, 1)


def schedule(plan: ChaosPlan) -> list[tuple[float, str]]:
    """(progress, event) pairs: kills spread over 15%..75% of the records, Redis restarts over 50%..80%,
    Redis SIGKILLs over 65%..85%.

    Kills cycle through ``plan.kill_kinds``: by default a whole worker, then one pool process, and so on.
    """
    events: list[tuple[float, str]] = []
    for n in range(plan.kills):
        at = 0.15 + 0.6 * n / max(plan.kills - 1, 1)
        events.append((round(at, 3), plan.kill_kinds[n % len(plan.kill_kinds)]))
    for n in range(plan.redis_restarts):
        events.append((round(0.5 + 0.3 * n / max(plan.redis_restarts - 1, 1), 3), "restart_redis"))
    for n in range(plan.redis_kills):
        events.append((round(0.65 + 0.2 * n / max(plan.redis_kills - 1, 1), 3), "kill_redis"))
    return sorted(events)


def in_flight(client: redis.Redis) -> int:
    """Messages taken by workers and not acknowledged yet (Celery's ``unacked`` hash)."""
    try:
        return int(client.hlen("unacked"))
    except redis.RedisError:
        return -1


def kill(
    deployment: Deployment, kind: str, rng: random.Random, started: float, share: float
) -> dict[str, Any]:
    """SIGKILL a whole worker (then start it again) or one pool process of a worker."""
    worker = rng.choice(deployment.workers)
    client = deployment.redis_server.client()
    entry: dict[str, Any] = {"kind": kind, "at_s": round(time.monotonic() - started, 1)}
    entry["progress"] = round(share, 3)
    entry["in_flight"] = in_flight(client)
    client.close()
    if kind == "kill_worker":
        worker.kill()
        worker.start()
    else:
        entry["pid"] = worker.kill_child(rng)
    log(f"{kind} at {share:.0%} ({entry['in_flight']} messages in flight)")
    return entry


def restart_redis(
    deployment: Deployment, started: float, share: float, *, crash: bool = False
) -> dict[str, Any]:
    """Stop Redis (SIGTERM: it syncs its append-only file; or SIGKILL with ``crash``: it does not), stay
    down a moment, start it on what its append-only file holds."""
    how = "SIGKILLing" if crash else "restarting"
    log(f"{how} Redis at {share:.0%} (down {deployment.plan.redis_downtime_s}s)")
    began = time.monotonic()
    if crash:
        deployment.redis_server.crash(downtime_s=deployment.plan.redis_downtime_s)
    else:
        deployment.redis_server.restart(downtime_s=deployment.plan.redis_downtime_s)
    return {
        "at_s": round(began - started, 1),
        "progress": round(share, 3),
        "down_s": round(time.monotonic() - began, 2),
    }


def throttle_burst(control: SimulatorControl, shop: str, seconds: float = 0.5) -> None:
    """Empty a shop's bucket and hold it empty for ``seconds``: every request meanwhile is THROTTLED."""
    control.drain(shop, hold_s=seconds)


def stalled(deployment: Deployment, client: redis.Redis) -> bool:
    """No task queued or in flight for any shop: records still unsettled will never be."""
    try:
        queued = sum(int(client.llen(queue_for(shop))) for shop in deployment.tokens)
        return queued == 0 and int(client.hlen("unacked")) == 0
    except redis.RedisError:
        return False


def drive(deployment: Deployment, producers: list[SyncProcess], total: int, chaos: ChaosLog) -> None:
    """Inject the scheduled kills, restarts and throttle bursts until every producer is done.

    A kill waits for a moment when workers hold messages (batches in flight).
    """
    plan = deployment.plan
    rng = random.Random(plan.seed)
    client = deployment.redis_server.client()  # redis-py reconnects by itself after the restart
    tracker = SyncTracker(client, Keys(deployment.prefix))
    events = schedule(plan)
    started = time.monotonic()
    next_burst = started + plan.throttle_burst_every_s
    last_change, last_share = time.monotonic(), -1.0
    next_report = started + 5.0
    while any(p.running for p in producers):
        time.sleep(0.1)
        share = progress(deployment, tracker, total)
        if share is None:
            continue
        if share != last_share:
            last_change, last_share = time.monotonic(), share
        if time.monotonic() >= next_report:
            log(f"{share:.0%} of the records settled")
            next_report = time.monotonic() + 5.0
        while events and share >= events[0][0]:
            event = events[0][1]
            if event == "restart_redis":
                chaos.redis_restarts.append(restart_redis(deployment, started, share))
            elif event == "kill_redis":
                chaos.redis_kills.append(restart_redis(deployment, started, share, crash=True))
            elif in_flight(client) > 0:
                chaos.kills.append(kill(deployment, event, rng, started, share))
            else:
                break  # no batch in flight right now: try again at the next tick
            events.pop(0)
        if time.monotonic() >= next_burst:
            throttle_burst(deployment.control, rng.choice(list(deployment.tokens)))
            chaos.throttle_bursts += 1
            next_burst = time.monotonic() + plan.throttle_burst_every_s
        quiet_for = time.monotonic() - last_change
        if quiet_for > 3 * plan.visibility_timeout_s and stalled(deployment, client):
            log(f"no progress for {quiet_for:.0f}s and nothing queued: the remaining records are lost")
            chaos.stalled = True
            for producer in producers:
                if producer.process is not None:
                    producer.process.kill()
            return


def settle(deployment: Deployment, timeout_s: float) -> bool:
    """Wait until no task is queued or in flight (late redeliveries included) for two seconds."""
    client = deployment.redis_server.client()
    quiet_since: list[float] = []

    def quiet() -> bool:
        if not stalled(deployment, client):
            quiet_since.clear()
            return False
        quiet_since.append(time.monotonic())
        return quiet_since[-1] - quiet_since[0] >= 2.0

    return wait_for(quiet, timeout_s=timeout_s, interval_s=0.25)


# Checking


@dataclass
class Totals:
    """Figures of one slice of the run (a resource, a shop, or everything)."""

    records: int = 0
    synced: int = 0
    dead_lettered: int = 0
    lost: int = 0
    duplicates: int = 0
    double_outcomes: int = 0
    counter_errors: int = 0
    store_mismatches: int = 0
    valid_dead_lettered: int = 0
    double_applies: int = 0

    def add(self, check: SliceCheck) -> None:
        """Add one sync's checks."""
        records, store = check.records, check.store
        self.records += records.records
        self.synced += records.synced
        self.dead_lettered += records.dead_lettered
        self.lost += len(records.lost) + len(records.unexpected)
        self.double_outcomes += len(records.double_outcomes)
        self.counter_errors += len(records.counter_errors)
        if store is not None:
            self.duplicates += store.duplicates
            self.store_mismatches += len(store.missing) + len(store.extra)
        self.store_mismatches += len(check.wrong_levels)
        self.valid_dead_lettered += len(check.valid_dead_lettered)
        self.double_applies += len(check.double_applies)


@dataclass
class SliceCheck:
    """The checks of one shop's resource."""

    records: RecordCheck
    store: StoreCheck | None = None
    wrong_levels: list[str] = field(default_factory=list)
    # valid by construction, yet dead-lettered: "key (category: message (n attempts))"
    valid_dead_lettered: list[str] = field(default_factory=list)
    double_applies: list[str] = field(default_factory=list)


IDENTITY = {"customers": "email", "products": "handle", "orders": "sourceIdentifier"}


def identities(rows: ShopRows, resource: str) -> dict[str, str]:
    """Record key -> the identity of its object in the shop."""
    if resource == "customers":
        return {r["customer_id"]: r["email"] for r in rows.rows["customers"]}
    if resource == "products":
        return {key: key.removeprefix("handle:") for key in rows.keys["products"]}
    return {key: key for key in rows.keys[resource]}


def check_shop(
    deployment: Deployment, rows: ShopRows, tracker: SyncTracker, letters: DeadLetterStore
) -> dict[str, SliceCheck]:
    """Check each resource of one shop: record outcomes, then the simulator's store."""
    shop = rows.shop
    results: dict[str, SliceCheck] = {}
    for resource in RESOURCE_ORDER:
        records = check_records(tracker, letters, deployment.sync_id(shop, resource), rows.keys[resource])
        check = SliceCheck(records)
        invalid = rows.invalid.get(resource, set())
        check.valid_dead_lettered = [f"{k} ({why})" for k, why in records.letters.items() if k not in invalid]
        if resource == "inventory":
            levels = deployment.control.objects(shop, "inventory")
            check.wrong_levels = check_levels(levels, records.gids, rows.quantities)
            check.double_applies = double_applies(deployment.control.inventory_applies(shop))
        else:
            extra = [f"owner@{shop}.example.com"] if resource == "customers" else []
            check.store = check_store(
                deployment.control.objects(shop, resource),
                IDENTITY[resource],
                records.gids,
                identities(rows, resource),
                allowed_extra=extra,
            )
        results[resource] = check
    return results


def verify(deployment: Deployment, datasets: dict[str, ShopRows]) -> dict[str, Any]:
    """Figures overall, per resource and per shop, with the first few problem keys of each kind."""
    client = deployment.redis_server.client()
    tracker, letters = (
        SyncTracker(client, Keys(deployment.prefix)),
        DeadLetterStore(client, Keys(deployment.prefix)),
    )
    overall, by_resource, by_shop = Totals(), {r: Totals() for r in RESOURCE_ORDER}, {}
    problems: dict[str, list[str]] = {}
    for shop, rows in datasets.items():
        by_shop[shop] = Totals()
        for resource, check in check_shop(deployment, rows, tracker, letters).items():
            for totals in (overall, by_resource[resource], by_shop[shop]):
                totals.add(check)
            for kind, keys in _problem_keys(check).items():
                problems.setdefault(kind, []).extend(f"{shop}/{resource}/{k}" for k in keys)
    return {
        **asdict(overall),
        "by_resource": {name: asdict(t) for name, t in by_resource.items()},
        "by_shop": {name: asdict(t) for name, t in by_shop.items()},
        "problems": {kind: keys[:20] for kind, keys in problems.items() if keys},
    }


def _problem_keys(check: SliceCheck) -> dict[str, list[str]]:
    records, store = check.records, check.store
    found = {
        "lost": records.lost,
        "unexpected": records.unexpected,
        "double_outcomes": records.double_outcomes,
        "counter_errors": records.counter_errors,
        "wrong_levels": check.wrong_levels,
        "valid_dead_lettered": check.valid_dead_lettered,
        "double_applies": check.double_applies,
    }
    if store is not None:
        found["duplicated_in_store"] = store.duplicated
        found["missing_in_store"] = store.missing
        found["extra_in_store"] = store.extra
    return found


# The run


def run(plan: ChaosPlan, workdir: Path) -> dict[str, Any]:
    """Run the chaos plan in ``workdir``; returns the figures (``ok`` says whether every check passed)."""
    started = time.monotonic()
    deployment = Deployment(
        plan, workdir, RedisServer(workdir / "redis"), SimulatorProcess(workdir / "simulator.log")
    )
    chaos = ChaosLog()
    try:
        deployment.redis_server.start()
        deployment.simulator.start()
        create_shops(deployment)
        datasets = write_inputs(deployment)
        total = sum(d.records for d in datasets.values())
        faults = deployment.control.set_faults(
            error_rate=plan.error_rate,
            reset_rate=plan.reset_rate,
            drop_after_commit_rate=plan.drop_after_commit_rate,
            error_after_commit_rate=plan.error_after_commit_rate,
            seed=plan.seed,
        )
        for operation in plan.armed_drops:
            deployment.control.request("POST", "/_simulator/drops", {"operation": operation, "count": 1})
        start_workers(deployment)
        log(f"{total} records, {plan.shops} shops, {plan.workers} workers x {plan.concurrency}, in {workdir}")
        producers = start_producers(deployment)
        drive(deployment, producers, total, chaos)
        chaos.producer_failures = producer_failures(producers)
        chaos.resent_records = resent_records(producers)
        log("producers done; waiting for late redeliveries")
        settled = settle(deployment, timeout_s=60.0)
        log("checking record by record")
        stats, drops = deployment.control.stats(), deployment.control.drops()
        figures = verify(deployment, datasets)
    finally:
        for worker in deployment.workers:
            worker.terminate(timeout_s=30)
        deployment.simulator.stop()
        deployment.redis_server.stop()
    ok = figures["lost"] == 0 and figures["duplicates"] == 0
    ok = ok and not (figures["double_outcomes"] or figures["counter_errors"] or figures["store_mismatches"])
    ok = ok and figures["valid_dead_lettered"] == 0 and figures["double_applies"] == 0
    return {
        "ok": ok and not chaos.stalled,
        "records": figures.pop("records"),
        **figures,
        "settled_after_run": settled,
        "faults": {"config": faults, "simulator_stats": stats, "throttle_bursts": chaos.throttle_bursts,
                   "answers_dropped_after_commit": drops["dropped"],
                   "errors_after_commit": stats.get("errors_after_commit", 0)},
        "kills": len(chaos.kills),
        "kill_log": chaos.kills,
        "redis_restarts": len(chaos.redis_restarts),
        "redis_restart_log": chaos.redis_restarts,
        "redis_kills": len(chaos.redis_kills),
        "redis_kill_log": chaos.redis_kills,
        "producer_failures": chaos.producer_failures,
        "resent_by_producers": chaos.resent_records,
        "stalled": chaos.stalled,
        "plan": asdict(plan),
        "elapsed_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


def summary(result: dict[str, Any]) -> str:
    """A few lines for people."""
    lines = [
        f"{'OK' if result['ok'] else 'FAILED'}: {result['records']} records, {result['synced']} synced, "
        f"{result['dead_lettered']} dead-lettered ({result['valid_dead_lettered']} of them valid), "
        f"{result['lost']} lost, {result['duplicates']} duplicates, {result['double_applies']} double "
        f"inventory applies in {result['elapsed_s']}s",
        f"kills {result['kills']}, Redis restarts {result['redis_restarts']} and SIGKILLs "
        f"{result['redis_kills']}, records sent again "
        f"{result['resent_by_producers']}, throttle bursts "
        f"{result['faults']['throttle_bursts']}, simulator {result['faults']['simulator_stats']}",
    ]
    for resource, figures in result["by_resource"].items():
        lines.append(f"  {resource:<10} {figures}")
    if result["problems"]:
        lines.append(f"problems: {json.dumps(result['problems'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.chaos [--quick] [--json] [--records N] [--workdir DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,200 records, a pool process killed, < 1 min")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--records", type=int, help="records over all shops (default 10,000; quick 1,200)")
    parser.add_argument("--kills", type=int, help="worker kills (default 3; quick 1)")
    parser.add_argument("--seed", type=int, help="fault and schedule seed (default 2026)")
    parser.add_argument("--workdir", type=Path, help="keep inputs and logs here (default: a temporary dir)")
    parser.add_argument(
        "--bulk", action="store_true", help="products, customers, inventory in bulk operations"
    )
    results.add_save_option(parser, kept_by_default="full runs only")
    args = parser.parse_args(argv)
    plan = ChaosPlan.quick() if args.quick else ChaosPlan()
    given = (
        ("records", args.records),
        ("kills", args.kills),
        ("seed", args.seed),
        ("bulk", args.bulk or None),
    )
    overrides = {name: value for name, value in given if value is not None}
    plan = ChaosPlan(**{**asdict(plan), **overrides})
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = run(plan, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="shopify-sync-chaos-") as tmp:
            result = run(plan, Path(tmp))
    results.keep("chaos", result, asked=args.save, by_default=not args.quick)
    print(json.dumps(result) if args.json else summary(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
