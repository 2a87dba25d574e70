"""Plain configuration objects for the simulator: one per shop, one for injected faults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

DEFAULT_SCOPES: tuple[str, ...] = (
    "write_customers",
    "write_products",
    "write_orders",
    "write_inventory",
    "read_locations",
)

ThrottleResponse = Literal["graphql", "http429"]


@dataclass
class ShopSpec:
    """One simulated shop (an app installation on a store).

    Attributes:
        name: The bare shop handle, e.g. ``"acme"`` for ``acme.myshopify.com``.
        access_token: The only token this shop accepts in ``X-Shopify-Access-Token``.
        bucket_size: Leaky-bucket capacity in cost points (Shopify standard plan: 2000).
        restore_rate: Points restored per second (Shopify standard plan: 100).
        scopes: Access scopes granted to the token; a ``write_`` scope implies its ``read_``. An
            OAuth install replaces them with the scopes it asked for.
        api_key: The app's client id, checked by the OAuth endpoints.
        api_secret: The app's client secret: signs the install callback, checked by the token endpoint.
        access_token_ttl_s: Lifetime of the expiring access tokens it issues (Shopify: 3600 s).
        client_credentials_ttl_s: Lifetime of client-credentials tokens (Shopify: about 24 h).
        refresh_token_ttl_s: Lifetime of refresh tokens (Shopify: 90 days).
        order_create_per_minute: ``orderCreate`` calls allowed per minute, as on development
            and trial stores (Shopify: 5; more answer HTTP 429); ``0`` means no limit.
        order_search_lag_s: Seconds before a new order matches ``orders(query:)`` (Shopify's
            search index trails writes); ``0`` means at once.

    """

    name: str
    access_token: str
    bucket_size: float = 2000.0
    restore_rate: float = 100.0
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    api_key: str = "sim-client-id"
    api_secret: str = "sim-client-secret"  # noqa: S105 - the simulator's own, not a real secret
    access_token_ttl_s: float = 3600.0
    client_credentials_ttl_s: float = 86399.0
    refresh_token_ttl_s: float = 90 * 86400.0
    order_create_per_minute: int = 0
    order_search_lag_s: float = 0.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShopSpec:
        """Build a spec from JSON-like data; unknown keys raise ``TypeError``.

        Raises:
            TypeError: On unknown keys or a missing ``name``/``access_token``.
            ValueError: On a malformed field value.

        """
        values = _known_fields(cls, data)
        if "scopes" in values:
            values["scopes"] = tuple(str(scope) for scope in values["scopes"])
        for key in ("bucket_size", "restore_rate", "order_search_lag_s", *_OAUTH_TTLS):
            if key in values:
                values[key] = float(values[key])
        if "order_create_per_minute" in values:
            values["order_create_per_minute"] = int(values["order_create_per_minute"])
        spec = cls(**values)
        if not spec.name or not spec.access_token:
            raise ValueError("name and access_token must be non-empty")
        if any(getattr(spec, key) <= 0 for key in _OAUTH_TTLS):
            raise ValueError("token lifetimes must be positive")
        if spec.order_create_per_minute < 0 or spec.order_search_lag_s < 0:
            raise ValueError("order_create_per_minute and order_search_lag_s must not be negative")
        return spec

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as JSON-ready data; OAuth and order fields only when not at their defaults."""
        data = dataclasses.asdict(self)
        data["scopes"] = list(self.scopes)
        for name, default in {**_OAUTH_DEFAULTS, **_ORDER_DEFAULTS}.items():
            if data[name] == default:
                del data[name]
        return data


_OAUTH_TTLS = ("access_token_ttl_s", "client_credentials_ttl_s", "refresh_token_ttl_s")
_ORDER_DEFAULTS: dict[str, Any] = {"order_create_per_minute": 0, "order_search_lag_s": 0.0}
_OAUTH_DEFAULTS = {
    f.name: f.default
    for f in dataclasses.fields(ShopSpec)
    if f.name in ("api_key", "api_secret", *_OAUTH_TTLS)
}


@dataclass
class FaultConfig:
    """Faults injected into GraphQL requests, decided before a request is executed.

    Attributes:
        latency_ms: Delay added to every GraphQL request, in milliseconds.
        latency_jitter_ms: Extra uniform random delay in ``[0, latency_jitter_ms]`` milliseconds.
        error_rate: Probability (0..1) of answering with one of ``error_statuses`` instead.
        error_statuses: HTTP statuses an injected error picks from, uniformly.
        reset_rate: Probability (0..1) of closing the connection without any answer.
        throttle_response: ``"graphql"`` answers a throttle with HTTP 200 and a ``THROTTLED``
            error (Shopify's usual answer); ``"http429"`` answers HTTP 429 with ``Retry-After``.
        seed: Seed for the fault dice; ``None`` draws from system entropy.
        drop_after_commit_rate: Probability (0..1) that a request which ran a mutation has its
            answer dropped (connection closed) after the mutation was committed.
        error_after_commit_rate: Probability (0..1) that a request which ran a mutation is answered
            with one of ``error_statuses`` although the mutation was committed.
        mutation_time_ms: Execution time of each mutation a request runs, in milliseconds, added to
            the latency: a pack of 25 ``customerSet`` takes 25 times as long as one.

    """

    latency_ms: float = 0
    latency_jitter_ms: float = 0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    reset_rate: float = 0.0
    throttle_response: ThrottleResponse = "graphql"
    seed: int | None = None
    drop_after_commit_rate: float = 0.0
    error_after_commit_rate: float = 0.0
    mutation_time_ms: float = 0.0

    def __post_init__(self) -> None:
        for name in ("error_rate", "reset_rate", "drop_after_commit_rate", "error_after_commit_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {rate}")
        if self.error_rate + self.reset_rate > 1.0:
            raise ValueError("error_rate + reset_rate must not exceed 1")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0 or self.mutation_time_ms < 0:
            raise ValueError("latencies must not be negative")
        if (self.error_rate > 0 or self.error_after_commit_rate > 0) and not self.error_statuses:
            raise ValueError("error_statuses must not be empty when error_rate > 0")
        if self.throttle_response not in ("graphql", "http429"):
            raise ValueError(
                f"throttle_response must be 'graphql' or 'http429', got {self.throttle_response!r}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Build a config from JSON-like data; fields left out take their defaults.

        Raises:
            TypeError: On unknown keys.
            ValueError: On out-of-range values.

        """
        values = _known_fields(cls, data)
        if "error_statuses" in values:
            values["error_statuses"] = tuple(int(status) for status in values["error_statuses"])
        for key in (
            "latency_ms",
            "latency_jitter_ms",
            "error_rate",
            "reset_rate",
            "drop_after_commit_rate",
            "error_after_commit_rate",
            "mutation_time_ms",
        ):
            if key in values:
                values[key] = float(values[key])
        if values.get("seed") is not None:
            values["seed"] = int(values["seed"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return the config as JSON-ready data."""
        data = dataclasses.asdict(self)
        data["error_statuses"] = list(self.error_statuses)
        return data


def _known_fields(cls: type[Any], data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise TypeError(f"unknown {cls.__name__} fields: {', '.join(sorted(unknown))}")
    return dict(data)


__all__ = ["DEFAULT_SCOPES", "FaultConfig", "ShopSpec", "ThrottleResponse"]
