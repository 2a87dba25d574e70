"""The stored-token provider: renew before expiry, once per expiry, and once after a 401."""

import asyncio
import logging

import fakeredis
import pytest

from settings import ShopConfig
from tests.support.credentials import fixed_cipher
from worker.contract.keys import Keys
from worker.credentials import (
    CredentialCipher,
    CredentialKeyError,
    CredentialsError,
    RedisCredentialStore,
    RefreshBusyError,
    StaticTokenProvider,
    StoredCredentials,
    StoredTokenProvider,
    new_key,
)
from worker.credentials.keyring import MISSING_KEY

SHOP = ShopConfig(shop_name="acme", api_key="k", api_secret="s")
NOW = 1_800_000_000.0


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


class FakeEndpoint:
    """Counts grants; each one answers a new pair (or refuses)."""

    def __init__(self, clock, delay_s=0.0, refuse=False):
        self.clock = clock
        self.delay_s = delay_s
        self.refuse = refuse
        self.calls = []

    async def refresh(self, shop, refresh_token):
        return await self._grant("refresh_token", refresh_token, "expiring")

    async def client_credentials(self, shop):
        return await self._grant("client_credentials", None, "client_credentials")

    async def _grant(self, grant, refresh_token, kind):
        self.calls.append((grant, refresh_token))
        await asyncio.sleep(self.delay_s)
        if self.refuse:
            raise CredentialsError("refresh_token grant refused (invalid_grant)", shop="acme")
        n = len(self.calls)
        return StoredCredentials(
            kind=kind,
            access_token=f"shpat_new{n}",
            refresh_token=f"shprt_new{n}" if kind == "expiring" else None,
            obtained_at=self.clock(),
            expires_at=self.clock() + 3600,
        )


def expiring(token="shpat_old", refresh="shprt_old", expires_in=3600.0, **extra):
    return StoredCredentials(
        kind="expiring",
        access_token=token,
        refresh_token=refresh,
        obtained_at=NOW,
        expires_at=NOW + expires_in,
        **extra,
    )


@pytest.fixture
def store():
    return RedisCredentialStore(fakeredis.FakeRedis(), Keys("t"), fixed_cipher)


def provider(store, endpoint, clock, **kwargs):
    return StoredTokenProvider(store, endpoint, clock=clock, **kwargs)


def test_fresh_token_is_used_as_it_is(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock)
    store.put("acme", expiring())
    assert asyncio.run(provider(store, endpoint, clock).token(SHOP)) == "shpat_old"
    assert endpoint.calls == []


def test_token_close_to_expiry_is_refreshed_once_and_stored(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock)
    store.put("acme", expiring())
    clock.now = NOW + 3300
    tokens = provider(store, endpoint, clock)

    async def twice():
        return [await tokens.token(SHOP), await tokens.token(SHOP)]

    assert asyncio.run(twice()) == ["shpat_new1", "shpat_new1"]
    assert endpoint.calls == [("refresh_token", "shprt_old")]
    assert store.get("acme").refresh_token == "shprt_new1"


def test_concurrent_requests_in_one_process_refresh_once(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock, delay_s=0.05)
    store.put("acme", expiring(expires_in=10))
    clock.now = NOW + 20
    tokens = provider(store, endpoint, clock)

    async def many():
        return await asyncio.gather(*(tokens.token(SHOP) for _ in range(10)))

    assert set(asyncio.run(many())) == {"shpat_new1"}
    assert len(endpoint.calls) == 1


def test_two_processes_sharing_the_store_refresh_once(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock, delay_s=0.1)
    store.put("acme", expiring(expires_in=10))
    clock.now = NOW + 20
    workers = [provider(store, endpoint, clock, poll_s=0.01) for _ in range(3)]

    async def race():
        return await asyncio.gather(*(w.token(SHOP) for w in workers for _ in range(3)))

    assert set(asyncio.run(race())) == {"shpat_new1"}
    assert endpoint.calls == [("refresh_token", "shprt_old")]


def test_unauthorized_with_a_token_renewed_meanwhile_retries_without_a_call(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock)
    store.put("acme", expiring(token="shpat_current"))
    assert asyncio.run(provider(store, endpoint, clock).on_unauthorized(SHOP, "shpat_older")) is True
    assert endpoint.calls == []


def test_unauthorized_renews_a_renewable_token_once(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock, delay_s=0.02)
    store.put("acme", expiring())  # not due by our clock: the server's clock disagrees
    tokens = provider(store, endpoint, clock)

    async def many():
        retry = await asyncio.gather(*(tokens.on_unauthorized(SHOP, "shpat_old") for _ in range(4)))
        return retry, await tokens.token(SHOP)

    assert asyncio.run(many()) == ([True] * 4, "shpat_new1")
    assert len(endpoint.calls) == 1


def test_unauthorized_with_a_non_expiring_token_stands(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock)
    store.put("acme", StoredCredentials(kind="offline", access_token="shpat_old"))
    assert asyncio.run(provider(store, endpoint, clock).on_unauthorized(SHOP, "shpat_old")) is False
    assert endpoint.calls == []


