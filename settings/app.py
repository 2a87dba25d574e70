"""Process-wide settings, read from ``SHOPIFY_SYNC_*`` environment variables only."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from settings.credential_keys import CredentialKeys

ENV_PREFIX = "SHOPIFY_SYNC_"

# Error type of messages that already name the variable; other pydantic errors get it prepended.
_NAMED = "shopify_sync_setting"

_N = TypeVar("_N", int, float)
MIN_BEARER_TOKEN_LEN = 16


class SettingsError(ValueError):
    """Invalid settings; ``str()`` holds one line per problem, each naming the variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def env_name(field: str) -> str:
    """Return the environment variable that sets ``field``, e.g. ``SHOPIFY_SYNC_BATCH_SIZE``."""
    return ENV_PREFIX + field.upper()


def _problem(text: str) -> PydanticCustomError:
    # Braces in a custom error message are template slots: pass the text as a value instead.
    return PydanticCustomError(_NAMED, "{text}", {"text": text})


def _require(ok: Callable[[_N], bool], requirement: str) -> AfterValidator:
    def check(value: _N, info: ValidationInfo) -> _N:
        if not ok(value):
            raise _problem(f"{env_name(info.field_name or '?')} {requirement}, got {value!r}")
        return value

    return AfterValidator(check)


def _seconds(value: float) -> bool:
    return math.isfinite(value) and value > 0


PositiveSeconds = Annotated[float, _require(_seconds, "must be a positive number of seconds")]


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, where the platform has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


class AppSettings(BaseSettings):
    """Settings shared by producers and workers.

    Only the process environment is read (no ``.env`` file, no secrets directory). An empty
    variable counts as unset, so ``SHOPIFY_SYNC_REDIS_URL=`` selects embedded mode.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid", hide_input_in_errors=True
    )

    # Hidden from repr: a Redis URL may carry a password.
    redis_url: str | None = Field(default=None, repr=False)
    key_prefix: str = "shopify-sync"
    shops_file: Path = Path("shops.toml")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    batch_size: Annotated[int, _require(lambda n: 1 <= n <= 250, "must be between 1 and 250")] = 100
    max_attempts: Annotated[int, _require(lambda n: n >= 1, "must be at least 1")] = 8
    base_backoff_s: PositiveSeconds = 0.5
    max_backoff_s: PositiveSeconds = 30.0
    max_inline_wait_s: Annotated[
        float, _require(lambda s: math.isfinite(s) and s >= 0, "must be a number of seconds >= 0")
    ] = 10.0
    requests_in_flight_per_task: Annotated[
        int, _require(lambda n: 1 <= n <= 32, "must be between 1 and 32")
    ] = 4
    max_records_per_request: Annotated[
        int, _require(lambda n: 1 <= n <= 100, "must be between 1 and 100")
    ] = 25
    request_timeout_s: PositiveSeconds = 30.0
    mapping_processes: Annotated[int, _require(lambda n: 0 <= n <= 64, "must be between 0 and 64")] = Field(
        default_factory=lambda: min(4, _usable_cpus() - 1)
    )
    broker_visibility_timeout_s: Annotated[int, _require(lambda n: n > 0, "must be positive")] = 3600
    sentry_dsn: SecretStr | None = None
    # The bearer token callers of `shopify-sync serve` must send; serve refuses to start without one.
    http_bearer_token: SecretStr | None = None
    http_max_body_bytes: Annotated[
        int, _require(lambda n: 1024 <= n <= 64 * 1024 * 1024, "must be between 1024 and 67108864")
    ] = 1024 * 1024
    output_dir: Path = Path("shopify-sync-output")
    # Keys of the stored credentials, newest first, or a file of them: see settings/credential_keys.py.
    credentials_key: CredentialKeys = None
    credentials_key_file: Path | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read keyword arguments and the environment, nothing else."""
        return init_settings, env_settings

    @property
    def embedded(self) -> bool:
        """Whether to run without a Redis server (``redis_url`` unset)."""
        return self.redis_url is None

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        # The value is not echoed: it may contain a password.
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise _problem(
                f"{env_name('redis_url')} must start with redis://, rediss:// or unix:// "
                "(leave it unset for embedded mode)"
            )
        return value

    @field_validator("http_bearer_token")
    @classmethod
    def _bearer_token_length(cls, value: SecretStr | None) -> SecretStr | None:
        # The value is not echoed: it is a secret.
        if value is not None and len(value.get_secret_value().strip()) < MIN_BEARER_TOKEN_LEN:
            raise _problem(
                f"{env_name('http_bearer_token')} must be at least {MIN_BEARER_TOKEN_LEN} characters "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("key_prefix")
    @classmethod
    def _key_prefix_chars(cls, value: str) -> str:
        if not value or not all(c.isascii() and (c.isalnum() or c in "-_.:") for c in value):
            raise _problem(
                f"{env_name('key_prefix')} must be non-empty ASCII letters, digits, '-', '_', '.' "
                f"or ':', got {value!r}"
            )
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case_insensitive(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value.upper() if info.field_name == "log_level" else value.lower()
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AppSettings:
        if self.max_backoff_s < self.base_backoff_s:
            raise _problem(
                f"{env_name('max_backoff_s')} ({self.max_backoff_s:g}) must be >= "
                f"{env_name('base_backoff_s')} ({self.base_backoff_s:g})"
            )
        longest_wait_s = max(self.max_backoff_s, self.max_inline_wait_s)
        if self.broker_visibility_timeout_s <= 10 * longest_wait_s:
            raise _problem(
                f"{env_name('broker_visibility_timeout_s')} must be greater than 10 * max("
                f"{env_name('max_backoff_s')}, {env_name('max_inline_wait_s')}) = {10 * longest_wait_s:g} s, "
                f"got {self.broker_visibility_timeout_s}: the Redis broker re-delivers any task not "
                "acknowledged within this timeout, so a task that is still sleeping, throttled or "
                "waiting for its retry countdown by then would run twice"
            )
        return self


def _describe(error: Any) -> str:
    """Turn one pydantic error into a line naming the variable, without the input value."""
    if error["type"] == _NAMED:
        return str(error["msg"])
    loc = error["loc"]
    name = env_name(str(loc[0])) if loc else "settings"
    return f"{name}: {error['msg']}"


def load_app_settings() -> AppSettings:
    """Read settings from the environment.

    Raises:
        SettingsError: one line per invalid variable. It is raised outside the ``except`` block so
            the pydantic error, whose text includes input values, is not chained onto it.

    """
    try:
        return AppSettings()
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()]
    raise SettingsError(problems)
