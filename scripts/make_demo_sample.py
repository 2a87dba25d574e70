"""Regenerate the demo's sample customers (producers/samples/customers.csv); deterministic."""

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


if __name__ == "__main__":
    main()
