"""A local Shopify Admin GraphQL simulator (aiohttp) for demos, tests and benchmarks.

See docs/simulator.md for what it reproduces and how closely.
"""

from simulator.app import create_app
from simulator.bucket import LeakyBucket
from simulator.config import FaultConfig, ShopSpec
from simulator.server import RunningSimulator, run_in_thread, serve
from simulator.state import ShopState, SimulatorState

__all__ = [
    "FaultConfig",
    "LeakyBucket",
    "RunningSimulator",
    "ShopSpec",
    "ShopState",
    "SimulatorState",
    "create_app",
    "run_in_thread",
    "serve",
]
