"""productSet semantics, its user errors and costs, and the product/variant reads, through HTTP."""

import pytest

from tests.unit.test_simulator_harness import SHOP, graphql, make_state

SIZES = [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}, {"name": "L"}]}]


def size_variant(size, **fields):
    return {"optionValues": [{"optionName": "Size", "name": size}], **fields}


TEE = {
    "title": "Tee Shirt",
    "vendor": "Acme",
    "productType": "Shirts",
    "tags": ["summer, cotton", "Summer"],
    "descriptionHtml": "<p>Soft</p>",
    "seo": {"title": "Tee", "description": "A tee"},
    "productOptions": SIZES,
    "variants": [
        size_variant(
            "S",
            price="10",
            compareAtPrice="12.5",
            sku="TEE-S",
            barcode="111",
            inventoryPolicy="CONTINUE",
            inventoryItem={
                "cost": "4.50",
                "tracked": True,
                "requiresShipping": True,
                "measurement": {"weight": {"value": 0.2, "unit": "KILOGRAMS"}},
            },
        ),
        size_variant("M", price=11, sku="TEE-M"),
        size_variant("L", price="12.00", inventoryItem={"sku": "TEE-L"}),
    ],
    "metafields": [
        {"namespace": "custom", "key": "ext_id", "type": "single_line_text_field", "value": "E-1"}
    ],
}


def call(state, document, variables=None, **kwargs):
    answer = graphql(state, document, variables, **kwargs)
    assert answer.status == 200, answer.text
    return answer


def product_set(state, input, identifier=None, document="product_set", **variables):
    answer = call(state, document, {"input": input, "identifier": identifier, **variables})
    assert "errors" not in answer.body, answer.body
    return answer.data["productSet"]


def created(state, input=TEE, identifier=None):
    payload = product_set(state, input, identifier)
    assert payload["userErrors"] == []
    return payload["product"]


def errors_of(payload):
    assert payload["product"] is None
    return [(error["field"], error["message"], error["code"]) for error in payload["userErrors"]]


def variants(product):
    return product["variants"]["nodes"]


def test_create_with_options_and_variants():
    state = make_state()
    product = created(state)
    assert (product["id"], product["handle"], product["status"]) == (
        "gid://shopify/Product/1",
        "tee-shirt",
        "ACTIVE",
    )
    assert product["tags"] == ["cotton", "summer"]
    assert product["seo"] == {"title": "Tee", "description": "A tee"}
    [option] = product["options"]
    assert (option["name"], option["values"]) == ("Size", ["S", "M", "L"])
    assert all(value["hasVariants"] for value in option["optionValues"])
    small, medium, large = variants(product)
    assert (small["title"], small["price"], small["compareAtPrice"], small["sku"]) == (
        "S",
        "10.00",
        "12.50",
        "TEE-S",
    )
    assert small["selectedOptions"] == [{"name": "Size", "value": "S"}]
    assert small["inventoryPolicy"] == "CONTINUE" and medium["inventoryPolicy"] == "DENY"
    item = small["inventoryItem"]
    assert item["id"].startswith("gid://shopify/InventoryItem/")
    assert (item["sku"], item["tracked"], item["unitCost"]) == (
        "TEE-S",
        True,
        {"amount": "4.5", "currencyCode": "USD"},
    )
    assert item["measurement"]["weight"] == {"value": 0.2, "unit": "KILOGRAMS"}
    assert medium["price"] == "11.00" and medium["inventoryItem"]["tracked"] is False
    assert large["sku"] == "TEE-L"  # given on inventoryItem only
    assert product["metafields"]["nodes"] == [
        {"namespace": "custom", "key": "ext_id", "type": "single_line_text_field", "value": "E-1"}
    ]
    assert product["variantsCount"] == {"count": 3, "precision": "EXACT"}


def test_create_without_options_gets_the_default_variant():
    state = make_state()
    product = created(state, {"title": "Hermes ProductSet Missing Identifier 17"})
    assert product["handle"] == "hermes-productset-missing-identifier-17"  # as observed
    [variant] = variants(product)
    assert (variant["title"], variant["price"]) == ("Default Title", "0.00")
    read = call(state, "product", {"id": product["id"]}).data["product"]
    assert read["hasOnlyDefaultVariant"] is True


