"""Credential stores: Redis (fakeredis and a real server) and the owner-only file."""

import json
import os
import stat
import threading
import time
import uuid

import pytest

from tests.support.credentials import fixed_cipher
from worker.contract.keys import Keys
from worker.credentials import FileCredentialStore, RedisCredentialStore, StoredCredentials, credentials_file

CREDS = StoredCredentials(
    kind="expiring",
    access_token="shpat_one",
    scopes=("write_customers",),
    obtained_at=1.0,
    expires_at=3601.0,
    refresh_token="shprt_one",
)


@pytest.fixture(params=["fakeredis", "redis", "file"])
def store(request, tmp_path):
    if request.param == "file":
        yield FileCredentialStore(tmp_path / "conf" / "credentials.json", fixed_cipher)
        return
    client = request.getfixturevalue("fake_redis" if request.param == "fakeredis" else "real_redis")
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield RedisCredentialStore(client, Keys(prefix), fixed_cipher)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_put_get_per_shop(store):
    assert store.get("acme") is None
    store.put("acme", CREDS)
    other = StoredCredentials(kind="offline", access_token="shpat_two")
    store.put("globex", other)
    assert store.get("acme") == CREDS and store.get("globex") == other
    renewed = StoredCredentials(kind="expiring", access_token="shpat_new", refresh_token="shprt_new")
    store.put("acme", renewed)
    assert store.get("acme") == renewed and store.get("globex") == other
    assert "shpat" not in store.location


def test_lock_is_exclusive_per_shop_until_released(store):
    first = store.try_lock("acme", 30)
    assert first is not None
    assert store.try_lock("acme", 30) is None
    other_shop = store.try_lock("globex", 30)
    assert other_shop is not None
    first.release()
    again = store.try_lock("acme", 30)
    assert again is not None
    again.release()
    other_shop.release()


def test_lock_excludes_other_threads(store):
    held = store.try_lock("acme", 30)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(store.try_lock("acme", 30)))
    thread.start()
    thread.join()
    assert seen == [None]
    held.release()


def test_redis_lock_expires_when_its_holder_dies(any_redis, key_prefix):
    store = RedisCredentialStore(any_redis, Keys(key_prefix), fixed_cipher)
    assert store.try_lock("acme", 0.2) is not None  # never released: its worker "died"
    assert store.try_lock("acme", 0.2) is None
    time.sleep(0.3)
    lock = store.try_lock("acme", 0.2)
    assert lock is not None
    lock.release()


def test_redis_keys_are_under_the_prefix(any_redis, key_prefix):
    RedisCredentialStore(any_redis, Keys(key_prefix), fixed_cipher).put("acme", CREDS)
    assert any_redis.get(f"{key_prefix}:credentials:acme") is not None


def test_file_is_owner_only_and_replaced_atomically(tmp_path):
    path = tmp_path / "conf" / "credentials.json"
    store = FileCredentialStore(path, fixed_cipher)
    store.put("acme", CREDS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert fixed_cipher().open("acme", json.loads(path.read_text())["acme"]) == CREDS
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_file_open_to_others_is_refused(tmp_path):
    path = tmp_path / "credentials.json"
    store = FileCredentialStore(path, fixed_cipher)
    store.put("acme", CREDS)
    os.chmod(path, 0o644)
    with pytest.raises(ValueError, match="chmod 600") as caught:
        store.get("acme")
    assert "shpat" not in str(caught.value)


def test_file_lock_is_released_when_the_holder_closes(tmp_path):
    store = FileCredentialStore(tmp_path / "credentials.json", fixed_cipher)
    lock = store.try_lock("acme", 30)
    assert FileCredentialStore(tmp_path / "credentials.json", fixed_cipher).try_lock("acme", 30) is None
    lock.release()
    assert FileCredentialStore(tmp_path / "credentials.json", fixed_cipher).try_lock("acme", 30) is not None


def test_credentials_file_location(tmp_path):
    assert (
        credentials_file({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "shopify-sync" / "credentials.json"
    )
    assert credentials_file({}).parts[-3:] == (".config", "shopify-sync", "credentials.json")
