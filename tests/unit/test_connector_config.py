"""The connection config: validated like a shops-file entry; a crafted shop name never moves the traffic."""

import pytest

from producers.connector.config import ConfigError, parse_config
from settings import ShopConfig
from worker.resources import RESOURCES

TOKEN = "shpat_0123456789abcdef"


def config(**fields):
    return {"shop_name": "acme", "access_token": TOKEN, **fields}


@pytest.mark.parametrize(
    "form",
    ["acme", "ACME.myshopify.com", "https://acme.myshopify.com/", "https://admin.shopify.com/store/acme"],
)
def test_accepted_shop_forms_all_point_at_the_shops_own_host(form):
    parsed = parse_config(config(shop_name=form))
    shop = parsed.shop()
    assert shop.shop_name == "acme"
    assert shop.graphql_url == "https://acme.myshopify.com/admin/api/2026-07/graphql.json"


CRAFTED = [
    "acme.myshopify.com.evil.com",
    "evil.com",
    "acme@evil.com",
    "evil.com#.myshopify.com",
    "evil.com/?x=.myshopify.com",
    "https://evil.com/store/acme",
    "http://acme.myshopify.com",
    "acme.myshopify.com:8443",
    "acme.myshopify.com/../../evil",
    "acme%2eevil.com",
    "acme\\@evil.com",
    "ac me",
    "acme.",
    "\u212aacme",  # Kelvin sign: lower() turns it into an ASCII k
    "acme\n.evil.com",
    "-acme",
    "a" * 64,
    "",
]


@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_shop_names_are_rejected(name):
    with pytest.raises(ConfigError) as info:
        parse_config(config(shop_name=name))
    assert any(problem.startswith("shop_name:") for problem in info.value.problems)


@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_names_cannot_reach_a_shop_config_either(name):
    with pytest.raises(ValueError):
        ShopConfig(shop_name=name, access_token=TOKEN)


def test_only_an_explicit_admin_url_changes_the_host():
    shop = parse_config(config(admin_url="http://127.0.0.1:8787/store/acme/")).shop()
    assert shop.graphql_url == "http://127.0.0.1:8787/store/acme/admin/api/2026-07/graphql.json"
    assert parse_config(config(admin_url="  ")).shop().admin_url is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/x",
        "http://user:pass@127.0.0.1/",
        "http://127.0.0.1/?q=1",
        "http://127.0.0.1/#f",
        "//127.0.0.1",
    ],
)
def test_unusable_admin_urls_are_rejected(url):
    with pytest.raises(ConfigError, match="admin_url"):
        parse_config(config(admin_url=url))


def test_errors_name_fields_and_never_repeat_the_token():
    with pytest.raises(ConfigError) as info:
        parse_config(
            {
                "shop_name": "acme",
                "access_token": TOKEN,
                "api_version": "2025-02",
                "resources": ["x"],
                "oops": 1,
            }
        )
    text = str(info.value)
    assert TOKEN not in text
    assert "api_version:" in text and "resources: unknown resource(s) x" in text and "oops:" in text


def test_missing_token_and_wrong_types():
    with pytest.raises(ConfigError) as info:
        parse_config({"shop_name": "acme"})
    assert info.value.problems == [
        "give access_token, or api_key and api_secret (tokens then come from the client-credentials grant)"
    ]
    with pytest.raises(ConfigError, match="api_secret is missing"):
        parse_config({"shop_name": "acme", "api_key": "k", "access_token": TOKEN})
    with pytest.raises(ConfigError, match="JSON object"):
        parse_config(["acme"])


def test_defaults_and_repr_hide_the_token():
    parsed = parse_config(config())
    assert parsed.api_version == "2026-07"
    assert parsed.resources == list(RESOURCES)
    assert TOKEN not in repr(parsed) and TOKEN not in str(parsed.model_dump())
    assert parsed.shops().names() == ("acme",)


def test_the_spec_lists_the_seeds_five_fields_with_the_secrets_flagged():
    from producers.connector import spec

    schema = spec()["connector_spec"]["connection_specification"]
    properties = schema["properties"]
    seed = ["shop_name", "api_key", "api_secret", "access_token", "scopes"]
    assert sorted(properties, key=lambda name: properties[name]["order"])[:5] == seed
    assert [name for name in properties if properties[name].get("multiwoven_secret")] == [
        "api_secret",
        "access_token",
    ]
    assert schema["required"] == ["shop_name"]


def test_a_client_id_and_secret_alone_configure_the_shop():
    parsed = parse_config(
        {"shop_name": "acme", "api_key": "k", "api_secret": "shpss_x", "scopes": ["write_orders"]}
    )
    shop = parsed.shop()
    assert shop.access_token is None and shop.api_key == "k" and shop.scopes == ("write_orders",)
