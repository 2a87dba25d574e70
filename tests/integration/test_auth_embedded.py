"""Embedded mode (one machine, no Redis): client-credentials tokens in the owner-only file, renewed by the
in-process worker during a sync."""

import json
import stat
import subprocess
import sys

import pytest

from simulator.config import FaultConfig
from tests.integration.test_pipeline import MAPPING, customer_rows
from worker.credentials import CredentialCipher

pytestmark = pytest.mark.integration


def run(deployment, env, *args):
    done = subprocess.run(
        [sys.executable, "-m", "producers", *args], env=env, capture_output=True, text=True, timeout=300
    )
    return done


def test_client_credentials_renewed_during_an_embedded_sync(deployment):
    shop = deployment.add_oauth_shop(client_credentials_ttl_s=1.0)
    unset = ("SHOPIFY_SYNC_REDIS_URL", "SHOPIFY_SYNC_CREDENTIALS_KEY")
    env = {k: v for k, v in deployment.env.items() if k not in unset}
    env["XDG_CONFIG_HOME"] = str(deployment.tmp / "config")
    book = deployment.sim.state.shop(shop).tokens

    got = run(
        deployment, env, "auth", "client-credentials", "--shops", str(deployment.shops_file), "--shop", shop
    )
    assert got.returncode == 0, got.stderr
    path = deployment.tmp / "config" / "shopify-sync" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and str(path) in got.stdout

    rows = deployment.tmp / "rows.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in customer_rows(150)), encoding="utf-8")
    mapping = deployment.tmp / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    deployment.sim.state.faults = FaultConfig(latency_ms=40)
    try:
        synced = run(
            deployment,
            env,
            *("sync", "--shops", str(deployment.shops_file), "--shop", shop, "--resource", "customers"),
            *("--mapping", str(mapping), "--input", str(rows), "--primary-key", "id", "--json"),
        )
    finally:
        deployment.sim.state.faults = FaultConfig()

    report = json.loads(synced.stdout)
    assert synced.returncode == 0, synced.stderr[-2000:]
    assert (report["synced"], report["paused"], report["dead_lettered"]) == (150, 0, 0)
    assert book.grants["client_credentials"] >= 2  # the first token, then at least one renewal
    # Sealed with the key embedded mode made beside the file (it said so); no token text in the file.
    key_file = path.with_name("credentials.key")
    assert f"made a key for the stored credentials: {key_file}" in got.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    keys = [line.encode() for line in key_file.read_text().split()]
    stored = CredentialCipher(keys).open(shop, json.loads(path.read_text())[shop])
    assert stored.kind == "client_credentials" and stored.access_token == book.issued()[-1]
    for secret in [*book.issued(), deployment.sim.state.shop(shop).spec.api_secret]:
        assert secret not in got.stdout + got.stderr + synced.stdout + synced.stderr + path.read_text()
