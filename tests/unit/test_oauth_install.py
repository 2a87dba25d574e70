"""The install flow against the simulator: authorize URL, callback server, code exchange, storage."""

import asyncio
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest

from settings import ShopConfig
from simulator import ShopSpec, SimulatorState, run_in_thread
from tests.support.credentials import fixed_cipher
from tests.unit.test_simulator_harness import FakeClock
from worker.credentials import CredentialsError, FileCredentialStore, TokenEndpoint
from worker.credentials.install import InstallPlan, authorize_url, run_install

KEY, SECRET = "client-1", "shpss_install_secret"


@pytest.fixture
def sim_clock():
    return FakeClock()


@pytest.fixture
def sim(sim_clock):
    spec = ShopSpec("acme", "shpat_static", api_key=KEY, api_secret=SECRET, scopes=("write_customers",))
    with run_in_thread(SimulatorState([spec], clock=sim_clock)) as running:
        yield running


def plan_for(sim, **changes):
    shop = ShopConfig(shop_name="acme", api_key=KEY, api_secret=SECRET, admin_url=sim.shop_url("acme"))
    return InstallPlan(shop, ("write_customers", "write_products"), port=0, **({"timeout_s": 10} | changes))


async def install(plan, store, merchant):
    """Run the install while ``merchant(session, url)`` plays the browser; returns (result, reports)."""
    reports = []
    async with aiohttp.ClientSession() as session:

        async def source():
            return session

        task = asyncio.create_task(
            run_install(plan, endpoint=TokenEndpoint(source), store=store, report=reports.append)
        )
        while not reports and not task.done():
            await asyncio.sleep(0.01)
        if task.done():
            task.result()
        answers = await merchant(session, reports[0])
        try:
            result = await task
        except CredentialsError as exc:
            result = exc
        return result, reports, answers


async def approve(session, url):
    async with session.get(url) as response:  # follows the redirect to the callback server
        return [(response.status, await response.text())]


def test_install_stores_expiring_credentials(sim, tmp_path):
    store = FileCredentialStore(tmp_path / "credentials.json", fixed_cipher)
    result, reports, answers = asyncio.run(install(plan_for(sim), store, approve))
    assert answers[0][0] == 200 and "acme is installed" in answers[0][1]
    assert result.kind == "expiring" and result.scopes == ("write_customers", "write_products")
    assert store.get("acme") == result
    query = dict(parse_qsl(urlsplit(reports[0]).query))
    assert query["client_id"] == KEY and query["scope"] == "write_customers,write_products"
    assert urlsplit(query["redirect_uri"]).path == "/callback" and len(query["state"]) >= 32
    assert SECRET not in reports[0]
    assert sim.state.shop("acme").spec.scopes == ("write_customers", "write_products")


def test_install_non_expiring(sim, tmp_path):
    store = FileCredentialStore(tmp_path / "credentials.json", fixed_cipher)
    result, _, _ = asyncio.run(install(plan_for(sim, expiring=False), store, approve))
    assert (result.kind, result.expires_at, result.refresh_token) == ("offline", None, None)


def test_forged_callbacks_are_rejected_and_the_install_waits_for_the_real_one(sim, tmp_path):
    store = FileCredentialStore(tmp_path / "credentials.json", fixed_cipher)

    async def merchant(session, url):
        async with session.get(url, allow_redirects=False) as response:
            callback = response.headers["Location"]
        params = dict(parse_qsl(urlsplit(callback).query))
        base = callback.split("?")[0]
        answers = []
        for forged in (
            {**params, "shop": "evil.myshopify.com"},
            {**params, "state": "guessed"},
            {k: v for k, v in params.items() if k != "hmac"},
        ):
            async with session.get(base, params=forged) as response:
                answers.append((response.status, await response.text()))
        async with session.get(callback) as response:
            answers.append((response.status, await response.text()))
        return answers

    result, reports, answers = asyncio.run(install(plan_for(sim), store, merchant))
    assert [status for status, _ in answers] == [400, 400, 400, 200]
    assert [line.split(":")[0] for line in reports[1:]] == ["rejected a callback"] * 3
    assert result.kind == "expiring" and store.get("acme") == result


def test_code_exchange_refused(sim, sim_clock, tmp_path):
    store = FileCredentialStore(tmp_path / "credentials.json", fixed_cipher)

    async def slow_merchant(session, url):
        async with session.get(url, allow_redirects=False) as response:
            callback = response.headers["Location"]
        sim_clock.advance(601)  # the code lives ten minutes
        async with session.get(callback) as response:
            return [(response.status, await response.text())]

    result, _, answers = asyncio.run(install(plan_for(sim), store, slow_merchant))
    assert isinstance(result, CredentialsError) and "invalid_grant" in str(result)
    assert answers[0][0] == 502
    assert store.get("acme") is None


def test_no_callback_in_time(sim, tmp_path):
    async def absent(session, url):
        return []

    result, _, _ = asyncio.run(
        install(plan_for(sim, timeout_s=0.2), FileCredentialStore(tmp_path / "c.json", fixed_cipher), absent)
    )
    assert isinstance(result, CredentialsError) and "no valid callback" in str(result)


def test_install_needs_app_credentials(sim, tmp_path):
    plan = InstallPlan(
        ShopConfig(shop_name="acme", admin_url=sim.shop_url("acme")), ("write_customers",), port=0
    )
    with pytest.raises(CredentialsError, match="api_key and api_secret"):
        asyncio.run(install(plan, FileCredentialStore(tmp_path / "c.json", fixed_cipher), approve))


def test_authorize_url_with_custom_redirect():
    shop = ShopConfig(shop_name="acme", api_key=KEY)
    url = authorize_url(shop, ("write_orders",), "https://tunnel.example/cb?x=1", "s")
    assert url.startswith("https://acme.myshopify.com/admin/oauth/authorize?")
    assert dict(parse_qsl(urlsplit(url).query))["redirect_uri"] == "https://tunnel.example/cb?x=1"
