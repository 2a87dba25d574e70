"""``shopify-sync simulator``: run the local Shopify simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from producers.commands.common import app_settings, shops_config
from simulator.config import FaultConfig, ShopSpec
from simulator.server import KEEPALIVE_TIMEOUT_S, serve
from simulator.state import SimulatorState


def simulator(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8787,
    host: Annotated[str, typer.Option(help="Address to bind (keep it local).")] = "127.0.0.1",
    shops: Annotated[
        Path | None, typer.Option(help="Shops file: serve these shops with their tokens.")
    ] = None,
    bucket_size: Annotated[float, typer.Option(help="Bucket size in points.")] = 2000.0,
    restore_rate: Annotated[float, typer.Option(help="Points restored per second.")] = 100.0,
    latency_ms: Annotated[float, typer.Option(help="Added latency per request (ms).")] = 0.0,
    error_rate: Annotated[float, typer.Option(help="Share of requests answered 500/502/503.")] = 0.0,
    reset_rate: Annotated[float, typer.Option(help="Share of connections reset without an answer.")] = 0.0,
    throttle_429: Annotated[bool, typer.Option(help="Answer throttles with HTTP 429 + Retry-After.")] = False,
    keepalive_timeout_s: Annotated[
        float, typer.Option(help="Seconds before an idle keep-alive connection is closed.")
    ] = KEEPALIVE_TIMEOUT_S,
) -> None:
    """Serve a local Shopify Admin GraphQL API for tests and demos (shops at /store/<shop>)."""
    app_settings("simulator")
    specs: list[ShopSpec] = []
    if shops is not None:
        for shop in shops_config(shops):
            token = shop.access_token.get_secret_value() if shop.access_token else ""
            specs.append(ShopSpec(shop.shop_name, token, bucket_size=bucket_size, restore_rate=restore_rate))
    faults = FaultConfig(
        latency_ms=latency_ms,
        error_rate=error_rate,
        reset_rate=reset_rate,
        throttle_response="http429" if throttle_429 else "graphql",
    )
    serve(SimulatorState(specs, faults), host, port, keepalive_timeout_s=keepalive_timeout_s)
