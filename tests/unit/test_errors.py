import pytest

from worker.errors import (
    InvalidTokenError,
    MissingScopeError,
    SchemaError,
    ServerError,
    ShopUnavailableError,
    ThrottledError,
    classify,
)

THROTTLED_BODY = {
    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "x"}}],
    "extensions": {
        "cost": {
            "requestedQueryCost": 11,
            "actualQueryCost": None,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 3, "restoreRate": 100.0},
        }
    },
}


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (200, {"data": {"shop": {"name": "x"}}}, {}, None),
        (200, THROTTLED_BODY, {}, ThrottledError),
        (429, {"errors": "Exceeded"}, {"Retry-After": "2.0"}, ThrottledError),
        (
            401,
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            {},
            InvalidTokenError,
        ),
        (403, {"errors": "nope"}, {}, MissingScopeError),
        (
            200,
            {"errors": [{"message": "Access denied", "extensions": {"code": "ACCESS_DENIED"}}]},
            {},
            MissingScopeError,
        ),
        (402, {"errors": "Unavailable Shop"}, {}, ShopUnavailableError),
        (423, {"errors": "Locked"}, {}, ShopUnavailableError),
        (404, {"errors": "Not Found"}, {}, ShopUnavailableError),
        (500, {"errors": "boom"}, {}, ServerError),
        (502, "<html>bad gateway</html>", {}, ServerError),
        (503, None, {}, ServerError),
        (504, None, {}, ServerError),
        (
            200,
            {"errors": [{"message": "Field 'x' doesn't exist", "extensions": {"code": "undefinedField"}}]},
            {},
            SchemaError,
        ),
        (400, {"errors": {"query": "Required parameter missing or invalid"}}, {}, SchemaError),
        (200, "not json object", {}, ServerError),
    ],
)
def test_classify(status, body, headers, expected):
    err = classify(status, body, shop="acme", headers=headers)
    if expected is None:
        assert err is None
    else:
        assert type(err) is expected
        assert err.shop == "acme"
        assert err.status == status


def test_retry_after_is_decimal_seconds():
    err = classify(429, {}, headers={"Retry-After": "2.5", "X-Request-Id": "req-1"})
    assert isinstance(err, ThrottledError)
    assert err.retry_after_s == 2.5
    assert "req-1" in str(err)


def test_retry_after_garbage_is_ignored():
    err = classify(429, {}, headers={"Retry-After": "soon"})
    assert isinstance(err, ThrottledError) and err.retry_after_s is None


def test_graphql_throttle_keeps_throttle_status():
    err = classify(200, THROTTLED_BODY)
    assert isinstance(err, ThrottledError)
    assert err.throttle_status == {"maximumAvailable": 2000.0, "currentlyAvailable": 3, "restoreRate": 100.0}
    assert err.category == "throttled"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, "not json", None),  # the token endpoint's own reader decides what a success body means
        (302, None, None),
        (400, {"error": "invalid_request"}, SchemaError),
        (401, {"errors": "bad client"}, InvalidTokenError),
        (429, None, ThrottledError),
        (503, "<html>down</html>", ServerError),
    ],
)
def test_classify_by_status_only(status, body, expected):
    err = classify(status, body, shop="acme", graphql=False)
    assert (err is None) if expected is None else (type(err) is expected)


def test_a_body_that_is_not_json_is_quoted_in_the_error():
    err = classify(200, "<html>captive portal</html>")
    assert isinstance(err, ServerError) and "captive portal" in str(err)
