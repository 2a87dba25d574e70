"""The served API version (X-Shopify-API-Version) is read and an old configured one is warned about."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp.test_utils import TestServer

from settings import ShopConfig
from simulator.app import create_app
from tests.unit.test_simulator_harness import SHOP, TOKEN, make_state
from worker.api_versions import fallen_forward, note_served
from worker.client import ShopifyClient
from worker.errors import ShopUnavailableError, classify


def test_fallen_forward_names_both_versions():
    assert fallen_forward("2026-07", "2026-07") is None
    assert fallen_forward("2026-07", None) is None
    warning = fallen_forward("2025-01", "2026-04")
    assert warning is not None and "2025-01" in warning and "2026-04" in warning


def test_the_worker_logs_a_fall_forward_once(caplog):
    with caplog.at_level(logging.WARNING, logger="worker.api_versions"):
        for _ in range(3):
            note_served("once-shop", "2024-01", "2026-04")
    assert [r.getMessage() for r in caplog.records].count(fallen_forward("2024-01", "2026-04")) == 1


def test_the_client_reads_the_served_version_from_the_simulator():
    async def main() -> str | None:
        async with TestServer(create_app(make_state())) as server:
            shop = ShopConfig(
                shop_name=SHOP,
                access_token=TOKEN,
                admin_url=str(server.make_url(f"/store/{SHOP}")),
                api_version="2025-01",
            )
            async with aiohttp.ClientSession() as session:
                result = await ShopifyClient(session, shop).execute("query { shop { name } }")
                return result.api_version

    assert asyncio.run(main()) == "2026-04"


def test_a_404_is_a_wrong_shop_or_path_not_an_old_version():
    error = classify(404, {"errors": "Not Found"})
    assert isinstance(error, ShopUnavailableError)
    assert "wrong shop domain or path" in error.message and "version" not in error.message
