"""Every GraphQL document the worker can send validates against Shopify's real 2026-07 Admin schema,
and the variables it builds for a record are accepted by that schema's input types."""

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from tests.support.admin_schema import load_admin_schema
from worker.resources import RESOURCES

SAMPLE_RECORDS = {
    "customers": [
        {
            "email": "ada@example.com",
            "firstName": "Ada",
            "tags": ["vip"],
            "taxExempt": True,
            "addresses": [{"city": "Ottawa", "countryCode": "CA", "provinceCode": "ON", "zip": "K1A 0B1"}],
        },
        {"phone": "+14155550100", "lastName": "Hopper", "note": "n", "locale": "en"},
        {"id": "gid://shopify/Customer/42", "email": "x@example.com"},
        {"firstName": "Only a name"},
    ],
}


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_mutation_validates_against_the_real_schema(name):
    errors = validate(load_admin_schema(), parse(RESOURCES[name].mutation))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_built_variables_fit_the_real_input_types(name):
    resource = RESOURCES[name]
    schema = load_admin_schema()
    [operation] = [d for d in parse(resource.mutation).definitions if isinstance(d, OperationDefinitionNode)]
    for record in SAMPLE_RECORDS[name]:
        variables = resource.build_variables(resource.validate(record))
        coerced = get_variable_values(schema, operation.variable_definitions, variables)
        assert isinstance(coerced, dict), [e.message for e in coerced]


def test_every_resource_has_sample_records():
    assert set(SAMPLE_RECORDS) == set(RESOURCES)
