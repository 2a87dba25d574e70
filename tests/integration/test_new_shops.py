"""A shop added to the shops file while workers run is served within seconds, without restarting them."""

import time
import uuid

import pytest

from benchmarks.harness import token_variable
from tests.integration.test_pipeline import MAPPING, customer_rows

pytestmark = pytest.mark.integration


def test_a_shop_added_later_is_consumed_without_a_worker_restart(deployment):
    first = deployment.add_shop()
    # The new shop's token is provisioned in the workers' environment beforehand, as a deployment would
    # (or it comes from the credential store after `auth install`); its queue is not consumed yet.
    later, token = f"it-{uuid.uuid4().hex[:8]}", f"shpat_{uuid.uuid4().hex}"
    deployment.extra_env[token_variable(later)] = token
    deployment.extra_env["SHOPIFY_SYNC_SHOP_WATCH_INTERVAL_S"] = "1"
    worker = deployment.start_worker()
    code, report = deployment.sync(first, customer_rows(5), MAPPING, "--primary-key", "id")
    assert (code, report["synced"]) == (0, 5), report

    deployment.add_shop(name=later, token=token)
    added = time.monotonic()
    code, report = deployment.sync(later, customer_rows(20), MAPPING, "--primary-key", "id")
    served_after_s = time.monotonic() - added

    assert (code, report["synced"], report["dead_lettered"]) == (0, 20, 0), report
    assert len(deployment.sim.state.shop(later).customers.all()) == 20
    assert served_after_s < 30
    assert worker.poll() is None and len(deployment.workers) == 1  # the same worker, never restarted