def test_upsert_by_handle_updates_and_keeps_omitted_scalars():
    state = make_state()
    first = created(state)
    second = created(state, {"title": "Tee v2", "handle": "tee-shirt"}, {"handle": "tee-shirt"})
    assert second["id"] == first["id"]
    assert (second["title"], second["vendor"], second["productType"]) == ("Tee v2", "Acme", "Shirts")
    assert [v["id"] for v in variants(second)] == [
        v["id"] for v in variants(first)
    ]  # no variants sent: unchanged
    third = created(state, {"title": "Mug", "handle": "mug"}, {"handle": "mug"})  # upsert creates
    assert third["id"] != first["id"] and len(state.shop(SHOP).products.all()) == 2


def test_upsert_by_id_and_its_errors():
    state = make_state()
    product = created(state)
    updated = created(state, {"vendor": "Other"}, {"id": product["id"]})
    assert (updated["id"], updated["title"], updated["vendor"]) == (product["id"], "Tee Shirt", "Other")
    missing = product_set(state, {"title": "x"}, {"id": "gid://shopify/Product/999"})
    assert errors_of(missing) == [(["input"], "Resource matching the identifier was not found.", "NOT_FOUND")]
    both = product_set(state, {"id": product["id"], "title": "x"}, {"handle": "tee-shirt"})
    assert errors_of(both) == [
        (["input"], "The id field is not allowed if identifier is provided.", "ID_NOT_ALLOWED")
    ]
    legacy = created(state, {"id": product["id"], "title": "Via input id"})
    assert legacy["id"] == product["id"]


def test_handle_identifier_needs_the_same_handle_in_the_input():
    state = make_state()
    missing = product_set(state, {"title": "Mug"}, {"handle": "mug"})
    message = "The input field corresponding to the identifier is required."
    assert errors_of(missing) == [(["input"], message, "MISSING_FIELD_REQUIRED")]
    mismatch = product_set(state, {"title": "Mug", "handle": "cup"}, {"handle": "mug"})
    message = "The identifier value does not match the value of the corresponding field in the input."
    assert errors_of(mismatch) == [(["input"], message, "INPUT_MISMATCH")]


def test_upsert_by_custom_id_metafield():
    state = make_state()
    custom = {"namespace": "custom", "key": "ext_id", "value": "E-1"}
    undefined = call(state, "product_set", {"input": TEE, "identifier": {"customId": custom}}).body
    assert undefined["errors"][0]["extensions"] == {"code": "NOT_FOUND"}  # no unique definition yet
    state.shop(SHOP).definitions.add("PRODUCT", "custom", "ext_id")
    first = created(state, TEE, {"customId": custom})
    second = created(state, {"title": "Renamed"}, {"customId": custom})
    assert second["id"] == first["id"] and second["title"] == "Renamed"
    by_id = call(state, "product_by_identifier", {"identifier": {"customId": custom}}).data
    assert by_id["productByIdentifier"]["id"] == first["id"]
    fresh = created(state, {"title": "No metafields"}, {"customId": {**custom, "value": "E-2"}})
    assert fresh["metafields"]["nodes"] == [
        {"namespace": "custom", "key": "ext_id", "type": "id", "value": "E-2"}
    ]
    other = {
        **TEE,
        "handle": "x",
        "metafields": [{"namespace": "custom", "key": "other", "type": "id", "value": "1"}],
    }
    mismatch = product_set(state, other, {"customId": {**custom, "value": "E-3"}})
    message = "The input argument `metafields` (if present) must contain the `customId` value."
    assert errors_of(mismatch) == [(["input", "metafields"], message, "METAFIELD_MISMATCH")]


def test_variants_and_metafields_are_replaced():
    state = make_state()
    product = created(state)
    small, medium, large = variants(product)
    inventory = state.shop(SHOP).inventory
    replacement = {
        "productOptions": SIZES,
        "variants": [size_variant("S", price="9"), {**size_variant("L"), "id": large["id"]}],
        "metafields": [
            {"namespace": "custom", "key": "season", "type": "single_line_text_field", "value": "AW"}
        ],
    }
    updated = created(state, replacement, {"id": product["id"]})
    kept_small, kept_large = variants(updated)
    assert (kept_small["id"], kept_large["id"]) == (small["id"], large["id"])  # by option values, by id
    assert (kept_small["price"], kept_small["sku"], kept_large["price"]) == ("9.00", "TEE-S", "12.00")
    assert state.shop(SHOP).products.variant(medium["id"]) is None  # left out: deleted
    assert inventory.item(medium["inventoryItem"]["id"]) is None
    assert [m["key"] for m in updated["metafields"]["nodes"]] == ["season"]
    option_values = {v["name"]: v["hasVariants"] for v in updated["options"][0]["optionValues"]}
    assert option_values == {"S": True, "M": False, "L": True}


