"""What every resource writer shares: validate a mapped record, build variables, read the result."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar, final

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from worker.errors import ServerError, UserError, UserErrorsError


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
    def _empty_strings_are_absent(cls, data: Any) -> Any:
        """A blank warehouse cell means "no value", not "set this field to the empty string"."""
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


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
        problems = [(".".join(str(p) for p in err["loc"]) or "(record)", err["msg"]) for err in exc.errors()]
        return cls(problems)


class Resource(ABC, Generic[ModelT]):
    """A kind of Shopify object this connector writes.

    Subclasses declare the input ``model``, the GraphQL ``mutation`` and the name of its payload
    field, and implement ``build_variables``. The flow itself (``validate``, ``parse_result``) is fixed.
    """

    name: ClassVar[str]
    model: type[ModelT]
    mutation: ClassVar[str]
    payload_field: ClassVar[str]
    object_field: ClassVar[str]
    estimated_cost: ClassVar[float] = 10.0

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
    def build_variables(self, record: ModelT) -> dict[str, Any]:
        """The mutation's variables for one validated record."""

    @final
    def parse_result(self, data: Mapping[str, Any]) -> str:
        """The gid of the written object.

        Raises:
            UserErrorsError: When the mutation answered with userErrors.
            ServerError: When the answer has neither an object nor userErrors.
        """
        payload = data.get(self.payload_field) or {}
        errors = tuple(UserError.from_payload(e) for e in payload.get("userErrors") or ())
        if errors:
            first = errors[0]
            raise UserErrorsError(
                f"{'.'.join(first.field) or self.payload_field}: {first.message}",
                code=first.code,
                user_errors=errors,
            )
        obj = payload.get(self.object_field)
        if not isinstance(obj, Mapping) or not obj.get("id"):
            raise ServerError(f"{self.payload_field} answered without a {self.object_field} id")
        return str(obj["id"])
