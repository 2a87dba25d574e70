"""Source rows for benchmarks: the demo's columns and mappings (``producers/samples``), at any size.

One ``ShopRows`` per shop holds rows of the four resources, in the order a shop must sync them
(products first: orders and inventory name their SKUs), with about 2% invalid rows of each resource,
some refused before any request (validation, mapping) and some by Shopify (user errors). Each
resource's expected record keys are computed here, independently of the producer's code, so a check
can tell a lost record from one never sent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

Row = dict[str, Any]

# Products first: orders and inventory address variants by SKU.
RESOURCE_ORDER = ("products", "customers", "orders", "inventory")
PRIMARY_KEYS: dict[str, str | None] = {
    "products": None,  # rows are grouped by handle; the record key is "handle:<handle>"
    "customers": "customer_id",
    "orders": "order_id",
    "inventory": "row_id",
}
# Share of a shop's records per resource (inventory takes the rest).
SHARES = {"customers": 0.45, "products": 0.10, "orders": 0.20}
INVALID_EVERY = 50  # one invalid record in 50
LOCATIONS = ("Main warehouse", "Store front")
TAKEN_PHONE = "+19995550000"  # held by a customer seeded before the run: records using it get TAKEN
SIZES = ("S", "M", "L")
COLORS = ("Black", "White", "Navy")


def sample_mapping(resource: str) -> Path:
    """The demo's mapping for ``resource``."""
    return Path(str(resources.files("producers.samples").joinpath(f"{resource}.mapping.json")))


@dataclass
class ShopRows:
    """Rows of one shop, by resource, and the record keys each resource's sync must settle."""

    shop: str
    flip: int = 0  # which kind of invalid record comes first (it alternates from shop to shop)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    # record keys invalid by construction, per resource: the only records that may end dead-lettered
    invalid: dict[str, set[str]] = field(default_factory=dict)
    # inventory record key -> (sku, location name, quantity), to compare with the shop's levels
    quantities: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    @property
    def records(self) -> int:
        """Records (not rows: a product's variant rows are one record) over all resources."""
        return sum(len(k) for k in self.keys.values())


def record_counts(total: int) -> dict[str, int]:
    """Records per resource for a shop of ``total`` records (at least one of each)."""
    counts = {name: max(1, round(total * share)) for name, share in SHARES.items()}
    counts["inventory"] = max(1, total - sum(counts.values()))
    return counts


def shop_rows(shop: str, total: int, seed: int) -> ShopRows:
    """About ``total`` records for ``shop`` over the four resources."""
    rng = random.Random(f"{seed}-{shop}")
    counts = record_counts(total)
    out = ShopRows(shop, flip=seed % 2)
    skus = _products(out, counts["products"], rng)
    emails = _customers(out, counts["customers"], rng)
    _orders(out, counts["orders"], skus, emails, rng)
    _inventory(out, counts["inventory"], skus, rng)
    return out


