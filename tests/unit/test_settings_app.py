import os
from pathlib import Path

import pytest

from settings import AppSettings, SettingsError, env_name, load_app_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SHOPIFY_SYNC_"):
            monkeypatch.delenv(name)


def load_error(monkeypatch: pytest.MonkeyPatch, **env: str) -> SettingsError:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_app_settings()
    return info.value


def test_defaults() -> None:
    s = load_app_settings()
    assert s.redis_url is None
    assert s.embedded
    assert s.key_prefix == "shopify-sync"
    assert s.shops_file == Path("shops.toml")
    assert (s.log_level, s.log_format) == ("INFO", "text")
    assert (s.batch_size, s.max_attempts, s.requests_in_flight_per_task) == (100, 8, 4)
    assert (s.base_backoff_s, s.max_backoff_s, s.max_inline_wait_s) == (0.5, 30.0, 10.0)
    assert (s.request_timeout_s, s.broker_visibility_timeout_s) == (30.0, 3600)
    assert s.sentry_dsn is None
    assert s.output_dir == Path("shopify-sync-output")
    assert s.mapping_processes == min(4, len(os.sched_getaffinity(0)) - 1)


def test_env_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "SHOPIFY_SYNC_REDIS_URL": "redis://localhost:6379/0",
        "SHOPIFY_SYNC_KEY_PREFIX": "test:sync",
        "SHOPIFY_SYNC_SHOPS_FILE": "/etc/shops.toml",
        "SHOPIFY_SYNC_LOG_LEVEL": "debug",
        "SHOPIFY_SYNC_LOG_FORMAT": "JSON",
        "SHOPIFY_SYNC_BATCH_SIZE": "250",
        "SHOPIFY_SYNC_MAX_ATTEMPTS": "1",
        "SHOPIFY_SYNC_BASE_BACKOFF_S": "0.25",
        "SHOPIFY_SYNC_MAX_BACKOFF_S": "60",
        "SHOPIFY_SYNC_MAX_INLINE_WAIT_S": "0",
        "SHOPIFY_SYNC_REQUESTS_IN_FLIGHT_PER_TASK": "32",
        "SHOPIFY_SYNC_REQUEST_TIMEOUT_S": "5.5",
        "SHOPIFY_SYNC_BROKER_VISIBILITY_TIMEOUT_S": "601",
        "SHOPIFY_SYNC_SENTRY_DSN": "https://key@sentry.example/1",
        "SHOPIFY_SYNC_OUTPUT_DIR": "out",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    s = load_app_settings()
    assert s.redis_url == "redis://localhost:6379/0"
    assert not s.embedded
    assert s.key_prefix == "test:sync"
    assert s.shops_file == Path("/etc/shops.toml")
    assert (s.log_level, s.log_format) == ("DEBUG", "json")
    assert (s.batch_size, s.max_attempts, s.requests_in_flight_per_task) == (250, 1, 32)
    assert (s.base_backoff_s, s.max_backoff_s, s.max_inline_wait_s) == (0.25, 60.0, 0.0)
    assert (s.request_timeout_s, s.broker_visibility_timeout_s) == (5.5, 601)
    assert s.sentry_dsn is not None
    assert s.sentry_dsn.get_secret_value() == "https://key@sentry.example/1"
    assert s.output_dir == Path("out")


