"""Credentials: stored OAuth tokens, their renewal, and the token provider each shop uses."""

from worker.credentials.endpoint import TokenEndpoint
from worker.credentials.errors import CredentialsError, RefreshBusyError
from worker.credentials.model import StoredCredentials, TokenKind
from worker.credentials.provider import StaticTokenProvider, StoredTokenProvider, TokenProvider
from worker.credentials.sources import TokenSources, credential_store, credentials_file
from worker.credentials.store import CredentialStore, FileCredentialStore, RedisCredentialStore

__all__ = [
    "CredentialStore",
    "CredentialsError",
    "FileCredentialStore",
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
]
