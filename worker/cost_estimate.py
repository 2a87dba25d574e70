"""What a document will cost before Shopify has said, from its text and its variables.

The gateway reserves this until a send of the same document with the same page sizes has told it
Shopify's ``requestedQueryCost``. The rules are Shopify's as observed (FACTS.md, "More observed on
live stores"): a connection costs 2 plus ``max(1, floor(2 ln first))`` times one element, an object 1
plus its selection, a scalar nothing, a ``...Count`` field 10, and a mutation field 10. Without the
schema, a field with a selection is taken for an object, and one with ``first``/``last`` for a
connection. A ``first: $n`` lookup is therefore charged for ``$n``, not for whatever page size the
same document was last sent with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    parse,
)

MUTATION_COST = 10.0
CONNECTION_COST = 2
COUNT_COST = 10
PAGE_ARGUMENTS = ("first", "last")


def page_factor(size: int) -> int:
    """How many elements a page of ``size`` is charged for (FACTS.md: first=50 -> 7 elements)."""
    return max(1, math.floor(2 * math.log(size))) if size > 0 else 0


@lru_cache(maxsize=256)
def _parsed(document: str) -> DocumentNode:
    return parse(document)


@lru_cache(maxsize=256)
def page_variables(document: str) -> tuple[str, ...]:
    """The variables that set a page size (``first: $n``), sorted: the cost depends on their values."""
    names: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                for argument in selection.arguments:
                    if argument.name.value in PAGE_ARGUMENTS and isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
            if isinstance(selection, FieldNode | InlineFragmentNode):
                walk(selection.selection_set)

    for definition in _parsed(document).definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk(definition.selection_set)
    return tuple(sorted(names))


def cost_key(document: str, variables: Mapping[str, Any] | None) -> tuple[str, tuple[Any, ...]]:
    """What a learned cost is filed under: the document and the values of its page-size variables."""
    values = variables or {}
    return document, tuple(values.get(name) for name in page_variables(document))


def estimate(document: str, variables: Mapping[str, Any] | None = None) -> float:
    """The points Shopify is expected to request for ``document`` sent with ``variables``."""
    ast = _parsed(document)
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    walker = _Walker(fragments, variables or {})
    total = 0.0
    for definition in ast.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if definition.operation is OperationType.MUTATION:
            total += MUTATION_COST * len(walker.fields(definition.selection_set))
        else:
            total += walker.selection(definition.selection_set)
    return total


class _Walker:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables

    def fields(self, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        out: list[FieldNode] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                out.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                out.extend(self.fields(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in self.fragments:
                out.extend(self.fields(self.fragments[selection.name.value].selection_set))
        return out

    def selection(self, selection_set: SelectionSetNode | None) -> int:
        return sum(self.field(node) for node in self.fields(selection_set))

    def field(self, node: FieldNode) -> int:
        name = node.name.value
        if node.selection_set is None or name == "pageInfo":
            return 0
        if name.endswith("Count"):
            return COUNT_COST
        size = self.page_size(node)
        if size is None:
            return 1 + self.selection(node.selection_set)
        elements = self.fields(node.selection_set)
        each = max((self.element(child) for child in elements), default=0)
        return CONNECTION_COST + page_factor(size) * each

    def element(self, node: FieldNode) -> int:
        """One element of a connection: a ``nodes`` entry is an object, an ``edges`` entry holds one."""
        if node.name.value == "nodes":
            return 1 + self.selection(node.selection_set)
        if node.name.value == "edges":
            return self.selection(node.selection_set)
        return 0

    def page_size(self, node: FieldNode) -> int | None:
        for argument in node.arguments:
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode) and isinstance(self.variables.get(value.name.value), int):
                return int(self.variables[value.name.value])
        return None
