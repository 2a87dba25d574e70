from producers.mapping import Mapping
from producers.pipeline import InvalidRecord
from producers.records import prepare, record_key
from worker.resources import get_resource

MAPPING = Mapping.parse(
    [
        {"mapping_type": "standard", "from": "mail", "to": "email"},
        {"mapping_type": "template", "from": "{{ n | match_regex: '^[A-Z]' }}", "to": "firstName"},
    ]
)


def test_record_keys_use_the_primary_key_and_stay_unique():
    rows = [
        (1, {"id": "a", "mail": "a@x.io", "n": "A"}),
        (2, {"id": "a", "mail": "b@x.io", "n": "B"}),
        (3, {"id": "", "mail": "c@x.io", "n": "C"}),
    ]
    keys = [r.key for r in prepare(rows, MAPPING, get_resource("customers"), primary_key="id")]
    assert keys == ["a", "a#row-2", "row-3"]
    assert record_key(7, {}, None) == "row-7"


def test_mapping_and_validation_failures_become_invalid_records_with_reasons():
    rows = [
        (1, {"mail": "a@x.io", "n": "lower"}),
        (2, {"mail": "nope", "n": "Ok"}),
        (3, {"mail": "c@x.io", "n": "C"}),
    ]
    out = list(prepare(rows, MAPPING, get_resource("customers")))
    assert isinstance(out[0], InvalidRecord) and out[0].reason.category == "mapping"
    assert out[0].reason.field == "firstName" and out[0].record.source == rows[0][1]
    assert isinstance(out[1], InvalidRecord) and out[1].reason.category == "validation"
    assert out[1].reason.field == "email" and out[1].record.payload == {"email": "nope", "firstName": "Ok"}
    assert not isinstance(out[2], InvalidRecord) and out[2].payload["email"] == "c@x.io"
