"""A fixed cipher for tests that store credentials (the key is generated once per test run)."""

from worker.credentials import CredentialCipher, new_key

TEST_KEY = new_key()
TEST_CIPHER = CredentialCipher([TEST_KEY.encode()])


def fixed_cipher() -> CredentialCipher:
    """What a store's ``cipher`` source returns."""
    return TEST_CIPHER
