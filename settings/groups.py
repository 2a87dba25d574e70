"""The settings of each concern. ``AppSettings`` combines them, all under the ``SHOPIFY_SYNC_`` prefix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from settings.credential_keys import CredentialKeys
from settings.env import ENV_PREFIX, env_name, problem

MIN_BEARER_TOKEN_LEN = 16
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, where the platform has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


class EnvironmentSettings(BaseSettings):
    """Read from keyword arguments and ``SHOPIFY_SYNC_*`` variables only (no ``.env``, no secrets dir).

    An empty variable counts as unset, so ``SHOPIFY_SYNC_REDIS_URL=`` selects embedded mode.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid", hide_input_in_errors=True
    )

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


class RedisSettings(EnvironmentSettings):
    """Where the queues and the shared state live."""

    # Hidden from repr: a Redis URL may carry a password.
    redis_url: str | None = Field(default=None, repr=False)
    key_prefix: str = "shopify-sync"
    broker_visibility_timeout_s: Annotated[int, Field(gt=0)] = 3600

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
            raise problem(
                f"{env_name('redis_url')} must start with redis://, rediss:// or unix:// "
                "(leave it unset for embedded mode)"
            )
        return value

    @field_validator("key_prefix")
    @classmethod
    def _key_prefix_chars(cls, value: str) -> str:
        if not value or not all(c.isascii() and (c.isalnum() or c in "-_.:") for c in value):
            raise problem(
                f"{env_name('key_prefix')} must be non-empty ASCII letters, digits, '-', '_', '.' "
                f"or ':', got {value!r}"
            )
        return value


class RetrySettings(EnvironmentSettings):
    """How often and how long a failed write is tried again."""

    max_attempts: Annotated[int, Field(ge=1)] = 8
    base_backoff_s: Seconds = 0.5
    max_backoff_s: Seconds = 30.0
    max_inline_wait_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 10.0


class WriteSettings(EnvironmentSettings):
    """How records are batched, mapped and sent."""

    batch_size: Annotated[int, Field(ge=1, le=250)] = 100
    requests_in_flight_per_task: Annotated[int, Field(ge=1, le=32)] = 4
    max_records_per_request: Annotated[int, Field(ge=1, le=100)] = 25
    request_timeout_s: Seconds = 30.0
    mapping_processes: Annotated[int, Field(ge=0, le=64)] = Field(
        default_factory=lambda: min(4, _usable_cpus() - 1)
    )


class BulkSettings(EnvironmentSettings):
    """When big loads go through Shopify's bulk operations, and how a bulk job is followed (docs/bulk.md)."""

    # Records waiting for one shop (this submission plus its queued batches) from which a sync's records
    # go through bulk operations; 0: only when the sync asks for it (--bulk).
    bulk_threshold_records: Annotated[int, Field(ge=0)] = 5000
    bulk_records_per_operation: Annotated[int, Field(ge=1, le=100_000)] = 10_000
    # Shopify takes files up to 100 MiB; larger jobs are split.
    bulk_max_file_bytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = 90 * 1024 * 1024
    bulk_poll_interval_s: Seconds = 2.0
    # A task follows its operation this long, then hands it to a new task (no slot is held for hours).
    bulk_follow_budget_s: Seconds = 60.0


class HttpSettings(EnvironmentSettings):
    """``shopify-sync serve``: who may call it and how much it takes at once."""

    # The bearer token callers of `shopify-sync serve` must send; serve refuses to start without one.
    http_bearer_token: SecretStr | None = None
    http_max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    # settled: answer once each record is synced or dead-lettered (or the deadline passed);
    # queued: answer once the records are enqueued (faster; Multiwoven then counts queued as success).
    http_answer: Literal["settled", "queued"] = "settled"
    # Below Multiwoven's read timeout (Net::HTTP's default 60 s; its HTTP destination sets none).
    http_answer_deadline_s: Annotated[float, Field(gt=0, le=55, allow_inf_nan=False)] = 45.0
    # settled answers: how long records of concurrent requests for one shop, resource and sync are
    # gathered into one batch (benchmarks/multiwoven.py: 50 ms packs Multiwoven's 10 records together).
    http_coalesce_ms: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = 50.0
    # queued answers: records wait in Redis at most this long (or until a batch is full) to be enqueued.
    http_queued_flush_ms: Annotated[float, Field(ge=10, le=10_000, allow_inf_nan=False)] = 250.0
    # Undo the quote doubling of Multiwoven's v2 standard mapping (serve and the connector write);
    # a shop's `multiwoven_undo_quotes` in the shops file overrides it.
    multiwoven_undo_quotes: bool = True

    @field_validator("http_bearer_token")
    @classmethod
    def _bearer_token_length(cls, value: SecretStr | None) -> SecretStr | None:
        # The value is not echoed: it is a secret.
        if value is not None and len(value.get_secret_value().strip()) < MIN_BEARER_TOKEN_LEN:
            raise problem(
                f"{env_name('http_bearer_token')} must be at least {MIN_BEARER_TOKEN_LEN} characters "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value


class FileSettings(EnvironmentSettings):
    """The files read and written: the shops, the run outputs, the credentials' keys."""

    shops_file: Path = Path("shops.toml")
    output_dir: Path = Path("shopify-sync-output")
    # Keys of the stored credentials, newest first, or a file of them: see settings/credential_keys.py.
    credentials_key: CredentialKeys = None
    credentials_key_file: Path | None = None
    # How often a worker reads the shops file again to consume the queues of shops added since it started.
    shop_watch_interval_s: Seconds = 5.0


class ObservabilitySettings(EnvironmentSettings):
    """Logs and error reports."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    sentry_dsn: SecretStr | None = None
    # Prometheus metrics per shop, served by each `celery worker` main process when a port is set.
    metrics_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    metrics_address: str = "127.0.0.1"

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case_insensitive(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value.upper() if info.field_name == "log_level" else value.lower()
        return value
