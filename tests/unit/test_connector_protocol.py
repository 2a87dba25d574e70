"""spec and discover: exactly Multiwoven's message shapes, schemas generated from the validation models."""

import json

import pytest

from producers.connector import discover, spec
from producers.connector.protocol import (
    Catalog,
    ConnectorSpecification,
    MultiwovenMessage,
    SyncConfig,
    record_log,
    tracking,
)
from worker.resources import RESOURCES
from worker.resources.base import ShopifyInput

# Keys the gem's models declare (multiwoven-integrations protocol.rb).
SPEC_KEYS = {
    "documentation_url",
    "changelog_url",
    "connection_specification",
    "supports_normalization",
    "supports_dbt",
    "stream_type",
    "supported_destination_sync_modes",
    "connector_query_type",
}
STREAM_KEYS = {
    "name",
    "action",
    "json_schema",
    "supported_sync_modes",
    "source_defined_cursor",
    "default_cursor_field",
    "source_defined_primary_key",
    "namespace",
    "url",
    "request_method",
    "batch_support",
    "batch_size",
    "request_rate_limit",
    "request_rate_limit_unit",
    "request_rate_concurrency",
}
CATALOG_KEYS = {
    "streams",
    "request_rate_limit",
    "request_rate_limit_unit",
    "request_rate_concurrency",
    "schema_mode",
    "source_defined_cursor",
    "default_cursor_field",
}


def test_spec_is_a_connector_spec_message():
    message = spec()
    assert message["type"] == "connector_spec" and set(message) == {"type", "connector_spec"}
    body = message["connector_spec"]
    assert set(body) <= SPEC_KEYS
    assert body["stream_type"] == "static"
    assert body["supports_normalization"] is False and body["supports_dbt"] is False
    assert body["documentation_url"].startswith("https://")
    ConnectorSpecification.model_validate(body)
    json.dumps(message)  # JSON-ready


def test_connection_specification_flags_secrets_and_orders_fields():
    schema = spec()["connector_spec"]["connection_specification"]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"shop_name"}  # a token, or a client id and secret
    properties = schema["properties"]
    orders = [p["order"] for p in properties.values()]
    assert sorted(orders) == list(range(len(properties)))
    assert all(isinstance(p["title"], str) and p["title"] for p in properties.values())
    secret = {name for name, p in properties.items() if p.get("multiwoven_secret")}
    assert secret == {"access_token", "api_secret"}
    assert properties["resources"]["items"]["enum"] == list(RESOURCES)


def test_discover_is_a_catalog_with_one_stream_per_resource():
    message = discover()
    assert message["type"] == "catalog" and set(message) == {"type", "catalog"}
    catalog = message["catalog"]
    assert set(catalog) <= CATALOG_KEYS
    Catalog.model_validate(catalog)
    assert [s["name"] for s in catalog["streams"]] == list(RESOURCES)
    assert catalog["request_rate_limit_unit"] == "minute" and catalog["schema_mode"] == "schema"
    for stream in catalog["streams"]:
        assert set(stream) <= STREAM_KEYS
        assert stream["action"] in ("create", "update", "delete", "fetch")
        assert stream["supported_sync_modes"] == ["incremental"]
        assert stream["batch_support"] is False and stream["batch_size"] == 1
        assert stream["request_rate_limit"] > 0 and stream["request_rate_concurrency"] > 0


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_stream_schema_comes_from_the_validation_model(name):
    [stream] = [s for s in discover()["catalog"]["streams"] if s["name"] == name]
    schema = stream["json_schema"]
    model = RESOURCES[name].model
    aliases = {f.alias or n for n, f in model.model_fields.items()}
    assert set(schema["properties"]) == aliases
    assert "$defs" not in json.dumps(schema) and "$ref" not in json.dumps(schema)
    assert schema["additionalProperties"] is False  # the model forbids unknown fields too


def test_customer_schema_details():
    [stream] = [s for s in discover()["catalog"]["streams"] if s["name"] == "customers"]
    properties = stream["json_schema"]["properties"]
    assert properties["firstName"] == {"title": "First name", "maxLength": 255, "type": ["string", "null"]}
    address = properties["addresses"]["items"]
    assert address["properties"]["countryCode"]["pattern"] == "^[A-Z]{2}$"
    assert properties["tags"]["type"] == "array"


def test_a_new_resource_appears_in_the_catalog(monkeypatch):
    class Widget(ShopifyInput):
        size: int

    class Widgets:
        name = "widgets"
        model = Widget

    monkeypatch.setitem(RESOURCES, "widgets", Widgets())
    names = [s["name"] for s in discover()["catalog"]["streams"]]
    assert names[-1] == "widgets"
    properties = spec()["connector_spec"]["connection_specification"]["properties"]
    assert properties["resources"]["items"]["enum"] == [*RESOURCES]
    assert "widgets" in properties["resources"]["items"]["enum"]


def test_record_log_message_is_a_json_string_multiwoven_parses():
    log = record_log("error", "shopify_sync.connector", {"record": "c1"}, {"state": "dead_lettered"})
    parsed = json.loads(log.message)
    assert set(parsed) == {"request", "response", "level"}
    assert parsed["level"] == "error"
    assert json.loads(parsed["request"]) == {"record": "c1"}
    assert json.loads(parsed["response"]) == {"state": "dead_lettered"}


def test_tracking_message_shape():
    message = tracking(1, 0, [record_log("info", "n", "req", "resp")]).to_dict()
    assert message == {
        "type": "tracking",
        "tracking": {
            "success": 1,
            "failed": 0,
            "logs": [
                {
                    "level": "info",
                    "name": "n",
                    "message": json.dumps({"request": "req", "response": "resp", "level": "info"}),
                }
            ],
        },
    }
    MultiwovenMessage.model_validate(message)


def test_sync_config_reads_what_the_server_sends():
    sync = SyncConfig.model_validate(
        {
            "source": {"name": "pg", "type": "source", "connection_specification": {}},
            "destination": {"name": "Shopify", "type": "destination", "connection_specification": {"a": 1}},
            "model": {"name": "m", "query": "select 1", "query_type": "raw_sql", "primary_key": "id"},
            "stream": {
                "name": "customers",
                "json_schema": {},
                "batch_support": False,
                "batch_size": 1,
                "request_rate_limit": 600,
                "request_rate_limit_unit": "minute",
                "request_rate_concurrency": 10,
            },
            "sync_mode": "incremental",
            "destination_sync_mode": "insert",
            "sync_id": 42,
            "sync_run_id": 7,
        }
    )
    assert (sync.sync_id, sync.sync_run_id, sync.stream.name, sync.model.primary_key) == (
        "42",
        "7",
        "customers",
        "id",
    )
