"""Process plumbing for benchmarks and chaos runs: every piece a real process, on spare local ports.

- ``RedisServer``: a ``redis-server`` of its own (spare port, append-only file in its own directory) that
  can be stopped and started again on the same data. Never the shared server on 6379.
- ``SimulatorProcess``: the Shopify simulator (``shopify-sync simulator``) in a subprocess;
  ``SimulatorControl`` drives any running simulator through its ``/_simulator`` endpoints (also one
  started in a thread with ``simulator.server.run_in_thread``: pass its ``base_url``).
- ``write_shops_file`` and ``deployment_env``: what workers and producers read. Tokens travel in
  environment variables, never in command lines.
- ``WorkerProcess``: one ``celery worker`` in its own process group: SIGKILL the whole worker or one
  pool child, SIGTERM it (warm shutdown), start it again.
- ``sync_command`` / ``SyncProcess``: the ``shopify-sync sync`` CLI as a producer process.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import redis

from worker.app import worker_command
from worker.contract.broker import queue_for

ENV_PREFIX = "SHOPIFY_SYNC_"


# Shopify's latency as the benchmarks simulate it: 150 to 400 ms per request, uniform.
LATENCY = {"latency_ms": 150.0, "latency_jitter_ms": 250.0}


@dataclass(frozen=True)
class Plan:
    """A Shopify plan's GraphQL bucket."""

    name: str
    bucket: float
    rate: float


STANDARD = Plan("standard", 2000.0, 100.0)
PLUS = Plan("plus", 20000.0, 1000.0)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], bool], *, timeout_s: float, interval_s: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout_s`` passed; returns its last value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return predicate()


def clean_environ() -> dict[str, str]:
    """This process's environment without any ``SHOPIFY_SYNC_*`` variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}


# Redis


@dataclass
class RedisServer:
    """A ``redis-server`` on a spare port with its data (append-only file) in ``directory``.

    ``restart`` stops it with SIGTERM (Redis writes and syncs its append-only file before exiting) and
    starts it again on the same port and directory, so the data survives, as after a redeploy.
    """

    directory: Path
    port: int = field(default_factory=free_port)
    appendonly: bool = True
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        """``redis://`` URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        """The server's command line (no password: it only listens on 127.0.0.1)."""
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        return [
            binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
            "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec",
            "--save", "", "--daemonize", "no",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip

    def start(self, timeout_s: float = 15.0) -> None:
        """Start the server and wait until it answers PING (it has loaded its data by then)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for(self.ping, timeout_s=timeout_s):
            raise RuntimeError(f"redis-server on port {self.port} did not start; see {self.directory}")

    def ping(self) -> bool:
        """True when the server answers."""
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM: Redis finishes the append-only file and exits."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self, downtime_s: float = 0.0) -> None:
        """Stop, stay down for ``downtime_s``, start again on the same port and data."""
        self.stop()
        time.sleep(downtime_s)
        self.start()
        self.restarts += 1

    def crash(self, downtime_s: float = 0.0) -> None:
        """SIGKILL (no flush: up to a second of writes not yet synced to the append-only file is lost),
        stay down for ``downtime_s``, start again on what the file holds."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        time.sleep(downtime_s)
        self.start()
        self.restarts += 1

    def client(self) -> redis.Redis:
        """A client of database 0."""
        return redis.Redis.from_url(self.url)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# The simulator


class SimulatorControl:
    """The simulator's local control endpoints (no token; the simulator only listens on localhost)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def shop_url(self, shop: str) -> str:
        """The ``admin_url`` of a simulated shop."""
        return f"{self.base_url}/store/{shop}"

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """One control request; returns the decoded JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read() or b"null")

    def answering(self) -> bool:
        """True when the simulator answers."""
        try:
            self.stats()
        except (OSError, ValueError):
            return False
        return True

    def add_shop(self, name: str, token: str, **spec: Any) -> None:
        """Create a shop (``ShopSpec`` fields: ``bucket_size``, ``restore_rate``, ...)."""
        self.request("POST", "/_simulator/shops", {"name": name, "access_token": token, **spec})

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Replace the fault config (``FaultConfig`` fields); returns the new one."""
        answer: dict[str, Any] = self.request("POST", "/_simulator/faults", faults)
        return answer

    def seed_customer(self, shop: str, token: str, email: str, phone: str) -> None:
        """Create one customer through the Admin API, as another app would have."""
        document = "mutation($i: CustomerSetInput!) { customerSet(input: $i) { userErrors { message } } }"
        body = json.dumps({"query": document, "variables": {"i": {"email": email, "phone": phone}}}).encode()
        request = urllib.request.Request(
            f"{self.shop_url(shop)}/admin/api/2026-07/graphql.json",
            data=body,
            headers={"Content-Type": "application/json", "X-Shopify-Access-Token": token},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            errors = json.loads(answer.read())["data"]["customerSet"]["userErrors"]
        if errors:
            raise RuntimeError(f"could not seed {email}: {errors}")

    def drain(self, shop: str, hold_s: float = 0.0) -> None:
        """Empty the shop's bucket and hold it empty ``hold_s`` seconds: requests meanwhile are THROTTLED."""
        self.request("POST", f"/_simulator/shops/{shop}/drain", {"hold_s": hold_s})

    def define_unique_metafield(self, shop: str, owner_type: str, namespace: str, key: str) -> None:
        """A unique metafield definition, which ``customId`` upserts on ``namespace.key`` need."""
        body = {"ownerType": owner_type, "namespace": namespace, "key": key}
        self.request("POST", f"/_simulator/shops/{shop}/metafield-definitions", body)

    def inventory_applies(self, shop: str) -> dict[str, Any]:
        """Real ``inventorySetQuantities`` applies of ``shop``, per idempotency key and per level."""
        return dict(self.request("GET", f"/_simulator/shops/{shop}/inventory-applies"))

    def stats(self) -> dict[str, Any]:
        """Request counters: ``by_status``, ``throttled``, ``mutations``, ``connection_resets``."""
        answer: dict[str, Any] = self.request("GET", "/_simulator/stats")
        return answer

    def drops(self) -> dict[str, Any]:
        """Lost answers: ``{"pending": {...}, "dropped": {mutation: n}}``."""
        answer: dict[str, Any] = self.request("GET", "/_simulator/drops")
        return answer

    def objects(self, shop: str, kind: str) -> list[dict[str, Any]]:
        """A shop's ``customers``, ``products``, ``orders``, ``inventory`` or ``locations``."""
        answer: list[dict[str, Any]] = self.request("GET", f"/_simulator/shops/{shop}/{kind}")
        return answer


