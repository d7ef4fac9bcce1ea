"""The files a plan can be written to, as options shared by ``plan`` and ``demo``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console

from routing.config import ConfigError
from routing.export import (
    write_csv,
    write_geojson,
    write_html_map,
    write_plan_json,
    write_timeline_svg,
)
from routing.plan import Plan

#: option name -> (writer, help)
WRITERS = {
    "out": (write_plan_json, "the plan as JSON (schema: routing/plan.schema.json)"),
    "csv": (write_csv, "one row per stop"),
    "geojson": (write_geojson, "routes as LineStrings, stops as Points"),
    "map": (write_html_map, "an HTML map (Leaflet; tiles load online when viewed)"),
    "timeline": (write_timeline_svg, "an SVG timeline per technician"),
}


def add_output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("outputs")
    for name, (_, text) in WRITERS.items():
        group.add_argument(f"--{name}", type=Path, metavar="FILE", help=text)


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any fetching or solving, an output that could not be written.

    Each path must not be a directory, an existing file must be writable, and its folder
    must exist and be writable, or be creatable (its nearest existing ancestor is a
    writable folder): ``write_outputs`` creates missing folders.
    """
    for name in WRITERS:
        path: Path | None = getattr(args, name, None)
        if path is None:
            continue
        if path.is_dir():
            raise ConfigError(f"--{name} {path}: is a directory, not a file")
        if path.exists() and not os.access(path, os.W_OK):
            raise ConfigError(f"--{name} {path}: the file is not writable")
        folder = path.absolute().parent
        while not folder.exists():
            folder = folder.parent
        if not folder.is_dir():
            raise ConfigError(f"--{name} {path}: {folder} is not a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ConfigError(f"--{name} {path}: cannot write in the folder {folder}")


def write_outputs(plan: Plan, targets: dict[str, Path | None], console: Console) -> None:
    """Write every requested output, creating parent folders."""
    for name, path in targets.items():
        if path is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        WRITERS[name][0](plan, path)
        console.print(f"[green]✓[/] wrote {path}", highlight=False)
