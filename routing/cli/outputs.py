"""The files a plan can be written to, as options shared by ``plan`` and ``demo``."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

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


def write_outputs(plan: Plan, targets: dict[str, Path | None], console: Console) -> None:
    """Write every requested output, creating parent folders."""
    for name, path in targets.items():
        if path is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        WRITERS[name][0](plan, path)
        console.print(f"[green]✓[/] wrote {path}", highlight=False)
