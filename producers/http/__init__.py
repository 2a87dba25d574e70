"""The HTTP producer (``shopify-sync serve``): Multiwoven's HTTP destination posts records here."""

from producers.http.app import create_app, serve

__all__ = ["create_app", "serve"]
