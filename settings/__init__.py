"""Configuration: process settings from the environment and the per-shop TOML file."""

from settings.app import AppSettings, load_app_settings
from settings.env import ENV_PREFIX, SECRETS_NOT_LOADED, SettingsError, env_name
from settings.shops import (
    DEFAULT_API_VERSION,
    ShopConfig,
    ShopsConfig,
    ShopsFileError,
    UnknownShopError,
    load_shops,
    normalize_shop_name,
)

__all__ = [
    "DEFAULT_API_VERSION",
    "ENV_PREFIX",
    "SECRETS_NOT_LOADED",
    "AppSettings",
    "SettingsError",
    "ShopConfig",
    "ShopsConfig",
    "ShopsFileError",
    "UnknownShopError",
    "env_name",
    "load_app_settings",
    "load_shops",
    "normalize_shop_name",
]
