"""customerSet semantics and user errors, through HTTP, as observed on live stores."""

import pytest

from tests.unit.test_simulator_harness import SHOP, customer_set, graphql, make_state, post, run


def only_error(payload):
    assert payload["customer"] is None
    [error] = payload["userErrors"]
    return error


def test_create_without_identifier():
    state = make_state()
    payload = customer_set(
        state,
        {
            "email": " Ada@Example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "tags": ["vip, b2b", "VIP"],
            "phone": "+1 (415) 555-0100",
            "note": "hi",
            "taxExempt": True,
            "taxExemptions": ["CA_BC_RESELLER_EXEMPTION"],
        },
    )
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert customer["id"] == "gid://shopify/Customer/1"
    assert customer["email"] == "ada@example.com"  # whitespace dropped, lower-cased
    assert customer["phone"] == "+14155550100"  # E.164
    assert customer["tags"] == ["b2b", "vip"]  # split, de-duplicated case-insensitively, sorted
    assert (customer["locale"], customer["taxExempt"], customer["taxExemptions"]) == (
        "en",
        True,
        ["CA_BC_RESELLER_EXEMPTION"],
    )
    [stored] = state.shop(SHOP).customers.all()
    assert stored["id"] == customer["id"]
    assert set(stored) >= {
        "id",
        "email",
        "phone",
        "firstName",
        "lastName",
        "note",
        "tags",
        "locale",
        "taxExempt",
        "addresses",
        "createdAt",
        "updatedAt",
    }
    assert stored["createdAt"].endswith("Z")


def test_upsert_by_email_creates_then_updates():
    state = make_state()
    created = customer_set(
        state, {"email": "ada@example.com", "firstName": "Ada"}, {"email": "ada@example.com"}
    )
    updated = customer_set(state, {"email": "ADA@example.com", "lastName": "L"}, {"email": "ada@example.com"})
    assert created["userErrors"] == updated["userErrors"] == []
    assert updated["customer"]["id"] == created["customer"]["id"]
    assert (updated["customer"]["firstName"], updated["customer"]["lastName"]) == (
        "Ada",
        "L",
    )  # omitted: unchanged
    assert len(state.shop(SHOP).customers.all()) == 1


def test_upsert_by_phone():
    state = make_state()
    created = customer_set(state, {"phone": "+14155550100", "firstName": "A"}, {"phone": "+14155550100"})
    updated = customer_set(state, {"phone": "+1 415 555 0100", "firstName": "B"}, {"phone": "+14155550100"})
    assert updated["customer"]["id"] == created["customer"]["id"]
    assert updated["customer"]["firstName"] == "B"


def test_update_by_id_replaces_addresses_and_clears_with_null():
    state = make_state()
    created = customer_set(
        state,
        {
            "email": "ada@example.com",
            "note": "old",
            "addresses": [{"city": "Ottawa", "countryCode": "CA", "provinceCode": "ON"}],
        },
    )
    customer_id = created["customer"]["id"]
    updated = customer_set(
        state,
        {
            "note": None,
            "addresses": [
                {"address1": "1 Main St", "city": "Boston", "countryCode": "US", "provinceCode": "MA"}
            ],
        },
        {"id": customer_id},
    )
    assert updated["userErrors"] == []
    assert updated["customer"]["note"] is None
    [stored] = state.shop(SHOP).customers.all()
    [address] = stored["addresses"]
    assert (address["city"], address["country"], address["formattedArea"]) == (
        "Boston",
        "United States",
        "Boston MA, United States",
    )
    assert address["id"].startswith("gid://shopify/MailingAddress/")


def test_addresses_null_keeps_them_and_empty_list_clears_them():
    state = make_state()
    created = customer_set(state, {"email": "ada@example.com", "addresses": [{"city": "Ottawa"}]})
    identifier = {"id": created["customer"]["id"]}
    customer_set(state, {"addresses": None}, identifier)
    assert len(state.shop(SHOP).customers.all()[0]["addresses"]) == 1
    customer_set(state, {"addresses": []}, identifier)
    assert state.shop(SHOP).customers.all()[0]["addresses"] == []


