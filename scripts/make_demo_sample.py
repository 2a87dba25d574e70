"""Regenerate the demo's sample rows (producers/samples/*.csv) for all four resources; deterministic."""

from __future__ import annotations

import csv
import random
from pathlib import Path

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Margaret",
    "Dennis",
    "Radia",
    "Tim",
    "Katherine",
    "John",
    "Hedy",
    "Linus",
    "Anita",
    "Guido",
    "Sophie",
    "Niklaus",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Perlman",
    "Berners-Lee",
    "Johnson",
    "McCarthy",
    "Lamarr",
    "Torvalds",
    "Borg",
    "van Rossum",
    "Wilson",
    "Wirth",
    "O'Brien",
    "Ñúñez",
    "Müller",
]
CITIES = [
    ("Ottawa", "K1A 0B1", "CA", "ON"),
    ("Berlin", "10115", "DE", ""),
    ("Austin", "73301", "US", "TX"),
    ("Lyon", "69001", "FR", ""),
    ("Sydney", "2000", "AU", "NSW"),
]
SEGMENTS = ["vip", "wholesale", "newsletter", "retail"]
COLUMNS = [
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "city",
    "zip",
    "country",
    "province",
    "segment",
    "signup_date",
    "note",
]


def main(rows: int = 300, seed: int = 2026) -> None:
    rng = random.Random(seed)
    out = Path(__file__).resolve().parent.parent / "producers" / "samples" / "customers.csv"
    records = []
    for i in range(1, rows + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, zip_code, country, province = rng.choice(CITIES)
        records.append(
            {
                "customer_id": f"C{i:05d}",
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}.{i}@example.com",
                "phone": f"+1415555{i:04d}",
                "city": city,
                "zip": zip_code,
                "country": country,
                "province": province,
                "segment": rng.choice(SEGMENTS),
                "signup_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "note": "",
            }
        )
    # Invalid rows, each for a different reason. Caught before any request:
    records[9]["email"] = "not-an-email"
    records[49]["email"] = "grace.hopper.example.com"
    records[89]["country"] = "United Kingdom"
    records[129]["note"] = "x" * 5001
    records[169]["signup_date"] = "31/12/2024"
    # Rejected by Shopify with userErrors:
    records[199]["phone"] = records[0]["phone"]  # phone already taken
    records[239]["phone"] = records[1]["phone"]  # phone already taken
    records[279].update(first_name="", last_name="", email="", phone="")  # nothing to identify a customer
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    print(f"wrote {rows} rows to {out}")


SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
COLORS = [
    "Black",
    "White",
    "Navy",
    "Red",
    "Green",
    "Grey",
    "Sand",
    "Olive",
    "Teal",
    "Plum",
    "Rust",
    "Sky",
    "Lime",
    "Coral",
    "Mint",
    "Gold",
    "Ink",
    "Rose",
    "Stone",
    "Moss",
    "Berry",
    "Ash",
    "Cocoa",
    "Denim",
    "Cream",
]
PRODUCT_COLUMNS = [
    "handle",
    "title",
    "vendor",
    "product_type",
    "status",
    "tags",
    "size",
    "color",
    "sku",
    "price",
    "compare_at",
    "cost",
]


def products(out: Path) -> list[str]:
    """A 150-variant hoodie, 20 small products, and invalid rows of several kinds; returns the valid SKUs."""
    rows = []
    for size in SIZES:
        for color in COLORS:
            rows.append(
                {
                    "handle": "demo-hoodie",
                    "title": "Demo Hoodie",
                    "vendor": "Acme",
                    "product_type": "Hoodies",
                    "status": "active",
                    "tags": "demo, winter",
                    "size": size,
                    "color": color,
                    "sku": f"HOODIE-{size}-{color.upper()}",
                    "price": "59.00",
                    "compare_at": "79",
                    "cost": "21.5",
                }
            )
    for n in range(1, 21):
        for size in SIZES[1 : 1 + (n % 3) + 1]:
            rows.append(
                {
                    "handle": f"demo-item-{n:02d}",
                    "title": f"Demo Item {n}",
                    "vendor": "Acme",
                    "product_type": "Accessories",
                    "status": "active",
                    "tags": "demo",
                    "size": size,
                    "color": "Black",
                    "sku": f"ITEM{n:02d}-{size}",
                    "price": f"{9 + n}.50",
                    "compare_at": "",
                    "cost": "3",
                }
            )
    valid_skus = [r["sku"] for r in rows]
    base = {
        "vendor": "Acme",
        "product_type": "Broken",
        "status": "active",
        "tags": "",
        "color": "Black",
        "compare_at": "",
        "cost": "1",
    }
    rows += [
        {**base, "handle": "Bad Handle!", "title": "Bad handle", "size": "M", "sku": "BAD-1", "price": "5"},
        {
            **base,
            "handle": "demo-broken-price",
            "title": "Broken price",
            "size": "M",
            "sku": "BAD-2",
            "price": "free",
        },
        {**base, "handle": "demo-dupe", "title": "Dupe", "size": "M", "sku": "BAD-3", "price": "5"},
        {**base, "handle": "demo-dupe", "title": "Dupe", "size": "M", "sku": "BAD-4", "price": "5"},
        {**base, "handle": "", "title": "No handle", "size": "M", "sku": "BAD-5", "price": "5"},
    ]
    _write(out / "products.csv", PRODUCT_COLUMNS, rows)
    return valid_skus


def orders(out: Path, skus: list[str]) -> None:
    """30 orders by SKU, and 3 invalid ones (unknown SKU, zero quantity, bad currency)."""
    rng = random.Random(7)
    item_skus = [s for s in skus if s.startswith("ITEM")]
    rows = []
    for n in range(1, 31):
        sku = rng.choice(item_skus)
        rows.append(
            {
                "order_id": f"SO-{n:04d}",
                "email": f"ada.{n}@example.com",
                "first_name": "Ada",
                "currency": "USD",
                "ordered_at": f"2026-11-{1 + n % 27:02d} 10:{n:02d}",
                "sku": sku,
                "qty": str(1 + n % 3),
                "shipping": "4.90",
                "status": rng.choice(["paid", "pending"]),
                "city": "Ottawa",
                "country": "CA",
            }
        )
    rows += [
        {**rows[0], "order_id": "SO-0031", "sku": "NOPE-123"},
        {**rows[1], "order_id": "SO-0032", "qty": "0"},
        {**rows[2], "order_id": "SO-0033", "currency": "dollars"},
    ]
    _write(out / "orders.csv", list(rows[0]), rows)


def inventory(out: Path, skus: list[str]) -> None:
    """Quantities for every item SKU at two locations, and 3 invalid rows."""
    rows = [
        {"sku": s, "warehouse": "Main warehouse", "quantity": str(10 + i % 40)} for i, s in enumerate(skus)
    ]
    rows += [{"sku": s, "warehouse": "Store front", "quantity": "3"} for s in skus if s.startswith("ITEM")]
    rows += [
        {"sku": skus[0], "warehouse": "Moon base", "quantity": "1"},
        {"sku": "NO-SUCH-SKU", "warehouse": "Main warehouse", "quantity": "1"},
        {"sku": skus[1], "warehouse": "Main warehouse", "quantity": "lots"},
    ]
    _write(out / "inventory.csv", ["sku", "warehouse", "quantity"], rows)


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {path}")


def all_samples() -> None:
    main()
    out = Path(__file__).resolve().parent.parent / "producers" / "samples"
    skus = products(out)
    orders(out, skus)
    inventory(out, skus)


if __name__ == "__main__":
    all_samples()
