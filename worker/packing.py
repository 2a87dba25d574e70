"""Several mutations in one GraphQL document: each copy aliased ``m<i>``, its variables suffixed ``_<i>``.

Shopify runs a document's mutations one after another and answers each under its alias, with its own
``userErrors``; the document costs the sum of its mutations and must stay under the 1,000-point cap
of a single query. One round trip then carries many records, which is what saturates a Plus shop's
bucket despite 150-400 ms of network latency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    VariableDefinitionNode,
    VariableNode,
    parse,
    print_ast,
)
from graphql.language import Visitor, visit

MAX_QUERY_COST = 1000.0


def alias(index: int) -> str:
    """The alias of the ``index``-th mutation of a packed document."""
    return f"m{index}"


class _Rename(Visitor):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.suffix = f"_{index}"

    def enter_variable(self, node: VariableNode, *_: Any) -> VariableNode:
        return VariableNode(name=NameNode(value=node.name.value + self.suffix))


@lru_cache(maxsize=256)
def packed_document(document: str, count: int) -> str:
    """``document`` (one mutation operation with one root field) repeated ``count`` times under aliases.

    Raises:
        ValueError: When ``document`` is not a single mutation with a single root field.
    """
    operation = _single_mutation(parse(document))
    definitions: list[VariableDefinitionNode] = []
    selections: list[FieldNode] = []
    for index in range(count):
        renamed = visit(operation, _Rename(index))
        definitions.extend(renamed.variable_definitions or ())
        [field] = renamed.selection_set.selections
        selections.append(
            FieldNode(
                alias=NameNode(value=alias(index)),
                name=field.name,
                arguments=field.arguments,
                directives=field.directives,
                selection_set=field.selection_set,
            )
        )
    name = operation.name.value if operation.name else "Packed"
    packed = OperationDefinitionNode(
        operation=OperationType.MUTATION,
        name=NameNode(value=f"{name}x{count}"),
        variable_definitions=tuple(definitions),
        directives=operation.directives,
        selection_set=type(operation.selection_set)(selections=tuple(selections)),
    )
    return print_ast(DocumentNode(definitions=(packed,)))


def packed_variables(variables: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The variables of a packed document: each record's variables, suffixed with its index."""
    return {f"{name}_{index}": value for index, one in enumerate(variables) for name, value in one.items()}


def unpacked(data: Mapping[str, Any], root_field: str, count: int) -> list[dict[str, Any]]:
    """Each packed mutation's answer, shaped as if it had been sent alone (``{root_field: payload}``)."""
    return [{root_field: data.get(alias(index))} for index in range(count)]


@lru_cache(maxsize=256)
def root_field_count(document: str) -> int:
    """How many root fields the document's operation selects (a packed mutation's record count)."""
    definitions = parse(document).definitions
    operation = next(d for d in definitions if isinstance(d, OperationDefinitionNode))
    return len(operation.selection_set.selections)


def _single_mutation(document: DocumentNode) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if (
        len(document.definitions) != 1
        or len(operations) != 1
        or operations[0].operation is not OperationType.MUTATION
        or len(operations[0].selection_set.selections) != 1
    ):
        raise ValueError("only a document with one mutation operation and one root field can be packed")
    return operations[0]
