import pytest

from producers.mapping import Mapping
from producers.pipeline import InvalidRecord
from producers.records import prepare
from worker.resources import RecordInvalidError, get_resource

products = get_resource("products")


def test_rows_of_one_product_become_one_record_with_every_variant():
    mapping = Mapping.parse(
        [
            {"mapping_type": "standard", "from": "handle", "to": "handle"},
            {"mapping_type": "standard", "from": "title", "to": "title"},
            {"mapping_type": "static", "from": "Size", "to": "options[]"},
            {"mapping_type": "standard", "from": "size", "to": "variants[].option1"},
            {"mapping_type": "standard", "from": "sku", "to": "variants[].sku"},
            {"mapping_type": "standard", "from": "price", "to": "variants[].price"},
        ]
    )
    rows = [
        (i, {"handle": h, "title": t, "size": s, "sku": f"{h}-{s}", "price": p})
        for i, (h, t, s, p) in enumerate(
            [
                ("tee", "Tee", "S", 10),
                ("mug", "Mug", "", "7.5"),
                ("tee", "", "M", "10.00"),
                ("tee", "Tee", "L", 12),
            ],
            start=1,
        )
    ]
    out = list(prepare(rows, mapping, products))
    assert [r.key for r in out] == ["handle:tee", "handle:mug"]
    tee = out[0]
    assert [v["sku"] for v in tee.payload["variants"]] == ["tee-S", "tee-M", "tee-L"]
    assert tee.payload["title"] == "Tee" and tee.payload["options"] == ["Size"]
    assert [r["size"] for r in tee.source["rows"]] == ["S", "M", "L"]

    variables = products.build_variables(products.validate(tee.payload))
    assert variables["identifier"] == {"handle": "tee"}
    assert variables["input"]["productOptions"] == [
        {"name": "Size", "values": [{"name": "S"}, {"name": "M"}, {"name": "L"}]}
    ]
    assert variables["input"]["variants"][1] == {
        "price": "10.00",
        "sku": "tee-M",
        "optionValues": [{"optionName": "Size", "name": "M"}],
        "inventoryItem": {"sku": "tee-M"},
    }


def test_single_variant_product_gets_shopifys_default_option():
    record = products.validate({"handle": "mug", "title": "Mug", "variants": [{"price": 7, "sku": "MUG"}]})
    variables = products.build_variables(record)
    assert variables["input"]["productOptions"] == [{"name": "Title", "values": [{"name": "Default Title"}]}]
    assert variables["input"]["variants"][0]["optionValues"] == [
        {"optionName": "Title", "name": "Default Title"}
    ]


def test_identity_by_id_and_custom_id():
    by_id = products.validate({"id": "gid://shopify/Product/9", "title": "x"})
    assert products.build_variables(by_id)["identifier"] == {"id": "gid://shopify/Product/9"}
    custom = products.validate({"customId": {"namespace": "erp", "key": "id", "value": "P-1"}, "title": "x"})
    assert products.build_variables(custom)["identifier"] == {
        "customId": {"namespace": "erp", "key": "id", "value": "P-1"}
    }
    assert (
        products.group_key({"customId": {"namespace": "erp", "key": "id", "value": "P-1"}})
        == "custom:erp:id:P-1"
    )


def test_2048_variants_are_sent_whole_and_2049_rejected():
    variants = [{"option1": f"v{i}", "sku": f"S{i}", "price": "1"} for i in range(2048)]
    record = products.validate({"handle": "big", "variants": variants})
    assert len(products.build_variables(record)["input"]["variants"]) == 2048
    assert products.cost(record) == pytest.approx(11 + 0.2 * 2048)
    with pytest.raises(RecordInvalidError):
        products.validate({"handle": "big", "variants": [*variants, {"option1": "x"}]})


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"title": "no identity"}, "handle, an id or a customId"),
        ({"handle": "h", "variants": [{"sku": "a"}, {"sku": "b"}]}, "option values"),
        ({"handle": "h", "variants": [{"option1": "S"}, {"option1": "S"}]}, "same option values"),
        ({"handle": "h", "variants": [{"option1": "S"}, {"option1": "M", "option2": "Red"}]}, "same number"),
        ({"handle": "h", "options": ["Size", "Color"], "variants": [{"option1": "S"}]}, "2 option names"),
        ({"handle": "Bad Handle"}, "handle"),
        ({"handle": "h", "variants": [{"option1": "S", "price": "free"}]}, "variants.0.price"),
        ({"handle": "h", "status": "LIVE"}, "status"),
    ],
)
def test_invalid_products_name_the_problem(payload, needle):
    with pytest.raises(RecordInvalidError) as exc:
        products.validate(payload)
    assert needle in str(exc.value)


def test_rows_without_identity_are_invalid_records():
    mapping = Mapping.parse([{"mapping_type": "standard", "from": "t", "to": "title"}])
    [out] = list(prepare([(1, {"t": "x"})], mapping, products))
    assert isinstance(out, InvalidRecord) and out.reason.category == "validation"
