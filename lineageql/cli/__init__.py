"""The ``lineageql`` command line (Typer, with Rich tables)."""

from __future__ import annotations

import typer

from lineageql.cli.artifacts import artifact_app, lineage
from lineageql.cli.diff import diff
from lineageql.cli.imports import import_app
from lineageql.cli.models import model_app
from lineageql.cli.pipelines import pipeline_app
from lineageql.cli.serving import demo, serve
from lineageql.cli.store import store_app

app = typer.Typer(
    help="A GraphQL lineage API over a graph database for ML pipelines.",
    no_args_is_help=True,
)
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(artifact_app, name="artifact")
app.add_typer(model_app, name="model")
app.add_typer(store_app, name="store")
app.add_typer(import_app, name="import")
app.command()(lineage)
app.command()(diff)
app.command()(serve)
app.command()(demo)

__all__ = ["app"]
