"""metafieldsSet on customers, products and orders, and the customer marketing-consent mutations."""

import pytest

from tests.unit.test_simulator_harness import SHOP, customer_set, graphql, make_state
from tests.unit.test_simulator_orders import created_order, custom_line
from tests.unit.test_simulator_products import created


def owners(state):
    customer = customer_set(state, {"email": "ada@example.com", "phone": "+14155550100"})["customer"]
    product = created(state, {"title": "Mug"})
    order = created_order(state, {"lineItems": [custom_line()]})
    return customer["id"], product["id"], order["id"]


def entry(owner, key="tier", value="gold", type="single_line_text_field", namespace="loyalty", **extra):
    return {"ownerId": owner, "namespace": namespace, "key": key, "value": value, "type": type, **extra}


def metafields_set(state, entries):
    answer = graphql(state, "metafields_set", {"metafields": entries})
    assert answer.status == 200 and "errors" not in answer.body, answer.body
    return answer


def errors_of(answer):
    payload = answer.data["metafieldsSet"]
    return [(e["field"], e["message"], e["code"], e["elementIndex"]) for e in payload["userErrors"]]


def test_set_on_customer_product_and_order_and_read_back():
    state = make_state()
    customer, product, order = owners(state)
    answer = metafields_set(
        state, [entry(customer), entry(product, "material", "clay"), entry(order, "batch", "7")]
    )
    written = answer.data["metafieldsSet"]["metafields"]
    assert [(m["key"], m["ownerType"]) for m in written] == [
        ("tier", "CUSTOMER"),
        ("material", "PRODUCT"),
        ("batch", "ORDER"),
    ]
    assert all(len(m["compareDigest"]) == 64 for m in written)
    assert (answer.cost["requestedQueryCost"], answer.cost["actualQueryCost"]) == (25, 25)  # 10 + 1 + 4 + 10
    read = graphql(state, "customer_metafields", {"id": customer}).data["customer"]
    assert read["metafield"] == {"value": "gold", "type": "single_line_text_field"}
    assert read["metafields"]["nodes"] == [{"namespace": "loyalty", "key": "tier", "value": "gold"}]
    shop = state.shop(SHOP)
    assert shop.metafields.get(product, "loyalty", "material")["value"] == "clay"
    assert shop.metafields.get(order, "loyalty", "batch")["value"] == "7"


def test_set_again_updates_in_place():
    state = make_state()
    customer, _product, _order = owners(state)
    first = metafields_set(state, [entry(customer)]).data["metafieldsSet"]["metafields"][0]
    second = metafields_set(state, [entry(customer, value="platinum")]).data["metafieldsSet"]["metafields"][0]
    assert second["id"] == first["id"] and second["value"] == "platinum"
    assert second["compareDigest"] != first["compareDigest"]
    without_type = metafields_set(state, [{**entry(customer, value="silver"), "type": None}])
    assert without_type.data["metafieldsSet"]["userErrors"] == []  # the existing type is kept


def test_at_most_25_per_call():
    state = make_state()
    customer, _product, _order = owners(state)
    assert errors_of(metafields_set(state, [entry(customer, f"k{i}") for i in range(25)])) == []
    over = metafields_set(state, [entry(customer, f"x{i}") for i in range(26)])
    assert over.data["metafieldsSet"]["metafields"] is None
    assert errors_of(over) == [
        (["metafields"], "Exceeded the maximum metafields input limit of 25.", "LESS_THAN_OR_EQUAL_TO", None)
    ]


def test_unknown_owner_fails_the_whole_call():
    state = make_state()
    customer, _product, _order = owners(state)
    answer = metafields_set(state, [entry(customer), entry("gid://shopify/Product/999")])
    assert answer.data["metafieldsSet"]["metafields"] == []
    assert errors_of(answer) == [
        (["metafields", "1", "ownerId"], "Owner does not exist.", "INVALID_VALUE", None)
    ]
    assert state.shop(SHOP).metafields.for_owner(customer) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"type": None}, (["metafields", "0", "type"], "Type can't be blank", "BLANK", None)),
        ({"value": ""}, (["metafields", "0", "value"], "Value can't be blank", "BLANK", None)),
        (
            {"type": "number_integer", "value": "1.5"},
            (["metafields", "0", "value"], "Value must be an integer.", "INVALID_VALUE", None),
        ),
        (
            {"type": "boolean", "value": "yes"},
            (["metafields", "0", "value"], "Value must be true or false.", "INVALID_VALUE", None),
        ),
        (
            {"type": "json", "value": "{"},
            (["metafields", "0", "value"], "Value is invalid JSON.", "INVALID_VALUE", None),
        ),
    ],
)
def test_entry_errors(change, expected):
    state = make_state()
    customer, _product, _order = owners(state)
    assert errors_of(metafields_set(state, [{**entry(customer), **change}])) == [expected]


