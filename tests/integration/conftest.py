"""Integration fixtures: the simulator over HTTP, real Redis, and real Celery worker processes.

Each test gets its own key prefix and its own shop names (so its own Celery queues), so tests sharing
the Redis server never see each other's records.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from benchmarks.harness import deployment_env, free_port, token_variable, wait_for
from simulator.config import FaultConfig, ShopSpec
from simulator.server import run_in_thread
from simulator.state import SimulatorState
from tests.conftest import TEST_REDIS_URL
from worker.app import worker_command
from worker.contract.broker import queue_for
from worker.credentials import CredentialCipher, new_key

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
    # Extra shops-file lines per shop (OAuth shops: api_key, api_secret); a shop whose token in
    # ``shops`` is empty gets no access_token line, so its workers use stored credentials.
    extra_lines: dict[str, list[str]] = field(default_factory=dict)
    # SHOPIFY_SYNC_CREDENTIALS_KEY of every process started from now on (keys newest first).
    credentials_key: str = field(default_factory=new_key)

    def cipher(self) -> CredentialCipher:
        """What the deployment's processes seal and open stored credentials with."""
        return CredentialCipher([key.encode() for key in self.credentials_key.split(",")])

    def add_shop(
        self,
        *,
        bucket_size: float = 2000.0,
        restore_rate: float = 1000.0,
        token: str | None = None,
        configured_token: str | None = None,
        name: str | None = None,
    ) -> str:
        """Create a shop in the simulator; shops.toml gets ``configured_token`` (default: the real one)."""
        name = name or f"it-{uuid.uuid4().hex[:8]}"
        token = token or f"shpat_{uuid.uuid4().hex}"
        self.sim.state.add_shop(
            ShopSpec(name=name, access_token=token, bucket_size=bucket_size, restore_rate=restore_rate)
        )
        self.shops[name] = configured_token or token
        self._write_shops_file()
        return name

    def add_oauth_shop(self, **spec: object) -> str:
        """Create a simulator shop with app credentials; shops.toml names its api_key/api_secret, no token.

        ``spec`` sets ShopSpec fields (e.g. ``access_token_ttl_s``). The secret reaches the shops file
        through an environment variable, as in production.
        """
        name = f"it-{uuid.uuid4().hex[:8]}"
        api_key, api_secret = f"key-{uuid.uuid4().hex[:8]}", f"shpss_{uuid.uuid4().hex}"
        spec.setdefault("restore_rate", 1000.0)
        self.sim.state.add_shop(
            ShopSpec(
                name=name,
                access_token=f"shpat_{uuid.uuid4().hex}",
                api_key=api_key,
                api_secret=api_secret,
                **spec,
            )
        )
        var = "SECRET_" + name.replace("-", "_").upper()
        self.extra_env[var] = api_secret
        self.extra_lines[name] = [f'api_key = "{api_key}"', f'api_secret = "${{{var}}}"']
        self.shops[name] = ""
        self._write_shops_file()
        return name

    def _write_shops_file(self) -> None:
        lines = []
        for name in self.shops:
            lines += [
                "[[shops]]",
                f'shop_name = "{name}"',
                *([f'access_token = "${{{token_variable(name)}}}"'] if self.shops[name] else []),
                *self.extra_lines.get(name, []),
                f'admin_url = "{self.sim.shop_url(name)}"',
                "",
            ]
        self.shops_file.write_text("\n".join(lines), encoding="utf-8")

    @property
    def shops_file(self) -> Path:
        return self.tmp / "shops.toml"

    @property
    def env(self) -> dict[str, str]:
        env = deployment_env(
            redis_url=TEST_REDIS_URL,
            key_prefix=self.prefix,
            shops_file=self.shops_file,
            output_dir=self.tmp / "out",
            tokens=self.shops,
            base_backoff_s="0.05",
            max_backoff_s="1",
        )
        env["SHOPIFY_SYNC_CREDENTIALS_KEY"] = self.credentials_key
        env.update(self.extra_env)
        return env

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen:
        name = f"{self.prefix}-{len(self.workers)}@%h"
        worker = subprocess.Popen(
            worker_command([queue_for(shop) for shop in self.shops], concurrency=concurrency, name=name),
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

    def sync(
        self, shop: str, rows: list[dict], mapping: list[dict], *extra: str, resource: str = "customers"
    ) -> tuple[int, dict]:
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
            resource,
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
    return wait_for(predicate, timeout_s=timeout, interval_s=interval)


# Helpers for the Multiwoven, Flower, Sentry and secrets tests.


def start_process(deployment: Deployment, args: list[str], log_name: str, **env: str) -> subprocess.Popen:
    """Start a process with the deployment's environment; it is stopped with the deployment's workers."""
    process = subprocess.Popen(
        args,
        env={**deployment.env, **env},
        stdout=open(deployment.tmp / f"{log_name}.out", "w"),
        stderr=open(deployment.tmp / f"{log_name}.log", "w"),
    )
    deployment.workers.append(process)
    return process


def start_serve(deployment: Deployment, bearer: str, **env: str) -> str:
    """Start `shopify-sync serve` on a free port; returns its base URL once /healthz answers."""
    import urllib.request

    port = free_port()
    start_process(
        deployment,
        [sys.executable, "-m", "producers", "serve", "--port", str(port)],
        "serve",
        SHOPIFY_SYNC_HTTP_BEARER_TOKEN=bearer,
        **env,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    assert wait_until(healthy, timeout=30), (deployment.tmp / "serve.log").read_text()
    return base


@dataclass
class SentrySink:
    """Stands in for Sentry's ingest: keeps every envelope posted to ``/api/<project>/envelope/``."""

    port: int
    raw: list[str] = field(default_factory=list)
    items: list[tuple[dict, object]] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.port}/1"

    def events(self) -> list[dict]:
        """Error events (``event`` items), parsed."""
        return [payload for header, payload in self.items if header.get("type") == "event"]

    def take(self, body: bytes) -> None:
        text = body.decode("utf-8", errors="replace")
        self.raw.append(text)
        lines = text.split("\n")
        position = 1  # line 0 is the envelope header
        while position + 1 < len(lines):
            header = json.loads(lines[position]) if lines[position].strip() else {}
            payload_text = lines[position + 1]
            try:
                payload: object = json.loads(payload_text)
            except ValueError:
                payload = payload_text
            self.items.append((header, payload))
            position += 2


@pytest.fixture
def sentry_sink() -> Iterator[SentrySink]:
    """A local HTTP endpoint a DSN can point at, in a background thread."""
    import asyncio
    import gzip
    import threading

    from aiohttp import web

    sink = SentrySink(port=free_port())

    async def envelope(request: web.Request) -> web.Response:
        body = await request.read()  # aiohttp undoes Content-Encoding: gzip itself
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        sink.take(body)
        return web.json_response({"id": uuid.uuid4().hex})

    app = web.Application(client_max_size=20 * 1024 * 1024)
    app.router.add_post("/api/{project}/envelope/", envelope)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", sink.port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture
def broken_upstream() -> Iterator[str]:
    """An 'Admin API' answering 200 with a body that is not the UTF-8 it claims: the client crashes."""
    import asyncio
    import threading

    from aiohttp import web

    port = free_port()

    async def graphql(request: web.Request) -> web.Response:
        return web.Response(body=b'{"data": "\xff\xfe"}', content_type="application/json", charset="utf-8")

    app = web.Application()
    app.router.add_post("/store/{shop}/admin/api/{version}/graphql.json", graphql)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def point_shop_at(deployment: Deployment, shop: str, base_url: str) -> None:
    """Rewrite the shops file so ``shop`` is served from ``base_url`` instead of the simulator."""
    text = deployment.shops_file.read_text(encoding="utf-8")
    deployment.shops_file.write_text(text.replace(deployment.sim.shop_url(shop), f"{base_url}/store/{shop}"))


def enqueue_from_producer(
    deployment: Deployment, shop: str, sync_id: str, payloads: list[dict], countdown_s: float = 0.0
) -> None:
    """Enqueue one batch of mapped records as a producer does, from a process with the deployment's env."""
    records = [{"key": f"r{i}", "payload": p, "source": {}} for i, p in enumerate(payloads)]
    code = (
        "import json, sys; from worker.contract.enqueue import enqueue_batch; "
        "enqueue_batch(sys.argv[1], sys.argv[2], 'customers', json.loads(sys.argv[3]), "
        "countdown_s=float(sys.argv[4]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, shop, sync_id, json.dumps(records), str(countdown_s)],
        env=deployment.env,
        check=True,
        timeout=60,
    )
