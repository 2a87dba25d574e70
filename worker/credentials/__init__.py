"""Credentials: stored OAuth tokens, their renewal, and the token provider each shop uses."""

from worker.credentials.cipher import CredentialCipher, CredentialKeyError, new_key
from worker.credentials.endpoint import TokenEndpoint
from worker.credentials.errors import CredentialsError, RefreshBusyError
from worker.credentials.file_store import FileCredentialStore
from worker.credentials.keyring import KeySource
from worker.credentials.model import StoredCredentials, TokenKind
from worker.credentials.provider import StaticTokenProvider, StoredTokenProvider, TokenProvider
from worker.credentials.sources import TokenSources, credential_store, credentials_file, key_source
from worker.credentials.store import CredentialStore, RedisCredentialStore

__all__ = [
    "CredentialCipher",
    "CredentialKeyError",
    "CredentialStore",
    "CredentialsError",
    "FileCredentialStore",
    "KeySource",
    "RedisCredentialStore",
    "RefreshBusyError",
    "StaticTokenProvider",
    "StoredCredentials",
    "StoredTokenProvider",
    "TokenEndpoint",
    "TokenKind",
    "TokenProvider",
    "TokenSources",
    "credential_store",
    "credentials_file",
    "key_source",
    "new_key",
]