def test_compare_digest():
    state = make_state()
    customer, _product, _order = owners(state)
    assert (
        errors_of(metafields_set(state, [entry(customer, compareDigest=None)])) == []
    )  # null: must not exist yet
    current = state.shop(SHOP).metafields.get(customer, "loyalty", "tier")["compareDigest"]
    stale = (
        ["metafields", "0", "compareDigest"],
        "The metafield has been modified since it was loaded.",
        "STALE_OBJECT",
        None,
    )
    assert errors_of(metafields_set(state, [entry(customer, value="x", compareDigest=None)])) == [stale]
    assert errors_of(metafields_set(state, [entry(customer, value="x", compareDigest="0" * 64)])) == [stale]
    assert errors_of(metafields_set(state, [entry(customer, value="x", compareDigest=current)])) == []


def test_namespace_defaults_to_the_app_namespace():
    state = make_state()
    customer, _product, _order = owners(state)
    [written] = metafields_set(state, [{**entry(customer), "namespace": None}]).data["metafieldsSet"][
        "metafields"
    ]
    assert written["namespace"] == f"app--{state.shop(SHOP).number}"


def test_writing_metafields_needs_the_owner_scope():
    state = make_state(scopes=("write_customers",))
    customer = customer_set(state, {"email": "ada@example.com"})["customer"]["id"]
    answer = graphql(
        state, "metafields_set", {"metafields": [entry(customer), entry("gid://shopify/Product/1")]}
    )
    assert answer.body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert state.shop(SHOP).metafields.for_owner(customer) == []


def consent(state, document, input):
    answer = graphql(state, document, {"input": input})
    assert answer.status == 200, answer.text
    return answer


def test_email_consent():
    state = make_state()
    customer = customer_set(state, {"email": "ada@example.com"})["customer"]["id"]
    payload = consent(
        state,
        "email_consent",
        {
            "customerId": customer,
            "emailMarketingConsent": {
                "marketingState": "SUBSCRIBED",
                "marketingOptInLevel": "SINGLE_OPT_IN",
                "consentUpdatedAt": "2026-04-25T01:00:00Z",
            },
        },
    ).data["customerEmailMarketingConsentUpdate"]
    assert payload["userErrors"] == []
    assert payload["customer"]["defaultEmailAddress"] == {
        "emailAddress": "ada@example.com",
        "marketingState": "SUBSCRIBED",
        "marketingOptInLevel": "SINGLE_OPT_IN",
        "marketingUpdatedAt": "2026-04-25T01:00:00Z",
    }


def test_email_consent_errors_as_observed():
    state = make_state()
    customer = customer_set(state, {"email": "ada@example.com"})["customer"]["id"]
    unknown = consent(
        state,
        "email_consent",
        {
            "customerId": "gid://shopify/Customer/999",
            "emailMarketingConsent": {"marketingState": "SUBSCRIBED"},
        },
    )
    assert unknown.data["customerEmailMarketingConsentUpdate"] == {
        "customer": None,
        "userErrors": [
            {"field": ["input", "customerId"], "message": "Customer not found", "code": "INVALID"}
        ],
    }
    future = consent(
        state,
        "email_consent",
        {
            "customerId": customer,
            "emailMarketingConsent": {
                "marketingState": "SUBSCRIBED",
                "marketingOptInLevel": "SINGLE_OPT_IN",
                "consentUpdatedAt": "2999-01-01T00:00:00Z",
            },
        },
    ).data["customerEmailMarketingConsentUpdate"]
    assert (
        future["customer"]["defaultEmailAddress"]["marketingState"] == "NOT_SUBSCRIBED"
    )  # unchanged, still returned
    assert future["userErrors"] == [
        {
            "field": ["input", "emailMarketingConsent", "consentUpdatedAt"],
            "message": "Consent updated at must not be in the future",
            "code": "INVALID",
        }
    ]
    pending = consent(
        state,
        "email_consent",
        {
            "customerId": customer,
            "emailMarketingConsent": {"marketingState": "PENDING", "marketingOptInLevel": "SINGLE_OPT_IN"},
        },
    )
    [error] = pending.data["customerEmailMarketingConsentUpdate"]["userErrors"]
    assert error["message"] == "Marketing opt in level must be confirmed opt-in for pending consent state"
    refused = consent(
        state,
        "email_consent",
        {"customerId": customer, "emailMarketingConsent": {"marketingState": "NOT_SUBSCRIBED"}},
    )
    [top] = refused.body["errors"]
    assert (top["message"], top["extensions"], top["path"]) == (
        "Cannot specify NOT_SUBSCRIBED as a marketing state input",
        {"code": "INVALID"},
        ["customerEmailMarketingConsentUpdate"],
    )
    assert refused.data == {"customerEmailMarketingConsentUpdate": None}


