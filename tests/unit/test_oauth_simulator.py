"""The simulator's OAuth endpoints: the install redirect, the three grants, rotation and expiry."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from simulator import ShopSpec, SimulatorState
from tests.unit.test_simulator_harness import SHOP, TOKEN, FakeClock, make_state, post, read, run
from worker.credentials.callback import CallbackVerifier, StateNonces

KEY, SECRET = "client-1", "shpss_secret1"
WALL = 1_800_000_000.0
CREDS = {"client_id": KEY, "client_secret": SECRET}


def oauth_state(clock=None, **spec):
    state = make_state(clock=clock or FakeClock(), api_key=KEY, api_secret=SECRET, **spec)
    state.wall_clock = lambda: WALL
    return state


async def authorize(client, scope="write_customers", state="nonce-1", client_id=KEY, **extra):
    params = {"client_id": client_id, "scope": scope, "redirect_uri": "http://127.0.0.1:9/cb", "state": state}
    params.update(extra)
    async with client.get(f"/store/{SHOP}/admin/oauth/authorize", params=params, allow_redirects=False) as r:
        answer = await read(r)
    return answer


def callback_params(answer):
    return dict(parse_qsl(urlsplit(answer.headers["Location"]).query))


async def token(client, shop=SHOP, form=False, **params):
    body = {**CREDS, **params}
    kwargs = {"data": body} if form else {"json": body}
    async with client.post(f"/store/{shop}/admin/oauth/access_token", **kwargs) as response:
        return await read(response)


async def install(client, expiring=True):
    code = callback_params(await authorize(client))["code"]
    return await token(client, code=code, **({"expiring": "1"} if expiring else {}))


def test_authorize_redirects_with_a_callback_the_connector_accepts():
    state = oauth_state()
    nonces = StateNonces()
    nonce = nonces.issue()

    async def scenario(client):
        return await authorize(client, state=nonce)

    answer = run(state, scenario)
    assert answer.status == 302
    location = urlsplit(answer.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", "127.0.0.1:9", "/cb")
    params = callback_params(answer)
    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert (params["shop"], params["state"], params["timestamp"]) == (
        "acme.myshopify.com",
        nonce,
        str(int(WALL)),
    )
    verifier = CallbackVerifier(SECRET, "acme.myshopify.com", nonces, clock=lambda: WALL)
    assert verifier.verify(params.items()) == params["code"]


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"client_id": "other"}, 400),
        ({"redirect_uri": "javascript:alert(1)"}, 400),
        ({"grant_options[]": "per-user"}, 400),
    ],
)
def test_authorize_refuses_bad_requests(extra, status):
    async def scenario(client):
        return await authorize(client, **extra)

    answer = run(oauth_state(), scenario)
    assert answer.status == status and "Location" not in answer.headers


def test_authorize_for_unknown_shop_is_404():
    async def scenario(client):
        async with client.get("/store/nope/admin/oauth/authorize", params={"client_id": KEY}) as r:
            return await read(r)

    assert run(oauth_state(), scenario).status == 404


def test_code_exchange_non_expiring_then_code_is_spent():
    state = oauth_state()

    async def scenario(client):
        code = callback_params(await authorize(client, scope="write_customers,read_locations"))["code"]
        first = await token(client, code=code)
        again = await token(client, code=code)
        scopes = await post(
            client, "{ currentAppInstallation { accessScopes { handle } } }", token=first.body["access_token"]
        )
        return first, again, scopes

    first, again, scopes = run(state, scenario)
    assert first.status == 200
    assert set(first.body) == {"access_token", "scope"}
    assert first.body["scope"] == "write_customers,read_locations"
    assert (again.status, again.body["error"]) == (400, "invalid_grant")
    handles = [s["handle"] for s in scopes.data["currentAppInstallation"]["accessScopes"]]
    assert handles == ["write_customers", "read_locations"]
    assert state.shop(SHOP).tokens.grants["authorization_code"] == 2


def test_expiring_token_expires_and_the_refresh_token_rotates():
    clock = FakeClock()
    state = oauth_state(clock, access_token_ttl_s=60.0)

    async def scenario(client):
        pair = (await install(client)).body
        fresh = await post(client, "shop", token=pair["access_token"])
        clock.advance(61)
        expired = await post(client, "shop", token=pair["access_token"])
        static = await post(client, "shop", token=TOKEN)
        rotated = await token(
            client, form=True, grant_type="refresh_token", refresh_token=pair["refresh_token"]
        )
        reused = await token(client, grant_type="refresh_token", refresh_token=pair["refresh_token"])
        renewed = await post(client, "shop", token=rotated.body["access_token"])
        return pair, fresh, expired, static, rotated, reused, renewed

    pair, fresh, expired, static, rotated, reused, renewed = run(state, scenario)
    assert pair["expires_in"] == 60 and pair["refresh_token_expires_in"] == 90 * 86400
    assert pair["refresh_token"] != pair["access_token"]
    assert fresh.status == 200
    assert expired.status == 401 and "Invalid API key or access token" in expired.body["errors"]
    assert static.status == 200  # the spec's own token keeps working
    assert rotated.status == 200 and rotated.body["refresh_token"] != pair["refresh_token"]
    assert (reused.status, reused.body["error"]) == (400, "invalid_grant")
    assert renewed.status == 200
    book = state.shop(SHOP).tokens
    assert (book.grants["refresh_token"], book.refused["refresh_token"]) == (2, 1)


def test_refresh_token_expires():
    clock = FakeClock()
    state = oauth_state(clock, refresh_token_ttl_s=100.0)

    async def scenario(client):
        pair = (await install(client)).body
        clock.advance(101)
        return await token(client, grant_type="refresh_token", refresh_token=pair["refresh_token"])

    assert run(state, scenario).body["error"] == "invalid_grant"


def test_client_credentials_grant():
    clock = FakeClock()
    state = oauth_state(clock, client_credentials_ttl_s=86399.0)

    async def scenario(client):
        answer = await token(client, grant_type="client_credentials")
        ok = await post(client, "shop", token=answer.body["access_token"])
        clock.advance(86400)
        late = await post(client, "shop", token=answer.body["access_token"])
        return answer, ok, late

    answer, ok, late = run(state, scenario)
    assert set(answer.body) == {"access_token", "scope", "expires_in"}
    assert answer.body["expires_in"] == 86399
    assert (ok.status, late.status) == (200, 401)


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"client_secret": "wrong", "grant_type": "client_credentials"}, "invalid_client"),
        ({"client_id": "other", "grant_type": "client_credentials"}, "invalid_client"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "refresh_token": "shprt_unknown"}, "invalid_grant"),
        ({"code": "never-issued"}, "invalid_grant"),
    ],
)
def test_token_endpoint_refusals(params, error):
    async def scenario(client):
        return await token(client, **params)

    answer = run(oauth_state(), scenario)
    assert (answer.status, answer.body["error"]) == (400, error)
    assert "error_description" in answer.body


def test_token_endpoint_by_host_header():
    async def scenario(client):
        async with client.post(
            "/admin/oauth/access_token",
            json={**CREDS, "grant_type": "client_credentials"},
            headers={"Host": "acme.myshopify.com"},
        ) as response:
            return await read(response)

    assert run(oauth_state(), scenario).status == 200


def test_revoke_invalidates_issued_tokens_and_a_reinstall_works():
    state = oauth_state()

    async def scenario(client):
        pair = (await install(client)).body
        state.shop(SHOP).revoke_token()
        after = await post(client, "shop", token=pair["access_token"])
        refresh = await token(client, grant_type="refresh_token", refresh_token=pair["refresh_token"])
        again = (await install(client)).body
        return after, refresh, await post(client, "shop", token=again["access_token"])

    after, refresh, reinstalled = run(state, scenario)
    assert after.status == 401 and refresh.body["error"] == "invalid_grant"
    assert reinstalled.status == 200


def test_shop_spec_oauth_fields():
    spec = ShopSpec("acme", "tok", api_key="k", api_secret="s", access_token_ttl_s=2.5)
    assert ShopSpec.from_dict(spec.to_dict()) == spec
    assert "api_secret" not in ShopSpec("acme", "tok").to_dict()  # defaults keep the old shape
    with pytest.raises(ValueError, match="lifetimes"):
        ShopSpec.from_dict({"name": "a", "access_token": "t", "access_token_ttl_s": 0})
    assert SimulatorState([spec]).shop("acme").accepts("tok")
