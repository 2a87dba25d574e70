"""Bulk operations against per-request writes: wall time and points drawn from the bucket, by bulk rate.

    python -m benchmarks.bulk [--products 500] [--rates 50,200,1000] [--skip-per-request] [--json]

Every piece but the simulator is a real process: a ``redis-server`` of its own, one ``celery worker``
node of two processes, and ``shopify-sync sync`` (``--no-bulk``, then ``--bulk`` once per rate). The
simulator runs in this process, so the points each run drew from the shop's bucket can be read from it.
The shop is a Standard one (bucket 2,000 points, 100 points/s).

How fast Shopify executes the lines of a bulk operation is not published: ``--rates`` are the simulator's
lines per second, an assumption, and the bulk figures scale with it. What does not depend on it is the
points drawn: a bulk run draws a few dozen points per file (staging, starting, polling), whatever the
number of lines, where per-request writes draw about 11-12 points per product.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks import results
from benchmarks.harness import (
    RedisServer,
    SyncProcess,
    WorkerProcess,
    deployment_env,
    sync_command,
    write_jsonl,
    write_shops_file,
)
from simulator import ShopSpec, SimulatorState, run_in_thread

MAPPING = [
    {"mapping_type": "standard", "from": "handle", "to": "handle"},
    {"mapping_type": "standard", "from": "title", "to": "title"},
    {"mapping_type": "standard", "from": "sku", "to": "variants[].sku"},
    {"mapping_type": "standard", "from": "price", "to": "variants[].price"},
]


def run_one(
    sim: Any, state: SimulatorState, redis_url: str, tmp: Path, *, products: int, bulk: bool, rate: float
) -> dict[str, Any]:
    """One sync of ``products`` new products into a new Standard shop; its figures."""
    shop = f"bench-{uuid.uuid4().hex[:6]}"
    token = f"shpat_{uuid.uuid4().hex}"
    shop_state = state.add_shop(ShopSpec(name=shop, access_token=token, bucket_size=2000, restore_rate=100))
    shop_state.bulk.config.lines_per_s = rate
    shops_file = write_shops_file(tmp / f"{shop}.toml", {shop: sim.shop_url(shop)})
    env = deployment_env(redis_url=redis_url, key_prefix=shop, shops_file=shops_file, output_dir=tmp / "out",
                         tokens={shop: token}, bulk_poll_interval_s=1, log_level="WARNING")  # fmt: skip
    rows = [
        {"handle": f"p-{i}", "title": f"Product {i}", "sku": f"SKU-{i}", "price": "9.50"}
        for i in range(products)
    ]
    rows_file = write_jsonl(tmp / f"{shop}.jsonl", rows)
    mapping = tmp / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    worker = WorkerProcess([shop], env, tmp / f"{shop}-worker.log", concurrency=2, name=f"{shop}@%h").start()
    try:
        worker.wait_ready()
        command = sync_command(shops_file=shops_file, shop=shop, resource="products", mapping=mapping,
                               rows=rows_file, sync_id=shop, timeout_s=3600)  # fmt: skip
        started = time.monotonic()
        process = SyncProcess([*command, "--bulk" if bulk else "--no-bulk"], env, tmp / f"{shop}-sync.log")
        code, report = process.start().result()
        wall_s = time.monotonic() - started
    finally:
        worker.terminate()
    drawn = shop_state.bucket.drawn
    return {
        "mode": "bulk" if bulk else "per request",
        "bulk_lines_per_s": rate if bulk else None,
        "products": products,
        "synced": report.get("synced"),
        "exit_code": code,
        "wall_s": round(wall_s, 1),
        "products_per_s": round(products / wall_s, 1),
        "points_drawn": round(drawn),
        "points_per_product": round(drawn / products, 2),
        "requests": state.stats()["by_shop"].get(shop, {}).get("requests", 0),
        "bulk_operations": len(shop_state.bulk.newest_first()),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the scenario and print a table (or JSON)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument(
        "--rates", default="50,200,1000", help="simulated bulk lines per second, comma-separated"
    )
    parser.add_argument("--skip-per-request", action="store_true")
    parser.add_argument("--json", action="store_true")
    results.add_save_option(parser, kept_by_default="yes")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    measured = []
    with tempfile.TemporaryDirectory() as folder, run_in_thread(SimulatorState()) as sim:
        tmp = Path(folder)
        with RedisServer(tmp / "redis", appendonly=False) as server:
            runs = ([] if args.skip_per_request else [(False, 0.0)]) + [(True, rate) for rate in rates]
            for bulk, rate in runs:
                measured.append(
                    run_one(sim, sim.state, server.url, tmp, products=args.products, bulk=bulk, rate=rate)
                )
                print(json.dumps(measured[-1]), file=sys.stderr)
    setup = {"products": args.products, "rates": rates, "per_request": not args.skip_per_request}
    kept = {"setup": setup, "runs": measured}
    results.keep(f"bulk-{args.products}", kept, asked=args.save, by_default=True)
    if args.json:
        print(json.dumps(measured, indent=2))
        return 0
    header = ("mode", "lines/s", "synced", "wall s", "prod/s", "points", "pts/prod", "requests")
    print("{:<12} {:>8} {:>7} {:>8} {:>8} {:>8} {:>9} {:>9}".format(*header))
    for r in measured:
        shown = "-" if r["bulk_lines_per_s"] is None else f"{r['bulk_lines_per_s']:g}"
        row = (r["mode"], shown, r["synced"], r["wall_s"], r["products_per_s"], r["points_drawn"],
               r["points_per_product"], r["requests"])  # fmt: skip
        print("{:<12} {:>8} {:>7} {:>8} {:>8} {:>8} {:>9} {:>9}".format(*(str(v) for v in row)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
