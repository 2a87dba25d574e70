"""Malformed input to ``serve``, the connector's ``write`` and the file readers: a clear 4xx or error
naming the problem, never a 500 or a traceback (issue 14's findings: deep nesting, lone surrogates)."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producers import json_limits
from producers.connector.write import WriteRejectedError, plan_write
from producers.readers import InputError, read_rows
from tests.unit.test_http_producer import AUTH, BEARER, URL, Harness

DEEP = "[" * 5000 + "]" * 5000
SURROGATE_BODY = b'{"records": [{"fields": {"email": "a@b.co", "note": "x\\ud800y"}}]}'


async def raw(client, path, data, headers=AUTH):
    async with client.post(path, data=data, headers=headers) as response:
        return response.status, await response.text()


@pytest.fixture
def harness(fake_redis):
    return Harness(fake_redis, max_body_bytes=200_000)


def test_json_nested_thousands_deep_is_a_400(harness):
    body = '{"records": [{"fields": {"email": "a@b.co", "tags": ' + DEEP + "}}]}"
    status, text = harness.run(lambda c: raw(c, URL, body))
    assert status == 400
    assert "nested too deep" in json.loads(text)["error"]


def test_nesting_the_parser_survives_but_later_steps_would_not_is_a_400(harness):
    deep = "[" * 200 + "]" * 200
    body = '{"records": [{"fields": {"email": "a@b.co", "tags": ' + deep + "}}]}"
    status, text = harness.run(lambda c: raw(c, URL, body))
    assert status == 400
    assert json.loads(text)["error"].startswith("records[0].fields.tags")


def test_a_lone_surrogate_is_a_400_naming_record_and_field(harness):
    status, text = harness.run(lambda c: raw(c, URL, SURROGATE_BODY))
    assert status == 400
    error = json.loads(text)["error"]
    assert error.startswith("records[0].fields.note:") and "U+D800" in error
    assert harness.sent == []


def test_a_lone_surrogate_in_a_field_name_is_a_400(harness):
    body = b'{"records": [{"fields": {"email": "a@b.co", "\\udfff": 1}}]}'
    status, text = harness.run(lambda c: raw(c, URL, body))
    assert status == 400 and "field name" in json.loads(text)["error"]


def test_a_token_that_is_not_ascii_is_a_401(harness):
    headers = {"Authorization": "Bearer caf\u00e9-\U0001f600".encode().decode("latin-1")}
    status, _ = harness.run(lambda c: raw(c, URL, b"{}", headers=headers))
    assert status == 401


def test_a_path_holding_a_surrogate_is_a_404(harness):
    status, text = harness.run(lambda c: raw(c, "/shops/%ED%A0%80/customers", b"{}"))
    assert status == 404 and "error" in json.loads(text)


bodies = st.one_of(
    st.binary(max_size=300),
    st.just(DEEP.encode()),
    st.integers(1, 3000).map(lambda n: ('{"records": [{"fields": {"a": ' + "{" * n).encode()),
    st.integers(30, 2000).map(
        lambda n: ('{"records": [{"fields": {"a": ' + "[" * n + "]" * n + "}}]}").encode()
    ),
    st.text(max_size=60).map(lambda t: json.dumps({"records": [{"fields": {"email": t, t: t}}]}).encode()),
    st.sampled_from(["\\ud800", "\\udfff", "\\ud83d", "\\u0000", "\\\\", '\\"']).map(
        lambda s: ('{"records": [{"fields": {"email": "' + s + '", "k' + s + '": ["' + s + '"]}}]}').encode()
    ),
    st.integers(10_000, 150_000).map(
        lambda n: json.dumps({"records": [{"fields": {"note": "x" * n}}]}).encode()
    ),
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=10,
    ).map(lambda v: json.dumps({"records": v}).encode()),
)
paths = st.sampled_from(
    [URL, "/shops/acme/customers", "/shops/nope/customers", "/shops/acme/nope",
     "/shops/acme/customers/syncs/%00", "/shops/acme/customers/syncs/" + "x" * 300,
     "/shops/%ED%A0%80/orders", "/syncs/..", "/", "/shops"]
)  # fmt: skip
tokens = st.sampled_from([f"Bearer {BEARER}", "Bearer x", "", "Bearer \u00ff\u00fe", f"bearer {BEARER}"])


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=bodies, path=paths, token=tokens)
def test_serve_never_answers_malformed_input_with_a_500(harness, body, path, token):
    status, text = harness.run(lambda c: raw(c, path, body, headers={"Authorization": token}))
    assert status < 500, text
    assert "Traceback" not in text
    answer = json.loads(text)
    assert isinstance(answer, dict)
    if status >= 400 and status != 422:  # 422: every record refused, each with its reason
        assert answer["error"]


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"email": "a@b.co", "note": "x\ud800"}, "records[1].note"),
        ({"email": "a@b.co", "tags": json.loads("[" * 100 + "]" * 100)}, "records[1].tags"),
    ],
)
def test_connector_write_refuses_the_record_naming_it(record, where):
    with pytest.raises(WriteRejectedError, match="^" + re.escape(where)):
        plan_write({}, [{"email": "ok@b.co"}, record], "destination_insert")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (DEEP, "nested too deep"),
        ('{"email": "\\ud800"}', "lone surrogate"),
        ('{"a": ' + "[" * 50 + "]" * 50 + "}", "deeper"),
    ],
)
def test_file_readers_name_the_line_and_the_problem(tmp_path, text, reason):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"email": "ok@b.co"}\n' + text + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=reason) as caught:
        list(read_rows(path))
    assert caught.value.line == 2


def test_limits_walk_without_recursion():
    value: list[object] = []
    for _ in range(50_000):
        value = [value]
    with pytest.raises(json_limits.JsonLimitError, match="nested deeper than 32"):
        json_limits.check(value)
