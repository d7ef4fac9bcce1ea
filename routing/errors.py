"""The root of the ``routing`` exception tree.

Every error the application raises on purpose derives from :class:`RoutingError`, so the
CLI can turn any of them into a one-line message and a non-zero exit code. Third-party
errors (httpx, geopy, OR-Tools) are translated into subclasses at the boundary where they
occur.
"""


class RoutingError(Exception):
    """Base class of every error raised by the ``routing`` package."""
