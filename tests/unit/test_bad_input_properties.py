"""Property tests: random and malformed records through mapping, validation and the batch writer.

Nothing crashes, nothing hangs, and every record ends either valid (and written) or rejected with a
reason that names a field.
"""

import asyncio
import json
from pathlib import Path

import fakeredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producers.mapping import Mapping, MappingError
from producers.pipeline import InvalidRecord
from producers.records import prepare
from worker.batch import BatchWriter
from worker.client import GraphQLResult
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker
from worker.gateway import ShopGateway
from worker.packing import alias, root_field_count
from worker.ratelimit import ShopLimiter
from worker.resources import RESOURCES, RecordInvalidError, get_resource
from worker.retry import RetryPolicy

SAMPLES = Path(__file__).resolve().parents[2] / "producers" / "samples"
FIELD_NAMES = sorted(
    {name for r in RESOURCES.values() for name in r.model.model_fields} | {"email", "sku", "x"}
)
odd_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "\x00", "🙂" * 3, "Ω≈ç√", "‮rtl", "a" * 10_000, "NaN", "-1", "1e309", "true", "null"]
)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | odd_text
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)
payloads = st.dictionaries(st.sampled_from(FIELD_NAMES) | odd_text, junk, max_size=8)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(name=st.sampled_from(sorted(RESOURCES)), payload=payloads)
def test_validation_accepts_or_names_the_field(name, payload):
    resource = get_resource(name)
    try:
        resource.validate(payload)
    except RecordInvalidError as exc:
        assert exc.problems and all(path and reason for path, reason in exc.problems)


@FAST
@given(rows=st.lists(st.dictionaries(odd_text, junk, max_size=6), max_size=5))
def test_sample_mappings_never_crash_on_junk_rows(rows):
    for name in ("customers", "products", "orders", "inventory"):
        mapping = Mapping.load(SAMPLES / f"{name}.mapping.json")
        for item in prepare(enumerate(rows, start=1), mapping, get_resource(name)):
            if isinstance(item, InvalidRecord):
                assert item.reason.message and item.reason.category in ("mapping", "validation")
            else:
                json.dumps(item.payload, default=str)


@FAST
@given(document=junk)
def test_invalid_mapping_documents_are_refused_cleanly(document):
    try:
        Mapping.parse(document)
    except MappingError as exc:
        assert str(exc)


class AlwaysOk:
    shop = "acme"

    async def execute(self, document, variables):
        payload = {"customer": {"id": "gid://shopify/Customer/1"}, "userErrors": []}
        count = root_field_count(document)
        data = {"customerSet": payload} if count == 1 else {alias(i): payload for i in range(count)}
        return GraphQLResult(data, "req", 10 * count, 10 * count, None)


@FAST
@given(
    batch=st.lists(
        payloads | st.just({"email": "ok@example.com", "firstName": "Ada"}), min_size=1, max_size=6
    )
)
def test_every_record_of_a_junk_batch_is_synced_or_dead_lettered(batch):
    client = fakeredis.FakeRedis()
    keys = Keys("p")
    tracker_dlq = DeadLetterStore(client, keys)
    tracker = SyncTracker(client, keys)
    writer = BatchWriter(
        gateway=ShopGateway(AlwaysOk(), ShopLimiter(client, keys), max_wait_s=1.0),
        resource=get_resource("customers"),
        recorder=OutcomeRecorder(tracker, tracker_dlq, shop="acme", sync_id="s", resource="customers"),
        pauses=ShopPauses(client, keys),
        policy=RetryPolicy(max_attempts=2, base_backoff_s=0.001, max_backoff_s=0.002),
        sync_id="s",
    )
    records = [RecordEnvelope(key=f"r{i}", payload=p) for i, p in enumerate(batch)]
    outcome = asyncio.run(writer.write(records))
    assert outcome.synced + outcome.dead_lettered == len(records)
    for entry in tracker_dlq.iter():
        assert entry.reason.category == "validation" and entry.reason.field
