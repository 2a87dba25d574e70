"""One producer process for one shop: its syncs one after the other, as ``shopify-sync sync`` runs each.

    python -m benchmarks.produce --shop SHOP --inputs DIR --sync-prefix PREFIX [--timeout SECONDS]

Reads ``DIR/<shop>-<resource>.jsonl`` for products, customers, orders and inventory (in that order: orders
and inventory name the products' SKUs), maps them with the demo's mappings, and runs them with
``producers.running.run_syncs``, the function behind ``shopify-sync sync``, on the Redis and shops file of
the ``SHOPIFY_SYNC_*`` environment. Sync ids are ``<prefix>-<shop>-<resource>``. Prints the report as JSON.
One process per shop saves the start-up time of a process per resource.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.dataset import PRIMARY_KEYS, RESOURCE_ORDER, sample_mapping
from producers.mapping import Mapping
from producers.readers import read_rows
from producers.running import run_syncs
from producers.sync import SyncJob
from settings import load_app_settings, load_shops


def jobs(shop: str, inputs: Path, prefix: str, bulk: bool | None = None) -> list[SyncJob]:
    """The shop's syncs, in the order they must run (``bulk``: each sync's switch; orders never go bulk)."""
    return [
        SyncJob(
            shop=shop,
            resource=resource,
            mapping=Mapping.load(sample_mapping(resource)),
            rows=read_rows(inputs / f"{shop}-{resource}.jsonl"),
            sync_id=f"{prefix}-{shop}-{resource}",
            primary_key=PRIMARY_KEYS[resource],
            bulk=bulk,
        )
        for resource in RESOURCE_ORDER
    ]


def main(argv: list[str] | None = None) -> None:
    """Run the shop's syncs and print the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.produce")
    parser.add_argument("--shop", required=True)
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--sync-prefix", required=True)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for each sync")
    parser.add_argument(
        "--bulk", action="store_true", default=None, help="sync --bulk (orders stay per request)"
    )
    args = parser.parse_args(argv)
    settings = load_app_settings()
    report = run_syncs(
        settings,
        load_shops(settings.shops_file),
        jobs(args.shop, args.inputs, args.sync_prefix, args.bulk),
        report_id=f"{args.sync_prefix}-{args.shop}",
        timeout_s=args.timeout,
        show_progress=False,
    )
    print(json.dumps(report.to_dict()))


if __name__ == "__main__":
    main()
