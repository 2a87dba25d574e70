"""Shopify's calculated query cost: requested (static, before running) and actual (after).

Rules (shopify.dev "GraphQL Admin API rate limits"; observations in docs/simulator.md):

- scalar and enum fields cost 0, object fields 1, interfaces and unions the maximum over
  their possible types;
- a connection costs 2 plus a page factor times the cost of one element, the factor being
  ``max(1, floor(2 ln first))`` for ``first`` (or ``last``) elements: FACTS.md, "More observed on
  live stores", first bullet (first=1 -> 3, 50 -> 9, 250 -> 13 for scalar-only nodes). ``nodes``
  elements cost 1 plus their selection, ``edges`` elements the cost of their ``node``,
  ``pageInfo`` 0;
- money objects (``MoneyV2``, ``MoneyBag``) cost nothing and ``Count`` fields cost 10 (same bullet);
- a mutation field costs 10 plus its payload's selection, where the payload's own object
  fields (the returned resource, ``userErrors``) are covered by the 10 and only what is
  selected inside them adds up (observed: ``customerSet { customer { id } userErrors {...} }``
  costs 10, adding ``defaultEmailAddress { emailAddress }`` makes it 11);
- the actual cost applies the same rules to what the response holds: ``null`` objects cost
  0, connections count the elements returned; a mutation field always costs its 10;
- ``productSet`` and ``metafieldsSet`` add an input-based part to their 10
  (:mod:`simulator.input_cost`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLUnionType,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values, get_directive_values

from simulator.input_cost import mutation_cost

MUTATION_FIELD_COST = 10
CONNECTION_COST = 2
COUNT_COST = 10
FREE_OBJECTS = frozenset({"MoneyV2", "MoneyBag"})


def page_factor(size: int) -> int:
    """How many elements' cost a page of ``size`` is charged: ``max(1, floor(2 ln size))``, 0 when empty."""
    if size <= 0:
        return 0
    return max(1, math.floor(2 * math.log(size)))


def _object_charge(named: GraphQLNamedType) -> int | None:
    """A fixed cost for the whole field (money: 0, ``Count``: 10), or None to cost it by its selection."""
    if named.name in FREE_OBJECTS:
        return 0
    if named.name == "Count":
        return COUNT_COST
    return None


def is_connection(graphql_type: GraphQLNamedType) -> bool:
    """Relay connection types: ``...Connection`` objects with a ``pageInfo`` field."""
    return (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Connection")
        and "pageInfo" in graphql_type.fields
    )


