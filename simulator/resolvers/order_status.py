"""Resolvers for changes to existing orders and for ``job(id:)``.

``orderUpdate(input:)``, ``orderClose(input:)``, ``orderOpen(input:)`` and
``orderMarkAsPaid(input:)`` answer ``{order, userErrors}`` (plain ``UserError``, no code);
``orderCancel(orderId:, reason:, restock:, refund:, refundMethod:, notifyCustomer:, staffNote:)``
answers ``{job, orderCancelUserErrors, userErrors}`` with the same errors in both lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.context import context_of, record_mutation, require_scope
from simulator.resolvers.limits import check_input_sizes
from simulator.stores.common import UserError


def _payload(order: dict[str, Any] | None, errors: list[UserError]) -> dict[str, Any]:
    return {
        "order": order,
        "userErrors": [{"field": list(e.field or []) or None, "message": e.message} for e in errors],
    }


def resolve_order_update(_root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]) -> dict[str, Any]:
    """``orderUpdate(input: OrderInput!)``."""
    require_scope(info, "write_orders")
    check_input_sizes(info, {"input": input})
    return _payload(*record_mutation(info).shop.orders.updates.update(input))


def resolve_order_close(_root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]) -> dict[str, Any]:
    """``orderClose(input: {id})``."""
    require_scope(info, "write_orders")
    return _payload(*record_mutation(info).shop.orders.updates.close(str(input["id"])))


def resolve_order_open(_root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]) -> dict[str, Any]:
    """``orderOpen(input: {id})``."""
    require_scope(info, "write_orders")
    return _payload(*record_mutation(info).shop.orders.updates.open(str(input["id"])))


def resolve_order_mark_as_paid(
    _root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]
) -> dict[str, Any]:
    """``orderMarkAsPaid(input: {id})``."""
    require_scope(info, "write_orders")
    return _payload(*record_mutation(info).shop.orders.updates.mark_as_paid(str(input["id"])))


def resolve_order_cancel(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``orderCancel(...)``: asynchronous on Shopify; here the order is cancelled before the answer."""
    require_scope(info, "write_orders")
    job, errors = record_mutation(info).shop.orders.updates.cancel(args)
    return {
        "job": job,
        "orderCancelUserErrors": [e.to_graphql() for e in errors],
        "userErrors": [{"field": list(e.field or []) or None, "message": e.message} for e in errors],
    }


def resolve_job(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``job(id:)``: a job answered by ``orderCancel`` (``done: true`` once read back)."""
    return context_of(info).shop.orders.updates.job(id)


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("QueryRoot", "job"): resolve_job,
    ("Mutation", "orderUpdate"): resolve_order_update,
    ("Mutation", "orderClose"): resolve_order_close,
    ("Mutation", "orderOpen"): resolve_order_open,
    ("Mutation", "orderMarkAsPaid"): resolve_order_mark_as_paid,
    ("Mutation", "orderCancel"): resolve_order_cancel,
    ("Job", "query"): lambda _job, _info: {},
}