def test_address_connection_and_default_address():
    state = make_state()
    answer = graphql(
        state,
        "customer_set_addresses",
        {
            "input": {
                "firstName": "Ada",
                "addresses": [
                    {"city": "Ottawa", "countryCode": "CA", "provinceCode": "ON"},
                    {"city": "Toronto", "countryCode": "CA", "provinceCode": "ON"},
                ],
            }
        },
    )
    customer = answer.data["customerSet"]["customer"]
    assert customer["displayName"] == "Ada"
    assert customer["defaultAddress"] == {"city": "Ottawa", "formattedArea": "Ottawa ON, Canada"}
    assert [node["city"] for node in customer["addressesV2"]["nodes"]] == ["Ottawa", "Toronto"]
    assert customer["addressesV2"]["pageInfo"]["hasNextPage"] is False


def test_update_by_unknown_id_is_not_found():
    error = only_error(
        customer_set(make_state(), {"firstName": "Ghost"}, {"id": "gid://shopify/Customer/999"})
    )
    assert error == {
        "field": ["input"],
        "message": "Resource matching the identifier was not found.",
        "code": "NOT_FOUND",
    }


def test_input_id_with_identifier_is_not_allowed():
    state = make_state()
    created = customer_set(state, {"email": "ada@example.com"})
    error = only_error(
        customer_set(
            state, {"id": created["customer"]["id"], "email": "ada@example.com"}, {"email": "ada@example.com"}
        )
    )
    assert error == {
        "field": ["input"],
        "message": "The id field is not allowed if identifier is provided.",
        "code": "ID_NOT_ALLOWED",
    }


def test_deprecated_input_id_updates():
    state = make_state()
    created = customer_set(state, {"email": "ada@example.com"})
    updated = customer_set(state, {"id": created["customer"]["id"], "firstName": "Ada"})
    assert updated["customer"]["id"] == created["customer"]["id"]
    assert updated["customer"]["firstName"] == "Ada"


def test_identifier_field_missing_from_input():
    error = only_error(customer_set(make_state(), {"firstName": "Ada"}, {"email": "ada@example.com"}))
    assert error == {
        "field": ["input"],
        "message": "The input field corresponding to the identifier is required.",
        "code": "MISSING_FIELD_REQUIRED",
    }


def test_identifier_value_must_match_input():
    error = only_error(customer_set(make_state(), {"email": "bob@example.com"}, {"email": "ada@example.com"}))
    assert error["code"] == "INPUT_MISMATCH"
    assert (
        error["message"]
        == "The identifier value does not match the value of the corresponding field in the input."
    )


def test_custom_id_identifier_is_a_top_level_not_found():
    answer = graphql(
        make_state(),
        "customer_set",
        {"input": {"firstName": "A"}, "identifier": {"customId": {"key": "k", "value": "v"}}},
    )
    [error] = answer.body["errors"]
    assert error["message"] == "Metafield definition of type 'id' is required when using custom ids."
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert answer.data == {"customerSet": None}
    assert answer.cost["actualQueryCost"] == 10


