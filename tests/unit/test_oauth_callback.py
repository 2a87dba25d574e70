"""The install callback checks: HMAC, timestamp window, shop host, single-use state."""

import pytest

from simulator.oauth import sign_params
from worker.credentials.callback import CallbackRejectedError, CallbackVerifier, StateNonces, callback_hmac

SECRET = "hush"
NOW = 1_800_000_000.0
DOMAIN = "acme.myshopify.com"


def make_verifier(nonces=None, now=NOW):
    return CallbackVerifier(SECRET, DOMAIN, nonces or StateNonces(), clock=lambda: now)


def signed(params, secret=SECRET):
    return {**params, "hmac": callback_hmac(params, secret)}


def good_callback(state, **changes):
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ",
        "shop": DOMAIN,
        "state": state,
        "timestamp": str(int(NOW)),
    }
    params.update(changes)
    return signed(params)


def test_hmac_matches_shopifys_documented_example():
    # The example of Shopify's OAuth documentation (secret "hush").
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "shop": "some-shop.myshopify.com",
        "state": "0.6784241404160823",
        "timestamp": "1337178173",
        "hmac": "ignored",
    }
    expected = "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
    assert callback_hmac(params, "hush") == expected


def test_simulator_signs_the_same_way():
    params = {"code": "a&b", "shop": DOMAIN, "state": "x%y", "timestamp": "1", "k=ey": "v=1"}
    assert sign_params(params, SECRET) == callback_hmac(params, SECRET)


def test_good_callback_returns_the_code_and_uses_up_the_state():
    nonces = StateNonces()
    verifier = make_verifier(nonces)
    state = nonces.issue()
    assert verifier.verify(good_callback(state).items()) == "0907a61c0c8d55e99db179b68161bc00"
    with pytest.raises(CallbackRejectedError, match="state is unknown or was already used"):
        verifier.verify(good_callback(state).items())


@pytest.mark.parametrize("field", ["code", "host", "shop", "state", "timestamp"])
def test_each_tampered_parameter_is_rejected(field):
    nonces = StateNonces()
    state = nonces.issue()
    params = good_callback(state)
    params[field] = params[field] + "0"
    with pytest.raises(CallbackRejectedError, match="hmac does not match"):
        make_verifier(nonces).verify(params.items())
    # The forged callback did not burn the nonce: the genuine one still goes through.
    assert make_verifier(nonces).verify(good_callback(state).items())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p.pop("hmac"),
        lambda p: p.update(hmac=p["hmac"].upper()),
        lambda p: p.update(hmac=p["hmac"][:-1]),
        lambda p: p.update(extra="1"),
        lambda p: p.pop("host"),
    ],
    ids=["no-hmac", "hmac-case", "hmac-short", "added-param", "removed-param"],
)
def test_hmac_changes_are_rejected(tamper):
    nonces = StateNonces()
    params = good_callback(nonces.issue())
    tamper(params)
    with pytest.raises(CallbackRejectedError, match="hmac does not match"):
        make_verifier(nonces).verify(params.items())


def test_hmac_signed_with_another_secret_is_rejected():
    nonces = StateNonces()
    params = good_callback(nonces.issue())
    forged = signed({k: v for k, v in params.items() if k != "hmac"}, secret="not-the-secret")
    with pytest.raises(CallbackRejectedError, match="hmac"):
        make_verifier(nonces).verify(forged.items())


def test_repeated_parameter_is_rejected():
    nonces = StateNonces()
    params = good_callback(nonces.issue())
    with pytest.raises(CallbackRejectedError, match="'shop' is repeated"):
        make_verifier(nonces).verify([*params.items(), ("shop", "evil.myshopify.com")])


def test_foreign_state_is_rejected():
    nonces = StateNonces()
    nonces.issue()
    other_install = StateNonces().issue()
    with pytest.raises(CallbackRejectedError, match="state is unknown"):
        make_verifier(nonces).verify(good_callback(other_install).items())


def test_missing_state_is_rejected():
    nonces = StateNonces()
    nonces.issue()
    params = good_callback("")
    with pytest.raises(CallbackRejectedError, match="state is unknown"):
        make_verifier(nonces).verify(params.items())


@pytest.mark.parametrize("offset_s", [-91, 91, -3600])
def test_stale_or_future_timestamp_is_rejected(offset_s):
    nonces = StateNonces()
    state = nonces.issue()
    params = good_callback(state, timestamp=str(int(NOW + offset_s)))
    with pytest.raises(CallbackRejectedError, match="timestamp"):
        make_verifier(nonces).verify(params.items())
    assert make_verifier(nonces).verify(good_callback(state).items())  # state still unused


@pytest.mark.parametrize("offset_s", [-90, 0, 90])
def test_timestamp_within_the_window_is_accepted(offset_s):
    nonces = StateNonces()
    params = good_callback(nonces.issue(), timestamp=str(int(NOW + offset_s)))
    assert make_verifier(nonces).verify(params.items())


def test_non_numeric_timestamp_is_rejected():
    nonces = StateNonces()
    with pytest.raises(CallbackRejectedError, match="timestamp"):
        make_verifier(nonces).verify(good_callback(nonces.issue(), timestamp="soon").items())


@pytest.mark.parametrize(
    "shop",
    [
        "acme.myshopify.com.evil.com",
        "acme.evil.com",
        "https://acme.myshopify.com",
        "acme",
        "-acme.myshopify.com",
        "acme.myshopify.com/",
        "",
    ],
)
def test_non_shopify_shop_host_is_rejected(shop):
    nonces = StateNonces()
    params = good_callback(nonces.issue(), shop=shop)
    with pytest.raises(CallbackRejectedError, match=r"not a myshopify\.com shop host"):
        make_verifier(nonces).verify(params.items())


def test_callback_for_another_shop_is_rejected():
    nonces = StateNonces()
    params = good_callback(nonces.issue(), shop="other.myshopify.com")
    with pytest.raises(CallbackRejectedError, match="not the shop being installed"):
        make_verifier(nonces).verify(params.items())


def test_callback_without_code_is_rejected():
    nonces = StateNonces()
    params = good_callback(nonces.issue(), code="")
    with pytest.raises(CallbackRejectedError, match="no code"):
        make_verifier(nonces).verify(params.items())


def test_rejections_never_show_the_code_or_the_secret():
    nonces = StateNonces()
    for params in (good_callback("nope"), {**good_callback(nonces.issue()), "hmac": "0" * 64}):
        with pytest.raises(CallbackRejectedError) as caught:
            make_verifier(nonces).verify(params.items())
        assert params["code"] not in str(caught.value) and SECRET not in str(caught.value)
    assert SECRET not in repr(make_verifier(nonces))
