"""ShopifyClient with token providers, and the token endpoint client, against the simulator over HTTP."""

import asyncio
import time
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import fakeredis
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from settings import ShopConfig
from simulator import ShopSpec, SimulatorState, run_in_thread
from tests.support.credentials import fixed_cipher
from tests.unit.test_simulator_harness import FakeClock
from worker.client import ShopifyClient
from worker.contract.keys import Keys
from worker.credentials import CredentialsError, RedisCredentialStore, StoredTokenProvider, TokenEndpoint
from worker.errors import InvalidTokenError, NetworkError, ServerError, ThrottledError
from worker.retry import Action, RetryPolicy, decide

KEY, SECRET = "client-1", "shpss_very_secret"
SHOP_QUERY = "{ shop { name } }"


@pytest.fixture
def sim_clock():
    return FakeClock()


@pytest.fixture
def sim(sim_clock):
    spec = ShopSpec("acme", "shpat_static", api_key=KEY, api_secret=SECRET, access_token_ttl_s=60.0)
    with run_in_thread(SimulatorState([spec], clock=sim_clock)) as running:
        yield running


def shop_config(sim, **extra):
    return ShopConfig(shop_name="acme", admin_url=sim.shop_url("acme"), **extra)


async def with_session(work):
    async with aiohttp.ClientSession() as session:

        async def source():
            return session

        return await work(session, TokenEndpoint(source))


def install_expiring(sim, store):
    """Authorize and exchange the code the way `auth install` does; store the credentials."""
    shop = shop_config(sim, api_key=KEY, api_secret=SECRET)

    async def work(session, endpoint):
        url = f"{sim.shop_url('acme')}/admin/oauth/authorize"
        params = {"client_id": KEY, "scope": "write_customers", "redirect_uri": "http://127.0.0.1:9/cb"}
        async with session.get(url, params=params, allow_redirects=False) as response:
            code = dict(parse_qsl(urlsplit(response.headers["Location"]).query))["code"]
        credentials = await endpoint.exchange_code(shop, code, expiring=True)
        store.put("acme", credentials)
        return credentials

    return shop, asyncio.run(with_session(work))


def test_static_token_401_is_raised_without_a_retry(sim):
    shop = shop_config(sim, access_token="shpat_wrong")

    async def work(session, _):
        await ShopifyClient(session, shop).execute(SHOP_QUERY)

    with pytest.raises(InvalidTokenError) as caught:
        asyncio.run(with_session(work))
    assert decide(caught.value, 1, RetryPolicy()).action is Action.PAUSE_SHOP
    assert sim.state.stats()["by_status"] == {"401": 1}


def test_expired_stored_token_is_refreshed_and_the_request_sent_again(sim, sim_clock):
    store = RedisCredentialStore(fakeredis.FakeRedis(), Keys("t"), fixed_cipher)
    shop, first = install_expiring(sim, store)
    sim_clock.advance(61)  # the simulator's token expired; our stored expiry says it has not

    async def work(session, endpoint):
        client = ShopifyClient(session, shop, tokens=StoredTokenProvider(store, endpoint))
        return await client.execute(SHOP_QUERY)

    result = asyncio.run(with_session(work))
    assert result.data["shop"]["name"] == "acme"
    assert sim.state.stats()["by_status"] == {"401": 1, "200": 1}
    assert sim.state.shop("acme").tokens.grants["refresh_token"] == 1
    assert store.get("acme").access_token != first.access_token


def test_refresh_refused_after_uninstall_pauses_the_shop(sim, sim_clock):
    store = RedisCredentialStore(fakeredis.FakeRedis(), Keys("t"), fixed_cipher)
    shop, _ = install_expiring(sim, store)
    sim.state.shop("acme").revoke_token()

    async def work(session, endpoint):
        await ShopifyClient(session, shop, tokens=StoredTokenProvider(store, endpoint)).execute(SHOP_QUERY)

    with pytest.raises(CredentialsError, match="invalid_grant") as caught:
        asyncio.run(with_session(work))
    assert decide(caught.value, 1, RetryPolicy()).action is Action.PAUSE_SHOP
    assert SECRET not in str(caught.value)


class StubbornTokens:
    """Claims a fresh token after each 401 but hands out the same bad one."""

    def __init__(self):
        self.unauthorized = 0

    async def token(self, shop):
        return "shpat_bad"

    async def on_unauthorized(self, shop, token):
        self.unauthorized += 1
        return True


def test_second_401_after_a_renewal_is_raised(sim):
    tokens = StubbornTokens()

    async def work(session, _):
        await ShopifyClient(session, shop_config(sim), tokens=tokens).execute(SHOP_QUERY)

    with pytest.raises(InvalidTokenError):
        asyncio.run(with_session(work))
    assert tokens.unauthorized == 1
    assert sim.state.stats()["by_status"] == {"401": 2}


def test_client_credentials_and_refused_secret(sim):
    good = shop_config(sim, api_key=KEY, api_secret=SECRET)
    bad = shop_config(sim, api_key=KEY, api_secret="shpss_wrong_secret")

    async def work(session, endpoint):
        credentials = await endpoint.client_credentials(good)
        with pytest.raises(CredentialsError) as caught:
            await endpoint.client_credentials(bad)
        return credentials, caught.value

    credentials, refused = asyncio.run(with_session(work))
    assert credentials.kind == "client_credentials"
    assert credentials.expires_at == pytest.approx(time.time() + 86399, abs=5)
    assert "invalid_client" in str(refused) and "auth client-credentials --shop acme" in str(refused)
    assert "shpss_wrong_secret" not in str(refused)


def test_endpoint_needs_app_credentials(sim):
    async def work(session, endpoint):
        await endpoint.client_credentials(shop_config(sim))

    with pytest.raises(CredentialsError, match="api_key and api_secret"):
        asyncio.run(with_session(work))


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (500, "oops", {}, ServerError),
        (502, f"echo: {SECRET} shprt_secret_refresh", {}, ServerError),  # an answer echoing our secrets
        (503, "", {}, ServerError),
        (429, "", {"Retry-After": "2.0"}, ThrottledError),
        (200, "not json", {}, ServerError),
        (200, '{"scope": "x"}', {}, ServerError),
    ],
)
def test_endpoint_failures_are_classified(status, body, headers, error):
    async def handler(request):
        return web.Response(status=status, text=body, headers=headers)

    app = web.Application()
    app.router.add_post("/store/acme/admin/oauth/access_token", handler)

    async def main():
        async with TestServer(app) as server:
            shop = ShopConfig(
                shop_name="acme",
                api_key=KEY,
                api_secret=SECRET,
                admin_url=str(server.make_url("/store/acme")),
            )

            async def work(session, endpoint):
                await endpoint.refresh(shop, "shprt_secret_refresh")

            await with_session(work)

    with pytest.raises(error) as caught:
        asyncio.run(main())
    assert "shprt_secret_refresh" not in str(caught.value) and SECRET not in str(caught.value)
    if error is ThrottledError:
        assert caught.value.retry_after_s == 2.0


def test_endpoint_not_answering_is_a_network_error():
    shop = ShopConfig(
        shop_name="acme", api_key=KEY, api_secret=SECRET, admin_url="http://127.0.0.1:9/store/acme"
    )

    async def work(session, endpoint):
        await endpoint.client_credentials(shop)

    with pytest.raises(NetworkError):
        asyncio.run(with_session(work))
