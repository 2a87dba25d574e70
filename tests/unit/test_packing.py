"""Request packing: aliased mutations in one document, answers mapped back to their records."""

import asyncio

import fakeredis
import pytest
from graphql import parse

from worker.batch import BatchWriter
from worker.client import GraphQLResult
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker
from worker.errors import ThrottledError, classify
from worker.gateway import ShopGateway
from worker.packing import alias, packed_document, packed_variables, root_field_count, unpacked
from worker.ratelimit import ShopLimiter
from worker.resources import WriteContext, get_resource
from worker.resources.customers import CUSTOMER_SET
from worker.retry import RetryPolicy


def test_a_packed_document_aliases_each_copy_and_suffixes_its_variables():
    document = packed_document(CUSTOMER_SET, 3)
    [operation] = parse(document).definitions
    assert [f.alias.value for f in operation.selection_set.selections] == ["m0", "m1", "m2"]
    assert [v.variable.name.value for v in operation.variable_definitions] == [
        "input_0", "identifier_0", "input_1", "identifier_1", "input_2", "identifier_2",
    ]  # fmt: skip
    assert root_field_count(document) == 3
    assert packed_variables([{"input": 1}, {"input": 2}]) == {"input_0": 1, "input_1": 2}


def test_only_a_single_mutation_can_be_packed():
    with pytest.raises(ValueError, match="one mutation"):
        packed_document("query Q { shop { name } }", 2)


def test_answers_come_back_shaped_as_single_ones():
    data = {"m0": {"customer": {"id": "a"}}, "m1": None}
    assert unpacked(data, "customerSet", 2) == [
        {"customerSet": {"customer": {"id": "a"}}},
        {"customerSet": None},
    ]


def customer_answer(n, errors=()):
    customer = None if errors else {"id": f"gid://shopify/Customer/{n}"}
    return {"customer": customer, "userErrors": [dict(e) for e in errors]}


class PackingShop:
    """Answers packed customerSet documents record by record; scripted failures per send."""

    shop = "acme"

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.sent = []

    async def execute(self, document, variables):
        count = root_field_count(document)
        self.sent.append(count)
        if self.failures:
            raise self.failures.pop(0)
        emails = [variables[f"input_{i}" if count > 1 else "input"].get("email", "") for i in range(count)]
        answers = [
            customer_answer(i, [{"field": ["input", "email"], "message": "taken", "code": "TAKEN"}])
            if email.startswith("taken")
            else customer_answer(i)
            for i, email in enumerate(emails)
        ]
        data = {"customerSet": answers[0]} if count == 1 else {alias(i): a for i, a in enumerate(answers)}
        return GraphQLResult(data, "req", 10 * count, 10 * count, None)


def writer_for(shop, *, max_records_per_request=25, capacity=2000.0):
    client = fakeredis.FakeRedis()
    keys = Keys("p")
    limiter = ShopLimiter(client, keys, default_capacity=capacity)
    tracker = SyncTracker(client, keys)
    tracker.start("s", shop="acme", resource="customers", total=60)

    async def no_sleep(_s):
        return None

    writer = BatchWriter(
        gateway=ShopGateway(shop, limiter, max_wait_s=5.0, sleep=no_sleep),
        resource=get_resource("customers"),
        recorder=OutcomeRecorder(
            tracker, DeadLetterStore(client, keys), shop="acme", sync_id="s", resource="customers"
        ),
        pauses=ShopPauses(client, keys),
        policy=RetryPolicy(max_attempts=3, base_backoff_s=0.001, max_backoff_s=0.01),
        sync_id="s",
        max_records_per_request=max_records_per_request,
        sleep=no_sleep,
    )
    return writer, DeadLetterStore(client, keys)


def records(n, taken=()):
    return [
        RecordEnvelope(key=f"r{i}", payload={"email": f"{'taken' if i in taken else 'u'}{i}@x.io"})
        for i in range(n)
    ]


def test_records_go_out_in_packs_and_each_gets_its_own_result():
    shop = PackingShop()
    writer, dlq = writer_for(shop)
    outcome = asyncio.run(writer.write(records(60, taken={7})))
    # The bucket's eighth (250 points) and the 25-record limit both allow 25 customerSet per request.
    assert sorted(shop.sent) == [10, 25, 25]
    assert (outcome.synced, outcome.dead_lettered) == (59, 1)
    [letter] = list(dlq.iter())
    assert (letter.record_key, letter.reason.code) == ("r7", "TAKEN")


def test_a_small_bucket_makes_small_packs():
    shop = PackingShop()
    writer, _ = writer_for(shop, capacity=400.0)  # an eighth is 50 points: 5 customers
    asyncio.run(writer.write(records(12)))
    assert sorted(shop.sent) == [2, 5, 5]


def test_a_pack_over_the_cost_cap_is_split_not_dead_lettered():
    too_big = classify(
        200, {"errors": [{"message": "Query cost is 1100", "extensions": {"code": "MAX_COST_EXCEEDED"}}]}
    )
    shop = PackingShop(failures=[too_big])
    writer, _ = writer_for(shop)
    outcome = asyncio.run(writer.write(records(20)))
    assert shop.sent == [20, 10, 10]
    assert outcome.synced == 20


def test_a_throttled_pack_is_split_into_halves():
    shop = PackingShop(failures=[ThrottledError("Throttled", retry_after_s=0.01)])
    writer, _ = writer_for(shop)
    outcome = asyncio.run(writer.write(records(8)))
    assert shop.sent == [8, 4, 4]
    assert outcome.synced == 8


def test_products_pack_with_their_own_costs():
    sent = []

    async def send(document, variables, *, cost=None):
        sent.append((root_field_count(document), cost))
        count = root_field_count(document)
        data = {
            alias(i): {"product": {"id": f"gid://shopify/Product/{i}"}, "userErrors": []}
            for i in range(count)
        }
        return GraphQLResult(data, "req", cost, cost, None)

    products = get_resource("products")
    models = [
        products.validate({"handle": f"p{i}", "title": "T", "variants": [{"price": "1"}] * 1})
        for i in range(3)
    ]
    ctx = WriteContext(shop="acme", sync_id="s", record_keys=("a", "b", "c"), idempotency_key="k")
    results = asyncio.run(products.write(models, send, ctx))
    assert results == [f"gid://shopify/Product/{i}" for i in range(3)]
    assert sent == [(3, pytest.approx(3 * 11.2))]


def test_customers_without_identity_are_never_packed():
    shop = PackingShop()
    writer, _ = writer_for(shop)
    nameless = [RecordEnvelope(key=f"n{i}", payload={"firstName": f"N{i}"}) for i in range(3)]
    outcome = asyncio.run(writer.write(records(4) + nameless))
    # customerSet without an identity creates: a lost answer to a pack would create them all again.
    assert sorted(shop.sent) == [1, 1, 1, 4]
    assert outcome.synced == 7
