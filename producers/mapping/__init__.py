"""Multiwoven field mappings: warehouse row -> nested destination record.

See docs/mapping.md for the format and how it matches Multiwoven's server.
"""

from producers.mapping.core import Mapping
from producers.mapping.errors import MappingError

__all__ = ["Mapping", "MappingError"]
