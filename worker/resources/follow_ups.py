"""Mutations sent after a record's main write: consent, metafields, order statuses.

The main write has committed by then, so a failing follow-up must say which part failed and what
was written (``FollowUpFailedError``): the dead letter then carries the gid, and a replay can address
the object Shopify already has instead of creating it again. Some answers that look like errors mean
the goal is met (``orderCancel`` on an order already cancelled): a step's ``done_when`` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from worker.errors import FollowUpFailedError, UserError
from worker.resources.base import Send, payload_errors


@dataclass(frozen=True)
class Step:
    """One follow-up mutation.

    Attributes:
        document: The mutation.
        payload_field: Its root field (where its ``userErrors`` are).
        variables: Its variables.
        index_offset: Added to the entry index of an error's field (``["metafields", "3", ...]``), so a
            chunk's errors name the record's own entry (chunk 2 of 25 starts at 25).
        done_when: Errors for which the goal counts as met (nothing left to do).
    """

    document: str
    payload_field: str
    variables: dict[str, Any]
    index_offset: int = 0
    done_when: Callable[[tuple[UserError, ...]], bool] | None = field(default=None, compare=False)


async def send_steps(steps: list[Step], send: Send, gid: str) -> FollowUpFailedError | None:
    """Send the steps one after another; the first that fails stops the rest.

    Returns:
        The failure of the first step that answered userErrors (not met by its ``done_when``), or None.
    """
    for step in steps:
        answer = await send(step.document, step.variables)
        errors = payload_errors(answer.data, step.payload_field)
        if not errors or (step.done_when is not None and step.done_when(errors)):
            continue
        errors = tuple(_shifted(e, step.index_offset) for e in errors)
        first = errors[0]
        where = ".".join(first.field) or step.payload_field
        return FollowUpFailedError(
            f"{step.payload_field} failed after {gid} was written: {where}: {first.message}",
            code=first.code,
            user_errors=errors,
            gid=gid,
            step=step.payload_field,
        )
    return None


def _shifted(error: UserError, offset: int) -> UserError:
    """``["metafields", "<i>", ...]`` of a chunk -> the index of that entry in the whole record."""
    path = error.field
    if offset and len(path) >= 2 and path[1].isdigit():
        return UserError((path[0], str(int(path[1]) + offset), *path[2:]), error.message, error.code)
    return error
