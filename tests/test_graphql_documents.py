"""Every GraphQL document the worker can send validates against Shopify's real 2026-07 Admin schema,
and so do the variables each resource builds: sample records are written through the resources with a
`send` that checks each request against the real schema before handing it to the simulator."""

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from settings import ShopConfig
from simulator import ShopSpec, SimulatorState, run_in_thread
from tests.support.admin_schema import load_admin_schema
from worker.client import GraphQLResult, ShopifyClient
from worker.packing import packed_document, packed_variables
from worker.resources import RESOURCES, WriteContext

SAMPLE_RECORDS: dict[str, list[dict[str, Any]]] = {
    "customers": [
        {
            "email": "ada@example.com",
            "firstName": "Ada",
            "tags": ["vip"],
            "taxExempt": True,
            "addresses": [{"city": "Ottawa", "countryCode": "CA", "provinceCode": "ON", "zip": "K1A 0B1"}],
        },
        {
            "phone": "+14155550100",
            "lastName": "Hopper",
            "note": "n",
            "locale": "en",
            "smsMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"},
        },
        {
            "email": "mf@example.com",
            "emailMarketingConsent": {
                "marketingState": "SUBSCRIBED",
                "marketingOptInLevel": "SINGLE_OPT_IN",
                "consentUpdatedAt": "2026-01-02",
            },
            "metafields": [
                {"namespace": "erp", "key": f"k{i}", "type": "single_line_text_field", "value": "v"}
                for i in range(30)
            ],
        },
        {"email": "ada@example.com", "firstName": "Ada B."},
        {"firstName": "Only a name"},
    ],
    "products": [
        {
            "handle": "tee",
            "title": "Tee",
            "status": "ACTIVE",
            "tags": "a, b",
            "vendor": "Acme",
            "seo": {"title": "Tee"},
            "options": ["Size", "Color"],
            "metafields": [{"namespace": "erp", "key": "id", "type": "single_line_text_field", "value": "1"}],
            "variants": [
                {
                    "option1": "S",
                    "option2": "Red",
                    "sku": "TEE-S",
                    "price": 10,
                    "cost": 4,
                    "tracked": True,
                    "weight": 0.2,
                    "compareAtPrice": "12",
                },
                {
                    "option1": "M",
                    "option2": "Red",
                    "sku": "TEE-M",
                    "price": "10.5",
                    "inventoryPolicy": "DENY",
                },
            ],
        },
        {"handle": "mug", "title": "Mug", "variants": [{"sku": "MUG", "price": 7}]},
    ],
    "orders": [
        {
            "sourceIdentifier": "SO-1",
            "email": "ada@example.com",
            "currency": "USD",
            "lineItems": [{"sku": "TEE-S", "quantity": 2}, {"title": "Wrap", "price": 2, "quantity": 1}],
            "shippingLines": [{"title": "Std", "price": 5}],
            "taxLines": [{"title": "VAT", "rate": 0.2}],
            "transactions": [{"amount": "27"}],
            "financialStatus": "PAID",
            "customer": {"email": "ada@example.com", "firstName": "Ada"},
            "discountCode": {"code": "TEN", "type": "fixed", "amount": 1},
            "shippingAddress": {"city": "Ottawa", "countryCode": "CA"},
            "tags": "web",
        },
        {
            "sourceIdentifier": "SO-1",
            "email": "ada@example.com",
            "lineItems": [{"sku": "TEE-S", "quantity": 2}],
            "note": "updated",
            "closed": True,
            "markAsPaid": True,
            "cancel": {"reason": "CUSTOMER", "restock": True},
        },
    ],
    "inventory": [
        {"sku": "TEE-S", "location": "Main warehouse", "quantity": 5},
        {
            "sku": "TEE-M",
            "location": "Main warehouse",
            "quantity": 3,
            "previousQuantity": 0,
            "name": "available",
        },
    ],
}
# Resources whose samples need others written first (SKUs must exist).
ORDER = ["customers", "products", "orders", "inventory"]


def check_request(document: str, variables: Mapping[str, Any]) -> None:
    schema = load_admin_schema()
    parsed = parse(document)
    errors = validate(schema, parsed)
    assert errors == [], [e.message for e in errors]
    [operation] = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    coerced = get_variable_values(schema, operation.variable_definitions, dict(variables))
    assert isinstance(coerced, dict), [e.message for e in coerced]


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_document_validates_against_the_real_schema(name):
    assert RESOURCES[name].documents
    for document in RESOURCES[name].documents:
        errors = validate(load_admin_schema(), parse(document))
        assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize("name", sorted(n for n, r in RESOURCES.items() if r.packable))
