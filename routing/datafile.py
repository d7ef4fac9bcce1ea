"""Reading the application's own data files (roster, durations, config).

:func:`read_data_file` parses YAML, TOML or JSON by suffix, reporting syntax errors with
their line; :func:`describe_validation_error` turns a pydantic error into the one-line
message every file error of routeplan uses.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from routing.errors import RoutingError

__all__ = ["describe_validation_error", "dotted_path", "read_data_file"]


def read_data_file(path: Path | str, error: type[RoutingError]) -> dict[str, Any]:
    """Parse a YAML (``.yaml``/``.yml``), TOML or JSON file into a mapping.

    Every failure (missing file, unknown suffix, syntax error with its line, a top level
    that is not a mapping) becomes one ``error(...)`` whose message starts with the path.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".yaml", ".yml", ".toml", ".json"}:
        raise error(f"{path}: unsupported file type {path.suffix!r}; use .yaml, .toml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise error(f"{path}: cannot read file: {reason}") from exc
    try:
        data: object
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}: invalid YAML: {where}{problem}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: invalid TOML: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise error(f"{path}: invalid JSON: line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def describe_validation_error(
    exc: ValidationError, where: Callable[[tuple[int | str, ...]], str]
) -> str:
    """One line for a pydantic error: ``where(loc)`` names the place, then the message.

    Only the first problem is shown, plus a count of the others, so the line stays short.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    message = str(first["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "required field is missing"
    extra = len(errors) - 1
    more = f" (and {extra} more problem{'s' * (extra > 1)})" if extra else ""
    return f"{where(tuple(first['loc']))}: {message}{more}"


def dotted_path(loc: tuple[int | str, ...]) -> str:
    """``("by_skill", "PLUMBING")`` -> ``"by_skill.PLUMBING"``; list indices as ``[i]``."""
    text = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for a bad mapping key; the key itself precedes
            continue
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "(top level)"
