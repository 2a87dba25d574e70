from pathlib import Path

import pytest

from settings import (
    DEFAULT_API_VERSION,
    ShopConfig,
    ShopsConfig,
    ShopsFileError,
    UnknownShopError,
    load_shops,
    normalize_shop_name,
)

TOKEN = "shpat_SECRET123"
API_SECRET = "shpss_SECRET456"
ENV = {"ACME_ACCESS_TOKEN": TOKEN, "ACME_API_SECRET": API_SECRET}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shops.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> ShopsFileError:
    path = write(tmp_path, text)
    with pytest.raises(ShopsFileError) as info:
        load_shops(path, ENV if environ is None else environ)
    error = info.value
    # No error may carry a secret, nor chain the pydantic error whose text includes input values.
    for secret in (TOKEN, API_SECRET):
        assert secret not in str(error)
        assert secret not in repr(error)
    assert error.__context__ is None
    assert error.__cause__ is None
    assert isinstance(error, ValueError)
    return error


# --- shop names -------------------------------------------------------------------------------

ACCEPTED = [
    ("acme", "acme"),
    ("ACME", "acme"),
    ("a", "a"),
    ("0shop", "0shop"),
    ("my-shop-2", "my-shop-2"),
    ("acme.myshopify.com", "acme"),
    ("Acme.MyShopify.com", "acme"),
    ("https://acme.myshopify.com", "acme"),
    ("https://acme.myshopify.com/", "acme"),
    ("HTTPS://ACME.MYSHOPIFY.COM/", "acme"),
    ("https://admin.shopify.com/store/acme", "acme"),
    ("https://admin.shopify.com/store/acme/", "acme"),
    ("https://Admin.Shopify.com/store/ACME", "acme"),
    ("x" * 63, "x" * 63),
]

