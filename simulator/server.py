"""Running the simulator: in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from aiohttp import web

from simulator.app import create_app
from simulator.state import SimulatorState


@dataclass(frozen=True)
class RunningSimulator:
    """A simulator listening on ``base_url``.

    Attributes:
        base_url: ``http://HOST:PORT``.
        port: The bound port.
        state: The state it serves; change faults or read data through it directly.

    """

    base_url: str
    port: int
    state: SimulatorState

    def shop_url(self, name: str) -> str:
        """Return the ``admin_url`` a shop config sets to point at this simulator."""
        return f"{self.base_url}/store/{name}"


# How long an idle keep-alive connection stays open, as a front end's idle timeout does. Clients that
# keep connections longer (aiohttp: 15 s) meet connections the server already closed.
KEEPALIVE_TIMEOUT_S = 5.0


@contextlib.contextmanager
def run_in_thread(
    state: SimulatorState,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    keepalive_timeout_s: float = KEEPALIVE_TIMEOUT_S,
) -> Iterator[RunningSimulator]:
    """Serve ``state`` on its own event loop in a daemon thread until the block exits.

    Args:
        state: What to serve.
        host: Interface to bind.
        port: Port to bind; 0 picks a free one.
        keepalive_timeout_s: Seconds before an idle keep-alive connection is closed.

    Yields:
        The running simulator.

    Raises:
        RuntimeError: If the server does not start within 10 seconds.

    """
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(state), access_log=None, keepalive_timeout=keepalive_timeout_s)
    started = threading.Event()
    failure: list[BaseException] = []

    def serve_forever() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, host, port)
            loop.run_until_complete(site.start())
        except BaseException as error:  # reported to the caller's thread below
            failure.append(error)
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve_forever, name="shopify-simulator", daemon=True)
    thread.start()
    if not started.wait(timeout=10) or failure:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()
        raise RuntimeError("simulator did not start") from (failure[0] if failure else None)
    bound_port = _bound_port(runner)
    try:
        yield RunningSimulator(base_url=f"http://{host}:{bound_port}", port=bound_port, state=state)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def serve(
    state: SimulatorState,
    host: str = "127.0.0.1",
    port: int = 8787,
    *,
    keepalive_timeout_s: float = KEEPALIVE_TIMEOUT_S,
) -> None:
    """Serve ``state`` in the foreground until Ctrl-C, printing the URL once listening."""

    async def main() -> None:
        runner = web.AppRunner(create_app(state), keepalive_timeout=keepalive_timeout_s)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            base_url = f"http://{host}:{_bound_port(runner)}"
            shops = ", ".join(state.shop_names()) or "none"
            print(f"Shopify simulator listening on {base_url} (shops: {shops})")
            print(f"Point a shop's admin_url at {base_url}/store/<shop>; press Ctrl-C to stop.")
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


def _bound_port(runner: web.AppRunner) -> int:
    address = runner.addresses[0]
    return int(address[1])
