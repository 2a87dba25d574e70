"""The connection config a Multiwoven user fills in, and the JSON Schema ``spec`` shows for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from producers.connector.schema import model_schema
from settings import DEFAULT_API_VERSION, ShopConfig, ShopsConfig
from worker.resources import RESOURCES

# Where a ShopsConfig built from a Multiwoven config says it came from (there is no file).
CONFIG_SOURCE = Path("<multiwoven connection config>")


class ConfigError(ValueError):
    """Invalid connection config; ``str()`` has one line per problem, naming the field, never a secret."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _order(n: int, **extra: Any) -> dict[str, Any]:
    return {"order": n, **extra}


class ConnectionConfig(BaseModel):
    """One Shopify store, as configured in Multiwoven."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, title="Shopify")

    shop_name: str = Field(
        title="Shop",
        description="The store: acme, acme.myshopify.com or https://admin.shopify.com/store/acme.",
        json_schema_extra=_order(0),
    )
    api_key: str | None = Field(
        default=None,
        title="API key (client id)",
        description="The app's client id. With the API secret and no access token, tokens come from the "
        "client-credentials grant and are renewed before they expire.",
        json_schema_extra=_order(1),
    )
    api_secret: SecretStr | None = Field(
        default=None,
        title="API secret (client secret)",
        description="The app's client secret (shpss_...).",
        json_schema_extra=_order(2, multiwoven_secret=True),
    )
    access_token: SecretStr | None = Field(
        default=None,
        title="Admin API access token",
        description="An Admin API token (shpat_...) of an app installed on the store; optional when the API "
        "key and secret are given.",
        json_schema_extra=_order(3, multiwoven_secret=True),
    )
    scopes: str | None = Field(
        default=None,
        title="Scopes",
        description="The access scopes the app was given, comma separated (write_customers,write_orders); "
        "check_connection verifies the token holds them.",
        json_schema_extra=_order(4),
    )
    api_version: str = Field(
        default=DEFAULT_API_VERSION,
        title="API version",
        description="Admin API version, YYYY-MM (01, 04, 07 or 10).",
        pattern=r"^(\d{4}-(01|04|07|10)|unstable)$",
        json_schema_extra=_order(5),
    )
    resources: list[str] = Field(
        default_factory=lambda: list(RESOURCES),
        title="Resources",
        description="What this connection writes; check_connection verifies the token's scopes for them.",
        min_length=1,
        json_schema_extra=_order(6, items={"type": "string"}, uniqueItems=True),
    )
    undo_quote_doubling: bool | None = Field(
        default=None,
        title="Undo Multiwoven's quote doubling",
        description="Turn O''Brien (as Multiwoven's standard mapping sends it) back into O'Brien. Default: "
        "on (SHOPIFY_SYNC_MULTIWOVEN_UNDO_QUOTES).",
        json_schema_extra=_order(7),
    )
    admin_url: str | None = Field(
        default=None,
        title="Admin URL override (local simulator only)",
        description="Leave empty for a real store: requests then go to https://<shop>.myshopify.com only.",
        json_schema_extra=_order(8),
    )

    @field_validator("resources")
    @classmethod
    def _known_resources(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in RESOURCES]
        if unknown:
            raise ValueError(f"unknown resource(s) {', '.join(unknown)}; known: {', '.join(RESOURCES)}")
        return list(dict.fromkeys(value))

    @field_validator("scopes", mode="before")
    @classmethod
    def _scope_list(cls, value: Any) -> Any:
        return ",".join(map(str, value)) if isinstance(value, list) else value

    @field_validator("admin_url", "api_key", "api_secret", "access_token", "scopes", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _valid_shop(self) -> ConnectionConfig:
        if self.access_token is None and not (self.api_key and self.api_secret):
            raise ValueError(
                "give access_token, or api_key and api_secret (tokens then come from the "
                "client-credentials grant)"
            )
        if (self.api_key is None) != (self.api_secret is None):
            missing = "api_secret" if self.api_secret is None else "api_key"
            raise ValueError(f"{missing} is missing: api_key and api_secret go together")
        self.shop()  # the shops file's rules: shop name forms, scopes, API version, admin URL
        return self

    def shop(self) -> ShopConfig:
        """The shop this config points at, validated like a shops-file entry."""
        return ShopConfig(
            shop_name=self.shop_name,
            api_key=self.api_key,
            api_secret=self.api_secret,
            access_token=self.access_token,
            scopes=self.scopes or (),
            api_version=self.api_version,
            admin_url=self.admin_url,
            multiwoven_undo_quotes=self.undo_quote_doubling,
        )

    def shops(self) -> ShopsConfig:
        """A one-shop ``ShopsConfig`` (embedded mode, where the config is the only source of the token)."""
        return ShopsConfig(CONFIG_SOURCE, [self.shop()])


def parse_config(raw: Any) -> ConnectionConfig:
    """Validate a connection config.

    Raises:
        ConfigError: One line per problem, naming the field; built from locations and messages only, so
            no input value (the token) is repeated.
    """
    if not isinstance(raw, dict):
        raise ConfigError(["connection config must be a JSON object"])
    try:
        return ConnectionConfig.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()]
    raise ConfigError(problems)


def _describe(error: Any) -> str:
    field = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


def connection_specification() -> dict[str, Any]:
    """The draft-07 JSON Schema of ``ConnectionConfig`` that ``spec`` returns."""
    schema = model_schema(ConnectionConfig)
    schema["properties"]["resources"]["items"]["enum"] = list(RESOURCES)  # the registry as it is now
    return schema
