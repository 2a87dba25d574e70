"""Where the credentials key comes from: the variable, a key file, a local key (embedded), or nowhere."""

import stat

import pytest

from settings import AppSettings, SettingsError, load_app_settings
from settings.credential_keys import parse_keys
from worker.credentials import CredentialKeyError, KeySource, StoredCredentials, new_key
from worker.observability import scrub

CREDS = StoredCredentials(kind="offline", access_token="shpat_offline_token")


def settings(**values) -> AppSettings:
    return AppSettings(redis_url="redis://127.0.0.1:6379/4", **values)


def source(tmp_path, embedded=False, notes=None, **values) -> KeySource:
    local = tmp_path / "config" / "credentials.key"
    notify = (notes if notes is not None else []).append
    return KeySource(settings(**values), embedded=embedded, local_key_file=local, notify=notify)


def test_parse_keys_newest_first_from_commas_lines_and_comments():
    a, b, c = new_key(), new_key(), new_key()
    assert parse_keys(f" {a} , {b}\n# retired soon\n\n{c}\n", "X") == [k.encode() for k in (a, b, c)]


@pytest.mark.parametrize("text", ["", "# only a comment\n", " , "])
def test_parse_keys_without_a_key(text):
    with pytest.raises(ValueError, match="X holds no key: print one with `shopify-sync auth new-key`"):
        parse_keys(text, "X")


def test_a_malformed_key_is_named_by_position_not_value():
    bad = "not-a-fernet-key-but-a-long-secret-value"
    with pytest.raises(ValueError, match="key 2 of 2 is not a Fernet key") as caught:
        parse_keys(f"{new_key()},{bad}", "X")
    assert bad not in str(caught.value)


def test_settings_refuse_a_malformed_key_without_echoing_it(monkeypatch):
    bad = "wrong-key-value-that-is-secret"
    monkeypatch.setenv("SHOPIFY_SYNC_CREDENTIALS_KEY", bad)
    with pytest.raises(SettingsError) as caught:
        load_app_settings()
    assert "SHOPIFY_SYNC_CREDENTIALS_KEY: key 1 of 1 is not a Fernet key" in str(caught.value)
    assert bad not in str(caught.value)


def test_redis_mode_without_a_key_says_how_to_make_one(tmp_path):
    with pytest.raises(CredentialKeyError) as caught:
        source(tmp_path)()
    message = str(caught.value)
    assert "SHOPIFY_SYNC_CREDENTIALS_KEY is not set" in message
    assert "`shopify-sync auth new-key`" in message and "SHOPIFY_SYNC_CREDENTIALS_KEY_FILE" in message
    assert not (tmp_path / "config").exists()  # no key is made for Redis mode


def test_key_from_the_variable_opens_what_an_older_key_sealed(tmp_path):
    old, new = new_key(), new_key()
    sealed = source(tmp_path, credentials_key=old)().seal("acme", CREDS)
    rotated = source(tmp_path, credentials_key=f"{new},{old}")()
    assert rotated.open("acme", sealed) == CREDS
    assert not rotated.is_newest(sealed) and rotated.is_newest(rotated.seal("acme", CREDS))


def test_key_file(tmp_path):
    path = tmp_path / "keys"
    key = new_key()
    path.write_text(f"# shopify-sync credentials\n{key}\n")
    path.chmod(0o600)
    cipher = source(tmp_path, credentials_key_file=path)()
    assert cipher.open("acme", source(tmp_path, credentials_key=key)().seal("acme", CREDS)) == CREDS

    path.chmod(0o640)
    with pytest.raises(CredentialKeyError, match=f"open to other users: run chmod 600 {path}"):
        source(tmp_path, credentials_key_file=path)()
    with pytest.raises(CredentialKeyError, match="does not exist"):
        source(tmp_path, credentials_key_file=tmp_path / "missing")()
    with pytest.raises(CredentialKeyError, match="not both"):
        source(tmp_path, credentials_key=key, credentials_key_file=path)()


def test_embedded_mode_makes_a_local_owner_only_key_once_and_says_so(tmp_path):
    notes: list[str] = []
    first = source(tmp_path, embedded=True, notes=notes)()
    path = tmp_path / "config" / "credentials.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(notes) == 1 and str(path) in notes[0] and "Back it up" in notes[0]
    assert path.read_text().strip() not in notes[0]

    again: list[str] = []
    second = source(tmp_path, embedded=True, notes=again)()
    assert again == []  # the same key is used, nothing new to say
    assert second.open("acme", first.seal("acme", CREDS)) == CREDS
    assert [p.name for p in path.parent.iterdir()] == ["credentials.key"]


def test_embedded_mode_uses_a_configured_key_instead(tmp_path):
    key = new_key()
    source(tmp_path, embedded=True, credentials_key=key)()
    assert not (tmp_path / "config").exists()


def test_loaded_keys_are_scrubbed_from_logs_and_reports(tmp_path):
    key = new_key()
    source(tmp_path, credentials_key=key)()
    assert scrub(f"key={key}") == "key=[redacted]"


def test_embedded_key_that_cannot_be_made_is_a_clear_key_error(tmp_path):
    (tmp_path / "config").write_text("a file where the directory should be")
    with pytest.raises(CredentialKeyError, match=r"cannot make the credentials key file .*\.key: "):
        source(tmp_path, embedded=True)()
