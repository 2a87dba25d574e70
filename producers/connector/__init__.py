"""The Multiwoven destination surface: ``spec``, ``check_connection``, ``discover`` and ``write``.

Each returns one protocol message (a JSON-ready dict) in the shape Multiwoven's integrations gem uses.
"""

from producers.connector.surface import check_connection, discover, spec, write

__all__ = ["check_connection", "discover", "spec", "write"]
