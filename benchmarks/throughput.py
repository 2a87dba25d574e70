"""How close a sync runs to Shopify's rate limit, beside the usual alternatives, on the same simulator.

    python -m benchmarks.throughput [--quick] [--json] [--plot PATH]

Every piece is a real process: a ``redis-server`` of its own, the simulator (150-400 ms per request),
two ``celery worker`` nodes of two processes each. Scenarios (``--quick`` runs smaller ones):

- ``standard``: one Standard shop (bucket 2,000, 100 points/s), 5,000 customers;
- ``plus``: one Plus shop (20,000, 1,000 points/s), 20,000 customers;
- ``fairness``: five Standard shops of 200 customers, one after another, alone and then beside a Standard
  shop with 50,000 customers queued; each small shop's completion time against its time alone;
- ``producer``: records mapped, validated and enqueued per second by ``SyncRunner``.

The ceiling of a run is what the bucket allows: ``(bucket + restore rate x elapsed) / cost per record``
records in ``elapsed`` seconds; ``utilization`` is the achieved rate over it. On ``standard`` and ``plus``
the same records also go through the two baselines of ``benchmarks.baselines`` (``--quick`` stops them
after a few seconds and measures the records settled by then).
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

from benchmarks import baselines, results
from benchmarks.harness import (
    RedisServer,
    SimulatorControl,
    SimulatorProcess,
    WorkerProcess,
    deployment_env,
    write_shops_file,
)
from producers.mapping import Mapping
from producers.sync import SyncJob, SyncRunner, new_sync_id
from settings import AppSettings, ShopConfig
from worker.contract.broker import celery_app, queue_for
from worker.contract.keys import Keys
from worker.resources.customers import Customers

LATENCY = {"latency_ms": 150.0, "latency_jitter_ms": 250.0}
# The small shops start once the big shop's batches have reached the workers and been booked.
BACKLOG_HEAD_START_S = 5.0
WORKER_NODES, WORKER_CONCURRENCY = 2, 2
# The fixed-sleep client keeps as many requests in flight as this project's workers can.
BASELINE_IN_FLIGHT = 16
MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
    {"mapping_type": "standard", "from": "last", "to": "lastName"},
    {"mapping_type": "standard", "from": "city", "to": "addresses[].city"},
    {"mapping_type": "static", "from": "benchmark", "to": "tags[]"},
]


@dataclass(frozen=True)
class Plan:
    """A Shopify plan's GraphQL bucket."""

    name: str
    bucket: float
    rate: float


STANDARD = Plan("standard", 2000.0, 100.0)
PLUS = Plan("plus", 20000.0, 1000.0)


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


FULL = Sizes(5000, 20000, 50000, 200, 5, 50000, 300.0)
QUICK = Sizes(250, 2400, 3000, 200, 3, 20000, 5.0)


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

    @property
    def settled(self) -> int:
        """Records settled (synced or dead-lettered) when the run ended."""
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
        achieved = self.settled / self.elapsed_s
        ceiling = self.ceiling_rps(self.elapsed_s)
        return {
            "approach": self.approach,
            "records": self.records,
            "settled": self.settled,
            "elapsed_s": round(self.elapsed_s, 2),
            "records_per_s": round(achieved, 2),
            "ceiling_records_per_s": round(ceiling, 2),
            "utilization": round(achieved / ceiling, 4),
            "requests": self.requests,
            "throttled": self.throttled,
            "throttled_ratio": round(self.throttled / self.requests, 4) if self.requests else 0.0,
        }


