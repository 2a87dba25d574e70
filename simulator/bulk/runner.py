"""Running a bulk mutation in the background: each input line through the same schema, store and rules.

Each line is executed like a request of its own (``graphql.execute`` with the simulator's schema and a
``RequestContext`` of the shop), but draws nothing from the shop's bucket, as on Shopify. Lines run at
``BulkConfig.lines_per_s`` on the server's event loop, so they interleave with ordinary requests exactly
as two requests would.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, execute, parse, validate
from graphql.execution.values import get_variable_values

from simulator.resolvers.context import RequestContext
from simulator.schema import simulator_schema
from simulator.stores.common import utc_timestamp

if TYPE_CHECKING:
    from simulator.bulk.book import BulkOperation
    from simulator.state import ShopState

TICK_S = 0.05


def mutation_problem(mutation: str) -> str | None:
    """Why ``mutation`` cannot run in bulk (Shopify answers ``INVALID_MUTATION``), or None."""
    if len(mutation.encode()) > 65_535:
        return "Mutation is too large (at most 65535 bytes)"
    try:
        document = parse(mutation)
    except GraphQLError as error:
        return f"Invalid mutation: {error.message}"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation.value != "mutation":
        return "Bulk mutations must be a single mutation operation"
    if len(operations[0].selection_set.selections) != 1:
        return "Bulk mutations must have exactly one root field"
    errors = validate(simulator_schema(), document)
    return f"Invalid mutation: {errors[0].message}" if errors else None


def start(shop: ShopState, operation: BulkOperation) -> None:
    """Run ``operation`` in the background on the current event loop."""
    task = asyncio.get_running_loop().create_task(_run(shop, operation))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


_RUNNING: set[asyncio.Task[None]] = set()


async def _run(shop: ShopState, operation: BulkOperation) -> None:
    config = shop.bulk.config
    document = parse(operation.mutation)
    started = time.monotonic()
    await asyncio.sleep(TICK_S)
    operation.status = "RUNNING"
    credit = 0.0
    while operation.executed < len(operation.lines):
        if operation.cancel_requested:
            _finish(operation, "CANCELED")
            return
        if time.monotonic() - started > config.max_duration_s:
            _finish(operation, "FAILED", "TIMEOUT")
            return
        credit += max(config.lines_per_s, 0.001) * TICK_S
        while credit >= 1 and operation.executed < len(operation.lines):
            if config.fail_after_lines is not None and operation.executed >= config.fail_after_lines:
                _finish(operation, "FAILED", "INTERNAL_SERVER_ERROR")
                return
            credit -= 1
            line = operation.executed
            result = run_line(shop, document, operation.lines[line], operation.api_version, line)
            operation.executed += 1
            if not (config.partial_every and operation.executed % config.partial_every == 0):
                operation.results.append(result)
        await asyncio.sleep(TICK_S)
    _finish(operation, "COMPLETED")


def _finish(operation: BulkOperation, status: str, error_code: str | None = None) -> None:
    operation.status = status
    operation.error_code = error_code
    operation.completed_at = utc_timestamp()
    operation.result_ready = True


def run_line(shop: ShopState, document: DocumentNode, text: str, api_version: str, line: int) -> str:
    """One input line executed; its line of the result file (``__lineNumber`` is 0-based)."""
    answer: dict[str, Any]
    try:
        variables = json.loads(text)
    except ValueError:
        variables = None
    if not isinstance(variables, dict):
        answer = {"errors": [{"message": "Invalid JSON on line: not an object of variables"}]}
        return _result_line(answer, line)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    coerced = get_variable_values(simulator_schema(), operation.variable_definitions or (), variables)
    if not isinstance(coerced, dict):
        answer = {"errors": [{"message": error.message} for error in coerced]}
        return _result_line(answer, line)
    context = RequestContext(shop=shop, api_version=api_version)
    result = execute(simulator_schema(), document, variable_values=variables, context_value=context)
    if inspect.isawaitable(result):  # pragma: no cover - every resolver is synchronous
        raise TypeError("simulator resolvers must be synchronous")
    answer = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    return _result_line(answer, line)


def _result_line(answer: dict[str, Any], line: int) -> str:
    """Shopify's result files escape every slash in strings (as JSON allows): so does this one."""
    return json.dumps({**answer, "__lineNumber": line}).replace("/", "\\/")
