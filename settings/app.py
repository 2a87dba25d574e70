"""Process-wide settings, read from ``SHOPIFY_SYNC_*`` environment variables only."""

from __future__ import annotations

from pydantic import ValidationError, model_validator

from settings.env import SettingsError, describe, env_name, problem
from settings.groups import (
    BulkSettings,
    FileSettings,
    HttpSettings,
    ObservabilitySettings,
    RedisSettings,
    RetrySettings,
    WriteSettings,
)


class AppSettings(
    RedisSettings,
    RetrySettings,
    WriteSettings,
    BulkSettings,
    HttpSettings,
    FileSettings,
    ObservabilitySettings,
):
    """Settings shared by producers and workers: every concern's, and the rules that span two."""

    @model_validator(mode="after")
    def _consistent(self) -> AppSettings:
        if self.max_backoff_s < self.base_backoff_s:
            raise problem(
                f"{env_name('max_backoff_s')} ({self.max_backoff_s:g}) must be >= "
                f"{env_name('base_backoff_s')} ({self.base_backoff_s:g})"
            )
        longest_wait_s = max(self.max_backoff_s, self.max_inline_wait_s)
        if self.broker_visibility_timeout_s <= 10 * longest_wait_s:
            raise problem(
                f"{env_name('broker_visibility_timeout_s')} must be greater than 10 * max("
                f"{env_name('max_backoff_s')}, {env_name('max_inline_wait_s')}) = {10 * longest_wait_s:g} s, "
                f"got {self.broker_visibility_timeout_s}: the Redis broker re-delivers any task not "
                "acknowledged within this timeout, so a task that is still sleeping, throttled or "
                "waiting for its retry countdown by then would run twice"
            )
        return self


def load_app_settings() -> AppSettings:
    """Read settings from the environment.

    Raises:
        SettingsError: one line per invalid variable. It is raised outside the ``except`` block so
            the pydantic error, whose text includes input values, is not chained onto it.
    """
    try:
        return AppSettings()
    except ValidationError as exc:
        problems = [describe(error) for error in exc.errors()]
    raise SettingsError(problems)