def test_handles_taken_and_generated():
    state = make_state()
    created(state)
    taken = product_set(state, {"title": "Other", "handle": "tee-shirt"})
    message = "Handle 'tee-shirt' already in use. Please provide a new handle."
    assert errors_of(taken) == [(["input", "handle"], message, "HANDLE_NOT_UNIQUE")]
    assert created(state, {"title": "Tee Shirt"})["handle"] == "tee-shirt-1"
    assert created(state, {"title": "x", "handle": "My Handle!"})["handle"] == "my-handle"


def test_too_long_texts_as_observed():
    state = make_state()
    long = "s" * 256
    assert errors_of(product_set(state, {"title": long, "vendor": "V"})) == [
        (["input", "title"], "is too long (maximum is 255 characters)", "INVALID_PRODUCT"),
        (["input"], "Handle is too long (maximum is 255 characters)", "INVALID_PRODUCT"),
    ]
    assert errors_of(product_set(state, {"title": "t", "handle": "h" * 256})) == [
        (["input"], "Handle is too long (maximum is 255 characters)", "INVALID_PRODUCT")
    ]
    assert errors_of(product_set(state, {"title": "t", "vendor": long})) == [
        (["input"], "Vendor is too long (maximum is 255 characters)", "INVALID_PRODUCT")
    ]
    assert [m for _f, m, _c in errors_of(product_set(state, {"title": "t", "productType": long}))] == [
        "Product type is too long (maximum is 255 characters)",
        "Custom product type is too long (maximum is 255 characters)",
    ]
    assert state.shop(SHOP).products.all() == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"productOptions": [{"name": f"O{i}", "values": [{"name": "v"}]} for i in range(4)]},
            (["input", "productOptions"], "OPTIONS_OVER_LIMIT"),
        ),
        (
            {"productOptions": [*SIZES, {"name": "size", "values": [{"name": "x"}]}]},
            (["input", "productOptions", "1", "name"], "DUPLICATED_OPTION_NAME"),
        ),
        (
            {"productOptions": [{"name": "Size", "values": []}], "variants": []},
            (["input", "productOptions", "0", "values"], "OPTION_VALUES_MISSING"),
        ),
        (
            {"productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "S"}]}], "variants": []},
            (["input", "productOptions", "0", "values", "1"], "DUPLICATED_OPTION_VALUE"),
        ),
        ({"variants": None}, (["input", "variants"], "VARIANTS_INPUT_MISSING")),
        ({"productOptions": None}, (["input", "productOptions"], "PRODUCT_OPTIONS_INPUT_MISSING")),
        (
            {"variants": [{"optionValues": [{"optionName": "Colour", "name": "Red"}]}]},
            (["input", "variants", "0", "optionValues", "0"], "OPTION_DOES_NOT_EXIST"),
        ),
        (
            {"variants": [size_variant("XL")]},
            (["input", "variants", "0", "optionValues", "0"], "OPTION_VALUE_DOES_NOT_EXIST"),
        ),
        (
            {"variants": [{"optionValues": []}]},
            (["input", "variants", "0", "optionValues"], "INVALID_VARIANT"),
        ),
        (
            {"variants": [size_variant("S", inventoryItem={"cost": "-1"})]},
            (["input", "variants", "0", "inventoryItem", "cost"], "INVALID_VARIANT"),
        ),
        (  # FACTS.md: variant cost has an upper bound
            {"variants": [size_variant("S", inventoryItem={"cost": "1000000000000000"})]},
            (["input", "variants", "0", "inventoryItem", "cost"], "INVALID_VARIANT"),
        ),
        (  # FACTS.md: " / " in an option name is refused
            {"productOptions": [{"name": "Size / Fit", "values": [{"name": "S"}]}]},
            (["input", "productOptions", "0", "name"], "INVALID_INPUT"),
        ),
        (
            {"variants": [size_variant("S", price="ten")]},
            (["input", "variants", "0", "price"], "INVALID_VARIANT"),
        ),
        (
            {"variants": [size_variant("S", id="gid://shopify/ProductVariant/77")]},
            (["input", "variants", "0", "id"], "PRODUCT_VARIANT_DOES_NOT_EXIST"),
        ),
        (
            {
                "variants": [
                    size_variant(
                        "S",
                        inventoryQuantities=[
                            {"locationId": "gid://shopify/Location/9", "name": "available", "quantity": 1}
                        ],
                    )
                ]
            },
            (["input", "variants", "0", "inventoryQuantities", "0", "locationId"], "INVALID_VARIANT"),
        ),
    ],
)
def test_option_and_variant_rules(change, expected):
    state = make_state()
    payload = product_set(state, {**TEE, **change})
    assert expected in [(field, code) for field, _message, code in errors_of(payload)]
    assert state.shop(SHOP).products.all() == []  # nothing written on any user error


