"""Shopify's real 2026-07 Admin GraphQL schema, built once per test process.

The SDL is 3.8 MB and takes a few seconds to build, so it lives outside the project (in
``../shared/shopify`` next to the repository) and is built lazily, at most once.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema

ENV_VAR = "SHOPIFY_SYNC_ADMIN_SCHEMA"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO_ROOT.parent / "shared" / "shopify" / "admin-2026-07.schema.graphql"


def admin_schema_path() -> Path:
    """Return where the real schema SDL is: ``$SHOPIFY_SYNC_ADMIN_SCHEMA`` or the shared copy."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured) if configured else DEFAULT_PATH


def load_admin_schema() -> GraphQLSchema:
    """Return the real Admin schema; skip the test (fail on CI) when the SDL is missing."""
    path = admin_schema_path()
    if not path.is_file():
        message = (
            f"Shopify Admin schema not found at {path}; set {ENV_VAR} to the path of "
            "admin-2026-07.schema.graphql to run the tests that check documents against it"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return _build(str(path))


@functools.cache
def _build(path: str) -> GraphQLSchema:
    with open(path, encoding="utf-8") as handle:
        return build_schema(handle.read())