def test_custom_id_upserts_once_a_unique_definition_exists():
    """FACTS.md: customerSet by customId works only with a unique metafield definition (control API)."""
    state = make_state()
    custom = {"namespace": "erp", "key": "id", "value": "C-1"}

    async def scenario(client):
        async with client.post(
            f"/_simulator/shops/{SHOP}/metafield-definitions",
            json={"ownerType": "CUSTOMER", "namespace": "erp", "key": "id"},
        ) as response:
            assert response.status == 201
        answers = []
        for input in ({"email": "a@example.com"}, {"firstName": "Renamed"}):
            answer = await post(client, "customer_set", {"input": input, "identifier": {"customId": custom}})
            answers.append(answer.data["customerSet"])
        return answers

    first, second = run(state, scenario)
    assert first["userErrors"] == [] and second["userErrors"] == []
    assert second["customer"]["id"] == first["customer"]["id"]
    assert len(state.shop(SHOP).customers.all()) == 1
    stored = state.shop(SHOP).metafields.get(first["customer"]["id"], "erp", "id")
    assert (stored["type"], stored["value"]) == ("id", "C-1")


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({"email": "foo@"}, (["input", "email"], "Email is invalid", "INVALID")),
        ({"email": "@bar.com"}, (["input", "email"], "Email is invalid", "INVALID")),
        ({"email": "foo@bar"}, (["input", "email"], "Email is invalid", "INVALID")),
        ({"email": "foo@@bar.com"}, (["input", "email"], "Email is invalid", "INVALID")),
        ({"phone": "12"}, (["input", "phone"], "Phone is invalid", "INVALID")),
        ({"phone": "call me"}, (["input", "phone"], "Phone is invalid", "INVALID")),
        ({"email": ""}, (["input"], "A name, phone number, or email address must be present", "BLANK")),
        (
            {"note": "only a note"},
            (["input"], "A name, phone number, or email address must be present", "BLANK"),
        ),
        (
            {"email": "a@example.com", "note": "N" * 5001},
            (["input", "note"], "Note is too long (maximum is 5000 characters)", "TOO_LONG"),
        ),
        (
            {"firstName": "F" * 256},
            (["input", "firstName"], "First name is too long (maximum is 255 characters)", "TOO_LONG"),
        ),
        (
            {"lastName": "L" * 256},
            (["input", "lastName"], "Last name is too long (maximum is 255 characters)", "TOO_LONG"),
        ),
        (
            {"email": "a@example.com", "tags": [",".join(f"t{i}" for i in range(251))]},
            (["input", "tags"], "Tags cannot be more than 250", "INVALID"),
        ),
        (
            {"email": "a@example.com", "taxExempt": None},
            (["input", "taxExempt"], "Tax exempt is of unexpected type NilClass", "INVALID"),
        ),
    ],
)
def test_user_errors(input, expected):
    state = make_state()
    error = only_error(customer_set(state, input))
    assert (error["field"], error["message"], error["code"]) == expected
    assert state.shop(SHOP).customers.all() == []


def test_limits_are_inclusive():
    payload = customer_set(
        make_state(), {"email": "a@example.com", "note": "N" * 5000, "firstName": "F" * 255}
    )
    assert payload["userErrors"] == []


def test_too_long_email_reports_both_errors():
    payload = customer_set(make_state(), {"email": "a" * 250 + "@example.com"})
    assert [e["message"] for e in payload["userErrors"]] == [
        "Email is too long (maximum is 255 characters)",
        "Email is invalid",
    ]


def test_taken_email_and_phone():
    state = make_state()
    customer_set(state, {"email": "ada@example.com", "phone": "+14155550100"})
    email = only_error(customer_set(state, {"email": " ADA@example.com", "firstName": "Other"}))
    assert email == {"field": ["input", "email"], "message": "Email has already been taken", "code": "TAKEN"}
    phone = only_error(customer_set(state, {"phone": "(415) 555-0100", "firstName": "Other"}))
    assert phone == {"field": ["input", "phone"], "message": "Phone has already been taken", "code": "TAKEN"}


def test_updating_a_customer_to_its_own_email_is_not_taken():
    state = make_state()
    created = customer_set(state, {"email": "ada@example.com"})
    again = customer_set(
        state, {"email": "ada@example.com", "firstName": "Ada"}, {"id": created["customer"]["id"]}
    )
    assert again["userErrors"] == []


def test_several_field_errors_come_together():
    payload = customer_set(make_state(), {"email": "nope", "phone": "1", "note": "x" * 5001})
    assert [e["field"] for e in payload["userErrors"]] == [
        ["input", "email"],
        ["input", "phone"],
        ["input", "note"],
    ]


def test_user_errors_cost_only_the_mutation():
    answer = graphql(make_state(), "customer_set_addresses", {"input": {"email": "nope"}})
    assert answer.cost["requestedQueryCost"] == 16  # 10 + 1 + (2 + 3 x 1)
    assert answer.cost["actualQueryCost"] == 10
    assert answer.cost["throttleStatus"]["currentlyAvailable"] == 1990


def test_mutations_are_counted():
    state = make_state()
    customer_set(state, {"email": "ada@example.com"})
    customer_set(state, {"email": "nope"})
    assert state.stats()["mutations"] == 2
