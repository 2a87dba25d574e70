"""The HTTP surface: routing, auth, bodies, throttling and document errors."""

import uuid

import pytest

from simulator import FaultConfig
from tests.unit.test_simulator_documents import DOCUMENTS, INVALID_DOCUMENTS
from tests.unit.test_simulator_harness import (
    SHOP,
    TOKEN,
    FakeClock,
    graphql,
    make_state,
    post,
    read,
    run,
)

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_every_answer_has_a_request_id():
    state = make_state()

    async def scenario(client):
        answers = [
            await post(client, "shop"),
            await post(client, "shop", token="wrong"),
            await post(client, "shop", shop="nope"),
        ]
        async with client.get("/no/such/path") as response:
            answers.append(await read(response))
        async with client.get("/_simulator/stats") as response:
            answers.append(await read(response))
        return answers

    answers = run(state, scenario)
    ids = [answer.headers["X-Request-Id"] for answer in answers]
    assert [answer.status for answer in answers] == [200, 401, 404, 404, 200]
    assert all(uuid.UUID(request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("token", [None, "", "shpat_wrong"])
def test_missing_or_wrong_token_is_401(token):
    answer = graphql(make_state(), "shop", token=token)
    assert answer.status == 401
    assert answer.body == INVALID_TOKEN


def test_revoked_token_is_401():
    state = make_state()
    state.shop(SHOP).revoke_token()
    answer = graphql(state, "shop")
    assert (answer.status, answer.body) == (401, INVALID_TOKEN)
    assert state.stats()["by_status"] == {"401": 1}


@pytest.mark.parametrize(
    ("shop", "version"), [("nope", "2026-07"), (SHOP, "2025-13"), (SHOP, "unstable"), (SHOP, "2027-01")]
)
def test_unknown_shop_or_path_is_404(shop, version):
    answer = graphql(make_state(), "shop", shop=shop, version=version)
    assert (answer.status, answer.body) == (404, {"errors": "Not Found"})


@pytest.mark.parametrize("version", ["2026-04", "2026-07", "2026-10"])
def test_served_versions(version):
    answer = graphql(make_state(), "shop", version=version)
    assert answer.status == 200
    assert answer.headers["X-Shopify-API-Version"] == version


@pytest.mark.parametrize("version", ["2025-01", "2024-10", "2026-01"])
def test_an_unsupported_old_version_falls_forward(version):
    """FACTS.md: 2025-01 in mid-2026 was answered normally, by the oldest supported version."""
    answer = graphql(make_state(), "shop", version=version)
    assert answer.status == 200
    assert answer.body["data"]["shop"]
    assert answer.headers["X-Shopify-API-Version"] == "2026-04"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"variables": {}}',
        b'{"query": ""}',
        b'{"query": "{ shop { id } }", "variables": 3}',
    ],
)
def test_malformed_body_is_400(body):
    async def scenario(client):
        async with client.post(
            f"/store/{SHOP}/admin/api/2026-07/graphql.json",
            data=body,
            headers={"X-Shopify-Access-Token": TOKEN, "Content-Type": "application/json"},
        ) as response:
            return await read(response)

    answer = run(make_state(), scenario)
    assert (answer.status, answer.body) == (
        400,
        {"errors": {"query": "Required parameter missing or invalid"}},
    )


def test_shop_from_the_host_header():
    async def scenario(client):
        async with client.post(
            "/admin/api/2026-07/graphql.json",
            json={"query": DOCUMENTS["shop"]},
            headers={"X-Shopify-Access-Token": TOKEN, "Host": f"{SHOP}.myshopify.com"},
        ) as response:
            return await read(response)

    answer = run(make_state(), scenario)
    assert answer.status == 200
    assert answer.data["shop"]["name"] == SHOP


def test_application_graphql_body_and_string_variables():
    async def scenario(client):
        headers = {"X-Shopify-Access-Token": TOKEN}
        async with client.post(
            f"/store/{SHOP}/admin/api/2026-07/graphql.json",
            data=DOCUMENTS["shop"],
            headers={**headers, "Content-Type": "application/graphql"},
        ) as response:
            raw = await read(response)
        async with client.post(
            f"/store/{SHOP}/admin/api/2026-07/graphql.json",
            json={"query": DOCUMENTS["customer"], "variables": '{"id": "gid://shopify/Customer/9"}'},
            headers=headers,
        ) as response:
            encoded = await read(response)
        return raw, encoded

    raw, encoded = run(make_state(), scenario)
    assert raw.data["shop"]["name"] == SHOP
    assert encoded.data == {"customer": None}


def test_operation_name_picks_the_operation():
    state = make_state()
    answer = graphql(state, "two_operations", operation_name="Second")
    assert answer.data == {"shop": {"name": SHOP}}
    answer = graphql(state, "two_operations")
    assert answer.body == {"errors": [{"message": "An operation name is required"}]}


def throttle_state(**faults):
    clock = FakeClock()
    state = make_state(clock=clock, bucket_size=25.0, restore_rate=5.0, faults=FaultConfig(**faults))
    return state, clock