def follow(
    run: Run, settled: Callable[[], int], *, until: int, timeout_s: float, poll_s: float = 0.25
) -> None:
    """Sample ``settled()`` into ``run.series`` until it reaches ``until`` or ``timeout_s`` passed."""
    while True:
        count = settled()
        now = time.monotonic() - run.started
        run.series.append((now, count))
        if count >= until or now >= timeout_s:
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
                "-c", str(self.concurrency), "-l", "WARNING", "-n", self.name]  # fmt: skip


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
        body = {"query": Customers.mutation, "variables": {"input": {"email": "probe@example.com"}}}
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

    def cpu_ms_per_record(self) -> float:
        """Worker CPU time (all processes) per record settled, over the syncs so far."""
        return round(1000 * self.cpu_s / max(self.cpu_records, 1), 3)

    def _worker_processes(self) -> list[psutil.Process]:
        processes = []
        for worker in self.workers:
            parent = psutil.Process(worker.pid)
            processes += [parent, *parent.children(recursive=True)]
        return processes

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

        def settled() -> int:
            self._sample_rss()
            counts = self.runner.tracker.counts(sync_id)
            return counts.synced + counts.dead_lettered

        follow(run, settled, until=count, timeout_s=timeout_s, poll_s=poll_s)
        self.cpu_s += self._cpu_s() - cpu
        self.cpu_records += run.settled
        after = self.shop_counters(shop)
        run.requests, run.throttled = after[0] - requests, after[1] - throttled
        return run

    def fixed_sleep(self, shop: str, count: int, cap_s: float | None) -> Run:
        """The fixed-sleep client on ``shop``."""
        run = Run("fixed_sleep_client", self.shops[shop], count, self.record_cost(shop))
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
                concurrency=BASELINE_IN_FLIGHT,
                on_settled=settle,
                stop_after_s=cap_s,
            )
            await asyncio.gather(client, sample())

        run.started = time.monotonic()
        asyncio.run(both())
        run.series.append((time.monotonic() - run.started, done))
        after = self.shop_counters(shop)
        run.requests, run.throttled = after[0] - requests, after[1] - throttled
        return run

    def celery_rate_limited(self, shop: str, count: int, cap_s: float | None, timeout_s: float) -> Run:
        """Celery's per-task ``rate_limit`` on ``shop``: the plan's record rate split over the nodes."""
        plan = self.shops[shop]
        run = Run("celery_rate_limit", plan, count, self.record_cost(shop))
        queue = f"baseline.{shop}"
        rate = plan.rate / run.record_cost / WORKER_NODES
        env = {**self.env(), "BASELINE_BROKER_URL": self.redis.url, "BASELINE_RATE_LIMIT": f"{rate:g}/s"}
        nodes = [
            BaselineWorker(
                [queue], env, self.tmp / f"baseline-{n}.log", concurrency=WORKER_CONCURRENCY, name=f"b{n}@%h"
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
    for name, run in runs.items():
        if name != "shopify-sync":
            out[f"ratio_vs_{name}"] = round(ours["utilization"] / run.summary()["utilization"], 2)
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


SCENARIOS = ("standard", "plus", "fairness", "producer")


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios; print a table, or one JSON object with ``--json``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.throughput", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small scenarios; finishes within a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", type=Path, help="write a PNG of records over time against the limit")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run this scenario (repeatable)")
    parser.add_argument(
        "--save",
        action=argparse.BooleanOptionalAction,
        help="keep the JSON under benchmarks/results/ (default: full runs only)",
    )
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
            for approach in ("", "fs-", "cel-"):
                bench.add_shop(approach + name, plans[name])
        alone = [bench.add_shop(f"alone{i}", STANDARD) for i in range(sizes.small_shops)]
        beside = [bench.add_shop(f"beside{i}", STANDARD) for i in range(sizes.small_shops)]
        big = bench.add_shop("big", STANDARD)
        runs: dict[str, dict[str, Run]] = {}
        if limits or "fairness" in wanted:
            bench.start_workers()
            for name in limits:
                runs[name] = {"shopify-sync": bench.sync(name, sizes_of[name], timeout_s=timeout_s)}
            if limits:
                worker["cpu_ms_per_record"] = bench.cpu_ms_per_record()
            if "fairness" in wanted:
                scenarios["fairness"] = fairness(bench, sizes, alone, beside, big, timeout_s)
            worker["peak_rss_mb"] = round(bench.peak_rss / 2**20, 1)
            bench.stop_workers()
        for name in limits:
            count = sizes_of[name]
            runs[name]["fixed_sleep_client"] = bench.fixed_sleep("fs-" + name, count, sizes.baseline_cap_s)
            runs[name]["celery_rate_limit"] = bench.celery_rate_limited(
                "cel-" + name, count, sizes.baseline_cap_s, timeout_s
            )
            scenarios[name] = scenario(runs[name])
        if "producer" in wanted:
            scenarios["producer"] = bench.producer_rate(sizes.producer)
        if args.plot and runs:
            plot(args.plot, runs)
    result = {
        "mode": "quick" if args.quick else "full",
        "machine": {"cpus": psutil.cpu_count(), "python": platform.python_version()},
        "setup": {
            "latency_ms": "150-400",
            "worker_nodes": WORKER_NODES,
            "processes_per_node": WORKER_CONCURRENCY,
            "baseline_in_flight": BASELINE_IN_FLIGHT,
        },
        "scenarios": {name: scenarios[name] for name in SCENARIOS if name in scenarios},
        "worker": worker,
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    if args.save if args.save is not None else not args.quick:
        print(f"kept as {results.save('throughput', result)}", file=sys.stderr)
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