@pytest.mark.parametrize("value", ["", "  "])
def test_blank_redis_url_means_embedded(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", value)
    assert load_app_settings().embedded
    assert AppSettings(redis_url=value).embedded


def test_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_SYNC_BATCH_SIZE", "")
    assert load_app_settings().batch_size == 100


def test_dotenv_file_is_not_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SHOPIFY_SYNC_BATCH_SIZE=7\n")
    monkeypatch.chdir(tmp_path)
    assert load_app_settings().batch_size == 100


def test_secrets_are_hidden_from_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", "redis://:hunter2pw@localhost:6379")
    monkeypatch.setenv("SHOPIFY_SYNC_SENTRY_DSN", "https://dsnSECRET@sentry.example/1")
    s = load_app_settings()
    for text in (repr(s), str(s)):
        assert "hunter2pw" not in text
        assert "dsnSECRET" not in text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHOPIFY_SYNC_BATCH_SIZE": "0"}, "SHOPIFY_SYNC_BATCH_SIZE must be >= 1, got 0"),
        ({"SHOPIFY_SYNC_BATCH_SIZE": "251"}, "SHOPIFY_SYNC_BATCH_SIZE must be <= 250, got 251"),
        (
            {"SHOPIFY_SYNC_BATCH_SIZE": "ten"},
            "SHOPIFY_SYNC_BATCH_SIZE: Input should be a valid integer, unable to parse string as an integer",
        ),
        ({"SHOPIFY_SYNC_MAX_ATTEMPTS": "0"}, "SHOPIFY_SYNC_MAX_ATTEMPTS must be >= 1, got 0"),
        ({"SHOPIFY_SYNC_MAPPING_PROCESSES": "-1"}, "SHOPIFY_SYNC_MAPPING_PROCESSES must be >= 0, got -1"),
        ({"SHOPIFY_SYNC_MAPPING_PROCESSES": "65"}, "SHOPIFY_SYNC_MAPPING_PROCESSES must be <= 64, got 65"),
        (
            {"SHOPIFY_SYNC_REQUESTS_IN_FLIGHT_PER_TASK": "33"},
            "SHOPIFY_SYNC_REQUESTS_IN_FLIGHT_PER_TASK must be <= 32, got 33",
        ),
        ({"SHOPIFY_SYNC_BASE_BACKOFF_S": "0"}, "SHOPIFY_SYNC_BASE_BACKOFF_S must be > 0, got 0"),
        (
            {"SHOPIFY_SYNC_REQUEST_TIMEOUT_S": "nan"},
            "SHOPIFY_SYNC_REQUEST_TIMEOUT_S must be a finite number, got nan",
        ),
        ({"SHOPIFY_SYNC_MAX_INLINE_WAIT_S": "-1"}, "SHOPIFY_SYNC_MAX_INLINE_WAIT_S must be >= 0, got -1"),
        (
            {"SHOPIFY_SYNC_BROKER_VISIBILITY_TIMEOUT_S": "0"},
            "SHOPIFY_SYNC_BROKER_VISIBILITY_TIMEOUT_S must be > 0, got 0",
        ),
        (
            {"SHOPIFY_SYNC_LOG_LEVEL": "verbose"},
            "SHOPIFY_SYNC_LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'",
        ),
        ({"SHOPIFY_SYNC_LOG_FORMAT": "xml"}, "SHOPIFY_SYNC_LOG_FORMAT: Input should be 'text' or 'json'"),
        (
            {"SHOPIFY_SYNC_KEY_PREFIX": "my prefix"},
            "SHOPIFY_SYNC_KEY_PREFIX must be non-empty ASCII letters, digits, '-', '_', '.' or ':', "
            "got 'my prefix'",
        ),
        (
            {"SHOPIFY_SYNC_REDIS_URL": "localhost:6379"},
            "SHOPIFY_SYNC_REDIS_URL must start with redis://, rediss:// or unix:// "
            "(leave it unset for embedded mode)",
        ),
        (
            {"SHOPIFY_SYNC_BASE_BACKOFF_S": "5", "SHOPIFY_SYNC_MAX_BACKOFF_S": "2"},
            "SHOPIFY_SYNC_MAX_BACKOFF_S (2) must be >= SHOPIFY_SYNC_BASE_BACKOFF_S (5)",
        ),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    assert str(load_error(monkeypatch, **env)) == message


def test_visibility_timeout_must_exceed_ten_longest_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    error = load_error(
        monkeypatch, SHOPIFY_SYNC_MAX_INLINE_WAIT_S="60", SHOPIFY_SYNC_BROKER_VISIBILITY_TIMEOUT_S="600"
    )
    text = str(error)
    assert text.startswith(
        "SHOPIFY_SYNC_BROKER_VISIBILITY_TIMEOUT_S must be greater than 10 * max(SHOPIFY_SYNC_MAX_BACKOFF_S, "
        "SHOPIFY_SYNC_MAX_INLINE_WAIT_S) = 600 s, got 600: "
    )
    assert "run twice" in text  # the message explains why
    # The bound follows max_backoff_s too.
    load_error(monkeypatch, SHOPIFY_SYNC_MAX_BACKOFF_S="400", SHOPIFY_SYNC_MAX_INLINE_WAIT_S="0")


def test_every_problem_gets_its_own_line_and_no_chained_error(monkeypatch: pytest.MonkeyPatch) -> None:
    error = load_error(monkeypatch, SHOPIFY_SYNC_BATCH_SIZE="0", SHOPIFY_SYNC_MAX_ATTEMPTS="0")
    assert error.problems == [
        "SHOPIFY_SYNC_BATCH_SIZE must be >= 1, got 0",
        "SHOPIFY_SYNC_MAX_ATTEMPTS must be >= 1, got 0",
    ]
    assert str(error) == "\n".join(error.problems)
    assert error.__context__ is None
    assert error.__cause__ is None
    assert isinstance(error, ValueError)


def test_redis_url_is_not_echoed_in_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    error = load_error(monkeypatch, SHOPIFY_SYNC_REDIS_URL="http://:hunter2pw@localhost")
    assert "hunter2pw" not in str(error)


def test_env_name() -> None:
    assert env_name("batch_size") == "SHOPIFY_SYNC_BATCH_SIZE"
    assert all(env_name(field).startswith("SHOPIFY_SYNC_") for field in AppSettings.model_fields)


def test_http_producer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_app_settings()
    assert s.http_bearer_token is None
    assert s.http_max_body_bytes == 1024 * 1024
    monkeypatch.setenv("SHOPIFY_SYNC_HTTP_BEARER_TOKEN", "a-long-enough-bearer-token")
    monkeypatch.setenv("SHOPIFY_SYNC_HTTP_MAX_BODY_BYTES", "2048")
    s = load_app_settings()
    assert s.http_bearer_token is not None
    assert s.http_bearer_token.get_secret_value() == "a-long-enough-bearer-token"
    assert "a-long-enough" not in repr(s)
    assert s.http_max_body_bytes == 2048


def test_short_bearer_token_is_rejected_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    error = load_error(monkeypatch, SHOPIFY_SYNC_HTTP_BEARER_TOKEN="tooshort-secret")
    assert error.problems[0].startswith("SHOPIFY_SYNC_HTTP_BEARER_TOKEN must be at least 16 characters")
    assert "tooshort-secret" not in str(error)


@pytest.mark.parametrize("value", ["0", "1023", "67108865", "lots"])
def test_http_max_body_bytes_bounds(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    error = load_error(monkeypatch, SHOPIFY_SYNC_HTTP_MAX_BODY_BYTES=value)
    assert error.problems[0].startswith("SHOPIFY_SYNC_HTTP_MAX_BODY_BYTES")
