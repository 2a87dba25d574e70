"""Each resource created and then updated through the whole pipeline (CLI producer, Redis, a Celery
worker process, the simulator over HTTP), and read back from the simulator's store."""

import pytest

pytestmark = pytest.mark.integration


def standard(*pairs):
    return [{"mapping_type": "standard", "from": src, "to": dst} for src, dst in pairs]


PRODUCT_MAPPING = [
    *standard(
        ("handle", "handle"),
        ("title", "title"),
        ("size", "variants[].option1"),
        ("sku", "variants[].sku"),
        ("price", "variants[].price"),
        ("tags", "tags"),
    ),
    {"mapping_type": "static", "from": "Size", "to": "options[]"},
]


def test_products_grouped_created_then_updated_with_the_variant_list_replaced(deployment):
    shop = deployment.add_shop()
    deployment.start_worker()
    sizes = [f"S{i}" for i in range(150)]
    rows = [
        {"handle": "big-tee", "title": "Big Tee", "size": s, "sku": f"BT-{s}", "price": "10", "tags": "a, b"}
        for s in sizes
    ]
    rows.append({"handle": "mug", "title": "Mug", "size": "One", "sku": "MUG", "price": 7.5, "tags": ""})
    code, report = deployment.sync(shop, rows, PRODUCT_MAPPING, resource="products")
    assert code == 0 and (report["total"], report["synced"]) == (2, 2), report
    store = deployment.sim.state.shop(shop).products
    [tee] = [p for p in store.all() if p["handle"] == "big-tee"]
    assert len(tee["variants"]) == 150 and tee["tags"] == ["a", "b"]
    created_id = tee["id"]

    update = [{**r, "price": "12.5", "title": "Big Tee v2"} for r in rows[:3]]  # only three sizes remain
    code, report = deployment.sync(shop, update, PRODUCT_MAPPING, resource="products")
    assert code == 0 and report["synced"] == 1, report
    [tee] = [p for p in store.all() if p["handle"] == "big-tee"]
    assert tee["title"] == "Big Tee v2" and tee["id"] == created_id  # upserted by handle, not re-created
    assert sorted(v["sku"] for v in tee["variants"]) == ["BT-S0", "BT-S1", "BT-S2"]
    assert {v["price"] for v in tee["variants"]} == {"12.50"}
    assert len(store.all()) == 2


def test_customers_created_then_updated(deployment):
    shop = deployment.add_shop()
    deployment.start_worker()
    mapping = standard(
        ("email", "email"), ("first", "firstName"), ("tags", "tags"), ("city", "addresses[].city")
    )
    rows = [
        {"id": f"c{i}", "email": f"u{i}@example.com", "first": "Ada", "tags": "x", "city": "Ottawa"}
        for i in range(5)
    ]
    assert deployment.sync(shop, rows, mapping, "--primary-key", "id")[0] == 0
    rows[0].update(first="Grace", tags="vip, y", city="Paris")
    code, report = deployment.sync(shop, rows[:1], mapping, "--primary-key", "id", "--sync-id", "nightly-1")
    assert code == 0 and report["synced"] == 1
    reused = deployment.cli(
        "sync",
        "--shops",
        str(deployment.shops_file),
        "--shop",
        shop,
        "--resource",
        "customers",
        "--mapping",
        str(deployment.tmp / "mapping.json"),
        "--input",
        str(deployment.tmp / "x.jsonl"),
        "--sync-id",
        "nightly-1",
    )
    assert reused.returncode == 2 and "was used before" in reused.stderr
    customers = {c["email"]: c for c in deployment.sim.state.shop(shop).customers.all()}
    assert len(customers) == 5
    first = customers["u0@example.com"]
    assert first["firstName"] == "Grace" and first["tags"] == ["vip", "y"]
    assert [a["city"] for a in first["addresses"]] == ["Paris"]  # the address list was replaced


