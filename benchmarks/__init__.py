"""Benchmarks and chaos runs against the Shopify simulator, with real Redis and Celery worker processes."""
