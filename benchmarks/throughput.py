"""How close a sync runs to Shopify's rate limit, beside the usual alternatives, on the same simulator.

    python -m benchmarks.throughput [--quick] [--json] [--plot PATH] [--only SCENARIO] [--save|--no-save]

Every piece is a real process: a ``redis-server`` of its own, the simulator (150-400 ms per request),
two ``celery worker`` nodes of two processes each (16 requests in flight). Scenarios (``--quick`` runs
smaller ones):

- ``standard``: one Standard shop (bucket 2,000, 100 points/s), 5,000 customers;
- ``plus``: one Plus shop (20,000, 1,000 points/s), 20,000 customers;
- ``fairness``: five Standard shops of 200 customers, one after another, alone and then beside a Standard
  shop with 50,000 customers queued; each small shop's completion time against its time alone;
- ``mutation_time``: the Plus sync with each mutation of a request taking 0, 4 and 16 ms to run;
- ``many_shops``: 1,000 Standard shops of 100 customers at once on the same workers (``many_shops.py``);
- ``producer``: records mapped, validated and enqueued per second by ``SyncRunner``.

Achieved is records synced, checked against the simulator's store. The ceiling of a run is what the
bucket allows: ``(bucket + restore rate x elapsed) / cost per record`` records in ``elapsed`` seconds;
``utilization`` is the achieved rate over it. On ``standard`` and ``plus`` the same records also go
through the baselines of ``benchmarks.baselines`` at equal concurrency: Celery's ``rate_limit`` on thread
pools keeping 16 requests in flight, and the fixed-sleep client at 16, 64 and 256 in flight, compared at
its best (``--quick`` stops them after a few seconds and measures the records synced by then). A full
run keeps its JSON under ``benchmarks/results/`` (``benchmarks.results``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from benchmarks import baselines, many_shops, results
from benchmarks.harness import (
    LATENCY,
    PLUS,
    STANDARD,
    Plan,
    RedisServer,
    SimulatorControl,
    SimulatorProcess,
    WorkerProcess,
    deployment_env,
    wait_for,
    write_shops_file,
)
from producers.mapping import Mapping
from producers.sync import SyncJob, SyncRunner, new_sync_id
from settings import AppSettings, ShopConfig
from worker.contract.broker import celery_app, queue_for
from worker.contract.keys import Keys
from worker.resources.customers import Customers

PROBE_EMAIL = "probe@example.com"  # the customer written to learn a record's cost
# The small shops start once the big shop's batches have reached the workers and been booked.
BACKLOG_HEAD_START_S = 5.0
WORKER_NODES, WORKER_CONCURRENCY, REQUESTS_PER_TASK = 2, 2, 4
# Requests this project's workers keep in flight; the Celery baseline's thread pools keep as many.
IN_FLIGHT = WORKER_NODES * WORKER_CONCURRENCY * REQUESTS_PER_TASK
# The fixed-sleep client is run at each of these and reported at its best.
FIXED_SLEEP_IN_FLIGHT = (16, 64, 256)
# Execution time of each mutation inside a request (ms): the `mutation_time` scenario's steps.
MUTATION_TIMES_MS = (0.0, 4.0, 16.0)
MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
    {"mapping_type": "standard", "from": "last", "to": "lastName"},
    {"mapping_type": "standard", "from": "city", "to": "addresses[].city"},
    {"mapping_type": "static", "from": "benchmark", "to": "tags[]"},
]




@dataclass(frozen=True)
class Sizes:
    """Records per scenario; ``baseline_cap_s`` stops a baseline early (quick mode)."""

    standard: int
    plus: int
    big_shop: int
    small_shop: int
    small_shops: int
    producer: int
    baseline_cap_s: float | None
    many_shops: int
    many_shop_records: int


FULL = Sizes(5000, 20000, 50000, 200, 5, 50000, 300.0, 1000, 100)
QUICK = Sizes(250, 2400, 3000, 200, 3, 20000, 5.0, 60, 20)


@dataclass
class Run:
    """One approach on one shop: records settled over time, and what the simulator saw."""

    approach: str
    plan: Plan
    records: int
    record_cost: float
    started: float = field(default_factory=time.monotonic)
    series: list[tuple[float, int]] = field(default_factory=lambda: [(0.0, 0)])
    requests: int = 0
    throttled: int = 0
    in_store: int | None = None  # objects the simulator's store holds for the run's shop at its end
    in_flight: int = IN_FLIGHT  # requests it keeps in flight: a run stopped early may finish that many more

    def store_agrees(self) -> bool | None:
        """The store holds what the run counted (a run stopped early: up to ``in_flight`` more); None
        when the store was not read."""
        if self.in_store is None:
            return None
        if self.settled >= self.records:
            return self.in_store == self.settled
        return self.settled <= self.in_store <= self.settled + self.in_flight

    @property
    def settled(self) -> int:
        """Records synced when the run ended (the series counts synced records only)."""
        return self.series[-1][1]

    @property
    def elapsed_s(self) -> float:
        """From the first record enqueued to the last one settled (or to the stop)."""
        return self.series[-1][0]

    def ceiling_rps(self, elapsed_s: float) -> float:
        """Records per second the bucket allows over ``elapsed_s`` seconds from a full bucket."""
        return (self.plan.bucket + self.plan.rate * elapsed_s) / self.record_cost / elapsed_s

    def summary(self) -> dict[str, Any]:
        """The run's figures."""
        achieved = self.settled / max(self.elapsed_s, 1e-9)
        ceiling = self.ceiling_rps(self.elapsed_s)
        return {
            "approach": self.approach,
            "records": self.records,
            "synced": self.settled,
            "in_store": self.in_store,
            "store_agrees": self.store_agrees(),
            "elapsed_s": round(self.elapsed_s, 2),
            "records_per_s": round(achieved, 2),
            "ceiling_records_per_s": round(ceiling, 2),
            "utilization": round(achieved / ceiling, 4),
            "requests": self.requests,
            "throttled": self.throttled,
            "throttled_ratio": round(self.throttled / self.requests, 4) if self.requests else 0.0,
        }


