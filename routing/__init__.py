"""routeplan's application package: the Services API client, geocoding, planning, CLI."""

from routing.errors import RoutingError

__all__ = ["RoutingError"]
