"""Warehouse-shaped rows: blanks and nulls are absent at any depth, JSON columns fill list and object
fields, blank product option names go with their values, and a later inventory row supersedes."""

import pytest

from producers.mapping import Mapping
from producers.records import InvalidRecord, prepare
from worker.contract.recorder import SUPERSEDED
from worker.resources import RecordInvalidError, get_resource


def problems(resource: str, payload: dict) -> list[tuple[str, str]]:
    try:
        get_resource(resource).validate(payload)
    except RecordInvalidError as exc:
        return exc.problems
    return []


@pytest.mark.parametrize(
    "consent",
    [
        {"marketingState": ""},
        {"marketingState": None, "marketingOptInLevel": " "},
        {},
        None,
        '{"marketingState": ""}',
    ],
)
def test_an_object_of_blanks_is_absent(consent):
    record = get_resource("customers").validate({"email": "a@b.co", "emailMarketingConsent": consent})
    assert record.email_marketing_consent is None


def test_blank_objects_in_lists_are_dropped_at_any_depth():
    record = get_resource("orders").validate(
        {
            "sourceIdentifier": "1",
            "lineItems": [{"sku": "A", "quantity": 1}, {"sku": "", "quantity": None}, {}],
            "customer": {"email": "a@b.co", "firstName": ""},
            "billingAddress": {"city": "", "zip": None},
            "tags": None,
        }
    )
    assert [li.sku for li in record.line_items] == ["A"]
    assert record.billing_address is None and record.customer is not None


def test_a_partly_blank_object_still_needs_its_required_fields():
    assert problems(
        "customers",
        {
            "email": "a@b.co",
            "emailMarketingConsent": {"marketingState": "", "marketingOptInLevel": "SINGLE_OPT_IN"},
        },
    ) == [("emailMarketingConsent.marketingState", "Field required")]


def test_json_columns_fill_list_and_object_fields():
    record = get_resource("orders").validate(
        {
            "sourceIdentifier": "1",
            "lineItems": '[{"sku": "A", "quantity": 2}, {"sku": "", "quantity": null}]',
            "shippingAddress": ' {"city": "Oslo", "countryCode": "NO"}',
            "metafields": '[{"namespace": "erp", "key": "id", "type": "number_integer", "value": "7"}]',
            "tags": '["web", "vip"]',
        }
    )
    assert [(li.sku, li.quantity) for li in record.line_items] == [("A", 2)]
    assert record.shipping_address is not None and record.shipping_address.city == "Oslo"
    assert record.metafields[0].value == "7" and record.tags == ["web", "vip"]


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"lineItems": '[{"sku": "A",'}, "lineItems", "is not valid JSON text"),
        ({"shippingAddress": "{city: Oslo}"}, "shippingAddress", "is not valid JSON text"),
        ({"tags": "[web"}, "tags", "is not valid JSON text"),
        ({"lineItems": '[{"sku": "A"}]'}, "lineItems.0.quantity", "Field required"),  # then validated
    ],
)
def test_bad_json_is_an_error_naming_the_field(payload, field, reason):
    [(path, message)] = problems("orders", {"sourceIdentifier": "1", **payload})
    assert path == field and reason in message


def test_text_fields_keep_json_looking_text():
    record = get_resource("orders").validate(
        {"sourceIdentifier": "1", "note": '{"not": "parsed"}', "tags": "a, b"}
    )
    assert record.note == '{"not": "parsed"}' and record.tags == ["a", "b"]


@pytest.mark.parametrize(
    ("names", "values", "options", "variant_values"),
    [
        (["Size", "", ""], [("S", "", ""), ("M", None, None)], ["Size"], [("S",), ("M",)]),
        ([None, "Color", ""], [("x", "Red", ""), ("y", "Blue", "")], ["Color"], [("Red",), ("Blue",)]),
        (
            ["Size", "", "Fabric"],
            [("M", "", "Wool"), ("L", "", "Wool")],
            ["Size", "Fabric"],
            [("M", "Wool"), ("L", "Wool")],
        ),
        (["", "", ""], [("", "", "")], [], [()]),
    ],
)
def test_blank_option_names_are_dropped_with_their_values(names, values, options, variant_values):
    variants = [
        {"sku": f"V{i}", "option1": a, "option2": b, "option3": c} for i, (a, b, c) in enumerate(values)
    ]
    resource = get_resource("products")
    record = resource.validate({"handle": "h", "options": names, "variants": variants})
    assert record.options == options
    assert [v.option_values for v in record.variants] == variant_values
    product_options = resource.build_variables(record)["input"]["productOptions"]
    assert [o["name"] for o in product_options] == (options or ["Title"])  # none left: Shopify's default


def test_shopify_csv_rows_group_into_one_product_with_names_from_the_first_row():
    mapping = Mapping.parse(
        [{"mapping_type": "standard", "from": c, "to": t} for c, t in [
            ("Handle", "handle"), ("Option1 Name", "options[]"), ("Option2 Name", "options[]"),
            ("Option1 Value", "variants[].option1"), ("Option2 Value", "variants[].option2"),
            ("SKU", "variants[].sku"),
        ]]
    )  # fmt: skip
    rows = [
        {
            "Handle": "t",
            "Option1 Name": "",
            "Option2 Name": "",
            "Option1 Value": "",
            "Option2 Value": "",
            "SKU": "",
        },
        {
            "Handle": "t",
            "Option1 Name": "Size",
            "Option2 Name": "",
            "Option1 Value": "S",
            "Option2 Value": "",
            "SKU": "T-S",
        },
        {
            "Handle": "t",
            "Option1 Name": "",
            "Option2 Name": "",
            "Option1 Value": "M",
            "Option2 Value": "",
            "SKU": "T-M",
        },
    ]  # an image-only row first, as Shopify exports have them
    [record] = prepare(enumerate(rows, start=2), mapping, get_resource("products"))
    assert not isinstance(record, InvalidRecord), record
    model = get_resource("products").validate(record.payload)
    assert model.options == ["Size"] and [v.sku for v in model.variants] == ["T-S", "T-M"]


def test_a_later_inventory_row_supersedes_the_earlier_without_a_dead_letter():
    mapping = Mapping.parse({"id": "id", "sku": "sku", "loc": "location", "qty": "quantity", "name": "name"})
    rows = [
        {"id": "a", "sku": "S1", "loc": "Main", "qty": 1, "name": "available"},
        {"id": "b", "sku": "S2", "loc": "Main", "qty": 2, "name": "available"},
        {"id": "c", "sku": "S1", "loc": "Main", "qty": 3, "name": "on_hand"},  # another quantity: kept
        {
            "id": "d",
            "sku": "S1",
            "loc": "Main",
            "qty": "x",
            "name": "available",
        },  # invalid: supersedes nothing
        {"id": "e", "sku": "S1 ", "loc": "Main", "qty": 4, "name": "available"},
    ]
    mapping = Mapping.parse({"sku": "sku", "loc": "location", "qty": "quantity", "name": "name"})
    items = list(prepare(enumerate(rows, start=1), mapping, get_resource("inventory"), primary_key="id"))
    outcome = {
        (i.record.key if isinstance(i, InvalidRecord) else i.key): (
            i.reason.code or i.reason.category if isinstance(i, InvalidRecord) else "ok"
        )
        for i in items
    }
    assert outcome == {"a": SUPERSEDED, "b": "ok", "c": "ok", "d": "validation", "e": "ok"}
    [earlier] = [i for i in items if isinstance(i, InvalidRecord) and i.record.key == "a"]
    assert "superseded by record e" in earlier.reason.message
