"""The emulator's exception: bad datasets, bad fault plans, a server that cannot start."""

from routing.errors import RoutingError

__all__ = ["EmulatorError"]


class EmulatorError(RoutingError):
    """The Services API emulator was given something it cannot use."""
