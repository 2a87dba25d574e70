"""What every resource writer shares: validate a mapped record, write a unit of records, read results.

A resource writes *units*: one record at a time, up to ``chunk_size`` records in one request (inventory
quantities), or, for a ``packable`` resource, as many records as the batch writer packs into one
document. ``write`` returns one result per record of the unit: the gid of the written object, or the
``UserErrorsError`` that rejects that record. A failure of the whole unit (throttle, 5xx, network,
auth) is raised, and the batch writer retries or settles the unit as a whole.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar, final

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from worker.client import GraphQLResult
from worker.contract.deadletters import Reason
from worker.errors import ServerError, UserError, UserErrorsError
from worker.lookups import LookupCache
from worker.packing import alias, packed_document, packed_variables, unpacked
from worker.resources.blanks import (
    BadJsonText,
    clean_fields,
    decode_json_text,
    is_absent,
    is_blank,
    json_fields,
)


class Send(Protocol):
    """Sends one GraphQL document through the shop's limiter; raises ``ShopifyError`` on failure.

    ``cost`` is the points to reserve when the resource can tell (a product's cost grows with its
    variants); otherwise the cost the server asked for last time is reserved.
    """

    async def __call__(
        self, document: str, variables: Mapping[str, Any], *, cost: float | None = None
    ) -> GraphQLResult:
        """Send ``document`` with ``variables``."""


RecordResult = str | UserErrorsError


class ShopifyInput(BaseModel):
    """Base of the models of mapped records: Shopify's camelCase names, snake_case accepted too."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_values_are_absent(cls, data: Any) -> Any:
        """A blank cell, a null or an object of blanks is no value; a JSON text may hold a list or object.

        See ``worker.resources.blanks``. Text that is not valid JSON is left as a ``BadJsonText`` for the
        field's own validation to refuse, so the error names the field.
        """
        if type(data) is not dict and not isinstance(data, Mapping):  # the ABC check is slow: dicts first
            return data
        return clean_fields(data, json_fields(cls))


ModelT = TypeVar("ModelT", bound=ShopifyInput)


class RecordInvalidError(ValueError):
    """A mapped record does not fit the resource's input model.

    Attributes:
        problems: ``(field path, reason)`` pairs, one per problem.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in problems))

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> RecordInvalidError:
        """Keep each problem's location and message; drop pydantic's echo of the input value."""
        problems = [
            (".".join(str(p) for p in err["loc"]) or "(record)", _message(err["msg"], err.get("input")))
            for err in exc.errors()
        ]
        return cls(problems)

    def reason(self) -> Reason:
        """The dead-letter reason: the first field, and every problem in the message."""
        return Reason(category="validation", field=self.problems[0][0], message=str(self))


def _message(message: str, value: object) -> str:
    """Pydantic's message, or why a JSON text is not JSON (pydantic would only say "not a list")."""
    return value.problem if isinstance(value, BadJsonText) else message


@dataclass(frozen=True)
class WriteContext:
    """Who is writing what, for resources that need it (idempotency keys, source identifiers).

    Attributes:
        shop: The shop handle.
        sync_id: The sync the records belong to.
        record_keys: The keys of the unit's records, in order.
        idempotency_key: Stable for this unit of this sync: a retry, or a redelivered task, reuses it.
        lookups: Cached name -> id lookups (SKUs, locations), shared by the workers.
    """

    shop: str
    sync_id: str
    record_keys: tuple[str, ...]
    idempotency_key: str
    lookups: LookupCache | None = None


class Resource(ABC, Generic[ModelT]):
    """A kind of Shopify object this connector writes.

    Subclasses declare the input ``model`` and every GraphQL document they may send (``documents``,
    checked against the real schema in the tests), and implement ``write``.
    """

    name: ClassVar[str]
    model: type[ModelT]
    documents: ClassVar[tuple[str, ...]]
    chunk_size: ClassVar[int] = 1
    packable: ClassVar[bool] = False

    @final
    def validate(self, payload: Mapping[str, Any]) -> ModelT:
        """Check a mapped record against the input model.

        Raises:
            RecordInvalidError: Naming each field path and reason.
        """
        try:
            return self.model.model_validate(payload)
        except ValidationError as exc:
            raise RecordInvalidError.from_validation_error(exc) from None

    @abstractmethod
    async def write(self, records: list[ModelT], send: Send, ctx: WriteContext) -> list[RecordResult]:
        """Write a unit of at most ``chunk_size`` records; one result per record, in order."""

    def can_pack(self, record: ModelT) -> bool:
        """Whether a packable resource may send this record with others (its write is an upsert)."""
        return self.packable

    def expected_cost(self, record: ModelT, cost_of: Callable[[str], float]) -> float:
        """Points one record is expected to take (``cost_of``: a document's), to pack and book batches."""
        return cost_of(self.documents[0]) / self.chunk_size

    def with_source_key(self, payload: dict[str, Any], source_key: str | None) -> dict[str, Any]:
        """The payload, completed with the row's source primary key where the resource needs one."""
        return payload

    def group_key(self, payload: Mapping[str, Any]) -> str | None:
        """Mapped rows with the same key become one record (``merge``); None: the row is a record alone."""
        return None

    def merge(self, payloads: list[dict[str, Any]]) -> dict[str, Any]:
        """One record from the mapped rows of one group."""
        raise NotImplementedError(f"{self.name} does not group rows")

    def supersede_key(self, record: ModelT) -> str | None:
        """Valid records of one sync with the same key set the same thing: only the last one is written."""
        return None


