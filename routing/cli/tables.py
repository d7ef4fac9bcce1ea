"""How ``plan`` and ``jobs`` print: tables for a person, tab-separated lines for logs, JSON.

``--format table`` (the default) draws rich tables. On a terminal they fit its width; when
stdout is a file, a pipe or a cron log, nothing is cut to a width: every cell is printed
whole (a log read later has no terminal to fit). ``--format plain`` prints each table as
tab-separated lines (title, header, one line per row) with full cells and no styling, for
grep and cut. ``--format json`` (alias ``--json``) is for scripts.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Literal

from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

Format = Literal["table", "plain", "json"]
FORMATS: tuple[Format, ...] = ("table", "plain", "json")
#: The width a table may take when stdout is not a terminal: wide enough for any cell.
UNCUT_WIDTH = 100_000


def add_format_options(parser: argparse.ArgumentParser, json_help: str) -> None:
    """``--format table|plain|json`` and ``--json``, its alias for ``--format json``."""
    parser.add_argument(
        "--format", choices=FORMATS, default="table",
        help="table: rich tables (the default; whole cells when stdout is not a terminal); "
             "plain: tab-separated lines with whole cells, for logs and grep; json: "
             + json_help)
    parser.add_argument("--json", dest="format", action="store_const", const="json",
                        help="the same as --format json")


def stderr_console() -> Console:
    """The console for progress and notes on stderr: fitted to a terminal, but never
    wrapped in a log, where a path cut at column 80 could no longer be copied or grepped."""
    console = Console(stderr=True)
    if console.is_terminal:
        return console
    return Console(stderr=True, width=UNCUT_WIDTH, soft_wrap=True)


def stdout_console(fmt: str) -> Console:
    """The console for a command's output on stdout, in format ``fmt`` (table or plain)."""
    if fmt == "plain":
        console = Console(width=UNCUT_WIDTH, color_system=None, highlight=False, emoji=False,
                          soft_wrap=True)
        console.push_render_hook(_PlainTables())
        return console
    console = Console()
    if console.is_terminal:
        return console
    return Console(width=UNCUT_WIDTH, highlight=False, soft_wrap=True)


def is_full(console: Console) -> bool:
    """True when the output has no width to fit: show whole cells, not screen abbreviations."""
    return not console.is_terminal or console.width >= UNCUT_WIDTH


def tsv_line(cells: Sequence[RenderableType | None]) -> str:
    """One tab-separated line: markup removed, tabs and line breaks inside a cell flattened."""
    return "\t".join(_plain_text(cell) for cell in cells)


def table_lines(table: Table) -> list[str]:
    """A rich table as tab-separated lines: title, header, rows, caption."""
    lines = [_plain_text(table.title)] if table.title else []
    lines.append(tsv_line([column.header for column in table.columns]))
    lines.extend(tsv_line(row) for row in zip(*(list(c.cells) for c in table.columns),
                                              strict=True))
    if table.caption:
        lines.append(_plain_text(table.caption))
    return lines


def _plain_text(cell: RenderableType | None) -> str:
    if cell is None:
        return ""
    text = Text.from_markup(cell) if isinstance(cell, str) else cell
    plain = text.plain if isinstance(text, Text) else str(text)
    return ", ".join(part.strip() for part in plain.replace("\t", " ").splitlines()
                     if part.strip())


class _Lines:
    """Lines printed as they are: a rich ``Text`` would expand the tabs into spaces."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            yield Segment(line)
            yield Segment.line()


class _PlainTables(RenderHook):
    """Prints every table as tab-separated lines instead of drawing it."""

    def process_renderables(
        self, renderables: list[ConsoleRenderable],
    ) -> list[ConsoleRenderable]:
        return [_Lines(table_lines(r)) if isinstance(r, Table) else r for r in renderables]