REJECTED = [
    "",
    " ",
    " acme",
    "acme ",
    "ac me",
    "acme\n",
    "acme\t",
    "-acme",
    "acme_shop",
    "x" * 64,
    # other hosts and lookalike domains
    "evil.com",
    "acme.evil.com",
    "acme.myshopify.com.evil.com",
    "acme.myshopify.com.",
    "acme.",
    "acme.myshopify.co",
    "acmemyshopify.com",
    "sub.acme.myshopify.com",
    "https://evil.com/store/acme",
    "https://evil.com/acme.myshopify.com",
    "https://admin.shopify.com.evil.com/store/acme",
    "https://admin.shopify.com/store/acme/products",
    "https://admin.shopify.com/store/",
    "https://admin.shopify.com/acme",
    "https://admin.shopify.com./store/acme",
    # userinfo, ports, paths, queries, fragments
    "acme@evil.com",
    "evil.com@acme",
    "https://acme.myshopify.com@evil.com",
    "https://evil.com@acme.myshopify.com",
    "https://user:pass@acme.myshopify.com",
    "acme:443",
    "acme.myshopify.com:443",
    "https://acme.myshopify.com:8443",
    "acme/../x",
    "../acme",
    "acme/",
    "acme.myshopify.com/",
    "https://acme.myshopify.com/admin",
    "https://acme.myshopify.com//",
    "https://acme.myshopify.com?x=1",
    "https://acme.myshopify.com/?x=1",
    "https://acme.myshopify.com#frag",
    "acme?x=1",
    "acme%2e",
    "acme\\evil",
    # schemes other than https
    "http://acme.myshopify.com",
    "//acme.myshopify.com",
    "ftp://acme.myshopify.com",
    "javascript:alert(1)",
    # unicode lookalikes (Cyrillic a, Kelvin sign, fullwidth letters, dotless i, zero-width space)
    "\u0430cme",
    "\u212aacme",
    "\uff41\uff43\uff4d\uff45",
    "acme\u0131",
    "ac\u200bme",
    "acme\u3002myshopify\u3002com",
    "acme\x00",
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_accepted_shop_names(value: str, expected: str) -> None:
    assert normalize_shop_name(value) == expected


@pytest.mark.parametrize("value", REJECTED)
def test_rejected_shop_names(value: str) -> None:
    with pytest.raises(ValueError, match=r"expected 'acme', 'acme\.myshopify\.com'") as info:
        normalize_shop_name(value)
    assert "https://admin.shopify.com/store/acme" in str(info.value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("value", [value for value, _ in ACCEPTED])
def test_normalised_name_always_yields_a_myshopify_url(value: str) -> None:
    shop = ShopConfig(shop_name=value)
    assert shop.admin_base_url == f"https://{shop.shop_name}.myshopify.com"
    assert shop.graphql_url == f"https://{shop.shop_name}.myshopify.com/admin/api/2026-07/graphql.json"


# --- ShopConfig --------------------------------------------------------------------------------


def test_shop_config_urls_and_defaults() -> None:
    shop = ShopConfig(shop_name="https://admin.shopify.com/store/Acme")
    assert shop.shop_name == "acme"
    assert shop.domain == "acme.myshopify.com"
    assert shop.api_version == DEFAULT_API_VERSION == "2026-07"
    assert shop.scopes == ()
    assert shop.access_token is None


def test_shop_config_is_frozen() -> None:
    shop = ShopConfig(shop_name="acme")
    with pytest.raises(ValueError, match="frozen"):
        shop.shop_name = "evil"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("admin_url", "base"),
    [
        ("http://127.0.0.1:8787/store/acme", "http://127.0.0.1:8787/store/acme"),
        ("http://127.0.0.1:8787/store/acme/", "http://127.0.0.1:8787/store/acme"),
        ("https://sim.local", "https://sim.local"),
        ("http://localhost:8787", "http://localhost:8787"),
    ],
)
def test_admin_url_override(admin_url: str, base: str) -> None:
    shop = ShopConfig(shop_name="acme", admin_url=admin_url, api_version="unstable")
    assert shop.admin_base_url == base
    assert shop.graphql_url == f"{base}/admin/api/unstable/graphql.json"


@pytest.mark.parametrize(
    "admin_url",
    [
        "127.0.0.1:8787",
        "ftp://127.0.0.1",
        "file:///etc/passwd",
        "http://",
        "http:///store/acme",
        "http://127.0.0.1:8787/store/acme?x=1",
        "http://127.0.0.1:8787/store/acme#x",
        "http://user:pw@127.0.0.1:8787",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:port",
        "http://evil.com\\@127.0.0.1",
        "http://127.0.0.1/ store",
        "http://127.0.0.1/\n",
        "http://\u0430cme.local",
    ],
)
def test_admin_url_rejected(admin_url: str) -> None:
    with pytest.raises(ValueError, match="must be an http\\(s\\) URL with a host"):
        ShopConfig(shop_name="acme", admin_url=admin_url)


@pytest.mark.parametrize("version", ["2026-07", "2025-01", "2026-04", "2026-10", "unstable"])
def test_api_version_accepted(version: str) -> None:
    assert ShopConfig(shop_name="acme", api_version=version).api_version == version


@pytest.mark.parametrize("version", ["2026-06", "2026-7", "26-07", "latest", "2026-07 ", ""])
def test_api_version_rejected(version: str) -> None:
    with pytest.raises(ValueError, match="expected YYYY-MM with month 01, 04, 07 or 10, or 'unstable'"):
        ShopConfig(shop_name="acme", api_version=version)


def test_scopes_from_list_or_comma_string() -> None:
    assert ShopConfig(shop_name="a", scopes="write_products, read_locations").scopes == (
        "write_products",
        "read_locations",
    )
    assert ShopConfig(shop_name="a", scopes=("write_orders",)).scopes == ("write_orders",)


def test_shop_config_repr_hides_secrets() -> None:
    shop = ShopConfig(shop_name="acme", access_token=TOKEN, api_secret=API_SECRET)
    for text in (repr(shop), str(shop), shop.model_dump_json()):
        assert TOKEN not in text
        assert API_SECRET not in text
    assert shop.access_token is not None
    assert shop.access_token.get_secret_value() == TOKEN


def test_direct_validation_errors_do_not_echo_secrets() -> None:
    with pytest.raises(ValueError) as info:
        ShopConfig(shop_name="acme", access_token=TOKEN, api_version="bad")
    assert TOKEN not in str(info.value)


# --- loading the file --------------------------------------------------------------------------

FULL = """
[[shops]]
shop_name = "https://admin.shopify.com/store/Acme/"
api_key = "key123"
api_secret = "${ACME_API_SECRET}"
access_token = "${ACME_ACCESS_TOKEN}"
scopes = ["write_customers", "write_products"]
api_version = "2026-10"
admin_url = "http://127.0.0.1:8787/store/acme/"

[[shops]]
shop_name = "beta.myshopify.com"
access_token = "shpat_literal"
"""


def test_load_full_file(tmp_path: Path) -> None:
    shops = load_shops(write(tmp_path, FULL), ENV)
    assert shops.path == tmp_path / "shops.toml"
    assert shops.names() == ("acme", "beta")
    assert len(shops) == 2
    assert [shop.shop_name for shop in shops] == ["acme", "beta"]
    acme = shops.get("acme")
    assert acme.api_key == "key123"
    assert acme.api_secret is not None
    assert acme.api_secret.get_secret_value() == API_SECRET
    assert acme.access_token is not None
    assert acme.access_token.get_secret_value() == TOKEN
    assert acme.scopes == ("write_customers", "write_products")
    assert acme.graphql_url == "http://127.0.0.1:8787/store/acme/admin/api/2026-10/graphql.json"
    beta = shops["https://beta.myshopify.com/"]
    assert beta.access_token is not None
    assert beta.access_token.get_secret_value() == "shpat_literal"
    assert beta.api_version == DEFAULT_API_VERSION
    assert beta.graphql_url == "https://beta.myshopify.com/admin/api/2026-07/graphql.json"


def test_lookup_accepts_every_name_form(tmp_path: Path) -> None:
    shops = load_shops(write(tmp_path, FULL), ENV)
    for name in ("acme", "ACME", "acme.myshopify.com", "https://admin.shopify.com/store/acme"):
        assert name in shops
        assert shops.get(name).shop_name == "acme"
    assert "evil.com" not in shops
    assert 42 not in shops


@pytest.mark.parametrize(
    ("name", "reason"),
    [("gamma", "unknown shop 'gamma'; "), ("acme.evil.com", "invalid shop name 'acme.evil.com'")],
)
def test_unknown_shop_lists_known_shops(tmp_path: Path, name: str, reason: str) -> None:
    path = write(tmp_path, FULL)
    shops = load_shops(path, ENV)
    with pytest.raises(UnknownShopError) as info:
        shops.get(name)
    assert isinstance(info.value, KeyError)
    assert str(info.value).startswith(reason)
    assert str(info.value).endswith(f"known shops in {path}: acme, beta")


def test_shops_config_repr_hides_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    shops = load_shops(path, ENV)
    assert repr(shops) == f"ShopsConfig(path={str(path)!r}, shops=('acme', 'beta'))"
    for text in (repr(shops), str(shops), repr(list(shops))):
        assert TOKEN not in text
        assert API_SECRET not in text


def test_shops_config_rejects_duplicates() -> None:
    with pytest.raises(ValueError, match="duplicate shop 'acme'"):
        ShopsConfig(Path("x.toml"), [ShopConfig(shop_name="acme"), ShopConfig(shop_name="ACME")])


def test_environ_defaults_to_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_ACCESS_TOKEN", TOKEN)
    path = write(tmp_path, '[[shops]]\nshop_name = "acme"\naccess_token = "${ACME_ACCESS_TOKEN}"\n')
    token = load_shops(path).get("acme").access_token
    assert token is not None
    assert token.get_secret_value() == TOKEN


def test_missing_env_var_names_file_shop_field_and_variable(tmp_path: Path) -> None:
    error = load_error(
        tmp_path, '[[shops]]\nshop_name = "Acme"\naccess_token = "${ACME_ACCESS_TOKEN}"\n', environ={}
    )
    path = tmp_path / "shops.toml"
    assert str(error) == (
        f"{path}: shop 'Acme': field 'access_token': environment variable ACME_ACCESS_TOKEN is not set"
    )


def test_empty_env_var_is_an_error(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        '[[shops]]\nshop_name = "acme"\napi_secret = "${ACME_API_SECRET}"\n',
        environ={"ACME_API_SECRET": ""},
    )
    assert str(error).endswith(
        "shop 'acme': field 'api_secret': environment variable ACME_API_SECRET is empty"
    )


@pytest.mark.parametrize("value", ["${ACME", "pre${ACME_ACCESS_TOKEN}", "${ACME_ACCESS_TOKEN}post", "${1X}"])
def test_partial_env_reference_is_an_error(tmp_path: Path, value: str) -> None:
    error = load_error(tmp_path, f'[[shops]]\nshop_name = "acme"\naccess_token = "{value}"\n')
    assert str(error).endswith(
        "shop 'acme': field 'access_token': an environment reference must be the whole value, "
        "like '${ACME_ACCESS_TOKEN}'"
    )


def test_env_expansion_only_applies_to_secret_fields(tmp_path: Path) -> None:
    path = write(tmp_path, '[[shops]]\nshop_name = "acme"\napi_key = "${ACME_ACCESS_TOKEN}"\n')
    assert load_shops(path, ENV).get("acme").api_key == "${ACME_ACCESS_TOKEN}"


SECRETS = f'access_token = "{TOKEN}"\napi_secret = "${{ACME_API_SECRET}}"\n'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            'shop_name = "acme.evil.com"\n',
            "shop 'acme.evil.com': field 'shop_name': invalid shop name 'acme.evil.com': expected 'acme', "
            "'acme.myshopify.com', 'https://acme.myshopify.com' or 'https://admin.shopify.com/store/acme'",
        ),
        ("api_key = 'k'\n", "shop #1: field 'shop_name': Field required"),
        ("shop_name = 42\n", "shop #1: field 'shop_name': Input should be a valid string"),
        (
            'shop_name = "acme"\nacess_token = "x"\n',
            "shop 'acme': field 'acess_token': unknown field (did you mean 'access_token'?)",
        ),
        (
            'shop_name = "acme"\nzzz = 1\n',
            "shop 'acme': field 'zzz': unknown field (known fields: shop_name, api_key, api_secret, "
            "access_token, scopes, api_version, admin_url, "
            "multiwoven_undo_quotes)",
        ),
        (
            'shop_name = "acme"\napi_version = "2026-05"\n',
            "shop 'acme': field 'api_version': expected YYYY-MM with month 01, 04, 07 or 10, or 'unstable', "
            "got '2026-05'",
        ),
        (
            'shop_name = "acme"\nscopes = ["write products"]\n',
            "shop 'acme': field 'scopes': invalid scope 'write products': "
            "expected names like 'write_products'",
        ),
        (
            'shop_name = "acme"\nscopes = [1]\n',
            "shop 'acme': field 'scopes.0': Input should be a valid string",
        ),
        (
            'shop_name = "acme"\nadmin_url = "http://u:p@127.0.0.1"\n',
            "shop 'acme': field 'admin_url': must be an http(s) URL with a host and no credentials, "
            "query or fragment",
        ),
        ('shop_name = "acme"\napi_key = 5\n', "shop 'acme': field 'api_key': Input should be a valid string"),
        (
            'shop_name = "acme"\naccess_token = 5\n',
            "shop 'acme': field 'access_token': Input should be a valid string",
        ),
    ],
)
def test_shop_validation_errors(tmp_path: Path, body: str, problem: str) -> None:
    # SECRETS goes first unless the case sets access_token itself, so every error is checked for leaks.
    secrets = "" if "access_token =" in body else SECRETS
    error = load_error(tmp_path, f"[[shops]]\n{secrets}{body}")
    assert error.problems == [f"{tmp_path / 'shops.toml'}: {problem}"]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        '[[shops]]\nshop_name = "acme"\nacess_token = "x"\napi_version = "v1"\n'
        '[[shops]]\nshop_name = "beta"\naccess_token = "${MISSING}"\n',
    )
    fields = [problem.split(": ", 3)[2] for problem in error.problems]
    assert fields == ["field 'acess_token'", "field 'api_version'", "field 'access_token'"]
    assert str(error).count("\n") == 2