def test_throttled_answer_has_shopify_shape_and_does_not_execute():
    state, _clock = throttle_state()
    state.shop(SHOP).bucket.try_reserve(20)  # 5 points left, a customerSet needs 10
    answer = graphql(state, "customer_set_small", {"input": {"email": "ada@example.com"}})
    assert answer.status == 200
    assert answer.body == {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": 10,
                "actualQueryCost": None,
                "throttleStatus": {"maximumAvailable": 25.0, "currentlyAvailable": 5, "restoreRate": 5.0},
            }
        },
    }
    assert state.shop(SHOP).customers.all() == []
    stats = state.stats()
    assert (stats["throttled"], stats["mutations"], stats["by_status"]) == (1, 0, {"200": 1})


def test_throttle_clears_as_the_bucket_restores():
    state, clock = throttle_state()
    state.shop(SHOP).bucket.try_reserve(20)
    clock.advance(1.0)  # 5 + 5 = 10 points: enough
    answer = graphql(state, "customer_set_small", {"input": {"email": "ada@example.com"}})
    assert answer.data["customerSet"]["customer"]["email"] == "ada@example.com"
    assert answer.cost["throttleStatus"]["currentlyAvailable"] == 0


def test_http429_mode_answers_429_with_retry_after_in_decimal_seconds():
    state, _clock = throttle_state(throttle_response="http429")
    state.shop(SHOP).bucket.try_reserve(20)
    answer = graphql(state, "customer_set_small", {"input": {"email": "ada@example.com"}})
    assert answer.status == 429
    assert answer.headers["Retry-After"] == "1.0"  # 5 points short at 5 points/s
    assert answer.body == {
        "errors": "Exceeded 2 calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    }
    assert state.stats()["throttled"] == 1
    assert state.stats()["by_status"] == {"429": 1}


def test_retry_after_rounds_up_to_a_tenth_of_a_second():
    state, _clock = throttle_state(throttle_response="http429")
    state.shop(SHOP).bucket.try_reserve(24)  # 1 left, 9 short at 5/s = 1.8 s
    answer = graphql(state, "customer_set_small", {"input": {"email": "ada@example.com"}})
    assert answer.headers["Retry-After"] == "1.8"


def test_validation_error_is_shopify_shaped_and_free():
    state = make_state(clock=FakeClock())
    answer = graphql(state, INVALID_DOCUMENTS["undefined_field"])
    assert answer.status == 200
    assert answer.body == {
        "errors": [
            {
                "message": "Field 'nope' doesn't exist on type 'Shop'",
                "locations": [{"line": 1, "column": 27}],
                "path": ["query GetShop", "shop", "nope"],
                "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "nope"},
            }
        ]
    }
    assert state.shop(SHOP).bucket.available() == 2000.0


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        (
            "missing_selection",
            "selectionMismatch",
            "Field must have selections (field 'shop' returns Shop but has no selections. "
            "Did you mean 'shop { ... }'?)",
        ),
        ("unknown_argument", "argumentNotAccepted", "Field 'customer' doesn't accept argument 'bogus'"),
        (
            "missing_argument",
            "missingRequiredArguments",
            "Field 'customerSet' is missing required arguments: input",
        ),
        ("syntax", "PARSE_ERROR", "syntax error, unexpected end of file at [1, 27]"),
    ],
)
def test_document_errors(name, code, message):
    answer = graphql(make_state(), INVALID_DOCUMENTS[name])
    assert answer.status == 200
    [error] = answer.body["errors"]
    assert (error["extensions"]["code"], error["message"]) == (code, message)
    assert "data" not in answer.body


def test_invalid_variables_are_reported_per_variable():
    answer = graphql(make_state(), "customer_set_small", {"input": {"email": 3, "bogus": True}})
    [error] = answer.body["errors"]
    assert error["message"] == (
        "Variable $input of type CustomerSetInput! was provided invalid value for email "
        "(String cannot represent a non string value: 3)"
    )
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert error["extensions"]["problems"][1] == {
        "path": ["bogus"],
        "explanation": "Field is not defined on CustomerSetInput",
    }


def test_missing_scope_is_access_denied():
    state = make_state(scopes=("read_products",))
    answer = graphql(state, "customer_set_small", {"input": {"email": "ada@example.com"}})
    assert answer.status == 200
    [error] = answer.body["errors"]
    assert (
        error["message"]
        == "Access denied for customerSet field. Required access: `write_customers` access scope."
    )
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["path"] == ["customerSet"]
    assert answer.data == {"customerSet": None}
    assert state.shop(SHOP).customers.all() == []


def test_write_scope_implies_read_scope():
    answer = graphql(make_state(scopes=("write_customers",)), "customers_page", {"first": 1})
    assert answer.data["customers"]["edges"] == []


def test_shop_and_scopes():
    state = make_state(scopes=("write_customers", "read_locations"))
    shop = graphql(state, "shop").data["shop"]
    assert shop["name"] == SHOP and shop["myshopifyDomain"] == "acme.myshopify.com"
    assert shop["id"].startswith("gid://shopify/Shop/")
    scopes = graphql(state, "scopes").data["currentAppInstallation"]["accessScopes"]
    assert [scope["handle"] for scope in scopes] == ["write_customers", "read_locations"]
