"""Replaying dead letters: re-validated, optionally re-mapped, enqueued, then removed (and only then)."""

import fakeredis
import pytest

from producers.mapping import Mapping
from producers.pipeline import RecordPipeline
from producers.replay import plan, replay
from worker.contract.deadletters import DeadLetterStore, Reason
from worker.contract.keys import Keys
from worker.contract.tracking import SyncTracker


@pytest.fixture
def client():
    return fakeredis.FakeRedis()


@pytest.fixture
def stores(client):
    keys = Keys("t")
    return DeadLetterStore(client, keys), SyncTracker(client, keys)


def pipeline(client, enqueue):
    return RecordPipeline(client, Keys("t"), batch_size=50, enqueue=enqueue)


def add(store, key, source, payload, category="mapping"):
    return store.add(
        shop="acme",
        resource="customers",
        sync_id="s1",
        record_key=key,
        source=source,
        payload=payload,
        reason=Reason(category=category, message="bad"),
        attempts=0,
    )


def test_a_corrected_mapping_fixes_and_replays_only_what_it_fixes(stores, client):
    store, tracker = stores
    tracker.start("s1", shop="acme", resource="customers", total=2)
    add(store, "r1", {"mail": "a@x.io", "since": "2024-01-02"}, {})
    add(store, "r2", {"mail": "not-an-email", "since": "2024-01-02"}, {})
    for key in ("r1", "r2"):
        tracker.mark("s1", key, "dead_lettered")
    corrected = Mapping.parse(
        [
            {"mapping_type": "standard", "from": "mail", "to": "email"},
            {"mapping_type": "template", "from": "{{ since | to_datetime: '%Y-%m-%d' }}", "to": "note"},
        ]
    )
    plans = plan(store.iter(), corrected)
    assert [bool(p.record) for p in plans] == [True, False]
    assert plans[0].record.payload == {"email": "a@x.io", "note": "2024-01-02T00:00:00+00:00"}
    assert plans[1].problem.field == "email"

    sent = []
    result = replay(plans, pipeline(client, lambda *args: sent.append(args)))
    assert result.enqueued == ["acme:customers:s1:r1"] and list(result.still_failing) == [
        "acme:customers:s1:r2"
    ]
    assert sent == [
        (
            "acme",
            "s1",
            "customers",
            [
                {
                    "key": "r1",
                    "payload": plans[0].record.payload,
                    "source": plans[0].entry.source,
                    "attempts": 0,
                    "throttles": 0,
                }
            ],
        )
    ]
    assert [e.record_key for e in store.iter()] == ["r2"]
    counts = tracker.counts("s1")
    assert (counts.dead_lettered, counts.retrying) == (1, 1)


def test_without_a_mapping_the_stored_payload_is_revalidated(stores):
    store, _ = stores
    add(store, "r1", {}, {"email": "ok@x.io"}, category="retries_exhausted")
    add(store, "r2", {}, {"email": "nope"}, category="user_error")
    plans = plan(store.iter())
    assert [bool(p.record) for p in plans] == [True, False]


def test_an_entry_stays_when_enqueueing_fails(stores, client):
    store, _ = stores
    add(store, "r1", {}, {"email": "ok@x.io"})

    def broken(*_args):
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        replay(plan(store.iter()), pipeline(client, broken))
    assert [e.record_key for e in store.iter()] == ["r1"]