class QueryCost:
    """Cost calculator for one operation of a validated document.

    Args:
        schema: The schema the document was validated against.
        operation: The operation to cost.
        fragments: The document's fragment definitions by name.
        variables: Coerced variable values (``first: $n`` needs them).

    """

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.variables = dict(variables)
        root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
        if root is None:
            raise ValueError(f"schema has no {operation.operation.value} type")
        self.root: GraphQLObjectType = root

    def requested(self) -> int:
        """Return the requested cost, computed from the document alone."""
        return self._selection_cost(self.root, [self.operation.selection_set])

    def actual(self, data: Mapping[str, Any] | None) -> int:
        """Return the actual cost of a response's ``data``, never above :meth:`requested`."""
        if data is None:
            return 0
        actual = self._actual_selection(self.root, [self.operation.selection_set], data)
        return max(0, min(actual, self.requested()))

    def _selection_cost(self, graphql_type: GraphQLNamedType, selections: list[SelectionSetNode]) -> int:
        return max((self._object_cost(t, selections) for t in self._concrete(graphql_type)), default=0)

    def _object_cost(
        self, parent: GraphQLObjectType, selections: list[SelectionSetNode], charge_objects: bool = True
    ) -> int:
        fields = self._collect(parent, selections)
        return sum(self._field_cost(parent, nodes, charge_objects) for nodes in fields.values())

    def _field_cost(self, parent: GraphQLObjectType, nodes: list[FieldNode], charge_object: bool) -> int:
        definition = self._definition(parent, nodes[0])
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        subs = _sub_selections(nodes)
        if parent is self.root and self.root is self.schema.mutation_type:
            payload = (self._object_cost(t, subs, charge_objects=False) for t in self._concrete(named))
            return self._mutation_base(definition, nodes[0]) + max(payload, default=0)
        if is_connection(parent) and nodes[0].name.value == "pageInfo":
            return 0
        fixed = _object_charge(named)
        if fixed is not None:
            return fixed
        children = self._selection_cost(named, subs)
        if is_connection(parent) and nodes[0].name.value == "edges":
            return children
        if is_connection(named):
            return CONNECTION_COST + page_factor(self._page_size(definition, nodes[0])) * children
        return (1 if charge_object else 0) + children

    def _actual_selection(
        self, graphql_type: GraphQLNamedType, selections: list[SelectionSetNode], value: Mapping[str, Any]
    ) -> int:
        costs = [self._actual_object(t, selections, value, True) for t in self._concrete(graphql_type)]
        return max(costs, default=0)

    def _actual_object(
        self,
        parent: GraphQLObjectType,
        selections: list[SelectionSetNode],
        value: Mapping[str, Any],
        charge: bool,
    ) -> int:
        total = 0
        for key, nodes in self._collect(parent, selections).items():
            if key in value:
                total += self._actual_field(parent, nodes, value[key], charge)
        return total

    def _actual_field(
        self, parent: GraphQLObjectType, nodes: list[FieldNode], value: Any, charge: bool
    ) -> int:
        definition = self._definition(parent, nodes[0])
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        subs = _sub_selections(nodes)
        if parent is self.root and self.root is self.schema.mutation_type:
            payload = 0
            if isinstance(value, Mapping):
                payload = max(
                    (self._actual_object(t, subs, value, False) for t in self._concrete(named)), default=0
                )
            return self._mutation_base(definition, nodes[0]) + payload
        if value is None or is_leaf_type(named):
            return 0
        name = nodes[0].name.value
        if is_connection(parent) and name == "pageInfo":
            return 0
        fixed = _object_charge(named)
        if fixed is not None:
            return fixed
        items = [item for item in _flatten(value) if isinstance(item, Mapping)]
        element_costs = [self._actual_selection(named, subs, item) for item in items]
        if is_connection(parent) and name in ("edges", "nodes"):
            # Charged like the requested page: the page factor of the count returned, times the
            # dearest element (a guess: FACTS.md gives requested figures only).
            each = max(element_costs, default=0) + (1 if name == "nodes" else 0)
            return page_factor(len(items)) * each
        if is_connection(named):
            return CONNECTION_COST + sum(element_costs)
        if not items:
            return 0
        return (1 if charge else 0) + max(element_costs)

    def _mutation_base(self, definition: GraphQLField, node: FieldNode) -> int:
        """10 for a mutation field, plus what its input adds (``productSet``, ``metafieldsSet``)."""
        if node.name.value not in ("productSet", "metafieldsSet"):
            return MUTATION_FIELD_COST
        return mutation_cost(node.name.value, get_argument_values(definition, node, self.variables))

    def _page_size(self, definition: GraphQLField, node: FieldNode) -> int:
        args = get_argument_values(definition, node, self.variables)
        size = args.get("first") if args.get("first") is not None else args.get("last")
        return max(0, int(size)) if size is not None else 0

    def _definition(self, parent: GraphQLObjectType, node: FieldNode) -> GraphQLField | None:
        name = node.name.value
        return None if name.startswith("__") else parent.fields.get(name)

    def _concrete(self, graphql_type: GraphQLNamedType) -> list[GraphQLObjectType]:
        if isinstance(graphql_type, GraphQLInterfaceType | GraphQLUnionType):
            return list(self.schema.get_possible_types(graphql_type))
        return [graphql_type] if isinstance(graphql_type, GraphQLObjectType) else []

    def _collect(
        self, parent: GraphQLObjectType, selections: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Group the fields selected on ``parent`` by response key, expanding fragments."""
        fields: dict[str, list[FieldNode]] = {}
        pending = list(selections)
        seen_fragments: set[str] = set()
        while pending:
            for selection in pending.pop(0).selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection.type_condition, parent):
                        pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment and fragment.name.value not in seen_fragments:
                        seen_fragments.add(fragment.name.value)
                        if self._applies(fragment.type_condition, parent):
                            pending.append(fragment.selection_set)
        return fields

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _applies(self, condition: NamedTypeNode | None, parent: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        conditional = self.schema.get_type(condition.name.value)
        if conditional is parent:
            return True
        if isinstance(conditional, GraphQLInterfaceType | GraphQLUnionType):
            return self.schema.is_sub_type(conditional, parent)
        return False


def _sub_selections(nodes: Sequence[FieldNode]) -> list[SelectionSetNode]:
    return [node.selection_set for node in nodes if node.selection_set is not None]


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for element in value for item in _flatten(element)]
    return [value]
