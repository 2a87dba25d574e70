"""Records through Multiwoven's HTTP destination into ``serve``, in both answer modes; the connector's write.

    python -m benchmarks.multiwoven [--records N] [--write-calls K] [--coalesce-ms MS] [--json]

Every piece is a real process: a ``redis-server`` of its own, the simulator (150-400 ms per request, as
in ``benchmarks.throughput``), one ``celery worker`` node of two processes, ``shopify-sync serve``. For
a Standard shop (bucket 2,000, 100 points/s) and a Plus shop (20,000, 1,000 points/s), and for each answer
mode, ``N`` customers go through ``benchmarks.multiwoven_http`` (one record per POST, 10 threads):

- ``answered_rps``: records per second as Multiwoven sees them (its run ends when the last POST is answered);
- ``settled_rps``: records per second until every record is in Shopify (or dead-lettered);
- ``requests_per_record``: Shopify requests the simulator counted for the shop, per record;
- the same rows through ``shopify-sync sync`` for comparison.

Then ``K`` single-record calls of the connector's ``write`` in Redis mode: one CLI process per call, and
one ``write --lines`` process for all of them (seconds per call).
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import redis

from benchmarks import results
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
    free_port,
    wait_for,
    write_shops_file,
)
from benchmarks.multiwoven_http import HttpDestination, standard_mapping

MAPPING = [("email", "email"), ("first", "firstName"), ("last", "lastName")]
SYNC_MAPPING = [{"mapping_type": "standard", "from": f, "to": t} for f, t in MAPPING]


def rows(tag: str, count: int) -> list[dict[str, Any]]:
    """Customers of one run."""
    return [{"email": f"{tag}-{i}@example.com", "first": "Ada", "last": "O'Brien"} for i in range(count)]


class Stack:
    """Redis, the simulator, one worker node and ``serve`` processes, on spare ports."""

    def __init__(self, stack: ExitStack, tmp: Path) -> None:
        self.tmp = tmp
        self.redis = stack.enter_context(RedisServer(tmp / "redis", appendonly=False))
        self.sim: SimulatorControl = stack.enter_context(SimulatorProcess(tmp / "simulator.log"))
        self.sim.set_faults(**LATENCY)
        self.prefix = f"mwbench-{uuid.uuid4().hex[:6]}"
        self.tokens: dict[str, str] = {}
        self.processes: list[subprocess.Popen[bytes]] = []
        self.bearer = secrets.token_urlsafe(24)
        stack.callback(self.stop)

    def add_shop(self, plan: Plan) -> str:
        name = f"{plan.name}-{uuid.uuid4().hex[:6]}"
        self.tokens[name] = f"shpat_{uuid.uuid4().hex}"
        self.sim.add_shop(name, self.tokens[name], bucket_size=plan.bucket, restore_rate=plan.rate)
        return name

    def env(self, **settings: object) -> dict[str, str]:
        shops_file = write_shops_file(self.tmp / "shops.toml", {s: self.sim.shop_url(s) for s in self.tokens})
        return deployment_env(
            redis_url=self.redis.url,
            key_prefix=self.prefix,
            shops_file=shops_file,
            output_dir=self.tmp / "out",
            tokens=self.tokens,
            log_level="WARNING",
            **settings,
        )

    def start_worker(self) -> None:
        """One worker node for every shop added so far (add them all first)."""
        worker = WorkerProcess(list(self.tokens), self.env(), self.tmp / "worker.log", concurrency=2).start()
        assert worker.process is not None
        self.processes.append(worker.process)
        worker.wait_ready()

    def serve(self, mode: str, coalesce_ms: float) -> str:
        port = free_port()
        env = self.env(http_answer=mode, http_bearer_token=self.bearer, http_coalesce_ms=coalesce_ms)
        command = [sys.executable, "-m", "producers", "serve", "--port", str(port)]
        with (self.tmp / f"serve-{mode}.log").open("ab") as log:
            self.processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log))
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    return bool(answer.status == 200)
            except OSError:
                return False

        assert wait_for(healthy, timeout_s=30, interval_s=0.2), f"serve did not start; see {self.tmp}"
        return base

    def requests(self, shop: str) -> int:
        return int(self.sim.stats()["by_shop"].get(shop, {}).get("requests", 0))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def through_serve(stack: Stack, base: str, shop: str, plan: Plan, mode: str, count: int) -> dict[str, Any]:
    """``count`` customers through the emulated destination: Multiwoven's view and the store's."""
    sync_id = f"mw-{mode}-{plan.name}"
    destination = HttpDestination(
        f"{base}/shops/{shop}/customers/syncs/{sync_id}?key=email",
        {"Authorization": f"Bearer {stack.bearer}"},
    )
    records = [standard_mapping(r, MAPPING) for r in rows(shop, count)]
    started = time.monotonic()
    tracking = destination.write_all(records)
    answered_s = time.monotonic() - started
    counts = redis.Redis.from_url(stack.redis.url, decode_responses=True)
    key = f"{stack.prefix}:sync:{sync_id}:counts"

    def settled() -> bool:
        values = {str(k): int(v) for k, v in counts.hgetall(key).items()}
        done = sum(values.get(s, 0) for s in ("synced", "dead_lettered", "superseded", "paused"))
        return done >= count

    wait_for(settled, timeout_s=600, interval_s=0.1)
    settled_s = time.monotonic() - started
    latencies = sorted(tracking.latencies_s)
    return {
        "plan": plan.name,
        "mode": mode,
        "records": count,
        "success": tracking.success,
        "failed": tracking.failed,
        "answered_rps": round(count / answered_s, 1),
        "settled_rps": round(count / settled_s, 1),
        "answer_p50_s": round(latencies[len(latencies) // 2], 3),
        "requests_per_record": round(stack.requests(shop) / count, 3),
    }


def through_sync(stack: Stack, shop: str, plan: Plan, count: int) -> dict[str, Any]:
    """The same rows through ``shopify-sync sync`` (the project's own mapping)."""
    rows_file, mapping_file = stack.tmp / f"{shop}.jsonl", stack.tmp / "mapping.json"
    rows_file.write_text("".join(json.dumps(r) + "\n" for r in rows(shop, count)), encoding="utf-8")
    mapping_file.write_text(json.dumps(SYNC_MAPPING), encoding="utf-8")
    started = time.monotonic()
    command = [sys.executable, "-m", "producers", "sync", "--shops", str(stack.tmp / "shops.toml")]
    command += ["--shop", shop, "--resource", "customers"]
    command += ["--mapping", str(mapping_file), "--input", str(rows_file), "--json"]
    done = subprocess.run(command, env=stack.env(), capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, 1):  # 1: some records failed
        raise RuntimeError(f"sync failed: {done.stderr[-2000:]}")
    elapsed = time.monotonic() - started
    return {
        "plan": plan.name,
        "mode": "sync",
        "records": count,
        "settled_rps": round(count / elapsed, 1),
        "requests_per_record": round(stack.requests(shop) / count, 3),
    }


def write_calls(stack: Stack, shop: str, calls: int) -> dict[str, Any]:
    """Seconds per single-record ``write`` in Redis mode: a CLI process per call, then ``write --lines``."""
    config = {"shop_name": shop, "access_token": stack.tokens[shop], "admin_url": stack.sim.shop_url(shop)}

    def call(i: int, run: str) -> str:
        sync_config = {
            "destination": {"name": "shopify", "type": "destination", "connection_specification": config},
            "model": {"name": "m", "query": "q", "query_type": "raw_sql", "primary_key": "email"},
            "stream": {"name": "customers", "json_schema": {}},
            "sync_id": "7",
            "sync_run_id": run,
        }
        record = {"email": f"{run}-{i}@example.com", "lastName": "O''Brien"}
        return json.dumps({"sync_config": sync_config, "records": [record]})

    env = stack.env()
    single = []
    for i in range(calls):
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "producers", "write"], input=call(i, "cli").encode(), env=env,
                       capture_output=True, check=True, timeout=120)  # fmt: skip
        single.append(time.monotonic() - started)
    command = [sys.executable, "-m", "producers", "write", "--lines"]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.DEVNULL}
    process = subprocess.Popen(command, env=env, **pipes)  # type: ignore[call-overload]
    assert process.stdin is not None and process.stdout is not None
    lines = []
    started = time.monotonic()
    for i in range(calls + 1):  # the first call also pays the process start
        sent = time.monotonic()
        process.stdin.write((call(i, "lines") + "\n").encode())
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        assert answer["tracking"]["success"] == 1, answer
        lines.append(time.monotonic() - sent)
    process.stdin.close()
    process.wait(timeout=30)
    stored = {c["lastName"] for c in stack.sim.objects(shop, "customers")}
    return {
        "calls": calls,
        "cli_s_per_call": round(sum(single) / calls, 3),
        "lines_s_per_call": round(sum(lines[1:]) / calls, 3),
        "lines_first_call_s": round(lines[0], 3),
        "last_names_stored": sorted(stored),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print a table (or JSON)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=200, help="customers per run (default 200)")
    parser.add_argument("--write-calls", type=int, default=10, help="single-record write calls (default 10)")
    parser.add_argument("--coalesce-ms", type=float, default=50.0, help="SHOPIFY_SYNC_HTTP_COALESCE_MS")
    parser.add_argument("--json", action="store_true", help="print JSON")
    results.add_save_option(parser, kept_by_default="yes")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {
        "setup": {"records": args.records, "write_calls": args.write_calls, "coalesce_ms": args.coalesce_ms},
        "serve": [],
    }
    with tempfile.TemporaryDirectory(prefix="mwbench-") as tmp, ExitStack() as stack:
        bench = Stack(stack, Path(tmp))
        runs = [
            (mode, plan, bench.add_shop(plan))
            for mode in ("settled", "queued", "sync")
            for plan in (STANDARD, PLUS)
        ]
        write_shop = bench.add_shop(STANDARD)
        bench.start_worker()
        bases: dict[str, str] = {}
        for mode, plan, shop in runs:
            if mode == "sync":
                result["serve"].append(through_sync(bench, shop, plan, args.records))
                continue
            if mode not in bases:
                bases[mode] = bench.serve(mode, args.coalesce_ms)
            base = bases[mode]
            result["serve"].append(through_serve(bench, base, shop, plan, mode, args.records))
        result["write"] = write_calls(bench, write_shop, args.write_calls)
    results.keep("multiwoven", result, asked=args.save, by_default=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("plan      mode     records  success  failed  answered/s  settled/s  p50 answer s  requests/record")
    for run in result["serve"]:
        print(
            f"{run['plan']:<9} {run['mode']:<8} {run['records']:>7}  {run.get('success', '-'):>7}  "
            f"{run.get('failed', '-'):>6}  {run.get('answered_rps', '-'):>10}  {run['settled_rps']:>9}  "
            f"{run.get('answer_p50_s', '-'):>12}  {run['requests_per_record']:>15}"
        )
    print(json.dumps(result["write"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
