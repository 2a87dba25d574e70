import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producers.cli import app
from producers.mapping import Mapping
from producers.pipeline import InvalidRecord
from producers.readers import read_rows
from producers.records import prepare
from producers.targets import check_target, target_paths
from worker.resources import RESOURCES, get_resource

runner = CliRunner()


@pytest.mark.parametrize(
    ("resource", "path", "expected"),
    [
        ("customers", "email", None),
        ("customers", "addresses[].city", None),
        ("customers", "tags[]", None),
        ("customers", "fristName", "did you mean 'firstName'"),
        ("customers", "addresses[].cty", "did you mean 'addresses[].city'"),
        ("customers", "addresses", None),  # a JSON column of addresses
        ("orders", "lineItems", None),
        ("orders", "shippingAddress", None),
        ("customers", "emailMarketingConsent", None),
        ("customers", "email.domain", "has no fields"),
        ("products", "variants[].prise", "did you mean 'variants[].price'"),
        ("products", "variants[].sku", None),
        ("orders", "lineItems[].sku", None),
        ("orders", "shippingAddress.zip", None),
        ("inventory", "locaton", "did you mean 'location'"),
    ],
)
def test_check_target(resource, path, expected):
    problem = check_target(get_resource(resource).model, path)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_listed_path_is_accepted(name):
    model = get_resource(name).model
    assert all(check_target(model, p) is None for p in target_paths(model))


def test_cli_check_fails_with_suggestion_and_dry_runs_sample_rows(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"first": "fristName"}), encoding="utf-8")
    result = runner.invoke(app, ["mapping", "check", "--resource", "customers", "--mapping", str(bad)])
    assert result.exit_code == 2 and "did you mean 'firstName'" in result.output

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"first": "firstName", "mail": "email"}), encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        '{"first": "Ada", "mail": "ada@x.io"}\n{"first": "B", "mail": "nope"}\n', encoding="utf-8"
    )
    result = runner.invoke(
        app, ["mapping", "check", "--resource", "customers", "--mapping", str(good), "--input", str(rows)]
    )
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["payload"] == {"firstName": "Ada", "email": "ada@x.io"}
    assert lines[1]["invalid"]["field"] == "email"


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "mappings"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_example_mapping_maps_every_sample_row_to_a_valid_record(name):
    mapping = Mapping.load(EXAMPLES / f"{name}.mapping.json")
    resource = get_resource(name)
    assert all(check_target(resource.model, t) is None for t in mapping.targets)
    records = list(prepare(read_rows(EXAMPLES / f"{name}.csv"), mapping, resource))
    assert records and not [r for r in records if isinstance(r, InvalidRecord)], records
