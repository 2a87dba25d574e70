"""The shops file: one ``[[shops]]`` TOML table per Shopify store, secrets taken from the environment."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, SecretStr, ValidationError

DEFAULT_API_VERSION = "2026-07"
SECRET_FIELDS = ("api_secret", "access_token")

_HANDLE = r"([a-z0-9][a-z0-9-]{0,62})"  # one DNS label
_SHOP_FORMS = re.compile(
    rf"{_HANDLE}|{_HANDLE}\.myshopify\.com|https://{_HANDLE}\.myshopify\.com/?"
    rf"|https://admin\.shopify\.com/store/{_HANDLE}/?"
)
_ACCEPTED_FORMS = (
    "'acme', 'acme.myshopify.com', 'https://acme.myshopify.com' or 'https://admin.shopify.com/store/acme'"
)
_API_VERSION = re.compile(r"\d{4}-(?:01|04|07|10)|unstable")
_SCOPE = re.compile(r"[a-z][a-z0-9_]*")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ShopsFileError(ValueError):
    """Invalid shops file; ``str()`` has one line per problem.

    Each line reads ``<file>: shop '<shop>': field '<field>': <reason>``, or ``<file>: <reason>``
    for a file-level problem.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class UnknownShopError(KeyError):
    """No shop of that name is configured."""

    def __str__(self) -> str:
        return str(self.args[0])  # KeyError would quote the whole message


def normalize_shop_name(value: str) -> str:
    """Return the bare shop handle (``"acme"``) from any accepted form of a shop name.

    The check runs on the raw ASCII text before lower-casing: ``str.lower`` maps some non-ASCII
    characters (the Kelvin sign) to ASCII letters, which would let a lookalike through.
    """
    match = _SHOP_FORMS.fullmatch(value.lower()) if value.isascii() else None
    if match is None:
        raise ValueError(f"invalid shop name {value!r}: expected {_ACCEPTED_FORMS}")
    return next(group for group in match.groups() if group)


def _split_scopes(value: Any) -> Any:
    return [scope.strip() for scope in value.split(",")] if isinstance(value, str) else value


def _check_scopes(scopes: tuple[str, ...]) -> tuple[str, ...]:
    for scope in scopes:
        if not _SCOPE.fullmatch(scope):
            raise ValueError(f"invalid scope {scope!r}: expected names like 'write_products'")
    return scopes


def _check_api_version(value: str) -> str:
    if not _API_VERSION.fullmatch(value):
        raise ValueError(f"expected YYYY-MM with month 01, 04, 07 or 10, or 'unstable', got {value!r}")
    return value