def follow(
    run: Run,
    synced: Callable[[], int],
    *,
    until: int,
    timeout_s: float,
    poll_s: float = 0.25,
    finished: Callable[[], bool] | None = None,
) -> None:
    """Sample ``synced()`` into ``run.series`` until it reaches ``until`` (or ``finished()``, when given,
    says every record is settled) or ``timeout_s`` passed."""
    while True:
        done = finished is not None and finished()
        count = synced()  # after ``finished()``: the last sample counts every record it saw settled
        now = time.monotonic() - run.started
        run.series.append((now, count))
        if count >= until or done or now >= timeout_s:
            return
        time.sleep(poll_s)


def customer_rows(tag: str, count: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of distinct customers, numbered from 1."""
    for i in range(count):
        yield i + 1, {"email": f"{tag}-{i}@example.com", "first": "Ada", "last": "Lovelace", "city": "Ottawa"}


class BaselineWorker(WorkerProcess):
    """A ``celery worker`` of the rate-limited baseline app; ``shops`` are its queues."""

    def command(self) -> list[str]:
        """Its command line: the baseline app on the given queues."""
        queues = ",".join(self.shops)
        return [sys.executable, "-m", "celery", "-A", "benchmarks.baselines", "worker", "-Q", queues,
                "-P", "threads", "-c", str(self.concurrency), "-l", "WARNING", "-n", self.name]  # fmt: skip

    def wait_ready(self, timeout_s: float = 30.0) -> bool:
        """Wait until the node answers a ping (a thread pool has no child processes to count)."""

        def answers() -> bool:
            replies = baselines.celery_app.control.ping(timeout=0.5) or []
            return any(self.name.split("@")[0] + "@" in name for reply in replies for name in reply)

        return wait_for(answers, timeout_s=timeout_s, interval_s=0.2)


class Bench:
    """The deployment every scenario runs on, and the measurements it keeps across them."""

    def __init__(self, stack: ExitStack, tmp: Path) -> None:
        self.tmp = tmp
        self.redis = stack.enter_context(RedisServer(tmp / "redis", appendonly=False))
        self.sim: SimulatorControl = stack.enter_context(SimulatorProcess(tmp / "simulator.log"))
        self.sim.set_faults(**LATENCY)
        self.prefix = f"bench-{uuid.uuid4().hex[:6]}"
        self.client = self.redis.client()
        celery_app.conf.update(broker_url=self.redis.url)
        settings = AppSettings()
        self.runner = SyncRunner(
            self.client,
            Keys(self.prefix),
            batch_size=settings.batch_size,
            mapping_processes=settings.mapping_processes,
        )
        self.mapping = Mapping.parse(MAPPING)
        self.shops: dict[str, Plan] = {}
        self.tokens: dict[str, str] = {}
        self.workers: list[WorkerProcess] = []
        stack.callback(self.stop_workers)
        self.cpu_s = 0.0
        self.cpu_records = 0
        self.peak_rss = 0

    def add_shop(self, name: str, plan: Plan) -> str:
        """A simulator shop on ``plan``."""
        token = f"shpat_{uuid.uuid4().hex}"
        self.sim.add_shop(name, token, bucket_size=plan.bucket, restore_rate=plan.rate)
        self.shops[name], self.tokens[name] = plan, token
        return name

    def env(self) -> dict[str, str]:
        """The workers' environment."""
        shops_file = write_shops_file(self.tmp / "shops.toml", {s: self.sim.shop_url(s) for s in self.shops})
        return deployment_env(
            redis_url=self.redis.url,
            key_prefix=self.prefix,
            shops_file=shops_file,
            output_dir=self.tmp / "out",
            tokens=self.tokens,
            log_level="WARNING",
            requests_in_flight_per_task=REQUESTS_PER_TASK,
        )

    def start_workers(self) -> None:
        """This project's workers, consuming every shop's queue."""
        env = self.env()
        for n in range(WORKER_NODES):
            worker = WorkerProcess(
                self.shops, env, self.tmp / f"worker-{n}.log", concurrency=WORKER_CONCURRENCY, name=f"w{n}@%h"
            )
            self.workers.append(worker.start())
        for worker in self.workers:
            worker.wait_ready()

    def stop_workers(self) -> None:
        """Stop this project's workers (what they still hold is dropped with the bench)."""
        for worker in self.workers:
            worker.kill()
        self.workers.clear()

    def graphql_url(self, shop: str) -> str:
        """The shop's GraphQL endpoint, as the workers build it."""
        return ShopConfig(shop_name=shop, access_token="-", admin_url=self.sim.shop_url(shop)).graphql_url

    def record_cost(self, shop: str) -> float:
        """Points the bucket keeps for one ``customerSet`` (its actual cost), asked of the simulator."""
        body = {"query": Customers.mutation, "variables": {"input": {"email": PROBE_EMAIL}}}
        request = urllib.request.Request(
            self.graphql_url(shop),
            data=json.dumps(body).encode(),
            headers={"X-Shopify-Access-Token": self.tokens[shop], "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return float(json.loads(answer.read())["extensions"]["cost"]["actualQueryCost"])

    def shop_counters(self, shop: str) -> tuple[int, int]:
        """Requests and throttled answers the simulator counted for ``shop``."""
        counters = self.sim.stats()["by_shop"].get(shop, {})
        return int(counters.get("requests", 0)), int(counters.get("throttled", 0))

    def in_store(self, shop: str) -> int:
        """Customers the simulator's store holds for ``shop``: what was written, whoever counted it."""
        return sum(1 for c in self.sim.objects(shop, "customers") if c.get("email") != PROBE_EMAIL)

    def cpu_ms_per_record(self) -> float:
        """Worker CPU time (all processes) per record settled, over the syncs so far."""
        return round(1000 * self.cpu_s / max(self.cpu_records, 1), 3)

    def _worker_processes(self) -> list[psutil.Process]:
        processes = []
        for worker in self.workers:
            parent = psutil.Process(worker.pid)
            processes += [parent, *parent.children(recursive=True)]
        return processes

    def worker_cpu_s(self) -> float:
        """CPU seconds (user + system) used so far by every worker process."""
        return self._cpu_s()

    def _cpu_s(self) -> float:
        total = 0.0
        for process in self._worker_processes():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def _sample_rss(self) -> int:
        rss = 0
        for process in self._worker_processes():
            try:
                rss += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        self.peak_rss = max(self.peak_rss, rss)
        return rss

    def sync(self, shop: str, count: int, *, timeout_s: float, poll_s: float = 0.25) -> Run:
        """Sync ``count`` customers to ``shop`` through this project's workers and follow them to the end."""
        run = Run("shopify-sync", self.shops[shop], count, self.record_cost(shop))
        requests, throttled = self.shop_counters(shop)
        cpu = self._cpu_s()
        sync_id = new_sync_id()
        run.started = time.monotonic()
        job = SyncJob(shop, "customers", self.mapping, customer_rows(f"{shop}-{sync_id}", count), sync_id)
        self.runner.enqueue(job)

        def synced() -> int:
            self._sample_rss()
            return self.runner.tracker.counts(sync_id).synced

        def finished() -> bool:
            counts = self.runner.tracker.counts(sync_id)
            return counts.synced + counts.dead_lettered >= count

        follow(run, synced, until=count, timeout_s=timeout_s, poll_s=poll_s, finished=finished)
        self.cpu_s += self._cpu_s() - cpu
        self.cpu_records += run.settled
        after = self.shop_counters(shop)
        run.requests, run.throttled = after[0] - requests, after[1] - throttled
        run.in_store = self.in_store(shop)
        return run

    def fixed_sleep(self, shop: str, count: int, cap_s: float | None, in_flight: int) -> Run:
        """The fixed-sleep client on ``shop`` with ``in_flight`` requests at a time."""
        run = Run(f"fixed_sleep_client@{in_flight}", self.shops[shop], count, self.record_cost(shop))
        run.in_flight = in_flight
        requests, throttled = self.shop_counters(shop)
        variables = [
            Customers().build_variables(
                Customers().validate({"email": f"fs-{i}@example.com", "firstName": "Ada"})
            )
            for i in range(count)
        ]
        done = 0

        def settle() -> None:
            nonlocal done
            done += 1

        async def sample() -> None:
            while done < count and (cap_s is None or time.monotonic() - run.started < cap_s):
                run.series.append((time.monotonic() - run.started, done))
                await asyncio.sleep(0.25)

        async def both() -> None:
            client = baselines.fixed_sleep_client(
                self.graphql_url(shop),
                self.tokens[shop],
                variables,
                concurrency=in_flight,
                on_settled=settle,
                stop_after_s=cap_s,
            )
            await asyncio.gather(client, sample())

        run.started = time.monotonic()
        asyncio.run(both())
        run.series.append((time.monotonic() - run.started, done))
        after = self.shop_counters(shop)
        run.requests, run.throttled = after[0] - requests, after[1] - throttled
        run.in_store = self.in_store(shop)
        return run

    def celery_rate_limited(self, shop: str, count: int, cap_s: float | None, timeout_s: float) -> Run:
        """Celery's per-task ``rate_limit`` on ``shop``: the plan's record rate split over the nodes, each
        node a pool of threads, so that as many requests are in flight as this project's workers keep."""
        plan = self.shops[shop]
        run = Run("celery_rate_limit", plan, count, self.record_cost(shop))
        queue = f"baseline.{shop}"
        rate = plan.rate / run.record_cost / WORKER_NODES
        env = {**self.env(), "BASELINE_BROKER_URL": self.redis.url, "BASELINE_RATE_LIMIT": f"{rate:g}/s"}
        nodes = [
            BaselineWorker(
                [queue],
                env,
                self.tmp / f"baseline-{n}.log",
                concurrency=IN_FLIGHT // WORKER_NODES,
                name=f"b{n}@%h",
            )
            for n in range(WORKER_NODES)
        ]
        baselines.celery_app.conf.update(broker_url=self.redis.url)
        done_key = f"{self.prefix}:baseline:{shop}"
        try:
            for node in nodes:
                node.start()
            for node in nodes:
                node.wait_ready()
            requests, throttled = self.shop_counters(shop)
            url = self.graphql_url(shop)
            run.started = time.monotonic()
            for i in range(count):
                variables = Customers().build_variables(
                    Customers().validate({"email": f"cel-{i}@example.com", "firstName": "Ada"})
                )
                baselines.customer_set.apply_async(args=(shop, url, variables, done_key), queue=queue)
            limit = timeout_s if cap_s is None else cap_s
            follow(run, lambda: int(self.client.get(done_key) or 0), until=count, timeout_s=limit)
            after = self.shop_counters(shop)
            run.requests, run.throttled = after[0] - requests, after[1] - throttled
            run.in_store = self.in_store(shop)
        finally:
            for node in nodes:
                node.kill()
        return run

    def producer_rate(self, count: int) -> dict[str, Any]:
        """Records per second ``SyncRunner.enqueue`` maps, validates and enqueues (no worker consumes).

        Measured as configured (``SHOPIFY_SYNC_MAPPING_PROCESSES``), then with every row mapped in the
        producer process itself, for the ratio.
        """
        single = SyncRunner(self.client, Keys(self.prefix), batch_size=AppSettings().batch_size)
        figures = {}
        for name, runner in (("configured", self.runner), ("single_process", single)):
            sync_id = new_sync_id()
            job = SyncJob("producer-only", "customers", self.mapping, customer_rows(sync_id, count), sync_id)
            started = time.perf_counter()
            runner.enqueue(job)
            elapsed = time.perf_counter() - started
            figures[name] = {"elapsed_s": round(elapsed, 3), "records_per_s": round(count / elapsed)}
            self.client.delete(queue_for("producer-only"))  # no worker takes them; keep Redis small
        return {
            "records": count,
            "mapping_processes": AppSettings().mapping_processes,
            **figures["configured"],
            "single_process_records_per_s": figures["single_process"]["records_per_s"],
            "ratio_vs_single_process": round(
                figures["configured"]["records_per_s"] / figures["single_process"]["records_per_s"], 2
            ),
        }


def scenario(runs: dict[str, Run]) -> dict[str, Any]:
    """A scenario's figures: this project's ``utilization`` and ``throttled_ratio``, every run's, ratios."""
    ours = runs["shopify-sync"].summary()
    out: dict[str, Any] = {
        "utilization": ours["utilization"],
        "throttled_ratio": ours["throttled_ratio"],
        "runs": {name: run.summary() for name, run in runs.items()},
    }
    sweep = {name: run for name, run in runs.items() if name.startswith("fixed_sleep_client@")}
    if sweep:
        best = max(sweep.values(), key=lambda run: run.summary()["records_per_s"])
        out["fixed_sleep_best_in_flight"] = best.approach.split("@")[1]
        best_utilization = best.summary()["utilization"]
        out["ratio_vs_fixed_sleep_client"] = (
            round(ours["utilization"] / best_utilization, 2) if best_utilization else None
        )
    if "celery_rate_limit" in runs:
        celery = runs["celery_rate_limit"].summary()["utilization"]
        out["ratio_vs_celery_rate_limit"] = round(ours["utilization"] / celery, 2) if celery else None
    out["store_agrees"] = all(run.store_agrees() for run in runs.values())
    return out


def fairness(
    bench: Bench, sizes: Sizes, alone: list[str], beside: list[str], big: str, timeout_s: float
) -> dict[str, Any]:
    """Small shops one after another alone, then their twins (same plan, full bucket) beside the backlog."""
    solo = [bench.sync(shop, sizes.small_shop, timeout_s=timeout_s, poll_s=0.05).elapsed_s for shop in alone]
    requests, throttled = bench.shop_counters(big)
    big_sync = new_sync_id()
    started = time.monotonic()
    bench.runner.enqueue(
        SyncJob(big, "customers", bench.mapping, customer_rows(f"{big}-{big_sync}", sizes.big_shop), big_sync)
    )
    time.sleep(BACKLOG_HEAD_START_S)
    crowded = [
        bench.sync(shop, sizes.small_shop, timeout_s=timeout_s, poll_s=0.05).elapsed_s for shop in beside
    ]
    elapsed = time.monotonic() - started
    counts = bench.runner.tracker.counts(big_sync)
    big_run = Run("shopify-sync", bench.shops[big], sizes.big_shop, bench.record_cost(big))
    big_run.series.append((elapsed, counts.synced + counts.dead_lettered))
    after = bench.shop_counters(big)
    big_run.requests, big_run.throttled = after[0] - requests, after[1] - throttled
    shops = [
        {"shop": i, "alone_s": round(a, 2), "beside_big_s": round(b, 2), "ratio": round(b / a, 2)}
        for i, (a, b) in enumerate(zip(solo, crowded, strict=True))
    ]
    big_summary = big_run.summary()
    return {
        "utilization": big_summary["utilization"],
        "throttled_ratio": big_summary["throttled_ratio"],
        "max_small_shop_ratio": max(s["ratio"] for s in shops),
        "small_shops": shops,
        "big_shop_while_small_ran": big_summary,
    }


def mutation_time(bench: Bench, shops: list[str], count: int, timeout_s: float) -> dict[str, Any]:
    """The same Plus sync with each mutation of a request taking ``MUTATION_TIMES_MS`` longer to run.

    A pack of 25 upserts then takes 25 such times, where one record per request takes one: this shows
    how much of the packs' advantage is left when Shopify's execution time grows with the pack.
    """
    steps = []
    try:
        for shop, ms in zip(shops, MUTATION_TIMES_MS, strict=True):
            bench.sim.set_faults(**LATENCY, mutation_time_ms=ms)
            figures = bench.sync(shop, count, timeout_s=timeout_s).summary()
            steps.append({"mutation_time_ms": ms, **figures})
    finally:
        bench.sim.set_faults(**LATENCY)
    return {"shop_plan": "plus", "records": count, "steps": steps}


def plot(path: Path, runs: dict[str, dict[str, Run]]) -> None:
    """Records settled over time against the bucket's ceiling, one panel per scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 4.2))
    for ax, (name, by_approach) in zip(axes, runs.items(), strict=True):
        reference = by_approach["shopify-sync"]
        end = max(run.elapsed_s for run in by_approach.values())
        times = [end * i / 100 for i in range(101)]
        plan = reference.plan
        ax.plot(times, [min(reference.records, (plan.bucket + plan.rate * t) / reference.record_cost)
                        for t in times], "k--", label="limit (bucket + restore)")  # fmt: skip
        for approach, run in by_approach.items():
            ax.plot([t for t, _ in run.series], [n for _, n in run.series], label=approach)
        ax.set_title(f"{name}: {reference.records:,} customers")
        ax.set_xlabel("seconds")
        ax.set_ylabel("records settled")
        ax.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


SCENARIOS = ("standard", "plus", "fairness", "mutation_time", "many_shops", "producer")


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios; print a table, or one JSON object with ``--json``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.throughput", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small scenarios; finishes within a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", type=Path, help="write a PNG of records over time against the limit")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run this scenario (repeatable)")
    results.add_save_option(parser, kept_by_default="full runs only")
    args = parser.parse_args(argv)
    wanted = args.only or SCENARIOS
    sizes = QUICK if args.quick else FULL
    timeout_s = 120.0 if args.quick else 1800.0
    started = time.monotonic()
    scenarios: dict[str, Any] = {}
    worker: dict[str, Any] = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        bench = Bench(stack, Path(tmp))
        plans = {"standard": STANDARD, "plus": PLUS}
        sizes_of = {"standard": sizes.standard, "plus": sizes.plus}
        limits = [name for name in ("standard", "plus") if name in wanted]
        for name in limits:
            for approach in ("", "cel-", *(f"fs{n}-" for n in FIXED_SLEEP_IN_FLIGHT)):
                bench.add_shop(approach + name, plans[name])
        timed = [bench.add_shop(f"mt{ms:g}-plus", PLUS) for ms in MUTATION_TIMES_MS]
        alone = [bench.add_shop(f"alone{i}", STANDARD) for i in range(sizes.small_shops)]
        beside = [bench.add_shop(f"beside{i}", STANDARD) for i in range(sizes.small_shops)]
        big = bench.add_shop("big", STANDARD)
        runs: dict[str, dict[str, Run]] = {}
        if limits or "fairness" in wanted or "mutation_time" in wanted:
            bench.start_workers()
            for name in limits:
                runs[name] = {"shopify-sync": bench.sync(name, sizes_of[name], timeout_s=timeout_s)}
            if limits:
                worker["cpu_ms_per_record"] = bench.cpu_ms_per_record()
            if "fairness" in wanted:
                scenarios["fairness"] = fairness(bench, sizes, alone, beside, big, timeout_s)
            if "mutation_time" in wanted:
                scenarios["mutation_time"] = mutation_time(bench, timed, sizes.plus, timeout_s)
            worker["peak_rss_mb"] = round(bench.peak_rss / 2**20, 1)
            bench.stop_workers()
        if "many_shops" in wanted:
            scenarios["many_shops"] = many_shops.run(
                bench, sizes.many_shops, sizes.many_shop_records, STANDARD, timeout_s=timeout_s
            )
        for name in limits:
            count = sizes_of[name]
            for n in FIXED_SLEEP_IN_FLIGHT:
                runs[name][f"fixed_sleep_client@{n}"] = bench.fixed_sleep(
                    f"fs{n}-{name}", count, sizes.baseline_cap_s, n
                )
            runs[name]["celery_rate_limit"] = bench.celery_rate_limited(
                "cel-" + name, count, sizes.baseline_cap_s, timeout_s
            )
            scenarios[name] = scenario(runs[name])
        if "producer" in wanted:
            scenarios["producer"] = bench.producer_rate(sizes.producer)
    result = {
        "mode": "quick" if args.quick else "full",
        "machine": {"cpus": psutil.cpu_count(), "python": platform.python_version()},
        "setup": {
            "latency_ms": "150-400",
            "worker_nodes": WORKER_NODES,
            "processes_per_node": WORKER_CONCURRENCY,
            "requests_in_flight": IN_FLIGHT,
            "celery_baseline_pool": f"threads, {IN_FLIGHT // WORKER_NODES} per node",
            "fixed_sleep_in_flight": list(FIXED_SLEEP_IN_FLIGHT),
            "mutation_time_ms": 0.0,
        },
        "scenarios": {name: scenarios[name] for name in SCENARIOS if name in scenarios},
        "worker": worker,
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    results.keep("throughput", result, asked=args.save, by_default=not args.quick)
    if args.plot and runs:  # after saving: the plot may overwrite a tracked file, which marks the tree dirty
        plot(args.plot, runs)
    print(json.dumps(result) if args.json else table(result))
    return 0


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table, and a line per other scenario."""
    scenarios = result["scenarios"]
    lines = [
        "| scenario | approach | records/s | ceiling/s | utilization | throttled |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name in ("standard", "plus"):
        for run in scenarios.get(name, {}).get("runs", {}).values():
            lines.append(
                f"| {name} | {run['approach']} | {run['records_per_s']} | {run['ceiling_records_per_s']} | "
                f"{run['utilization']:.1%} | {run['throttled_ratio']:.2%} |"
            )
    if "fairness" in scenarios:
        fair = scenarios["fairness"]
        lines.append(
            f"\nfairness: worst small shop {fair['max_small_shop_ratio']}x its time alone; "
            f"big shop utilization {fair['utilization']:.1%}"
        )
    for step in scenarios.get("mutation_time", {}).get("steps", []):
        lines.append(
            f"mutation time {step['mutation_time_ms']:g} ms: plus utilization {step['utilization']:.1%}, "
            f"{step['records_per_s']} records/s"
        )
    if "many_shops" in scenarios:
        many = scenarios["many_shops"]
        lines.append(
            f"many shops: {many['shops']} x {many['records_per_shop']} records, {many['records_per_s']} "
            f"records/s ({many['share_of_ceilings']:.1%} of the sum of ceilings), slowest shop "
            f"{many['slowest_vs_solo']}x its time alone, idle workers {many['idle_worker_cpu_percent']}% CPU"
        )
    if "producer" in scenarios:
        producer = scenarios["producer"]
        lines.append(
            f"producer: {producer['records_per_s']:,} records/s with {producer['mapping_processes']} mapping "
            f"process(es), {producer['single_process_records_per_s']:,} in one process"
        )
    worker = result["worker"]
    if worker:
        lines.append(
            f"worker: {worker.get('cpu_ms_per_record', '-')} ms CPU/record, peak {worker['peak_rss_mb']} MB"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