def merge_rows(payloads: list[dict[str, Any]], list_field: str) -> dict[str, Any]:
    """One record from the rows of one group.

    ``list_field`` gathers every row's entries, in order (a JSON text of them is decoded); every other
    field comes from the first row that has a value for it: a blank cell, or a list of them (option names
    on a product's later rows, in Shopify's CSV), is no value.
    """
    merged: dict[str, Any] = {}
    entries: list[Any] = []
    unreadable: str | None = None  # a text that is no JSON list: validation names the field
    for payload in payloads:
        for key, value in payload.items():
            if key != list_field:
                if key not in merged or is_blank(merged[key]):
                    merged[key] = value
                continue
            decoded = decode_json_text(value) if isinstance(value, str) else value
            if isinstance(decoded, str) and not is_absent(decoded):
                unreadable = unreadable or value
            elif isinstance(decoded, list):
                entries.extend(decoded)
            elif not is_absent(decoded):
                entries.append(decoded)
    if unreadable is not None or entries:
        merged[list_field] = unreadable if unreadable is not None else entries
    return merged


class SingleMutationResource(Resource[ModelT]):
    """A resource written with one mutation per record.

    A ``packable`` resource's mutation is an upsert, so a unit of several records goes out as one
    document of aliased mutations (``worker.packing``) and a retry of the whole document is harmless.
    """

    mutation: ClassVar[str]
    payload_field: ClassVar[str]
    object_field: ClassVar[str]

    @abstractmethod
    def build_variables(self, record: ModelT) -> dict[str, Any]:
        """The mutation's variables for one validated record."""

    def cost(self, record: ModelT) -> float | None:
        """Points to reserve for this record's mutation; None to use what the server asked last time."""
        return None

    def expected_cost(self, record: ModelT, cost_of: Callable[[str], float]) -> float:
        """The record's own cost when it has one, else what its mutation cost last time."""
        cost = self.cost(record)
        return cost if cost is not None else cost_of(self.mutation)

    async def write(self, records: list[ModelT], send: Send, ctx: WriteContext) -> list[RecordResult]:
        """Send the mutation for the unit's records: alone, or packed in one document."""
        costs = [self.cost(record) for record in records]
        cost = None if None in costs else sum(c for c in costs if c is not None)
        if len(records) == 1:
            result = await send(self.mutation, self.build_variables(records[0]), cost=cost)
            return [mutation_result(result.data, self.payload_field, self.object_field)]
        document = packed_document(self.mutation, len(records))
        variables = packed_variables([self.build_variables(record) for record in records])
        result = await send(document, variables, cost=cost)
        answers = unpacked(result.data, self.payload_field, len(records))
        failed = result.alias_errors or {}
        return [
            _alias_failure(failed[alias(i)], self.payload_field)
            if alias(i) in failed
            else mutation_result(answer, self.payload_field, self.object_field)
            for i, answer in enumerate(answers)
        ]


def _alias_failure(message: str, payload_field: str) -> UserErrorsError:
    """One alias of a pack failed on its own (a top-level error on its path): only its record fails."""
    error = UserError((), message)
    return UserErrorsError(f"{payload_field}: {message}", user_errors=(error,))


def payload_errors(data: Mapping[str, Any], payload_field: str) -> tuple[UserError, ...]:
    """The user errors of one mutation's payload (``orderCancel`` calls them ``orderCancelUserErrors``)."""
    payload = data.get(payload_field) or {}
    raw = payload.get(f"{payload_field}UserErrors") or payload.get("userErrors") or ()
    return tuple(UserError.from_payload(e) for e in raw)


def mutation_result(data: Mapping[str, Any], payload_field: str, object_field: str | None) -> RecordResult:
    """The gid of the object a mutation wrote, or its ``userErrors`` as an error.

    Raises:
        ServerError: When the answer has neither the object nor userErrors.
    """
    errors = payload_errors(data, payload_field)
    if errors:
        return user_errors(errors, payload_field)
    obj = (data.get(payload_field) or {}).get(object_field) if object_field else None
    if not isinstance(obj, Mapping) or not obj.get("id"):
        raise ServerError(f"{payload_field} answered without a {object_field} id")
    return str(obj["id"])


def user_errors(errors: tuple[UserError, ...], payload_field: str) -> UserErrorsError:
    """One ``UserErrorsError`` for a record, led by its first error."""
    first = errors[0]
    return UserErrorsError(
        f"{'.'.join(first.field) or payload_field}: {first.message}", code=first.code, user_errors=errors
    )
