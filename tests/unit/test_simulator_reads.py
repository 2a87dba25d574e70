"""Customer reads: customer(id:), customers(...) pagination and search, lookups by identifier, node."""

import pytest

from tests.unit.test_simulator_harness import customer_set, graphql, make_state


@pytest.fixture(scope="module")
def state():
    state = make_state()
    people = [
        {"email": "ada@example.com", "firstName": "Ada", "tags": ["vip"]},
        {"email": "bob@gmail.com", "firstName": "Bob", "phone": "+14155550101"},
        {
            "email": "cy@example.com",
            "firstName": "Cy",
            "tags": ["vip", "b2b"],
            "addresses": [{"city": "Ottawa", "countryCode": "CA"}],
        },
        {"email": "dee@example.com", "firstName": "Dee"},
        {"phone": "+14155550105", "lastName": "Phoneonly"},
    ]
    for person in people:
        assert customer_set(state, person)["userErrors"] == []
    return state


def emails(answer):
    return [edge["node"]["email"] for edge in answer.data["customers"]["edges"]]


def test_customer_by_id(state):
    customer = graphql(state, "customer", {"id": "gid://shopify/Customer/2"}).data["customer"]
    assert (customer["email"], customer["displayName"]) == ("bob@gmail.com", "Bob")
    assert graphql(state, "customer", {"id": "gid://shopify/Customer/99"}).data == {"customer": None}


def test_pages_forward_with_cursors(state):
    first = graphql(state, "customers_page", {"first": 2})
    assert emails(first) == ["ada@example.com", "bob@gmail.com"]
    info = first.data["customers"]["pageInfo"]
    assert (info["hasNextPage"], info["hasPreviousPage"]) == (True, False)
    second = graphql(state, "customers_page", {"first": 2, "after": info["endCursor"]})
    assert emails(second) == ["cy@example.com", "dee@example.com"]
    assert second.data["customers"]["pageInfo"]["hasPreviousPage"] is True
    third = graphql(
        state, "customers_page", {"first": 2, "after": second.data["customers"]["pageInfo"]["endCursor"]}
    )
    assert emails(third) == [None]
    assert third.data["customers"]["pageInfo"]["hasNextPage"] is False


def test_last_and_before(state):
    answer = graphql(state, "customers_page", {"last": 2})
    assert emails(answer) == ["dee@example.com", None]
    before = graphql(
        state, "customers_page", {"last": 1, "before": answer.data["customers"]["edges"][0]["cursor"]}
    )
    assert emails(before) == ["cy@example.com"]


def test_reverse_and_sort_key(state):
    answer = graphql(state, "customers_page", {"first": 2, "reverse": True})
    assert emails(answer) == [None, "dee@example.com"]
    by_name = graphql(state, "customers_page", {"first": 5, "sortKey": "NAME"})
    assert emails(by_name)[0] == "ada@example.com"


def test_first_or_last_is_required(state):
    answer = graphql(state, "customers_page", {})
    [error] = answer.body["errors"]
    assert error["message"] == "you must provide one of first or last"
    assert error["path"] == ["customers"]


def test_invalid_cursor(state):
    answer = graphql(state, "customers_page", {"first": 1, "after": "not-a-cursor"})
    assert answer.body["errors"][0]["message"] == "Invalid cursor for current pagination sort."


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("email:ada@example.com", ["ada@example.com"]),
        ('email:"ADA@example.com"', ["ada@example.com"]),
        ("email:gmail.com", ["bob@gmail.com"]),
        ("tag:vip", ["ada@example.com", "cy@example.com"]),
        ("tag:vip -tag:b2b", ["ada@example.com"]),
        ("tag_not:vip email:*", ["bob@gmail.com", "dee@example.com"]),
        ("first_name:bob OR first_name:dee", ["bob@gmail.com", "dee@example.com"]),
        ("phone:+14155550105", [None]),
        ("ada", ["ada@example.com"]),
        ("email:nobody@example.com", []),
    ],
)
def test_search(state, query, expected):
    assert emails(graphql(state, "customers_page", {"first": 10, "query": query})) == expected


@pytest.mark.parametrize(
    ("identifier", "email"),
    [
        ({"id": "gid://shopify/Customer/1"}, "ada@example.com"),
        ({"emailAddress": " ADA@example.com"}, "ada@example.com"),
        ({"phoneNumber": "(415) 555-0101"}, "bob@gmail.com"),
        ({"emailAddress": "nobody@example.com"}, None),
    ],
)
def test_customer_by_identifier(state, identifier, email):
    found = graphql(state, "customer_by_identifier", {"identifier": identifier}).data["customerByIdentifier"]
    assert (found and found["email"]) == email


def test_node_and_nodes(state):
    customer = graphql(state, "node", {"id": "gid://shopify/Customer/3"}).data["node"]
    assert customer == {"id": "gid://shopify/Customer/3", "email": "cy@example.com"}
    [address] = state.shop("acme").customers.get("gid://shopify/Customer/3")["addresses"]
    assert graphql(state, "node", {"id": address["id"]}).data["node"] == {
        "id": address["id"],
        "city": "Ottawa",
    }
    nodes = graphql(
        state, "nodes", {"ids": ["gid://shopify/Customer/1", "gid://shopify/Customer/77", "junk"]}
    )
    assert nodes.data["nodes"] == [{"id": "gid://shopify/Customer/1"}, None, None]


def test_all_returns_copies(state):
    customers = state.shop("acme").customers.all()
    customers[0]["email"] = "changed@example.com"
    assert state.shop("acme").customers.all()[0]["email"] == "ada@example.com"
