"""The ``lineageql`` command line."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import typer
import uvicorn
from rich.console import Console

from lineageql.demo import record_demo
from lineageql.errors import LineageError
from lineageql.graph import LineageRepository, open_store
from lineageql.server import create_app
from lineageql.settings import Settings

app = typer.Typer(help="A GraphQL lineage API over a graph database for ML pipelines.")
console = Console()


@app.callback()
def main() -> None:
    """lineageql: record and explore the lineage of ML pipelines."""


StoreOption = typer.Option(None, help="Store path or Neo4j URL (default: LINEAGEQL_STORE).")


def _settings(store: str | None) -> Settings:
    return Settings(store=store) if store else Settings()


def _run(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work``; a lineageql error becomes one friendly line and exit code 1."""
    try:
        asyncio.run(work)
    except LineageError as error:
        console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from error


@app.command()
def demo(store: str = StoreOption) -> None:
    """Record a small iris training history and print its runs and the model's lineage."""
    _run(_demo(_settings(store)))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    store: str = StoreOption,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql in a browser) and /health."""
    settings = _settings(store)
    _run(_check_store(settings))
    console.print(f"GraphiQL: http://{host}:{port}/graphql   store: {settings.store}")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


async def _check_store(settings: Settings) -> None:
    """Open and close the store once, so a bad setting fails with one clear line."""
    await (await open_store(settings)).close()


async def _demo(settings: Settings) -> None:
    graph = await open_store(settings)
    try:
        repo = LineageRepository(graph)
        result = await record_demo(repo)
        console.print(f"Recorded {len(result.runs)} runs into [bold]{graph.url}[/bold]:")
        for run in result.runs:
            console.print(f"  {run.name}  {run.status.value}")
        lineage = result.model_lineage
        versions = await repo.get_artifact_versions(list(lineage.artifact_depths))
        console.print("Upstream lineage of the last trained model:")
        for version in sorted(
            (v for v in versions if v), key=lambda v: lineage.artifact_depths[v.id]
        ):
            depth = lineage.artifact_depths[version.id]
            console.print(f"  {'  ' * depth}{version.name} v{version.version}  (depth {depth})")
        total = (await repo.list_runs()).total_count
        console.print(f"The store now holds {total} runs.")
    finally:
        await graph.close()
