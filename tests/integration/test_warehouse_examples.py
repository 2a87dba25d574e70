"""The warehouse-shaped examples (examples/warehouse) synced end to end: CLI producer, Redis, a Celery
worker process, the simulator over HTTP. Every row's outcome is checked, and ``mapping check`` must
say the same of every row as the sync does."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "warehouse"
PRIMARY_KEYS = {"products": None, "customers": "customer_id", "orders": "order_id", "inventory": "row_id"}


def sync_example(deployment, shop: str, resource: str) -> tuple[int, dict]:
    key = PRIMARY_KEYS[resource]
    done = deployment.cli(
        "sync", "--shops", str(deployment.shops_file), "--shop", shop, "--resource", resource,
        "--mapping", str(EXAMPLES / f"{resource}.mapping.json"), "--input", str(EXAMPLES / f"{resource}.csv"),
        "--json", "--timeout", "240", *(["--primary-key", key] if key else []),
    )  # fmt: skip
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def checked(deployment, resource: str) -> dict[str, str]:
    """``mapping check``'s verdict per record key: ``ok``, ``superseded`` or the invalid field."""
    key = PRIMARY_KEYS[resource]
    done = deployment.cli(
        "mapping", "check", "--resource", resource, "--mapping", str(EXAMPLES / f"{resource}.mapping.json"),
        "--input", str(EXAMPLES / f"{resource}.csv"), "--rows", "1000",
        *(["--primary-key", key] if key else []),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return {
        line["key"]: "ok"
        if "payload" in line
        else "superseded"
        if "superseded" in line
        else line["invalid"]["field"]
        for line in lines
    }


def test_warehouse_examples_sync_row_by_row_as_mapping_check_says(deployment):
    shop = deployment.add_shop()
    deployment.start_worker()
    state = deployment.sim.state.shop(shop)

    _, report = sync_example(deployment, shop, "products")
    assert (report["total"], report["synced"], report["dead_lettered"]) == (6, 5, 1), report
    products = {p["handle"]: p for p in state.products.all()}
    assert sorted(products) == ["wh-gift-card", "wh-mug", "wh-poster", "wh-socks", "wh-tee"]
    options = {
        h: [(o["name"], [v["name"] for v in o["optionValues"]]) for o in p["options"]]
        for h, p in products.items()
    }
    assert options["wh-tee"] == [("Size", ["S", "M"]), ("Color", ["Red", "Blue"])]
    assert options["wh-mug"] == [("Size", ["One size"])]  # Option2/3 blank: one option, not three
    assert options["wh-gift-card"] == [("Title", ["Default Title"])]  # no option: Shopify's default
    assert options["wh-socks"] == [("Size", ["M", "L"]), ("Fabric", ["Wool"])]  # values follow their names
    assert len(products["wh-tee"]["variants"]) == 3
    assert_agree(deployment, "products", report, expected={"handle:wh-broken": "variants.0.price"})

    _, report = sync_example(deployment, shop, "customers")
    assert (report["total"], report["synced"], report["dead_lettered"]) == (6, 4, 2), report
    customers = {c["email"]: c for c in state.customers.all()}
    assert customers["ada.wh@example.com"]["emailMarketingConsent"]["marketingState"] == "SUBSCRIBED"
    assert [a["city"] for a in customers["ada.wh@example.com"]["addresses"]] == ["London"]
    assert [a["city"] for a in customers["alan.wh@example.com"]["addresses"]] == ["Wilmslow"]
    assert "grace.wh@example.com" in customers and "katherine.wh@example.com" in customers
    assert_agree(deployment, "customers", report, expected={"WC-5": "addresses", "WC-6": "email"})

    _, report = sync_example(deployment, shop, "orders")
    assert (report["total"], report["synced"], report["dead_lettered"]) == (4, 2, 2), report
    orders = {o["sourceIdentifier"]: o for o in state.orders.all()}
    assert sorted(orders) == ["WO-1001", "WO-1002"]
    assert orders["WO-1001"]["processedAt"].startswith("2024-01-26T09:20:00")
    assert [li["quantity"] for li in orders["WO-1001"]["lineItems"]] == [2, 1]
    assert [li["title"] for li in orders["WO-1002"]["lineItems"]] == ["Engraving"]  # blank line dropped
    assert_agree(deployment, "orders", report, expected={"WO-1003": "lineItems", "WO-1004": "processedAt"})

    _, report = sync_example(deployment, shop, "inventory")
    assert (report["total"], report["synced"], report["superseded"], report["dead_lettered"]) == (6, 3, 1, 2)
    items = {v["sku"]: v["inventoryItem"]["id"] for p in state.products.all() for v in p["variants"]}
    [main] = [loc["id"] for loc in state.locations.all() if loc["name"] == "Main warehouse"]
    assert state.inventory.quantity(items["WH-TEE-S-RED"], main) == 38  # the later row (I-4) won
    assert state.inventory.quantity(items["WH-MUG"], main) == 12  # I-5 (blank quantity) wrote nothing
    expected = {"I-1": "superseded", "I-5": "quantity", "I-6": "user_error"}
    assert_agree(deployment, "inventory", report, expected=expected)


def assert_agree(deployment, resource: str, report: dict, *, expected: dict[str, str]) -> None:
    """Every record not listed in ``expected`` was synced, and ``mapping check`` agrees on every record."""
    listed = deployment.cli("dlq", "list", "--sync", report["sync_id"], "--json").stdout
    dead = {d["record_key"]: d["reason"] for d in map(json.loads, listed.splitlines())}
    check = checked(deployment, resource)
    synced = (
        {k for k, v in check.items() if v == "ok"}
        - set(dead)
        - {k for k, v in expected.items() if v == "superseded"}
    )
    sync_says = {k: "ok" for k in synced}
    for key, reason in dead.items():
        invalid = reason["category"] in ("validation", "mapping")
        sync_says[key] = reason["field"] if invalid else "user_error"
    for key, verdict in check.items():
        if verdict == "superseded":
            sync_says[key] = "superseded"
    assert {k: v for k, v in sync_says.items() if v != "ok"} == expected, (sync_says, check)
    assert report["synced"] == len(synced)
    shopify_refused = {k for k, v in expected.items() if v == "user_error"}
    assert {k: v for k, v in check.items() if k not in shopify_refused} == {
        k: v for k, v in sync_says.items() if k not in shopify_refused
    }
