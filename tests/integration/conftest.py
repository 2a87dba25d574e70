"""Integration fixtures: the simulator over HTTP, real Redis, and real Celery worker processes.

Each test gets its own key prefix and its own shop names (so its own Celery queues), so tests sharing
the Redis server never see each other's records.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from simulator.config import FaultConfig, ShopSpec
from simulator.server import run_in_thread
from simulator.state import SimulatorState
from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def simulator():
    with run_in_thread(SimulatorState([], FaultConfig())) as sim:
        yield sim


@dataclass
class Deployment:
    """A shops file, an environment for Redis mode, and the worker processes started on it."""

    tmp: Path
    sim: object
    prefix: str = field(default_factory=lambda: f"it-{uuid.uuid4().hex[:10]}")
    shops: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    def add_shop(
        self,
        *,
        bucket_size: float = 2000.0,
        restore_rate: float = 1000.0,
        token: str | None = None,
        configured_token: str | None = None,
    ) -> str:
        """Create a shop in the simulator; shops.toml gets ``configured_token`` (default: the real one)."""
        name = f"it-{uuid.uuid4().hex[:8]}"
        token = token or f"shpat_{uuid.uuid4().hex}"
        self.sim.state.add_shop(
            ShopSpec(name=name, access_token=token, bucket_size=bucket_size, restore_rate=restore_rate)
        )
        self.shops[name] = configured_token or token
        self._write_shops_file()
        return name

    def _write_shops_file(self) -> None:
        lines = []
        for name in self.shops:
            var = "TOKEN_" + name.replace("-", "_").upper()
            lines += [
                "[[shops]]",
                f'shop_name = "{name}"',
                f'access_token = "${{{var}}}"',
                f'admin_url = "{self.sim.shop_url(name)}"',
                "",
            ]
        self.shops_file.write_text("\n".join(lines), encoding="utf-8")

    @property
    def shops_file(self) -> Path:
        return self.tmp / "shops.toml"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPIFY_SYNC_")}
        env.update(
            SHOPIFY_SYNC_REDIS_URL=TEST_REDIS_URL,
            SHOPIFY_SYNC_KEY_PREFIX=self.prefix,
            SHOPIFY_SYNC_SHOPS_FILE=str(self.shops_file),
            SHOPIFY_SYNC_OUTPUT_DIR=str(self.tmp / "out"),
            SHOPIFY_SYNC_BASE_BACKOFF_S="0.05",
            SHOPIFY_SYNC_MAX_BACKOFF_S="1",
        )
        env.update(self.extra_env)
        for name, token in self.shops.items():
            env["TOKEN_" + name.replace("-", "_").upper()] = token
        return env

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen:
        queues = ",".join(f"shopify.{name}" for name in self.shops)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker.app",
                "worker",
                "-Q",
                queues,
                "-c",
                str(concurrency),
                "-l",
                "WARNING",
                "-n",
                f"{self.prefix}-{len(self.workers)}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / f"worker-{len(self.workers)}.log", "w"),
        )
        self.workers.append(worker)
        return worker

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "producers", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def sync(self, shop: str, rows: list[dict], mapping: list[dict], *extra: str) -> tuple[int, dict]:
        rows_file = self.tmp / f"rows-{uuid.uuid4().hex[:6]}.jsonl"
        rows_file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        mapping_file = self.tmp / "mapping.json"
        mapping_file.write_text(json.dumps(mapping), encoding="utf-8")
        done = self.cli(
            "sync",
            "--shops",
            str(self.shops_file),
            "--shop",
            shop,
            "--resource",
            "customers",
            "--mapping",
            str(mapping_file),
            "--input",
            str(rows_file),
            "--json",
            "--timeout",
            "240",
            *extra,
        )
        assert done.stdout, done.stderr
        return done.returncode, json.loads(done.stdout)

    def stop(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


@pytest.fixture
def deployment(tmp_path, simulator) -> Iterator[Deployment]:
    d = Deployment(tmp=tmp_path, sim=simulator)
    yield d
    d.stop()
    client = redis.Redis.from_url(TEST_REDIS_URL)
    for key in client.scan_iter(f"{d.prefix}:*"):
        client.delete(key)
    for name in d.shops:
        client.delete(f"shopify.{name}")


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