def test_duplicate_shops_after_normalisation(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        '[[shops]]\nshop_name = "acme"\n[[shops]]\nshop_name = "https://ACME.myshopify.com"\n',
    )
    assert error.problems == [
        f"{tmp_path / 'shops.toml'}: shop 'https://ACME.myshopify.com': field 'shop_name': "
        "duplicate: shop 'acme' is already defined"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no shops defined: add a [[shops]] table"),
        ("# only a comment\n", "no shops defined: add a [[shops]] table"),
        ("shops = []\n", "no shops defined: add a [[shops]] table"),
        ('[shops]\nshop_name = "acme"\n', "'shops' must be an array of tables: write [[shops]], not [shops]"),
        ('shops = ["acme"]\n', "'shops' must be an array of tables: write [[shops]], not [shops]"),
        (
            '[[shop]]\nshop_name = "acme"\n',
            "unknown top-level key(s) 'shop': write one [[shops]] table per shop",
        ),
    ],
)
def test_file_level_errors(tmp_path: Path, text: str, problem: str) -> None:
    assert str(load_error(tmp_path, text)) == f"{tmp_path / 'shops.toml'}: {problem}"


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, f'[[shops]]\nshop_name = "acme"\naccess_token = "{TOKEN}\n')
    assert str(error).startswith(f"{tmp_path / 'shops.toml'}: invalid TOML: ")
    assert "line 3" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ShopsFileError, match=r"nope\.toml: file not found \(set SHOPIFY_SYNC_SHOPS_FILE"):
        load_shops(tmp_path / "nope.toml", {})


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "shops.toml"
    path.write_bytes(b'[[shops]]\nshop_name = "\xff"\n')
    with pytest.raises(ShopsFileError, match=r"shops\.toml: not valid UTF-8"):
        load_shops(path, {})


def test_example_file_loads() -> None:
    example = Path(__file__).parents[2] / "examples" / "shops.example.toml"
    shops = load_shops(
        example,
        {
            "ACME_API_SECRET": "s",
            "ACME_ACCESS_TOKEN": "t",
            "GLOBEX_ACCESS_TOKEN": "t",
            "SIM_ACCESS_TOKEN": "t",
        },
    )
    assert len(shops) >= 1
