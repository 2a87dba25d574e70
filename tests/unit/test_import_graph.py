"""What ``producers/`` imports from ``worker/``: the queue contract, and a few listed edges with reasons."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = "worker.contract"

# Every edge from a producer module into worker/ outside the queue contract, grouped by why it exists.
REASONS: dict[str, set[tuple[str, str]]] = {
    "record models: rows are mapped and validated with the models the workers write with": {
        ("producers.commands.mapping_cmd", "worker.resources"),
        ("producers.commands.sync_cmd", "worker.resources"),
        ("producers.connector.catalog", "worker.resources"),
        ("producers.connector.config", "worker.resources"),
        ("producers.connector.write", "worker.resources"),
        ("producers.http.handlers", "worker.resources"),
        ("producers.records", "worker.resources"),
        ("producers.replay", "worker.resources"),
        ("producers.sync", "worker.resources"),
    },
    "the `worker` command and the demo start worker processes": {
        ("producers.commands.sync_cmd", "worker.app"),
        ("producers.demo", "worker.app"),
    },
    "embedded mode runs a worker inside the producer's process": {
        ("producers.embedded", "worker.app"),
        ("producers.embedded", "worker.runtime"),
        ("producers.embedded", "worker.tasks"),
    },
    "the connector check sends one request and reads the answer as workers do": {
        ("producers.connector.check", "worker.api_versions"),
        ("producers.connector.check", "worker.errors"),
        ("producers.connector.check", "worker.transport"),
    },
    "the connector check gets a client-credentials token from the token endpoint, as workers do": {
        ("producers.connector.check", "worker.credentials"),
        ("producers.connector.check", "worker.credentials.errors"),
    },
    "`shopify-sync auth` installs, renews and stores shop credentials": {
        ("producers.commands.auth", "worker.credentials"),
        ("producers.commands.auth", "worker.credentials.endpoint"),
        ("producers.commands.auth", "worker.credentials.install"),
        ("producers.commands.auth", "worker.credentials.scopes"),
        ("producers.commands.auth", "worker.credentials.status"),
        ("producers.commands.auth", "worker.errors"),
        ("producers.commands.auth_keys", "worker.credentials"),
    },
    "one logging, Sentry and secret-scrubbing setup for every process": {
        ("producers.commands.common", "worker.observability"),
        ("producers.connector.write", "worker.observability"),
        ("producers.http.handlers", "worker.observability"),
    },
}


def imports_of(package: str) -> set[tuple[str, str]]:
    """(module, imported module) for every import statement in ``package``'s modules."""
    edges = set()
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "worker":  # ``from worker import tasks``
                    edges |= {(module, f"worker.{alias.name}") for alias in node.names}
                else:
                    edges.add((module, node.module))
            elif isinstance(node, ast.Import):
                edges |= {(module, alias.name) for alias in node.names}
    return edges


def into_worker(edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(m, target) for m, target in edges if target == "worker" or target.startswith("worker.")}


def outside_contract(target: str) -> bool:
    return target != CONTRACT and not target.startswith(CONTRACT + ".")


def test_the_producer_pipeline_imports_only_the_queue_contract_from_worker():
    edges = into_worker(imports_of("producers/pipeline"))
    assert edges, "the pipeline publishes through the contract"
    assert {(m, t) for m, t in edges if outside_contract(t)} == set()


def test_every_other_edge_from_producers_into_worker_is_listed_with_its_reason():
    listed = set().union(*REASONS.values())
    found = {(m, t) for m, t in into_worker(imports_of("producers")) if outside_contract(t)}
    assert found - listed == set(), "a new edge into worker/: import from worker.contract, or list it"
    assert listed - found == set(), "a listed edge is gone: take it off the list"


def test_the_contract_imports_nothing_else_from_worker():
    edges = into_worker(imports_of("worker/contract"))
    assert {(m, t) for m, t in edges if outside_contract(t)} == set()


def test_importing_the_contract_starts_no_worker_runtime():
    code = (
        "import sys, worker.contract.enqueue, worker.contract.outages, worker.contract.pauses, "
        "worker.contract.recorder, worker.contract.tracking; "
        "print(sorted(m for m in sys.modules if m.startswith(('worker.', 'aiohttp')) "
        "and not m.startswith('worker.contract')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"
