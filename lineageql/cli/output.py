"""How the command line shows things: Rich tables, ``--output json``, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from lineageql.errors import LineageError

console = Console(soft_wrap=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


OutputOption = typer.Option(OutputFormat.table, "--output", "-o", help="table or json.")


@contextmanager
def friendly_errors() -> Iterator[None]:
    """A lineageql error becomes one line on the console and exit code 1."""
    try:
        yield
    except LineageError as error:
        console.print(f"[red]error:[/red] {escape(error.message)}")
        raise typer.Exit(1) from error


def show(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], output: OutputFormat, title: str
) -> None:
    """``rows`` as a table of ``columns``, or as a JSON list. Stored values are shown as
    plain text, never read as Rich markup (a name may well contain ``[red]``)."""
    if output is OutputFormat.json:
        typer.echo(json.dumps(list(rows), default=_plain, indent=2))
        return
    table = Table(title=Text(title))
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(Text(_cell(row.get(column))) for column in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON")
