import pytest

from worker.contract.deadletters import DeadLetterStore, Reason
from worker.contract.keys import Keys
from worker.contract.tracking import SyncTracker


@pytest.fixture
def tracker(any_redis, key_prefix):
    return SyncTracker(any_redis, Keys(key_prefix))


def test_counts_follow_record_states(tracker):
    tracker.start("s1", shop="acme", resource="customers", total=3)
    assert tracker.mark("s1", "a", "retrying")
    assert tracker.mark("s1", "a", "synced", gid="gid://shopify/Customer/1")
    assert tracker.mark("s1", "b", "dead_lettered", reason={"category": "validation"})
    c = tracker.counts("s1")
    assert (c.total, c.synced, c.dead_lettered, c.retrying, c.pending) == (3, 1, 1, 0, 1)
    assert not c.finished
    tracker.mark("s1", "c", "paused")
    assert tracker.counts("s1").finished


def test_marking_twice_counts_once_and_synced_is_final(tracker):
    tracker.start("s1", shop="acme", resource="customers", total=1)
    assert tracker.mark("s1", "a", "synced", gid="g1")
    assert not tracker.mark("s1", "a", "synced", gid="g1")
    assert not tracker.mark("s1", "a", "dead_lettered")
    c = tracker.counts("s1")
    assert (c.synced, c.dead_lettered) == (1, 0)
    assert tracker.outcome("s1", "a")["gid"] == "g1"


def test_a_replayed_dead_letter_can_become_synced(tracker):
    tracker.start("s1", shop="acme", resource="customers", total=1)
    tracker.mark("s1", "a", "dead_lettered")
    tracker.mark("s1", "a", "synced", gid="g")
    c = tracker.counts("s1")
    assert (c.synced, c.dead_lettered) == (1, 0)


def test_meta_and_unknown_sync(tracker):
    tracker.start("s1", shop="acme", resource="customers", total=2)
    tracker.start("s1", shop="acme", resource="customers", total=3)
    assert tracker.counts("s1").total == 5
    assert tracker.meta("s1")["shop"] == "acme"
    assert tracker.counts("nope").total == 0 and tracker.meta("nope") == {}


def test_dead_letters_are_stable_per_record_and_filterable(any_redis, key_prefix):
    store = DeadLetterStore(any_redis, Keys(key_prefix))
    reason = Reason(category="user_error", field="input.email", message="Email is invalid", code="INVALID")
    first = store.add(
        shop="acme",
        resource="customers",
        sync_id="s1",
        record_key="r1",
        source={"e": 1},
        payload={"email": "x"},
        reason=reason,
        attempts=1,
    )
    again = store.add(
        shop="acme",
        resource="customers",
        sync_id="s1",
        record_key="r1",
        source={"e": 1},
        payload={"email": "x"},
        reason=reason,
        attempts=2,
    )
    store.add(
        shop="beta",
        resource="customers",
        sync_id="s2",
        record_key="r9",
        source={},
        payload={},
        reason=Reason(category="validation", message="bad"),
        attempts=0,
    )
    assert store.count() == 2
    assert again.first_seen == first.first_seen and again.attempts == 2
    assert [e.record_key for e in store.iter(shop="acme")] == ["r1"]
    assert [e.record_key for e in store.iter(category="validation")] == ["r9"]
    assert store.get(first.id).reason.code == "INVALID"
    assert store.remove(first.id) and store.get(first.id) is None


def test_hold_keeps_a_batch_only_while_the_shop_is_paused(any_redis, key_prefix):
    from worker.contract.pauses import ShopPauses

    pauses = ShopPauses(any_redis, Keys(key_prefix))
    assert not pauses.hold("acme", {"records": [1]})  # not paused: the caller must enqueue it itself
    assert pauses.pause("acme", category="invalid_token", message="401")
    assert pauses.hold("acme", {"records": [2]})
    pauses.unpause("acme")
    assert not pauses.hold("acme", {"records": [3]})
    assert [b["records"] for b in pauses.held("acme")] == [[2]]
    pauses.forget_held("acme", 1)
    assert pauses.held("acme") == []