def test_client_credentials_are_renewed_with_the_same_grant(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock)
    store.put(
        "acme",
        StoredCredentials(
            kind="client_credentials", access_token="shpat_cc", obtained_at=NOW, expires_at=NOW + 86399
        ),
    )
    clock.now = NOW + 86200
    assert asyncio.run(provider(store, endpoint, clock).token(SHOP)) == "shpat_new1"
    assert endpoint.calls == [("client_credentials", None)]


def test_refused_refresh_raises_credentials_error_and_frees_the_lock(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock, refuse=True)
    store.put("acme", expiring(expires_in=10))
    clock.now = NOW + 20
    with pytest.raises(CredentialsError, match="invalid_grant") as caught:
        asyncio.run(provider(store, endpoint, clock).token(SHOP))
    assert caught.value.category == "credentials"
    assert store.try_lock("acme", 1) is not None


def test_expired_refresh_token_needs_a_new_install(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock)
    store.put("acme", expiring(expires_in=10, refresh_token_expires_at=NOW + 15))
    clock.now = NOW + 20
    with pytest.raises(CredentialsError, match="auth install --shop acme"):
        asyncio.run(provider(store, endpoint, clock).token(SHOP))
    assert endpoint.calls == []


def test_lock_held_too_long_is_retryable(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock)
    store.put("acme", expiring(expires_in=10))
    clock.now = NOW + 20
    store.try_lock("acme", 60)  # another worker, stuck
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    tokens = provider(store, endpoint, clock, sleep=sleep, lock_wait_s=1.0, poll_s=0.1)
    with pytest.raises(RefreshBusyError) as caught:
        asyncio.run(tokens.token(SHOP))
    assert caught.value.category == "refresh_busy" and len(waits) == 10
    assert endpoint.calls == []


def test_no_stored_credentials_says_what_to_run(store):
    without_app_credentials = ShopConfig(shop_name="acme")
    with pytest.raises(CredentialsError, match="auth install --shop acme") as caught:
        asyncio.run(provider(store, FakeEndpoint(Clock()), Clock()).token(without_app_credentials))
    assert "Redis" in str(caught.value)


def test_a_client_id_and_secret_get_the_first_token_by_client_credentials_once(store):
    clock = Clock()
    endpoint = FakeEndpoint(clock, delay_s=0.01)
    tokens = provider(store, endpoint, clock)

    async def five_requests():
        return await asyncio.gather(*[tokens.token(SHOP) for _ in range(5)])

    assert asyncio.run(five_requests()) == ["shpat_new1"] * 5
    assert endpoint.calls == [("client_credentials", None)]
    assert store.get("acme").kind == "client_credentials"
    clock.now = NOW + 3500  # close to expiry: renewed by the same grant before it expires
    assert asyncio.run(tokens.token(SHOP)) == "shpat_new2"


def test_a_refused_first_client_credentials_grant_is_a_credentials_error(store):
    endpoint = FakeEndpoint(Clock(), refuse=True)
    with pytest.raises(CredentialsError, match="grant refused"):
        asyncio.run(provider(store, endpoint, Clock()).token(SHOP))
    assert store.get("acme") is None


def test_unreadable_stored_credentials_are_a_credentials_error(store):
    store._redis.set("t:credentials:acme", b"{not json")
    with pytest.raises(CredentialsError, match="unreadable"):
        asyncio.run(provider(store, FakeEndpoint(Clock()), Clock()).token(SHOP))


def test_credentials_sealed_under_another_key_pause_the_shop_by_name(store):
    other = CredentialCipher([new_key().encode()])
    sealed_elsewhere = RedisCredentialStore(store._redis, Keys("t"), lambda: other)
    sealed_elsewhere.put("acme", expiring(expires_in=3600))
    endpoint = FakeEndpoint(Clock())
    with pytest.raises(CredentialsError) as caught:
        asyncio.run(provider(store, endpoint, Clock()).token(SHOP))
    assert str(caught.value).startswith("stored credentials of shop 'acme': they cannot be decrypted")
    assert caught.value.category == "credentials" and caught.value.shop == "acme"
    assert endpoint.calls == []  # nothing is renewed over it: the operator fixes the key


def test_no_key_in_redis_mode_pauses_the_shop_with_how_to_make_one():
    def no_key():
        raise CredentialKeyError(MISSING_KEY)

    store = RedisCredentialStore(fakeredis.FakeRedis(), Keys("t"), no_key)
    store._redis.set("t:credentials:acme", b"gAAAAAsealed")
    with pytest.raises(CredentialsError, match="shopify-sync auth new-key") as caught:
        asyncio.run(provider(store, FakeEndpoint(Clock()), Clock()).token(SHOP))
    assert "shop 'acme'" in str(caught.value)


def test_no_token_in_logs(store, caplog):
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    store.put("acme", expiring(expires_in=10))
    clock.now = NOW + 20
    asyncio.run(provider(store, FakeEndpoint(clock), clock).token(SHOP))
    assert "renewed the access token of shop acme" in caplog.text
    assert "shpat_" not in caplog.text and "shprt_" not in caplog.text


def test_static_provider():
    static = StaticTokenProvider()
    shop = ShopConfig(shop_name="acme", access_token="shpat_static")
    assert asyncio.run(static.token(shop)) == "shpat_static"
    assert asyncio.run(static.on_unauthorized(shop, "shpat_static")) is False
    with pytest.raises(CredentialsError, match="no access_token"):
        asyncio.run(static.token(SHOP))
