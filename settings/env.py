"""How settings are named in the environment, and how their problems are told."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic_core import PydanticCustomError

ENV_PREFIX = "SHOPIFY_SYNC_"

# Error type of messages that already name the variable; other pydantic errors get it prepended.
NAMED = "shopify_sync_setting"

# pydantic's own bound errors, in words (``ctx`` holds the bound).
_BOUNDS = {
    "greater_than_equal": ">= {ge}",
    "greater_than": "> {gt}",
    "less_than_equal": "<= {le}",
    "less_than": "< {lt}",
    "finite_number": "a finite number",
}


class SettingsError(ValueError):
    """Invalid settings; ``str()`` holds one line per problem, each naming the variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def env_name(field: str) -> str:
    """Return the environment variable that sets ``field``, e.g. ``SHOPIFY_SYNC_BATCH_SIZE``."""
    return ENV_PREFIX + field.upper()


def problem(text: str) -> PydanticCustomError:
    """A validation error whose message is ``text`` as it is (it names the variable itself)."""
    # Braces in a custom error message are template slots: pass the text as a value instead.
    return PydanticCustomError(NAMED, "{text}", {"text": text})


def describe(error: Any) -> str:
    """Turn one pydantic error into a line naming the variable.

    Only a bound's input (a number) is shown; other inputs may be secrets and are left out.
    """
    if error["type"] == NAMED:
        return str(error["msg"])
    loc = error["loc"]
    name = env_name(str(loc[0])) if loc else "settings"
    bound = _BOUNDS.get(error["type"])
    if bound is not None:
        ctx = {k: format(v, "g") if isinstance(v, float) else v for k, v in error.get("ctx", {}).items()}
        return f"{name} must be {bound.format(**ctx)}, got {error['input']}"
    return f"{name}: {error['msg']}"


class _AnyVariable(Mapping[str, str]):
    """An environment in which every variable is set, to a placeholder."""

    def __getitem__(self, name: str) -> str:
        return "not-loaded"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


# For readers that need the shops but none of their secrets (``serve`` with Redis, the workers' shop
# watch): every ``${VAR}`` reads as set, so the file loads without the secrets being in the environment.
SECRETS_NOT_LOADED: Mapping[str, str] = _AnyVariable()