def test_packed_documents_and_their_variables_fit_the_real_schema(name):
    resource = RESOURCES[name]
    models = [resource.validate(r) for r in SAMPLE_RECORDS[name]]
    document = packed_document(resource.mutation, len(models))
    check_request(document, packed_variables([resource.build_variables(m) for m in models]))


def test_requests_built_from_records_fit_the_real_schema():
    sent: dict[str, set[str]] = {}
    state = SimulatorState([ShopSpec(name="docs", access_token="shpat_docs")])
    with run_in_thread(state) as sim:
        shop = ShopConfig(shop_name="docs", access_token="shpat_docs", admin_url=sim.shop_url("docs"))

        async def run() -> list[tuple[str, Any]]:
            async with aiohttp.ClientSession() as session:
                client = ShopifyClient(session, shop)
                results: list[tuple[str, Any]] = []
                for name in ORDER:
                    resource = RESOURCES[name]
                    documents = sent.setdefault(name, set())

                    async def send(document: str, variables: Mapping[str, Any], *, cost: Any = None,
                                   _documents: set[str] = documents) -> GraphQLResult:  # fmt: skip
                        check_request(document, variables)
                        _documents.add(document)
                        return await client.execute(document, variables)

                    models = [resource.validate(r) for r in SAMPLE_RECORDS[name]]
                    units = [models] if resource.chunk_size > 1 else [[m] for m in models]
                    for i, unit in enumerate(units):
                        keys = tuple(f"{name}-{i}-{j}" for j in range(len(unit)))
                        ctx = WriteContext(
                            shop="docs", sync_id="s", record_keys=keys, idempotency_key=f"{name}{i}"
                        )
                        results += [(name, r) for r in await resource.write(unit, send, ctx)]
                return results

        results = asyncio.run(run())
    assert all(isinstance(r, str) and r.startswith("gid://shopify/") for _, r in results), results
    for name, documents in sent.items():
        assert documents <= set(RESOURCES[name].documents)
    assert len(sent["orders"]) >= 5  # find, create, update and status mutations all went through
    assert len(sent["customers"]) == 4  # customerSet, both consents, metafieldsSet


def test_every_resource_has_sample_records():
    assert set(SAMPLE_RECORDS) == set(RESOURCES)


def test_the_paused_shop_probe_validates_against_the_real_schema():
    from worker.batch import PROBE

    assert validate(load_admin_schema(), parse(PROBE)) == []


def test_bulk_documents_validate_against_the_real_schema():
    from worker.bulk.documents import DOCUMENTS

    for document in DOCUMENTS:
        assert validate(load_admin_schema(), parse(document)) == [], document


@pytest.mark.parametrize("name", ["products", "customers", "inventory"])
def test_bulk_lines_fit_the_inner_mutation_in_the_real_schema(name):
    """Each line of a bulk file holds the variables of the mutation the per-request path sends."""
    from worker.bulk.adapters import bulk_adapter
    from worker.bulk.documents import inner_mutation

    resource = RESOURCES[name]
    adapter = bulk_adapter(resource)
    assert adapter is not None
    mutation = inner_mutation(adapter.mutation, "task-1-0")
    models = [resource.validate(r) for r in SAMPLE_RECORDS[name]]
    if name == "inventory":  # lookups answered as the shop would
        ids = {"TEE-S": "gid://shopify/InventoryItem/1", "TEE-M": "gid://shopify/InventoryItem/2"}
        models = [m.model_copy(update={"inventory_item_id": ids[m.sku], "location_id": "gid://shopify/Location/1"})
                  for m in models]  # fmt: skip
    ctx = WriteContext(shop="docs", sync_id="s", record_keys=tuple(f"k{i}" for i in range(len(models))),
                       idempotency_key="bulk-task-1")  # fmt: skip

    async def no_lookups(document: str, variables: Mapping[str, Any], *, cost: Any = None) -> GraphQLResult:
        raise AssertionError("no lookup expected")

    lines = asyncio.run(adapter.variables([m for m in models if adapter.eligible(m)], no_lookups, ctx))
    assert lines and all(isinstance(line, dict) for line in lines)
    for line in lines:
        check_request(mutation, line)


def test_orders_have_no_bulk_path():
    from worker.bulk.adapters import bulk_adapter

    assert bulk_adapter(RESOURCES["orders"]) is None
