"""graphql-core errors rewritten the way Shopify (GraphQL-Ruby) words them.

Shopify's document errors carry ``message``, ``locations``, ``path`` (starting with the
operation, e.g. ``["query GetShop", "shop", "nope"]``) and ``extensions.code`` (e.g.
``undefinedField`` with ``typeName``/``fieldName``). Messages without a known mapping keep
graphql-core's text with the code ``validationError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
)

Rewrite = Callable[[re.Match[str]], tuple[str, dict[str, Any]]]

_REWRITES: list[tuple[re.Pattern[str], Rewrite]] = [
    (
        re.compile(r"^Cannot query field '(\w+)' on type '(\w+)'\."),
        lambda m: (
            f"Field '{m[1]}' doesn't exist on type '{m[2]}'",
            {"code": "undefinedField", "typeName": m[2], "fieldName": m[1]},
        ),
    ),
    (
        re.compile(r"^Field '(\w+)' of type '([^']+)' must have a selection of subfields\."),
        lambda m: (
            f"Field must have selections (field '{m[1]}' returns {_bare(m[2])} but has no selections. "
            f"Did you mean '{m[1]} {{ ... }}'?)",
            {"code": "selectionMismatch", "nodeName": f"field '{m[1]}'", "typeName": _bare(m[2])},
        ),
    ),
    (
        re.compile(r"^Field '(\w+)' must not have a selection since type '([^']+)' has no subfields\."),
        lambda m: (
            f"Selections can't be made on scalars (field '{m[1]}' returns {_bare(m[2])} but has selections)",
            {"code": "selectionMismatch", "nodeName": f"field '{m[1]}'", "typeName": _bare(m[2])},
        ),
    ),
    (
        re.compile(r"^Unknown argument '(\w+)' on field '\w+\.(\w+)'\."),
        lambda m: (
            f"Field '{m[2]}' doesn't accept argument '{m[1]}'",
            {"code": "argumentNotAccepted", "name": m[2], "typeName": "Field", "argumentName": m[1]},
        ),
    ),
    (
        re.compile(r"^Field '(\w+)' argument '(\w+)' of type '[^']+' is required, but it was not provided\."),
        lambda m: (
            f"Field '{m[1]}' is missing required arguments: {m[2]}",
            {"code": "missingRequiredArguments", "className": "Field", "name": m[1], "arguments": m[2]},
        ),
    ),
    (
        re.compile(r"^Variable '\$(\w+)' is never used(?: in operation '(\w+)')?\."),
        lambda m: (
            f"Variable ${m[1]} is declared by {m[2] or 'anonymous query'} but not used",
            {"code": "variableNotUsed", "variableName": m[1]},
        ),
    ),
    (
        re.compile(r"^Variable '\$(\w+)' is not defined(?: by operation '(\w+)')?\."),
        lambda m: (
            f"Variable ${m[1]} is used by {m[2] or 'anonymous query'} but not declared",
            {"code": "variableNotDefined", "variableName": m[1]},
        ),
    ),
    (
        re.compile(r"^Unknown type '(\w+)'\."),
        lambda m: (f"No such type {m[1]}, so it can't be a fragment condition", {"code": "undefinedType"}),
    ),
    (
        re.compile(r"^Variable '\$(\w+)' of type '([^']+)' used in position expecting type '([^']+)'\."),
        lambda m: (
            f"Type mismatch on variable ${m[1]} and argument (expected {m[3]}, got {m[2]})",
            {"code": "variableMismatch", "variableName": m[1], "typeName": m[2]},
        ),
    ),
]


def syntax_error(error: GraphQLError) -> dict[str, Any]:
    """Return Shopify's ``PARSE_ERROR`` entry for a document that does not parse."""
    line, column = _first_location(error)
    found = re.search(r"found (.+?)\.?$", error.message)
    unexpected = found[1] if found else "token"
    if unexpected == "<EOF>":
        unexpected = "end of file"
    return {
        "message": f"syntax error, unexpected {unexpected} at [{line}, {column}]",
        "locations": [{"line": line, "column": column}],
        "extensions": {"code": "PARSE_ERROR"},
    }


