"""One GraphQL request against one shop: parse, validate, cost, throttle, run, refund.

The order follows Shopify: document errors (syntax, validation, variables) answer without
touching the bucket and carry no cost; a document over the single-query limit answers
``MAX_COST_EXCEEDED``; otherwise the requested cost is reserved (or the request is
throttled), the operation runs, and the difference to the actual cost is refunded.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    execute,
    parse,
    print_ast,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.utilities import get_operation_ast

from simulator import graphql_errors
from simulator.cost import QueryCost
from simulator.order_limit import order_limit_outcome
from simulator.resolvers.context import RequestContext
from simulator.responses import RATE_LIMITS_DOC, throttled_body
from simulator.schema import MAX_QUERY_COST, simulator_schema
from simulator.state import ShopState


@dataclass
class GraphQLRequest:
    """The parts of a GraphQL POST body."""

    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None


@dataclass
class Outcome:
    """The answer to send and what to count.

    Attributes:
        body: The JSON body (HTTP 200).
        throttled: The request was throttled; ``wait_s`` says for how long.
        wait_s: Seconds until the requested cost fits in the bucket (throttled only).
        mutations: Mutation fields executed.
        executed: Names of the mutation fields executed, in order.
        status: HTTP status to answer with (200 unless a limit answers otherwise).
        headers: Extra HTTP headers for that answer.

    """

    body: dict[str, Any]
    throttled: bool = False
    wait_s: float = 0.0
    mutations: int = 0
    executed: tuple[str, ...] = ()
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def run_graphql(shop: ShopState, request: GraphQLRequest, api_version: str, base_url: str = "") -> Outcome:
    """Run one request against ``shop`` and return the body to answer with (``base_url``: the server's)."""
    schema = simulator_schema()
    document = _checked_document(request.query)
    if not isinstance(document, DocumentNode):
        return _errors_only(list(document))
    operation = get_operation_ast(document, request.operation_name)
    if operation is None:
        return _errors_only(
            [graphql_errors.plain_error(_operation_problem(document, request.operation_name))]
        )
    coerced = _coerce_variables(operation, request.variables or {})
    if isinstance(coerced, list):
        return _errors_only(coerced)

    cost = QueryCost(schema, operation, _fragments(document), coerced)
    requested = cost.requested()
    if requested > MAX_QUERY_COST:
        return _errors_only([_max_cost_error(requested)])
    limited = order_limit_outcome(shop, operation)
    if limited is not None:
        limit_body, wait_s = limited
        return Outcome(body=limit_body, status=429, headers={"Retry-After": f"{wait_s:.1f}"})
    bucket = shop.bucket
    if not bucket.try_reserve(requested):
        return Outcome(
            body=throttled_body(requested, bucket.status()),
            throttled=True,
            wait_s=bucket.seconds_until(requested),
        )

    context = RequestContext(shop=shop, api_version=api_version, base_url=base_url)
    result = execute(
        schema,
        document,
        variable_values=dict(request.variables or {}),
        operation_name=request.operation_name,
        context_value=context,
    )
    if inspect.isawaitable(result):  # pragma: no cover - every resolver is synchronous
        raise TypeError("simulator resolvers must be synchronous")
    actual: int | None = None if context.refused_whole else cost.actual(result.data)
    bucket.refund(requested - (actual or 0))
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if not context.refused_whole:
        body["data"] = result.data
    body["extensions"] = {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": bucket.status(),
        }
    }
    return Outcome(
        body=body, mutations=context.mutations_executed, executed=tuple(context.executed_mutations)
    )


@lru_cache(maxsize=512)
def _checked_document(query: str) -> DocumentNode | tuple[dict[str, Any], ...]:
    """The parsed document, or its syntax or validation errors; clients send the same few documents."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return (graphql_errors.syntax_error(error),)
    validation = validate(simulator_schema(), document)
    if validation:
        return tuple(graphql_errors.validation_error(error, document) for error in validation)
    return document


def _errors_only(errors: list[dict[str, Any]]) -> Outcome:
    return Outcome(body={"errors": errors})


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operation_problem(document: DocumentNode, name: str | None) -> str:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        return "No operations in query document"
    if name is None:
        return "An operation name is required"
    return f'No operation named "{name}"'


def _coerce_variables(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any] | list[dict[str, Any]]:
    definitions = operation.variable_definitions or ()
    coerced = get_variable_values(simulator_schema(), definitions, dict(variables))
    if isinstance(coerced, dict):
        return coerced
    entries = []
    for definition in definitions:
        mine = [error for error in coerced if error.nodes and definition in error.nodes]
        if mine:
            name = definition.variable.name.value
            type_name = print_ast(definition.type)
            entries.append(graphql_errors.variable_error(mine, name, type_name, variables.get(name)))
    return entries or [graphql_errors.plain_error(error.message) for error in coerced]


def _max_cost_error(requested: int) -> dict[str, Any]:
    message = (
        f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n"
        "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
        "cost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
        "See https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n"
    )
    return {
        "message": message,
        "extensions": {
            "code": "MAX_COST_EXCEEDED",
            "cost": requested,
            "maxCost": MAX_QUERY_COST,
            "documentation": RATE_LIMITS_DOC,
        },
    }