def test_duplicate_option_value_combinations_as_observed():
    state = make_state()
    options = [
        {"name": "Size", "values": [{"name": "S"}, {"name": "M"}]},
        {"name": "Color", "values": [{"name": "Red"}, {"name": "Blue"}]},
    ]

    def variant(size, color):
        return {
            "optionValues": [{"optionName": "Size", "name": size}, {"optionName": "Color", "name": color}]
        }

    payload = product_set(
        state,
        {
            "title": "Dup",
            "productOptions": options,
            "variants": [variant("S", "Red"), variant("M", "Blue"), variant("S", "Red")],
        },
    )
    message = "The variant 'S / Red' already exists. Please change at least one option value."
    assert errors_of(payload) == [(["input", "variants", "2"], message, "INVALID_VARIANT")]


def test_2048_variants_are_accepted_and_2049_rejected():
    state = make_state()
    values = [{"name": f"V{i}"} for i in range(2049)]
    entries = [{"optionValues": [{"optionName": "Style", "name": f"V{i}"}]} for i in range(2049)]
    input = {
        "title": "Huge",
        "productOptions": [{"name": "Style", "values": values[:2048]}],
        "variants": entries[:2048],
    }
    answer = call(state, "product_set_small", {"input": input})
    assert answer.data["productSet"]["userErrors"] == []
    assert (answer.cost["requestedQueryCost"], answer.cost["actualQueryCost"]) == (
        420,
        420,
    )  # 10 + 2048 x 0.2
    assert len(state.shop(SHOP).products.variants_of(answer.data["productSet"]["product"]["id"])) == 2048
    too_many = {**input, "handle": "huge-2", "variants": entries}
    rejected = call(state, "product_set_small", {"input": too_many}).body
    [error] = rejected["errors"]
    assert error["message"] == "The input array size of 2049 is greater than the maximum allowed of 2048."
    assert (error["path"], error["extensions"]) == (
        ["productSet", "input", "variants"],
        {"code": "MAX_INPUT_SIZE_EXCEEDED"},
    )
    # FACTS.md: over the size limits, a top-level error with no data key and actualQueryCost null;
    # 2,049 variants were requested at 420 (10 + 0.2 per variant).
    assert "data" not in rejected
    assert (
        rejected["extensions"]["cost"]["requestedQueryCost"],
        rejected["extensions"]["cost"]["actualQueryCost"],
    ) == (
        420,
        None,
    )


def test_more_than_250_tags_is_an_input_size_error():
    state = make_state()
    body = call(
        state, "product_set_small", {"input": {"title": "t", "tags": [f"t{i}" for i in range(251)]}}
    ).body
    assert body["errors"][0]["path"] == ["productSet", "input", "tags"]


