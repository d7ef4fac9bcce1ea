"""Plan outputs a dispatcher can open: CSV, GeoJSON, an HTML map and a timeline chart.

Every writer takes a :class:`~routing.plan.Plan` and a path, writes UTF-8 through a
temporary file (a failed run leaves no half file) and returns the path; an unwritable
path raises :class:`ExportError`. :func:`write_plan_json` writes the plan's own JSON
the same way. Every CSV goes through :func:`write_csv_table`, whose :func:`csv_cell`
keeps a cell from starting a spreadsheet formula.
"""

from routing.export.common import PALETTE, csv_cell, technician_colours, write_csv_table
from routing.export.csv_export import CSV_COLUMNS, csv_rows, write_csv
from routing.export.errors import ExportError
from routing.export.geojson import to_geojson, write_geojson
from routing.export.html_map import html_map, write_html_map
from routing.export.json_export import write_plan_json
from routing.export.timeline import timeline_svg, write_timeline_svg

__all__ = [
    "CSV_COLUMNS",
    "PALETTE",
    "ExportError",
    "csv_cell",
    "csv_rows",
    "html_map",
    "technician_colours",
    "timeline_svg",
    "to_geojson",
    "write_csv",
    "write_csv_table",
    "write_geojson",
    "write_html_map",
    "write_plan_json",
    "write_timeline_svg",
]
