"""simulator/schema.graphql is a faithful subset of Shopify's real 2026-07 Admin schema.

Every type it declares exists in the real schema with the same kind; every field, argument,
input field and enum value exists there with the same printed type, default value and
deprecation; and every document the simulator tests send validates against the real schema.
"""

from importlib import resources

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    parse,
    validate,
)
from graphql.type.introspection import introspection_types
from graphql.utilities import ast_from_value

from simulator.schema import schema_sdl
from tests.support.admin_schema import load_admin_schema
from tests.unit.test_simulator_documents import DOCUMENTS

SUBSET = build_schema(schema_sdl())
DECLARED = sorted(name for name in SUBSET.type_map if name not in introspection_types)


@pytest.fixture(scope="module")
def real() -> GraphQLSchema:
    return load_admin_schema()


def _printed_default(value):
    node = ast_from_value(value.default_value, value.type)
    return None if node is None else node.to_dict()


def test_root_types_match(real):
    assert SUBSET.query_type.name == real.query_type.name
    assert SUBSET.mutation_type.name == real.mutation_type.name


@pytest.mark.parametrize("name", DECLARED)
def test_type_agrees_with_the_real_schema(real, name):
    ours, theirs = SUBSET.get_type(name), real.get_type(name)
    assert theirs is not None, f"{name} is not in the real schema"
    assert type(ours) is type(theirs), f"{name}: {type(ours).__name__} vs {type(theirs).__name__}"
    if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
        ours_ifaces = {iface.name for iface in ours.interfaces}
        assert ours_ifaces <= {iface.name for iface in theirs.interfaces}, name
        for field_name, field in ours.fields.items():
            assert field_name in theirs.fields, f"{name}.{field_name} does not exist"
            real_field = theirs.fields[field_name]
            assert str(field.type) == str(real_field.type), f"{name}.{field_name}"
            assert field.deprecation_reason == real_field.deprecation_reason, f"{name}.{field_name}"
            for arg_name, arg in field.args.items():
                assert arg_name in real_field.args, f"{name}.{field_name}({arg_name}) does not exist"
                real_arg = real_field.args[arg_name]
                assert str(arg.type) == str(real_arg.type), f"{name}.{field_name}({arg_name})"
                assert _printed_default(arg) == _printed_default(real_arg), f"{name}.{field_name}({arg_name})"
            required = {
                a for a, v in real_field.args.items() if str(v.type).endswith("!") and v.default_value is None
            }
            assert required <= set(field.args), f"{name}.{field_name} drops required arguments"
    elif isinstance(ours, GraphQLInputObjectType):
        for field_name, field in ours.fields.items():
            assert field_name in theirs.fields, f"{name}.{field_name} does not exist"
            real_field = theirs.fields[field_name]
            assert str(field.type) == str(real_field.type), f"{name}.{field_name}"
            assert _printed_default(field) == _printed_default(real_field), f"{name}.{field_name}"
            assert field.deprecation_reason == real_field.deprecation_reason, f"{name}.{field_name}"
        required = {
            f for f, v in theirs.fields.items() if str(v.type).endswith("!") and v.default_value is None
        }
        assert required <= set(ours.fields), f"{name} drops required input fields"
    elif isinstance(ours, GraphQLEnumType):
        missing = set(ours.values) - set(theirs.values)
        assert not missing, f"{name} values not in the real schema: {sorted(missing)}"
    elif isinstance(ours, GraphQLUnionType):
        assert {t.name for t in ours.types} <= {t.name for t in theirs.types}, name
    else:
        assert isinstance(ours, GraphQLScalarType)


def test_directives_agree(real):
    for directive in SUBSET.directives:
        theirs = real.get_directive(directive.name)
        assert theirs is not None, f"@{directive.name} is not in the real schema"
        assert set(directive.locations) <= set(theirs.locations)
        for arg_name, arg in directive.args.items():
            assert str(arg.type) == str(theirs.args[arg_name].type)
    assert SUBSET.get_directive("idempotent") is not None


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_test_documents_validate_against_the_real_schema(real, name):
    errors = validate(real, parse(DOCUMENTS[name]))
    assert errors == [], [error.message for error in errors]


ISSUE_3_FIELDS = {
    ("Mutation", "productSet"): {"input", "identifier", "synchronous"},
    ("Mutation", "inventorySetQuantities"): {"input"},
    ("Mutation", "orderCreate"): {"order", "options"},
    ("Mutation", "orderUpdate"): {"input"},
    ("Mutation", "orderClose"): {"input"},
    ("Mutation", "orderOpen"): {"input"},
    ("Mutation", "orderMarkAsPaid"): {"input"},
    ("Mutation", "orderCancel"): {
        "orderId",
        "reason",
        "restock",
        "refund",
        "refundMethod",
        "notifyCustomer",
        "staffNote",
    },
    ("Mutation", "metafieldsSet"): {"metafields"},
    ("Mutation", "customerEmailMarketingConsentUpdate"): {"input"},
    ("Mutation", "customerSmsMarketingConsentUpdate"): {"input"},
    ("QueryRoot", "product"): {"id"},
    ("QueryRoot", "productByIdentifier"): {"identifier"},
    ("QueryRoot", "productVariants"): {
        "first",
        "after",
        "last",
        "before",
        "reverse",
        "sortKey",
        "query",
        "savedSearchId",
    },
    ("QueryRoot", "locations"): {
        "first",
        "after",
        "last",
        "before",
        "reverse",
        "sortKey",
        "query",
        "includeLegacy",
        "includeInactive",
    },
    ("QueryRoot", "inventoryItem"): {"id"},
    ("QueryRoot", "order"): {"id"},
    ("QueryRoot", "orders"): {
        "first",
        "after",
        "last",
        "before",
        "reverse",
        "sortKey",
        "query",
        "savedSearchId",
    },
}


@pytest.mark.parametrize(("type_name", "field_name"), sorted(ISSUE_3_FIELDS))
def test_issue_3_fields_are_served_with_every_real_argument(real, type_name, field_name):
    ours = SUBSET.get_type(type_name).fields[field_name]
    theirs = real.get_type(type_name).fields[field_name]
    assert set(ours.args) == set(theirs.args) == ISSUE_3_FIELDS[(type_name, field_name)]


def test_resource_files_only_extend_the_root_types():
    package = resources.files("simulator")
    extras = sorted(
        e.name for e in package.iterdir() if e.name.startswith("schema_") and e.name.endswith(".graphql")
    )
    assert extras == [
        "schema_bulk.graphql",
        "schema_inventory.graphql",
        "schema_marketing.graphql",
        "schema_orders.graphql",
        "schema_products.graphql",
    ]
    for name in extras:
        text = package.joinpath(name).read_text(encoding="utf-8")
        assert "type QueryRoot" not in text.replace("extend type QueryRoot", ""), name
        assert "type Mutation" not in text.replace("extend type Mutation", ""), name
        assert text in schema_sdl()
