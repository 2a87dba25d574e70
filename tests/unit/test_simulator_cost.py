"""Query cost against Shopify's documented rules and observed figures (docs/simulator.md)."""

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from simulator.cost import QueryCost
from simulator.schema import simulator_schema
from tests.unit.test_simulator_documents import DOCUMENTS
from tests.unit.test_simulator_harness import FakeClock, graphql, graphql_many, make_state


def cost_of(document: str, variables: dict | None = None, operation: str | None = None) -> QueryCost:
    schema = simulator_schema()
    ast = parse(DOCUMENTS.get(document, document))
    assert validate(schema, ast) == []
    operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    [op] = [o for o in operations if operation is None or o.name.value == operation]
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    coerced = get_variable_values(schema, op.variable_definitions, variables or {})
    assert isinstance(coerced, dict), coerced
    return QueryCost(schema, op, fragments, coerced)


@pytest.mark.parametrize(
    ("document", "variables", "expected"),
    [
        # Observed on live stores: a customerSet with a small selection costs 10; selecting
        # defaultEmailAddress inside the customer adds one object point (11).
        ("customer_set_small", {"input": {}}, 10),
        ("customer_set", {"input": {}}, 10),
        ("customer_set_email_address", {"input": {}}, 11),
        # 10 + defaultAddress (1) + addressesV2(first: 5) (2 + 3 x 1); pageInfo costs nothing.
        # Shopify asked 17 for this selection (docs/simulator.md, Cost): within a point.
        ("customer_set_addresses", {"input": {}}, 16),
        # Observed: customer(id:) with scalar fields costs 1.
        ("customer", {"id": "gid://shopify/Customer/1"}, 1),
        ("shop", None, 1),
        ("scopes", None, 2),
        # Connections: 2 + max(1, floor(2 ln first)) x (cost of one element) (FACTS.md).
        ("customers_page", {"first": 10}, 6),
        ("customers_page", {"last": 3}, 4),
        ("customers_nodes", {"first": 5}, 2 + 3 * 2),
        ("customers_with_fragment", None, 2 + 2 * 2),
        # Interfaces cost the most expensive possible selection.
        ("node", {"id": "gid://shopify/Customer/1"}, 1),
        ("nodes", {"ids": ["gid://shopify/Customer/1"]}, 1),
        # Levels 2 + 11 x 1; item 1 + 13; variants 2 + 11 x 15; products 2 + 11 x (1 + 167).
        ("expensive", None, 1850),
    ],
)
def test_requested_cost(document, variables, expected):
    assert cost_of(document, variables).requested() == expected


def test_skip_and_include_are_honoured():
    assert cost_of("skip_include", {"skip": True}).requested() == 1
    assert cost_of("skip_include", {"skip": False}).requested() == 2


def test_aliases_are_costed_separately():
    assert cost_of("aliases").requested() == 2


def test_actual_cost_counts_returned_nodes_and_skips_nulls():
    cost = cost_of("customers_nodes", {"first": 5})
    data = {
        "customers": {
            "nodes": [
                {
                    "id": "1",
                    "email": "a@example.com",
                    "defaultEmailAddress": {"emailAddress": "a@example.com"},
                },
                {"id": "2", "email": None, "defaultEmailAddress": None},
            ]
        }
    }
    # Two nodes returned: a page factor of 1 times the dearer node (1 + 1).
    assert cost.actual(data) == 2 + 1 * 2
    assert cost.actual({"customers": {"nodes": []}}) == 2


def test_actual_cost_of_a_mutation_with_user_errors_is_the_mutation_cost():
    cost = cost_of("customer_set_addresses", {"input": {}})
    data = {
        "customerSet": {"customer": None, "userErrors": [{"field": ["input"], "message": "x", "code": None}]}
    }
    assert cost.actual(data) == 10
    assert cost.actual({"customerSet": None}) == 10


def test_actual_cost_never_exceeds_requested():
    cost = cost_of("customers_nodes", {"first": 1})
    many = {
        "customers": {
            "nodes": [{"id": str(i), "defaultEmailAddress": {"emailAddress": "x"}} for i in range(5)]
        }
    }
    assert cost.actual(many) == cost.requested() == 4
    assert cost.actual(None) == 0


def test_answers_carry_requested_and_actual_cost_and_charge_the_bucket():
    clock = FakeClock()
    state = make_state(clock=clock)
    first, second = graphql_many(
        state,
        [
            ("customer_set_small", {"input": {"email": "ada@example.com"}}),
            ("customers_page", {"first": 10}),
        ],
    )
    assert first.cost == {
        "requestedQueryCost": 10,
        "actualQueryCost": 10,
        "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1990, "restoreRate": 100.0},
    }
    # 6 requested, one customer returned: 2 + 1 = 3 actual; the other 3 points are refunded.
    assert second.cost["requestedQueryCost"] == 6
    assert second.cost["actualQueryCost"] == 3
    assert second.cost["throttleStatus"]["currentlyAvailable"] == 1987


def test_max_cost_exceeded_is_refused_without_charging():
    state = make_state(clock=FakeClock())
    answer = graphql(state, "expensive")
    assert answer.status == 200
    [error] = answer.body["errors"]
    assert error["message"].startswith(
        "Query cost is 1850, which exceeds the single query max cost limit (1000).\n\nSee https://shopify.dev/"
    )
    assert error["extensions"] == {
        "code": "MAX_COST_EXCEEDED",
        "cost": 1850,
        "maxCost": 1000,
        "documentation": "https://shopify.dev/api/usage/rate-limits",
    }
    assert "data" not in answer.body
    assert state.shop("acme").bucket.available() == 2000.0
