"""Bulk mutations in the simulator: staged uploads, operations run in the background, result files."""

from simulator.bulk.book import BulkBook, BulkConfig, BulkOperation

__all__ = ["BulkBook", "BulkConfig", "BulkOperation"]