ORDER_MAPPING = [
    *standard(
        ("email", "email"),
        ("sku", "lineItems[].sku"),
        ("qty", "lineItems[].quantity"),
        ("note", "note"),
        ("closed", "closed"),
        ("tags", "tags"),
    ),
]


def test_orders_created_once_despite_a_lost_answer_then_updated_and_closed(deployment):
    shop = deployment.add_shop()
    deployment.start_worker()
    products = [{"handle": "mug", "title": "Mug", "size": "One", "sku": "MUG", "price": 7.5, "tags": ""}]
    assert deployment.sync(shop, products, PRODUCT_MAPPING, resource="products")[0] == 0
    deployment.sim.state.drop_answers("orderCreate", 2)
    orders = [
        {
            "order_id": f"SO-{i}",
            "email": f"o{i}@example.com",
            "sku": "MUG",
            "qty": 2,
            "note": "",
            "closed": "",
            "tags": "web",
        }
        for i in range(4)
    ]
    code, report = deployment.sync(
        shop, orders, ORDER_MAPPING, "--primary-key", "order_id", resource="orders"
    )
    assert code == 0 and report["synced"] == 4, report
    store = deployment.sim.state.shop(shop).orders
    assert sorted(o["sourceIdentifier"] for o in store.all()) == [
        "SO-0",
        "SO-1",
        "SO-2",
        "SO-3",
    ]  # none twice
    assert sum(deployment.sim.state.answer_drops.snapshot()["dropped"].values()) == 2

    orders[1].update(note="gift", closed="yes", tags="web, vip")
    code, report = deployment.sync(
        shop, orders[1:2], ORDER_MAPPING, "--primary-key", "order_id", resource="orders"
    )
    assert code == 0 and report["synced"] == 1, report
    [order] = [o for o in store.all() if o["sourceIdentifier"] == "SO-1"]
    assert order["note"] == "gift" and order["closed"] and sorted(order["tags"]) == ["vip", "web"]
    assert len(store.all()) == 4


def test_inventory_set_then_compare_and_swap(deployment):
    shop = deployment.add_shop()
    deployment.start_worker()
    products = [
        {"handle": "mug", "title": "Mug", "size": s, "sku": f"MUG-{s}", "price": 7, "tags": ""}
        for s in ("S", "M")
    ]
    assert deployment.sync(shop, products, PRODUCT_MAPPING, resource="products")[0] == 0
    mapping = standard(("sku", "sku"), ("loc", "location"), ("qty", "quantity"), ("prev", "previousQuantity"))
    rows = [
        {"sku": "MUG-S", "loc": "Main warehouse", "qty": 10, "prev": ""},
        {"sku": "MUG-M", "loc": "Main warehouse", "qty": 4, "prev": ""},
    ]
    code, report = deployment.sync(shop, rows, mapping, resource="inventory")
    assert code == 0 and report["synced"] == 2, report

    # The source saw 10 and 99: the first compare-and-swap holds, the second is stale and dead-lettered.
    rows = [{**rows[0], "qty": 7, "prev": 10}, {**rows[1], "qty": 1, "prev": 99}]
    code, report = deployment.sync(shop, rows, mapping, resource="inventory")
    assert code == 1 and (report["synced"], report["dead_lettered"]) == (1, 1), report
    state = deployment.sim.state.shop(shop)
    items = {v["sku"]: v["inventoryItem"]["id"] for p in state.products.all() for v in p["variants"]}
    [main] = [loc["id"] for loc in state.locations.all() if loc["name"] == "Main warehouse"]
    assert state.inventory.quantity(items["MUG-S"], main) == 7
    assert state.inventory.quantity(items["MUG-M"], main) == 4  # the stale write changed nothing
    listed = deployment.cli("dlq", "list", "--sync", report["sync_id"], "--json").stdout
    assert "CHANGE_FROM_QUANTITY_STALE" in listed