def test_sms_consent_and_its_errors():
    state = make_state()
    with_phone = customer_set(state, {"phone": "+14155550100", "firstName": "P"})["customer"]["id"]
    email_only = customer_set(state, {"email": "e@example.com"})["customer"]["id"]
    payload = consent(
        state,
        "sms_consent",
        {
            "customerId": with_phone,
            "smsMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"},
        },
    ).data
    phone = payload["customerSmsMarketingConsentUpdate"]["customer"]["defaultPhoneNumber"]
    assert (phone["marketingState"], phone["marketingCollectedFrom"]) == ("SUBSCRIBED", "OTHER")
    no_phone = consent(
        state,
        "sms_consent",
        {"customerId": email_only, "smsMarketingConsent": {"marketingState": "SUBSCRIBED"}},
    ).data
    assert no_phone["customerSmsMarketingConsentUpdate"] == {
        "customer": None,
        "userErrors": [
            {
                "field": ["input", "smsMarketingConsent"],
                "message": "A phone number is required to set the SMS consent state.",
                "code": "INVALID",
            }
        ],
    }
    unknown = consent(
        state,
        "sms_consent",
        {"customerId": "gid://shopify/Customer/999", "smsMarketingConsent": {"marketingState": "SUBSCRIBED"}},
    ).data
    assert unknown["customerSmsMarketingConsentUpdate"]["userErrors"] == [
        {"field": None, "message": "Customer not found", "code": None}
    ]


def test_email_consent_for_a_customer_without_email_changes_nothing():
    state = make_state()
    customer = customer_set(state, {"phone": "+14155550100", "firstName": "P"})["customer"]["id"]
    subscribed = {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"}
    payload = consent(
        state, "email_consent", {"customerId": customer, "emailMarketingConsent": subscribed}
    ).data
    assert payload["customerEmailMarketingConsentUpdate"] == {
        "customer": {"id": customer, "defaultEmailAddress": None},
        "userErrors": [],
    }


def test_subscribed_email_consent_needs_an_opt_in_level():
    """FACTS.md: SUBSCRIBED email consent without marketingOptInLevel is MISSING_ARGUMENT on that field."""
    state = make_state()
    customer = customer_set(state, {"email": "ada@example.com"})["customer"]["id"]
    answer = consent(
        state,
        "email_consent",
        {"customerId": customer, "emailMarketingConsent": {"marketingState": "SUBSCRIBED"}},
    ).data["customerEmailMarketingConsentUpdate"]
    [error] = answer["userErrors"]
    assert (error["field"], error["code"]) == (
        ["input", "emailMarketingConsent", "marketingOptInLevel"],
        "MISSING_ARGUMENT",
    )
    assert answer["customer"]["defaultEmailAddress"]["marketingState"] == "NOT_SUBSCRIBED"


@pytest.mark.parametrize("state_input", ["NOT_SUBSCRIBED", "REDACTED"])
@pytest.mark.parametrize("document", ["email_consent", "sms_consent"])
def test_states_only_shopify_sets_are_refused(state_input, document):
    """FACTS.md: NOT_SUBSCRIBED and REDACTED are not input states (top-level INVALID)."""
    state = make_state()
    customer = customer_set(state, {"email": "ada@example.com", "phone": "+14155550100"})["customer"]["id"]
    key = "emailMarketingConsent" if document == "email_consent" else "smsMarketingConsent"
    answer = consent(state, document, {"customerId": customer, key: {"marketingState": state_input}})
    [top] = answer.body["errors"]
    assert top["message"] == f"Cannot specify {state_input} as a marketing state input"
    assert top["extensions"] == {"code": "INVALID"}