def _check_admin_url(value: str) -> str:
    # The value is not echoed: it is rejected above all when it carries credentials.
    problem = "must be an http(s) URL with a host and no credentials, query or fragment"
    if not value.isascii() or any(c in value for c in "?#\\@") or not value.isprintable() or " " in value:
        raise ValueError(problem)
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError(problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(problem)
    return value.rstrip("/")


class ShopConfig(BaseModel):
    """One store: where to send requests and with which credentials."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    shop_name: Annotated[str, AfterValidator(normalize_shop_name)]
    api_key: str | None = None
    api_secret: SecretStr | None = None
    # Optional only because OAuth may supply it later; workers require it.
    access_token: SecretStr | None = None
    scopes: Annotated[tuple[str, ...], BeforeValidator(_split_scopes), AfterValidator(_check_scopes)] = ()
    api_version: Annotated[str, AfterValidator(_check_api_version)] = DEFAULT_API_VERSION
    # Only to point at the local simulator, e.g. "http://127.0.0.1:8787/store/acme".
    admin_url: Annotated[str, AfterValidator(_check_admin_url)] | None = None
    # Records from Multiwoven: undo its quote doubling (None: SHOPIFY_SYNC_MULTIWOVEN_UNDO_QUOTES decides).
    multiwoven_undo_quotes: bool | None = None

    @property
    def domain(self) -> str:
        """The shop's ``myshopify.com`` host name."""
        return f"{self.shop_name}.myshopify.com"

    @property
    def admin_base_url(self) -> str:
        """``admin_url`` if set, else ``https://<shop>.myshopify.com``; no trailing slash."""
        return self.admin_url or f"https://{self.domain}"

    @property
    def graphql_url(self) -> str:
        """The GraphQL Admin API endpoint for ``api_version``."""
        return f"{self.admin_base_url}/admin/api/{self.api_version}/graphql.json"


class ShopsConfig:
    """Read-only collection of shops keyed by handle; iterating yields the ``ShopConfig`` objects."""

    __slots__ = ("_path", "_shops")

    def __init__(self, path: Path, shops: Iterable[ShopConfig]) -> None:
        by_name: dict[str, ShopConfig] = {}
        for shop in shops:
            if shop.shop_name in by_name:
                raise ValueError(f"duplicate shop {shop.shop_name!r}")
            by_name[shop.shop_name] = shop
        self._path = path
        self._shops = MappingProxyType(by_name)

    @property
    def path(self) -> Path:
        """The file the shops were loaded from."""
        return self._path

    def get(self, shop: str) -> ShopConfig:
        """Return the shop named ``shop`` in any accepted form; raise ``UnknownShopError`` if absent."""
        try:
            found = self._shops.get(normalize_shop_name(shop))
        except ValueError as exc:
            reason = f"{exc}; "
        else:
            if found is not None:
                return found
            reason = f"unknown shop {shop!r}; "
        raise UnknownShopError(f"{reason}known shops in {self._path}: {', '.join(self._shops) or 'none'}")

    __getitem__ = get

    def names(self) -> tuple[str, ...]:
        """Return the shop handles in file order."""
        return tuple(self._shops)

    def __contains__(self, shop: object) -> bool:
        try:
            return isinstance(shop, str) and normalize_shop_name(shop) in self._shops
        except ValueError:
            return False

    def __iter__(self) -> Iterator[ShopConfig]:
        return iter(self._shops.values())

    def __len__(self) -> int:
        return len(self._shops)

    def __repr__(self) -> str:
        return f"ShopsConfig(path={str(self._path)!r}, shops={self.names()!r})"


def load_shops(path: Path, environ: Mapping[str, str] | None = None) -> ShopsConfig:
    """Read and validate the shops file; ``${VAR}`` secrets come from ``environ`` (default ``os.environ``).

    Raises:
        ShopsFileError: listing every problem found. Never chained to the pydantic error, whose
            text would include input values such as tokens.

    """
    tables = _shop_tables(path, _read_toml(path))
    env = os.environ if environ is None else environ
    problems: list[str] = []
    shops: dict[str, ShopConfig] = {}
    for number, table in enumerate(tables, start=1):
        written = table.get("shop_name")
        where = f"{path}: shop {written!r}" if isinstance(written, str) else f"{path}: shop #{number}"
        shop, errors = _load_shop(table, env)
        problems += [f"{where}: {error}" for error in errors]
        if shop is None:
            continue
        if shop.shop_name in shops:
            problems.append(
                f"{where}: field 'shop_name': duplicate: shop {shop.shop_name!r} is already defined"
            )
        else:
            shops[shop.shop_name] = shop
    if problems:
        raise ShopsFileError(problems)
    return ShopsConfig(path, shops.values())


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        problem = "file not found (set SHOPIFY_SYNC_SHOPS_FILE; see examples/shops.example.toml)"
    except OSError as exc:
        problem = f"cannot read file: {exc.strerror}"
    except UnicodeDecodeError:
        problem = "not valid UTF-8"
    except tomllib.TOMLDecodeError as exc:
        problem = f"invalid TOML: {exc}"  # the message carries "(at line N, column M)"
    raise ShopsFileError([f"{path}: {problem}"])


def _shop_tables(path: Path, document: dict[str, Any]) -> list[dict[str, Any]]:
    extra = sorted(set(document) - {"shops"})
    if extra:
        raise ShopsFileError(
            [f"{path}: unknown top-level key(s) {_quoted(extra)}: write one [[shops]] table per shop"]
        )
    tables = document.get("shops", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ShopsFileError([f"{path}: 'shops' must be an array of tables: write [[shops]], not [shops]"])
    if not tables:
        raise ShopsFileError([f"{path}: no shops defined: add a [[shops]] table"])
    return tables


def _load_shop(table: dict[str, Any], env: Mapping[str, str]) -> tuple[ShopConfig | None, list[str]]:
    """Validate one shop table; return the shop or ``None`` and ``field '<name>': <reason>`` lines."""
    known = ShopConfig.model_fields
    errors = [f"field {key!r}: unknown field{_did_you_mean(key, known)}" for key in table if key not in known]
    data = {key: value for key, value in table.items() if key in known}
    for field in SECRET_FIELDS:
        value = data.get(field)
        if isinstance(value, str) and "${" in value:
            resolved, error = _resolve(value, env)
            if error:
                errors.append(f"field {field!r}: {error}")
                del data[field]
            else:
                data[field] = resolved
    try:
        shop = ShopConfig.model_validate(data)
    except ValidationError as exc:
        errors += [_describe(error) for error in exc.errors()]
        return None, errors
    return (None if errors else shop), errors


def _resolve(value: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """Return ``(value, None)`` or ``("", reason)``; the reason names the variable, never a value."""
    match = _ENV_REF.fullmatch(value)
    if match is None:
        return "", "an environment reference must be the whole value, like '${ACME_ACCESS_TOKEN}'"
    name = match.group(1)
    resolved = env.get(name)
    if resolved is None:
        return "", f"environment variable {name} is not set"
    if not resolved:
        return "", f"environment variable {name} is empty"
    return resolved, None


def _describe(error: Any) -> str:
    # Built from loc and msg only: pydantic's own text includes the input value.
    field = ".".join(str(part) for part in error["loc"]) or "shop_name"
    reason = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
    return f"field {field!r}: {reason}"


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known fields: {', '.join(known)})"


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)