@dataclass
class SimulatorProcess:
    """The simulator in a subprocess, so its CPU time is not shared with the process driving the run."""

    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def control(self) -> SimulatorControl:
        """Its control endpoints."""
        return SimulatorControl(f"http://127.0.0.1:{self.port}")

    def start(self, timeout_s: float = 30.0) -> SimulatorControl:
        """Start it (no shops, no faults) and wait until it answers."""
        env = {**clean_environ(), ENV_PREFIX + "LOG_LEVEL": "WARNING"}
        command = [sys.executable, "-m", "producers", "simulator", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        if not wait_for(self.control.answering, timeout_s=timeout_s, interval_s=0.2):
            self.stop()
            raise RuntimeError(f"the simulator did not start; see {self.log_path}")
        return self.control

    def stop(self) -> None:
        """Stop it."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> SimulatorControl:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# Shops file and environment


def token_variable(shop: str) -> str:
    """The environment variable that carries ``shop``'s access token."""
    return "TOKEN_" + "".join(c if c.isalnum() else "_" for c in shop).upper()


def write_shops_file(path: Path, admin_urls: Mapping[str, str]) -> Path:
    """A shops file naming each shop's ``admin_url``; tokens are ``${TOKEN_<SHOP>}`` references."""
    lines: list[str] = []
    for shop, url in admin_urls.items():
        lines += [
            "[[shops]]",
            f'shop_name = "{shop}"',
            f'access_token = "${{{token_variable(shop)}}}"',
            f'admin_url = "{url}"',
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def deployment_env(
    *,
    redis_url: str,
    key_prefix: str,
    shops_file: Path,
    output_dir: Path,
    tokens: Mapping[str, str],
    **settings: object,
) -> dict[str, str]:
    """The environment of workers and producers: this one without ``SHOPIFY_SYNC_*``, plus the deployment.

    ``settings`` are more ``SHOPIFY_SYNC_*`` settings by field name (``max_backoff_s=1``).
    """
    env = clean_environ()
    env.update(
        {
            ENV_PREFIX + "REDIS_URL": redis_url,
            ENV_PREFIX + "KEY_PREFIX": key_prefix,
            ENV_PREFIX + "SHOPS_FILE": str(shops_file),
            ENV_PREFIX + "OUTPUT_DIR": str(output_dir),
        }
    )
    env.update({ENV_PREFIX + name.upper(): str(value) for name, value in settings.items()})
    env.update({token_variable(shop): token for shop, token in tokens.items()})
    return env


# Workers


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (read from /proc; Linux only)."""
    children: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


@dataclass
class WorkerProcess:
    """One ``celery worker`` process (and its pool children) in its own process group.

    Parameters:
        shops: Shops whose queues it consumes.
        env: Its environment (see ``deployment_env``).
        log_path: stderr goes here (appended, so restarts keep one log).
        concurrency: Pool processes.
        name: Celery node name.
    """

    shops: Iterable[str]
    env: Mapping[str, str]
    log_path: Path
    concurrency: int = 2
    name: str = "bench@%h"
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def command(self) -> list[str]:
        """Its command line: this project's worker on the shops' queues."""
        queues = [queue_for(s) for s in self.shops]
        return worker_command(queues, concurrency=self.concurrency, name=self.name)

    def start(self) -> WorkerProcess:
        """Start the worker (again, after a kill)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=dict(self.env),
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        self.starts += 1
        return self

    @property
    def pid(self) -> int:
        """The main process id."""
        if self.process is None:
            raise RuntimeError("the worker is not started")
        return self.process.pid

    @property
    def alive(self) -> bool:
        """True while the main process runs."""
        return self.process is not None and self.process.poll() is None

    def pool_children(self) -> list[int]:
        """Process ids of its pool processes."""
        return child_pids(self.pid) if self.alive else []

    def wait_ready(self, timeout_s: float = 30.0) -> bool:
        """Wait until every pool process is up (the worker is then about to consume)."""
        return wait_for(lambda: len(self.pool_children()) >= self.concurrency, timeout_s=timeout_s)

    def kill_child(self, rng: random.Random | None = None) -> int | None:
        """SIGKILL one pool process (the worker starts another); returns its pid, None when it has none."""
        children = self.pool_children()
        if not children:
            return None
        victim = (rng or random.Random()).choice(children)
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        return victim

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool), as a crashed machine or container would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout_s: float = 60.0) -> int:
        """SIGTERM (Celery's warm shutdown: finish running tasks, give back the rest); returns the exit code.

        After ``timeout_s`` the worker is killed and the code is the negative signal number.
        """
        if self.process is None:
            return 0
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return -signal.SIGKILL
        finally:
            self._reap_group()

    def _reap_group(self) -> None:
        """Pool processes left behind by a main process that exited (normally none)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)


# Producers


def sync_command(
    *,
    shops_file: Path,
    shop: str,
    resource: str,
    mapping: Path,
    rows: Path,
    sync_id: str,
    primary_key: str | None = None,
    timeout_s: float = 600.0,
) -> list[str]:
    """The ``shopify-sync sync`` command line of one producer (it prints its report as JSON)."""
    command = [
        sys.executable, "-m", "producers", "sync", "--shops", str(shops_file), "--shop", shop,
        "--resource", resource, "--mapping", str(mapping), "--input", str(rows), "--sync-id", sync_id,
        "--timeout", str(timeout_s), "--json",
    ]  # fmt: skip
    if primary_key:
        command += ["--primary-key", primary_key]
    return command


@dataclass
class SyncProcess:
    """A producer process running one sync; ``result`` reads its exit code and JSON report."""

    command: list[str]
    env: Mapping[str, str]
    log_path: Path
    process: subprocess.Popen[str] | None = None
    _log: IO[str] | None = None

    def start(self) -> SyncProcess:
        """Start the producer."""
        self._log = self.log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            self.command, env=dict(self.env), stdout=subprocess.PIPE, stderr=self._log, text=True
        )
        return self

    @property
    def running(self) -> bool:
        """True until the producer exits."""
        return self.process is not None and self.process.poll() is None

    def result(self, timeout_s: float | None = None) -> tuple[int, dict[str, Any]]:
        """Wait for the producer; its exit code and report (empty when it printed none)."""
        assert self.process is not None
        out, _ = self.process.communicate(timeout=timeout_s)
        if self._log is not None:
            self._log.close()
        try:
            report: dict[str, Any] = json.loads(out) if out.strip() else {}
        except ValueError:
            report = {}
        return self.process.returncode, report


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Rows as JSON lines."""
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    return path
