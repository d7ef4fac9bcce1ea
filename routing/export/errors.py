"""The export package's errors."""

from routing.errors import RoutingError

__all__ = ["ExportError"]


class ExportError(RoutingError):
    """An output file could not be written (missing folder, permissions, full disk)."""
