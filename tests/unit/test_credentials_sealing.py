"""Stored credentials at rest: no token text in Redis or the file, plain records sealed on first read, key
rotation with ``reseal``, and wrong keys or altered values refused (fakeredis, a real Redis, the file)."""

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from worker.contract.keys import Keys
from worker.credentials import (
    CredentialCipher,
    CredentialKeyError,
    FileCredentialStore,
    RedisCredentialStore,
    StoredCredentials,
    new_key,
)

CREDS = StoredCredentials(
    kind="expiring",
    access_token="shpat_secret_access",
    scopes=("write_customers",),
    obtained_at=1.0,
    expires_at=3601.0,
    refresh_token="shprt_secret_refresh",
)
OLD, NEW = new_key().encode(), new_key().encode()


@dataclass
class Backend:
    """A store, with raw access to what it keeps (what a Redis dump or a backup of the file shows)."""

    kind: str
    client: redis.Redis | None
    prefix: str
    path: Path
    keys: list[bytes]

    def store(self, *keys: bytes):
        cipher = CredentialCipher(list(keys or self.keys))
        if self.client is None:
            return FileCredentialStore(self.path, lambda: cipher)
        return RedisCredentialStore(self.client, Keys(self.prefix), lambda: cipher)

    def raw(self, shop: str) -> str:
        if self.client is None:
            return json.dumps(json.loads(self.path.read_text())[shop])
        value = self.client.get(Keys(self.prefix).credentials(shop))
        return value.decode()

    def everything(self) -> str:
        if self.client is None:
            return self.path.read_text()
        found = self.client.scan_iter(f"{self.prefix}:credentials:*")
        return "\n".join(self.client.get(key).decode() for key in found)

    def plant(self, shop: str, value: object) -> None:
        """Write a raw value as an older version (plain JSON) or an attacker (anything) would."""
        if self.client is None:
            everything = json.loads(self.path.read_text()) if self.path.exists() else {}
            everything[shop] = value
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.path.write_text(json.dumps(everything))
            self.path.chmod(0o600)
        else:
            raw = json.dumps(value) if isinstance(value, dict) else value
            self.client.set(Keys(self.prefix).credentials(shop), raw)


@pytest.fixture(params=["fakeredis", "redis", "file"])
def backend(request, tmp_path):
    client = None
    if request.param != "file":
        client = request.getfixturevalue("fake_redis" if request.param == "fakeredis" else "real_redis")
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield Backend(request.param, client, prefix, tmp_path / "conf" / "credentials.json", [NEW])
    if client is not None:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def plain(credentials: StoredCredentials) -> dict:
    return json.loads(credentials.to_json())


def test_no_token_text_at_rest(backend):
    store = backend.store()
    store.put("acme", CREDS)
    store.put("globex", StoredCredentials(kind="offline", access_token="shpat_globex_offline"))
    at_rest = backend.everything()
    for secret in ("shpat_secret_access", "secret_access", "shprt_secret_refresh", "shpat_globex_offline"):
        assert secret not in at_rest
    assert "expiring" not in at_rest and "write_customers" not in at_rest
    assert store.get("acme") == CREDS
    assert store.shops() == ["acme", "globex"]


def test_plain_record_of_an_older_version_is_read_then_sealed(backend):
    backend.plant("acme", plain(CREDS))
    store = backend.store()
    assert "shpat_secret_access" in backend.raw("acme")

    assert store.get("acme") == CREDS
    assert "shpat_secret_access" not in backend.raw("acme")
    assert "shprt_secret_refresh" not in backend.raw("acme")
    assert backend.store(NEW).get("acme") == CREDS


def test_sealing_a_plain_record_never_overwrites_a_newer_write(backend, monkeypatch):
    """A worker that renewed the token between the read and the sealing wins: its pair is kept."""
    backend.plant("acme", plain(CREDS))
    store = backend.store()
    renewed = StoredCredentials(kind="expiring", access_token="shpat_renewed", refresh_token="shprt_renewed")
    cipher = CredentialCipher([NEW])
    real_seal = cipher.seal

    def seal_after_a_renewal(shop, credentials):
        sealed = real_seal(shop, credentials)
        if credentials == CREDS:  # the reader seals the plain record; meanwhile a worker renews
            backend.store().put("acme", renewed)
        return sealed

    monkeypatch.setattr(cipher, "seal", seal_after_a_renewal)
    store._cipher = lambda: cipher
    assert store.get("acme") == CREDS  # what was there when it was read
    assert backend.store().get("acme") == renewed


def test_reseal_moves_every_record_to_the_newest_key(backend):
    backend.store(OLD).put("acme", CREDS)
    backend.plant("globex", plain(StoredCredentials(kind="offline", access_token="shpat_globex")))
    rotated = backend.store(NEW, OLD)
    assert rotated.get("acme") == CREDS  # old entries stay readable once a new key is in front
    with pytest.raises(CredentialKeyError):
        backend.store(NEW).get("acme")

    assert [rotated.reseal(shop) for shop in rotated.shops()] == ["older_key", "plain"]
    assert [rotated.reseal(shop) for shop in rotated.shops()] == ["newest_key", "newest_key"]
    assert rotated.reseal("initech") is None

    only_new = backend.store(NEW)
    assert only_new.get("acme") == CREDS
    assert only_new.get("globex").access_token == "shpat_globex"
    assert "shpat_globex" not in backend.everything()


def test_wrong_key_is_refused_with_what_to_do(backend):
    backend.store(OLD).put("acme", CREDS)
    with pytest.raises(CredentialKeyError, match="cannot be decrypted with the configured key") as caught:
        backend.store(NEW).get("acme")
    assert "SHOPIFY_SYNC_CREDENTIALS_KEY" in str(caught.value)
    for secret in ("shpat", "shprt", OLD.decode(), NEW.decode()):
        assert secret not in str(caught.value)
    with pytest.raises(CredentialKeyError):
        backend.store(NEW).reseal("acme")
    assert backend.store(OLD).get("acme") == CREDS  # a refused reseal leaves the record as it was


def test_altered_value_is_refused(backend):
    store = backend.store()
    store.put("acme", CREDS)
    sealed = json.loads(backend.raw("acme")) if backend.kind == "file" else backend.raw("acme")
    flipped = sealed[:40] + ("A" if sealed[40] != "A" else "B") + sealed[41:]
    backend.plant("acme", flipped)
    with pytest.raises(CredentialKeyError, match="altered"):
        store.get("acme")


def test_value_copied_from_another_shop_is_refused(backend):
    store = backend.store()
    store.put("acme", CREDS)
    sealed = json.loads(backend.raw("acme")) if backend.kind == "file" else backend.raw("acme")
    backend.plant("globex", sealed)
    with pytest.raises(CredentialKeyError, match="stored for another shop"):
        store.get("globex")


def test_no_key_needed_until_a_record_is_read_or_written(backend):
    def no_key():
        raise CredentialKeyError("SHOPIFY_SYNC_CREDENTIALS_KEY is not set")

    if backend.client is None:
        store = FileCredentialStore(backend.path, no_key)
    else:
        store = RedisCredentialStore(backend.client, Keys(backend.prefix), no_key)
    assert store.get("acme") is None
    with pytest.raises(CredentialKeyError, match="not set"):
        store.put("acme", CREDS)
    backend.plant("acme", plain(CREDS))
    with pytest.raises(CredentialKeyError, match="not set"):
        store.get("acme")  # a plain record is not handed out without a key either
    assert "shpat_secret_access" in backend.raw("acme")  # and is left as it was
