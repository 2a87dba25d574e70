"""Rows mapped in forked processes come back in order, and prepare() gives the same records as without."""

from __future__ import annotations

import itertools
import os

import pytest

from producers import parallel
from producers.mapping import Mapping
from producers.parallel import CHUNK_ROWS, CHUNKS_AHEAD_PER_PROCESS, map_rows
from producers.pipeline import InvalidRecord
from producers.records import prepare
from worker.resources import get_resource

CUSTOMERS = Mapping.parse(
    [
        {"mapping_type": "standard", "from": "mail", "to": "email"},
        {"mapping_type": "template", "from": "{{ n | match_regex: '^[A-Z]' }}", "to": "firstName"},
        {"mapping_type": "standard", "from": "city", "to": "addresses[].city"},
    ]
)
PRODUCTS = Mapping.parse(
    [
        {"mapping_type": "standard", "from": "handle", "to": "handle"},
        {"mapping_type": "standard", "from": "title", "to": "title"},
        {"mapping_type": "static", "from": "Size", "to": "options[]"},
        {"mapping_type": "standard", "from": "size", "to": "variants[].option1"},
        {"mapping_type": "standard", "from": "sku", "to": "variants[].sku"},
        {"mapping_type": "standard", "from": "price", "to": "variants[].price"},
    ]
)


def customer_rows(count: int) -> list[tuple[int, dict]]:
    rows = [
        (i, {"id": f"c{i % 900}", "mail": f"u{i}@x.io", "n": "Ada", "city": "Ottawa"}) for i in range(count)
    ]
    for i in range(7, count, 97):
        rows[i][1]["n"] = "lower"  # the template fails: a mapping problem
    for i in range(11, count, 89):
        rows[i][1]["mail"] = "not-an-email"  # a validation problem
    return rows


def as_comparable(items):
    return [
        ("invalid", i.record.key, i.record.payload, i.record.source, i.reason)
        if isinstance(i, InvalidRecord)
        else ("record", i.key, i.payload, i.source)
        for i in items
    ]


def test_map_rows_keeps_the_order_and_maps_in_other_processes():
    rows = [(n, {"n": n}) for n in range(5 * CHUNK_ROWS + 17)]

    def mapper(row):
        return row["n"] * 2, os.getpid()

    out = list(map_rows(rows, mapper, processes=2))
    assert [(n, row) for n, row, _ in out] == rows
    assert [doubled for _, _, (doubled, _) in out] == [n * 2 for n, _ in rows]
    assert os.getpid() not in {pid for _, _, (_, pid) in out}


@pytest.mark.parametrize("count, processes", [(CHUNK_ROWS, 2), (5 * CHUNK_ROWS, 0)])
def test_few_rows_or_no_processes_map_here(count, processes):
    out = list(map_rows([(n, {}) for n in range(count)], lambda _row: os.getpid(), processes=processes))
    assert len(out) == count and {pid for _, _, pid in out} == {os.getpid()}


def test_the_input_is_read_ahead_only_a_few_chunks():
    read = itertools.count()
    endless = ((next(read), {}) for _ in itertools.repeat(None))
    mapped = map_rows(endless, lambda row: row, processes=2)
    next(mapped)
    mapped.close()  # the pool is shut down; nothing hangs
    assert next(read) <= CHUNK_ROWS * (2 * CHUNKS_AHEAD_PER_PROCESS + 2)


def test_an_error_in_a_mapping_process_reaches_the_producer():
    def mapper(row):
        if row["n"] == CHUNK_ROWS + 3:
            raise RuntimeError("bug in a mapper")
        return row

    with pytest.raises(RuntimeError, match="bug in a mapper"):
        list(map_rows([(n, {"n": n}) for n in range(3 * CHUNK_ROWS)], mapper, processes=2))


def test_prepare_gives_the_same_records_with_processes():
    rows = customer_rows(4 * CHUNK_ROWS + 123)
    customers = get_resource("customers")
    serial = as_comparable(prepare(rows, CUSTOMERS, customers, primary_key="id"))
    forked = as_comparable(prepare(rows, CUSTOMERS, customers, primary_key="id", processes=2))
    assert forked == serial
    kinds = {(kind, item[-1].category if kind == "invalid" else None) for kind, *item in serial}
    assert kinds == {("record", None), ("invalid", "mapping"), ("invalid", "validation")}
    assert any("#row-" in key for _, key, *_ in serial)  # repeated primary keys stay unique


def test_prepare_groups_variant_rows_mapped_in_processes():
    rows = [
        (i, {"handle": f"p{i % 300}", "title": "T", "size": f"S{i // 300}", "sku": f"S{i}", "price": "9.50"})
        for i in range(3 * CHUNK_ROWS)
    ]
    products = get_resource("products")
    out = list(prepare(rows, PRODUCTS, products, processes=2))
    assert out == list(prepare(rows, PRODUCTS, products))
    assert len(out) == 300 and all(len(r.payload["variants"]) == 5 for r in out)


def test_without_fork_rows_are_mapped_here(monkeypatch):
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    out = list(map_rows([(n, {}) for n in range(3 * CHUNK_ROWS)], lambda _row: os.getpid(), processes=2))
    assert {pid for _, _, pid in out} == {os.getpid()}