def _invalid(index: int, count: int, flip: int = 0) -> int | None:
    """Which kind of invalid record number ``index`` of ``count`` is (0 or 1, alternating), or None.

    One record in 50 is invalid, and at least one of any resource with two records or more.
    """
    offset = min(INVALID_EVERY // 2, count // 2)
    if count < 2 or index % INVALID_EVERY != offset:
        return None
    return (index // INVALID_EVERY + flip) % 2


def _products(out: ShopRows, count: int, rng: random.Random) -> list[str]:
    """``count`` products of 1 to 3 variant rows; returns the SKUs of valid products."""
    rows: list[Row] = []
    keys: list[str] = []
    skus: list[str] = []
    for n in range(count):
        handle = f"bench-{n:05d}"
        kind = _invalid(n, count, out.flip)
        if kind == 0:
            handle = f"Bench {n}!"  # not a handle: refused by the model before any request
        variants = [(size, color) for size in SIZES for color in COLORS][: rng.randint(1, 3)]
        for size, color in variants:
            sku = f"B{n:05d}-{size}-{color.upper()}"
            rows.append(
                {
                    "handle": handle, "title": f"Bench product {n}", "vendor": "Acme",
                    "product_type": "Bench", "status": "active", "tags": "bench, chaos", "size": size,
                    "color": color, "sku": sku, "price": "free" if kind == 1 else f"{5 + n % 50}.90",
                    "compare_at": "", "cost": "2.5",
                }
            )  # fmt: skip
            if kind is None:
                skus.append(sku)
        keys.append(f"handle:{handle}")
        if kind is not None:
            out.invalid.setdefault("products", set()).add(keys[-1])
    out.rows["products"], out.keys["products"] = rows, keys
    return skus


def _customers(out: ShopRows, count: int, rng: random.Random) -> list[str]:
    """``count`` customers (one row each); returns the emails of valid ones."""
    rows: list[Row] = []
    emails: list[str] = []
    for n in range(count):
        email = f"user.{n}@{out.shop}.example.com"
        row = {
            "customer_id": f"C{n:06d}", "first_name": rng.choice(("Ada", "Grace", "Alan", "Edsger")),
            "last_name": rng.choice(("Lovelace", "Hopper", "Turing", "Dijkstra")), "email": email,
            "phone": f"+14{n:09d}", "city": "Ottawa", "zip": "K1A 0B1", "country": "CA", "province": "ON",
            "segment": rng.choice(("vip", "retail")), "signup_date": f"2024-0{1 + n % 9}-1{n % 10}",
            "note": "",
        }  # fmt: skip
        kind = _invalid(n, count, out.flip)
        if kind == 0:
            row["email"] = f"user.{n}.example.com"  # refused by the model
        elif kind == 1:
            row["phone"] = TAKEN_PHONE  # refused by Shopify: "Phone has already been taken"
        else:
            emails.append(email)
        if kind is not None:
            out.invalid.setdefault("customers", set()).add(row["customer_id"])
        rows.append(row)
    out.rows["customers"], out.keys["customers"] = rows, [r["customer_id"] for r in rows]
    return emails


def _orders(out: ShopRows, count: int, skus: list[str], emails: list[str], rng: random.Random) -> None:
    """``count`` orders of one or two lines, by SKU, for customers of this shop."""
    rows: list[Row] = []
    keys: list[str] = []
    for n in range(count):
        order_id = f"SO-{n:06d}"
        kind = _invalid(n, count, out.flip)
        for line in range(1 + n % 2):
            row = {
                "order_id": order_id, "email": rng.choice(emails), "first_name": "Ada", "currency": "USD",
                "ordered_at": f"2025-0{1 + n % 9}-1{n % 10} 10:{n % 60:02d}", "sku": rng.choice(skus),
                "qty": str(1 + line), "shipping": "4.90", "status": rng.choice(("paid", "pending")),
                "city": "Ottawa", "country": "CA",
            }  # fmt: skip
            if kind == 0:
                row["qty"] = "0"  # refused by the model
            elif kind == 1:
                row["sku"] = f"NO-SUCH-SKU-{n}"  # refused by the worker: no variant has this SKU
            rows.append(row)
        keys.append(order_id)
        if kind is not None:
            out.invalid.setdefault("orders", set()).add(order_id)
    out.rows["orders"], out.keys["orders"] = rows, keys


def _inventory(out: ShopRows, count: int, skus: list[str], rng: random.Random) -> None:
    """``count`` quantities, each at a distinct (SKU, location)."""
    pairs = [(sku, location) for sku in skus for location in LOCATIONS]
    rng.shuffle(pairs)
    rows: list[Row] = []
    for n in range(count):
        sku, location = pairs[n % len(pairs)] if n < len(pairs) else (f"EXTRA-{n}", LOCATIONS[0])
        quantity = rng.randint(0, 500)
        row = {"row_id": f"I{n:06d}", "sku": sku, "warehouse": location, "quantity": str(quantity)}
        kind = _invalid(n, count, out.flip)
        if kind == 0:
            row["quantity"] = "lots"  # refused by the model
        elif kind == 1:
            row["sku"] = f"NO-SUCH-SKU-{n}"  # refused by the worker
        elif n < len(pairs):
            out.quantities[row["row_id"]] = (sku, location, quantity)
        if kind is not None or n >= len(pairs):  # an EXTRA- SKU names no variant either
            out.invalid.setdefault("inventory", set()).add(row["row_id"])
        rows.append(row)
    out.rows["inventory"], out.keys["inventory"] = rows, [r["row_id"] for r in rows]
