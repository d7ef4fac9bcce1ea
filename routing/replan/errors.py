"""The re-planning error."""

from routing.errors import RoutingError

__all__ = ["ReplanError"]


class ReplanError(RoutingError):
    """A re-plan that cannot be made (bad time, unknown ids in events) or is inconsistent."""