def test_cost_follows_the_dynamic_complexity_changelog():
    state = make_state()
    options = [{"name": "N", "values": [{"name": str(i)} for i in range(20)]}]
    entries = [{"optionValues": [{"optionName": "N", "name": str(i)}]} for i in range(20)]
    metafields = [
        {"namespace": "m", "key": f"k{i}", "type": "single_line_text_field", "value": "v"} for i in range(5)
    ]
    answer = call(
        state,
        "product_set_small",
        {"input": {"title": "Mid", "productOptions": options, "variants": entries, "metafields": metafields}},
    )
    assert (answer.cost["requestedQueryCost"], answer.cost["actualQueryCost"]) == (
        16,
        16,
    )  # changelog example
    simple = call(state, "product_set_small", {"input": {"title": "Simple"}})
    assert simple.cost["requestedQueryCost"] == 10


def test_inventory_quantities_and_asynchronous_mode():
    state = make_state()
    location = state.shop(SHOP).locations.all()[1]["id"]
    input = {
        **TEE,
        "variants": [
            size_variant(
                "S",
                sku="TEE-S",
                inventoryQuantities=[{"locationId": location, "name": "available", "quantity": 6}],
            )
        ],
    }
    payload = product_set(state, input, synchronous=False)
    assert payload["product"] is None
    operation = payload["productSetOperation"]
    assert operation["status"] == "COMPLETE" and operation["userErrors"] == []
    variant = state.shop(SHOP).products.variant_by_sku("TEE-S")
    assert state.shop(SHOP).inventory.quantity(variant["inventoryItemId"], location) == 6
    assert state.shop(SHOP).inventory.quantity(variant["inventoryItemId"], location, "on_hand") == 6


def test_reads_products_and_variants():
    state = make_state()
    tee = created(state)
    created(state, {"title": "Mug", "vendor": "Kitchen"})
    assert call(state, "product", {"id": tee["id"]}).data["product"]["metafield"] == {"value": "E-1"}
    by_handle = call(state, "products", {"first": 5, "query": "handle:mug,tee-shirt"}).data["products"][
        "nodes"
    ]
    assert {p["handle"] for p in by_handle} == {"mug", "tee-shirt"}
    by_sku = call(state, "products", {"first": 5, "query": "sku:TEE-M"}).data["products"]["nodes"]
    assert [p["handle"] for p in by_sku] == ["tee-shirt"]
    sorted_titles = call(state, "products", {"first": 5, "sortKey": "TITLE"}).data["products"]["nodes"]
    assert [p["title"] for p in sorted_titles] == ["Mug", "Tee Shirt"]
    [variant] = call(state, "product_variants", {"first": 5, "query": "sku:TEE-M"}).data["productVariants"][
        "nodes"
    ]
    assert variant["displayName"] == "Tee Shirt - M" and variant["product"]["handle"] == "tee-shirt"
    assert variant["inventoryItem"]["id"] == variants(tee)[1]["inventoryItem"]["id"]
    for identifier in ({"id": tee["id"]}, {"handle": "tee-shirt"}):
        found = call(state, "product_by_identifier", {"identifier": identifier}).data["productByIdentifier"]
        assert found["id"] == tee["id"]
    nodes = call(state, "product_node", {"ids": [tee["id"], variant["id"], "gid://shopify/Location/1"]}).data[
        "nodes"
    ]
    assert [n.get("handle") or n.get("sku") or n.get("name") for n in nodes] == [
        "tee-shirt",
        "TEE-M",
        "Main warehouse",
    ]


def test_variants_paginate_past_250():
    state = make_state()
    options = [{"name": "N", "values": [{"name": str(i)} for i in range(300)]}]
    entries = [{"optionValues": [{"optionName": "N", "name": str(i)}]} for i in range(300)]
    product_id = created(state, {"title": "Many", "productOptions": options, "variants": entries})["id"]
    first = call(state, "product_variants_page", {"id": product_id, "first": 250}).data["product"]["variants"]
    assert len(first["nodes"]) == 250 and first["pageInfo"]["hasNextPage"] is True
    rest = call(
        state,
        "product_variants_page",
        {"id": product_id, "first": 250, "after": first["pageInfo"]["endCursor"]},
    )
    page = rest.data["product"]["variants"]
    assert [n["position"] for n in page["nodes"]] == list(range(251, 301)) and page["pageInfo"][
        "hasNextPage"
    ] is False


def test_writing_products_needs_the_scope():
    state = make_state(scopes=("read_products",))
    answer = call(state, "product_set_small", {"input": {"title": "t"}})
    assert answer.body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert answer.data == {"productSet": None}
