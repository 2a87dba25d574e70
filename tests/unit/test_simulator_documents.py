"""Every GraphQL document the simulator tests send, in one place.

``DOCUMENTS`` must be valid: tests/test_simulator_schema_subset.py validates each one against
Shopify's real schema as well. ``INVALID_DOCUMENTS`` are wrong on purpose.
"""

import pytest
from graphql import parse, validate

from simulator.schema import simulator_schema

CUSTOMER_FIELDS = "id email phone firstName lastName note tags locale taxExempt taxExemptions"

DOCUMENTS = {
    "customer_set": f"""
        mutation CustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {{
          customerSet(input: $input, identifier: $identifier) {{
            customer {{ {CUSTOMER_FIELDS} }}
            userErrors {{ field message code }}
          }}
        }}""",
    "customer_set_small": """
        mutation CustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {
          customerSet(input: $input, identifier: $identifier) {
            customer { id email }
            userErrors { field message code }
          }
        }""",
    "customer_set_email_address": """
        mutation CustomerSet($input: CustomerSetInput!) {
          customerSet(input: $input) {
            customer { id email defaultEmailAddress { emailAddress } }
            userErrors { field message }
          }
        }""",
    "customer_set_addresses": """
        mutation CustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {
          customerSet(input: $input, identifier: $identifier) {
            customer {
              id
              displayName
              defaultAddress { city formattedArea }
              addressesV2(first: 5) {
                nodes { id address1 city province country zip formattedArea }
                pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
              }
            }
            userErrors { field message code }
          }
        }""",
    "customer_set_idempotent": """
        mutation CustomerSet($input: CustomerSetInput!) {
          customerSet(input: $input) @idempotent(key: "3f5b6ebf-143c-4da5-8d0f-fb8553bfd85d") {
            customer { id }
            userErrors { field message code }
          }
        }""",
    "shop": "query Shop { shop { id name myshopifyDomain } }",
    "scopes": "query Scopes { currentAppInstallation { accessScopes { handle } } }",
    "customer": f"query Customer($id: ID!) {{ customer(id: $id) {{ {CUSTOMER_FIELDS} displayName }} }}",
    "customer_by_identifier": """
        query ByIdentifier($identifier: CustomerIdentifierInput!) {
          customerByIdentifier(identifier: $identifier) { id email phone }
        }""",
    "customers_page": """
        query Customers($first: Int, $last: Int, $after: String, $before: String, $query: String,
                        $sortKey: CustomerSortKeys, $reverse: Boolean) {
          customers(first: $first, last: $last, after: $after, before: $before, query: $query,
                    sortKey: $sortKey, reverse: $reverse) {
            edges { cursor node { id email } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }""",
    "customers_nodes": """
        query Customers($first: Int!) {
          customers(first: $first) { nodes { id email defaultEmailAddress { emailAddress } } }
        }""",
    "customers_with_fragment": """
        query Customers {
          customers(first: 3) { nodes { ...CustomerBits } }
        }
        fragment CustomerBits on Customer { id defaultPhoneNumber { phoneNumber } }""",
    "node": """
        query Node($id: ID!) {
          node(id: $id) { id ... on Customer { email } ... on MailingAddress { city } }
        }""",
    "nodes": "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }",
    "expensive": """
        query Expensive {
          customers(first: 250) { nodes { id addressesV2(first: 10) { nodes { id } } } }
        }""",
    "skip_include": """
        query Q($skip: Boolean!) {
          shop @skip(if: $skip) { id }
          currentAppInstallation @include(if: true) { id }
        }""",
    "aliases": """
        query Q {
          a: customer(id: "gid://shopify/Customer/1") { id }
          b: customer(id: "gid://shopify/Customer/2") { id }
        }""",
    "two_operations": """
        query First { shop { id } }
        query Second { shop { name } }""",
}

INVALID_DOCUMENTS = {
    "undefined_field": "query GetShop { shop { id nope } }",
    "missing_selection": "query GetShop { shop }",
    "unknown_argument": 'query GetShop { customer(id: "gid://shopify/Customer/1", bogus: 1) { id } }',
    "missing_argument": "mutation Set { customerSet { customer { id } } }",
    "syntax": "query GetShop { shop { id ",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid_for_the_simulator(name):
    assert validate(simulator_schema(), parse(DOCUMENTS[name])) == []


@pytest.mark.parametrize("name", sorted(set(INVALID_DOCUMENTS) - {"syntax"}))
def test_invalid_document_is_invalid(name):
    assert validate(simulator_schema(), parse(INVALID_DOCUMENTS[name])) != []
