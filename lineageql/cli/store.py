"""``lineageql store ...``: whole-store operations (copying one store into another)."""

from __future__ import annotations

import asyncio
import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lineageql.cli.output import console, friendly_errors
from lineageql.graph import open_store
from lineageql.graph.copy import copy_store, plan_copy
from lineageql.settings import Settings

store_app = typer.Typer(help="Whole stores.", no_args_is_help=True)


@store_app.command("copy")
def copy(
    source: str = typer.Option(
        ..., "--from", help="The store to copy: an embedded store path or a Neo4j URL."
    ),
    target: str = typer.Option(
        ..., "--to", help="An empty store to copy into (created if it is a new path)."
    ),
) -> None:
    """Copy a whole store, e.g. a grown embedded store into Neo4j, or Neo4j into a local
    file. The target must be empty; ids, names, times and metadata are kept."""
    with friendly_errors():
        started = time.perf_counter()
        written = asyncio.run(_copy(source, target))
    console.print(
        f"Copied {written:,} nodes and relationships in {time.perf_counter() - started:.1f} s.",
        markup=False,
    )


async def _copy(source: str, target: str) -> int:
    origin = await open_store(Settings(store=source))
    try:
        destination = await open_store(Settings(store=target))
        try:
            plan = await plan_copy(origin, destination)
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"{origin.url} -> {destination.url}", total=plan.total)
                await copy_store(
                    origin, destination, plan, lambda done: progress.advance(task, done)
                )
            return plan.total
        finally:
            await destination.close()
    finally:
        await origin.close()
