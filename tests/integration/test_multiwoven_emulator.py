"""1,000 customers and orders through an emulated Multiwoven HTTP destination into `shopify-sync serve`.

Real Redis, real worker processes, the simulator over HTTP with faults (5xx answers). About 5% of the
records pass intake and are refused by Shopify afterwards (a phone taken by another customer, an order
line whose SKU no product has). Multiwoven must see the truth: its success count is what the store
holds, its failed count is our dead letters, and no value reaches the store with a quote Multiwoven
doubled.
"""

import json
import secrets
import urllib.request

import pytest

from benchmarks.harness import SimulatorControl
from benchmarks.multiwoven_http import HttpDestination, standard_mapping
from simulator.config import FaultConfig
from tests.integration.conftest import start_serve

pytestmark = pytest.mark.integration

CUSTOMERS, TAKEN_PHONES = 700, 35
ORDERS, UNKNOWN_SKUS = 300, 15
CUSTOMER_MAPPING = [("email", "email"), ("first", "firstName"), ("last", "lastName"), ("phone", "phone")]
ORDER_MAPPING = [
    ("order_id", "sourceIdentifier"),
    ("email", "email"),
    ("note", "note"),
    ("sku", "lineItems[].sku"),
    ("qty", "lineItems[].quantity"),
]
PRODUCT_MAPPING = [
    {"mapping_type": "standard", "from": f, "to": t}
    for f, t in [
        ("handle", "handle"),
        ("title", "title"),
        ("sku", "variants[].sku"),
        ("price", "variants[].price"),
    ]
]
LAST_NAMES = ["O'Brien", "D'Arcy", "Smith", "it''s doubled at source", "l'Ouverture"]


def customer_rows():
    rows = []
    for i in range(CUSTOMERS):
        taken = i % (CUSTOMERS // TAKEN_PHONES) == 0
        phone = (
            f"+1613555{1000 + i // (CUSTOMERS // TAKEN_PHONES):04d}" if taken else f"+1514555{1000 + i:04d}"
        )
        rows.append(
            {"email": f"mw{i}@example.com", "first": "Ada", "last": LAST_NAMES[i % 5], "phone": phone}
        )
    return rows


def order_rows():
    return [
        {
            "order_id": f"MW-{i}",
            "email": f"buyer{i}@example.com",
            "note": "Ada's gift",
            "sku": f"NOPE-{i}" if i % (ORDERS // UNKNOWN_SKUS) == 0 else "MUG",
            "qty": 1,
        }
        for i in range(ORDERS)
    ]


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def dead_letters(base, bearer, sync_id):
    request = urllib.request.Request(f"{base}/syncs/{sync_id}", headers={"Authorization": f"Bearer {bearer}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_multiwoven_sees_the_truth(deployment, monkeypatch):
    shop = deployment.add_shop()
    token = deployment.shops[shop]
    deployment.start_worker(concurrency=3)
    products = [{"handle": "mug", "title": "Mug", "sku": "MUG", "price": "7.50"}]
    assert deployment.sync(shop, products, PRODUCT_MAPPING, resource="products")[0] == 0
    control = SimulatorControl(deployment.sim.base_url)
    for n in range(TAKEN_PHONES):  # customers another app made: their phones are taken
        control.seed_customer(shop, token, f"other{n}@example.com", f"+1613555{1000 + n:04d}")
    bearer = secrets.token_urlsafe(24)
    monkeypatch.setenv("MW_SHOPIFY_BEARER", f"Bearer {bearer}")  # on the Multiwoven server
    base = start_serve(deployment, bearer)
    headers = {"Authorization": "ENV['MW_SHOPIFY_BEARER']"}
    deployment.sim.state.faults = FaultConfig(error_rate=0.03, latency_ms=10, seed=11)
    try:
        customers = HttpDestination(f"{base}/shops/{shop}/customers/syncs/mw-7?key=email", headers)
        orders = HttpDestination(f"{base}/shops/{shop}/orders/syncs/mw-8?key=sourceIdentifier", headers)
        assert customers.check_connection() == orders.check_connection() == "succeeded"
        rows = customer_rows()
        before = deployment.sim.state.stats()["by_shop"][shop]["requests"]
        customer_run = customers.write_all([standard_mapping(r, CUSTOMER_MAPPING) for r in rows])
        customer_requests = deployment.sim.state.stats()["by_shop"][shop]["requests"] - before
        order_run = orders.write_all([standard_mapping(r, ORDER_MAPPING) for r in order_rows()])
    finally:
        deployment.sim.state.faults = FaultConfig()

    store = deployment.sim.state.shop(shop)
    ours = [c for c in store.customers.all() if c["email"].startswith("mw")]
    assert customer_run.success == len(ours) == CUSTOMERS - TAKEN_PHONES
    assert customer_run.failed == dead_letters(base, bearer, "mw-7")["dead_lettered"] == TAKEN_PHONES
    placed = store.orders.all()
    assert order_run.success == len(placed) == ORDERS - UNKNOWN_SKUS
    assert order_run.failed == dead_letters(base, bearer, "mw-8")["dead_lettered"] == UNKNOWN_SKUS
    assert set(customer_run.statuses) == set(order_run.statuses) == {200, 422}

    # Quotes arrive as the warehouse holds them: O'Brien, and '' only where the source had it.
    by_email = {c["email"]: c for c in ours}
    assert by_email["mw5@example.com"]["lastName"] == "O'Brien"
    allowed = {value for row in rows for value in strings(row) if "''" in value}
    doubled = {value for obj in [*ours, *placed] for value in strings(obj) if "''" in value}
    assert doubled <= allowed and doubled == {"it''s doubled at source"}
    assert {o["note"] for o in placed} == {"Ada's gift"}

    # One record per POST, yet records are packed: far fewer requests than records.
    assert customer_requests < 0.5 * CUSTOMERS, customer_requests
