"""Stored credentials: built from token answers, when they are renewed, and never shown."""

import pytest

from worker.credentials import StoredCredentials

NOW = 1_800_000_000.0
EXPIRING = {
    "access_token": "shpat_aaaaaaaaaaaa",
    "scope": "write_customers,read_locations",
    "expires_in": 3600,
    "refresh_token": "shprt_rrrrrrrrrrrr",
    "refresh_token_expires_in": 7776000,
}


def test_expiring_grant():
    creds = StoredCredentials.from_grant(EXPIRING, grant="authorization_code", now=NOW)
    assert creds.kind == "expiring" and creds.renewable
    assert creds.scopes == ("write_customers", "read_locations")
    assert (creds.expires_at, creds.refresh_token_expires_at) == (NOW + 3600, NOW + 7776000)


def test_non_expiring_grant():
    creds = StoredCredentials.from_grant(
        {"access_token": "shpat_x", "scope": "write_products"}, grant="authorization_code", now=NOW
    )
    assert (creds.kind, creds.expires_at, creds.renewable) == ("offline", None, False)
    assert not creds.refresh_due(NOW + 10**9)


def test_client_credentials_grant():
    creds = StoredCredentials.from_grant(
        {"access_token": "shpat_x", "scope": "", "expires_in": "86399"}, grant="client_credentials", now=NOW
    )
    assert (creds.kind, creds.expires_at, creds.scopes, creds.renewable) == (
        "client_credentials",
        NOW + 86399,
        (),
        True,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "without an access_token"),
        (None, "without an access_token"),
        ({"access_token": 5}, "without an access_token"),
        ({"access_token": "t", "expires_in": "soon"}, "expires_in"),
        ({"access_token": "t", "expires_in": -1}, "expires_in"),
        ({"access_token": "t", "expires_in": True}, "expires_in"),
        ({"access_token": "t", "refresh_token": 7}, "refresh_token"),
    ],
)
def test_malformed_grant(body, message):
    with pytest.raises(ValueError, match=message) as caught:
        StoredCredentials.from_grant(body, grant="refresh_token", now=NOW)
    assert "shpat" not in str(caught.value)


@pytest.mark.parametrize(
    ("expires_in", "elapsed", "due"),
    [
        (3600, 3299, False),  # Shopify's hour: renewed 5 minutes before the end
        (3600, 3300, True),
        (86399, 86098, False),
        (86399, 86099.5, True),
        (10, 7.9, False),  # a short test token: renewed when 80 % of it has passed
        (10, 8.0, True),
        (10, 50, True),
    ],
)
def test_refresh_due(expires_in, elapsed, due):
    creds = StoredCredentials.from_grant(
        {**EXPIRING, "expires_in": expires_in}, grant="refresh_token", now=NOW
    )
    assert creds.refresh_due(NOW + elapsed) is due


def test_json_round_trip_and_secrets_hidden_from_repr():
    creds = StoredCredentials.from_grant(EXPIRING, grant="authorization_code", now=NOW)
    assert StoredCredentials.from_json(creds.to_json()) == creds
    shown = f"{creds!r} {creds}"
    assert "shpat_" not in shown and "shprt_" not in shown and "expiring" in shown


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "[]",
        '{"kind": "magic", "access_token": "t"}',
        '{"kind": "offline"}',
        '{"kind": "offline", "access_token": "shpat_x", "x": 1}',
    ],
)
def test_unreadable_stored_form(raw):
    with pytest.raises(ValueError, match="unreadable") as caught:
        StoredCredentials.from_json(raw)
    assert "shpat_x" not in str(caught.value) and caught.value.__cause__ is None
