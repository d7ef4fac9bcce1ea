"""The ``routeplan`` command line: ``plan``, ``demo``, ``jobs``, ``geocode``, ``emulator``.

Every error the user can cause ends in a one-line message on stderr and a documented exit
code (see :mod:`routing.cli.exits`), never a traceback (``--debug`` shows one).
"""

from routing.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
