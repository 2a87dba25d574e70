"""metafieldsSet checks each value by its type and normalises it, as live stores do (FACTS.md)."""

import json

import pytest

from tests.unit.test_simulator_harness import SHOP, make_state
from tests.unit.test_simulator_metafields import entry, errors_of, metafields_set, owners


@pytest.mark.parametrize(
    ("type_name", "value", "stored"),
    [
        ("boolean", "t", "true"),
        ("boolean", "1", "true"),
        ("boolean", " TRUE ", "true"),
        ("boolean", "f", "false"),
        ("number_integer", "5.0", "5"),
        ("number_integer", "-12", "-12"),
        ("color", "#00ff7F", "#00ff7F"),
        ("date", "2026-12-01", "2026-12-01"),
        ("url", "https://example.com/a", "https://example.com/a"),
        ("list.number_integer", "[1, 2.0]", "[1, 2]"),
        ("product_reference", "gid://shopify/Product/1", "gid://shopify/Product/1"),
    ],
)
def test_accepted_values_are_stored_normalised(type_name, value, stored):
    state = make_state()
    customer, _product, _order = owners(state)
    answer = metafields_set(state, [entry(customer, value=value, type=type_name)])
    assert errors_of(answer) == []
    assert state.shop(SHOP).metafields.get(customer, "loyalty", "tier")["value"] == stored


BAD = [
    ("color", "red"),
    ("date", "2026-13-01"),
    ("url", "example.com"),
    ("money", json.dumps({"amount": "x", "currency_code": "EUR"})),
    ("money", json.dumps({"amount": "5.00"})),
    ("dimension", json.dumps({"value": 2, "unit": "parsec"})),
    ("rating", json.dumps({"value": "6", "scale_min": "1", "scale_max": "5"})),
    ("list.color", '["#000000", "blue"]'),
    ("list.number_integer", '{"a": 1}'),
    ("product_reference", "gid://shopify/Customer/1"),
    ("boolean", "yes"),
    ("number_integer", "5.5"),
]


@pytest.mark.parametrize(("type_name", "value"), BAD)
def test_values_that_do_not_fit_their_type_are_refused(type_name, value):
    state = make_state()
    customer, _product, _order = owners(state)
    answer = metafields_set(
        state, [entry(customer, key="ok", value="x"), entry(customer, value=value, type=type_name)]
    )
    [(field, _message, code, _index)] = errors_of(answer)
    assert (field, code) == (["metafields", "1", "value"], "INVALID_VALUE")
    assert answer.data["metafieldsSet"]["metafields"] == []  # atomic: the good entry is not written
    assert state.shop(SHOP).metafields.for_owner(customer) == []


@pytest.mark.parametrize(
    ("namespace", "key", "field", "code"),
    [
        ("ab", "tier", "namespace", "TOO_SHORT"),
        ("loyalty", "t", "key", "TOO_SHORT"),
        ("loyalty", "k" * 65, "key", "TOO_LONG"),
        ("shopify", "tier", "namespace", "APP_NOT_AUTHORIZED"),
        ("shopify--discovery", "tier", "namespace", "APP_NOT_AUTHORIZED"),
        ("app--999", "tier", "namespace", "APP_NOT_AUTHORIZED"),
    ],
)
def test_namespace_and_key_rules(namespace, key, field, code):
    state = make_state()
    customer, _product, _order = owners(state)
    answer = metafields_set(state, [entry(customer, key=key, namespace=namespace)])
    [(got_field, _message, got_code, _index)] = errors_of(answer)
    assert (got_field, got_code) == (["metafields", "0", field], code)