def validation_error(error: GraphQLError, document: DocumentNode) -> dict[str, Any]:
    """Return a Shopify-style entry for a validation error of ``document``."""
    message, extensions = error.message, {"code": "validationError"}
    for pattern, rewrite in _REWRITES:
        match = pattern.match(error.message)
        if match:
            message, extensions = rewrite(match)
            break
    entry: dict[str, Any] = {"message": message}
    if error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    path = _path_of(error.nodes[0], document) if error.nodes else None
    if path:
        entry["path"] = path
    entry["extensions"] = extensions
    return entry


def variable_error(errors: list[GraphQLError], name: str, type_name: str, value: Any) -> dict[str, Any]:
    """Return Shopify's ``INVALID_VARIABLE`` entry for one variable that does not coerce.

    graphql-core reports one error per problem; GraphQL-Ruby one entry per variable with a
    ``problems`` list, and the first problem spelled out in the message.
    """
    problems = [_problem(error) for error in errors]
    message = f"Variable ${name} of type {type_name} was provided invalid value"
    first = problems[0]
    if first["path"]:
        message += f" for {'.'.join(str(part) for part in first['path'])} ({first['explanation']})"
    entry: dict[str, Any] = {"message": message}
    locations = [loc for error in errors[:1] for loc in error.locations or ()]
    if locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in locations]
    entry["extensions"] = {"code": "INVALID_VARIABLE", "value": value, "problems": problems}
    return entry


def _problem(error: GraphQLError) -> dict[str, Any]:
    explanation = (
        error.message.split("; ", 1)[1] if "; " in error.message else "Expected value to not be null"
    )
    explanation = explanation.split(" Did you mean", 1)[0].rstrip(".")
    at = re.search(r" at '[^'.]+\.([^']+)'", error.message)
    path: list[str | int] = [int(p) if p.isdigit() else p for p in at[1].split(".")] if at else []
    undefined = re.match(r"Field '(\w+)' is not defined by type '(\w+)'", explanation)
    if undefined:
        path.append(undefined[1])
        explanation = f"Field is not defined on {undefined[2]}"
    return {"path": path, "explanation": explanation}


def plain_error(message: str) -> dict[str, Any]:
    """Return an entry with only a message (e.g. a missing operation name)."""
    return {"message": message}


def _bare(type_name: str) -> str:
    return type_name.replace("!", "").replace("[", "").replace("]", "")


def _first_location(error: GraphQLError) -> tuple[int, int]:
    if error.locations:
        return error.locations[0].line, error.locations[0].column
    return 1, 1


def _path_of(target: Node, document: DocumentNode) -> list[str] | None:
    """Return the GraphQL-Ruby style path of an AST node (fields, then an argument)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            kind = definition.operation.value
            label = f"{kind} {definition.name.value}" if definition.name else kind
        elif isinstance(definition, FragmentDefinitionNode):
            label = f"fragment {definition.name.value}"
        else:
            continue
        if definition is target:
            return [label]
        if any(variable is target for variable in getattr(definition, "variable_definitions", None) or ()):
            return [label]
        found = _search(definition.selection_set, target, [label])
        if found:
            return found
    return None


def _search(selection_set: SelectionSetNode | None, target: Node, path: list[str]) -> list[str] | None:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            here = [*path, selection.name.value]
            if selection is target:
                return here
            for argument in selection.arguments or ():
                if argument is target or _contains(argument, target):
                    return [*here, argument.name.value]
            found = _search(selection.selection_set, target, here)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            label = f"... on {condition.name.value}" if condition else "..."
            found = (
                [*path, label]
                if selection is target
                else _search(selection.selection_set, target, [*path, label])
            )
        elif isinstance(selection, FragmentSpreadNode) and selection is target:
            found = [*path, f"... {selection.name.value}"]
        else:
            found = None
        if found:
            return found
    return None


def _contains(argument: ArgumentNode, target: Node) -> bool:
    pending: list[Any] = [argument.value]
    while pending:
        node = pending.pop()
        if node is target:
            return True
        pending.extend(getattr(node, "values", None) or ())
        pending.extend(field.value for field in getattr(node, "fields", None) or ())
    return False
