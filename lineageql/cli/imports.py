"""``lineageql import zenml``: bring a ZenML store's history into the configured store."""

from __future__ import annotations

import asyncio
import json
import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lineageql.cli.output import OutputFormat, OutputOption, console, friendly_errors
from lineageql.graph import LineageRepository, open_store
from lineageql.settings import Settings
from lineageql.zenml_import import ZenMLExport, ZenMLSource, plan_import, write_import

import_app = typer.Typer(help="Bring other systems' history in.", no_args_is_help=True)


@import_app.command("zenml")
def zenml(
    zenml_python: str | None = typer.Option(
        None, help="The Python of ZenML's environment (default: beside the `zenml` command)."
    ),
    zenml_config: str | None = typer.Option(
        None, help="A local ZenML store's config folder (ZENML_CONFIG_PATH; default ZenML's)."
    ),
    url: str | None = typer.Option(None, help="A ZenML server's URL instead of a local store."),
    api_key: str | None = typer.Option(None, help="The ZenML server's API key."),
    since: str | None = typer.Option(
        None, help="Only runs and artifact versions created at or after this ISO time."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be imported."),
    output: OutputFormat = OutputOption,
) -> None:
    """Import a ZenML store's pipelines, runs, steps, artifact versions, links and models
    into lineageql's store, keeping ZenML's ids and times. Run it again at any time: what
    is already here is skipped, what is new in ZenML is added."""
    source = ZenMLSource(python=zenml_python, config_path=zenml_config, url=url, api_key=api_key)
    with friendly_errors():
        started = time.perf_counter()
        export = source.read(since)
        read_seconds = time.perf_counter() - started
        summary = asyncio.run(_import(export, dry_run, output is OutputFormat.table))
    summary.update(
        zenml_version=export.store_version,
        read_seconds=round(read_seconds, 2),
        total_seconds=round(time.perf_counter() - started, 2),
    )
    if output is OutputFormat.json:
        typer.echo(json.dumps(summary, indent=2))
        return
    verb = "Would import" if dry_run else "Imported"
    console.print(
        f"{verb} {summary['runs']} runs ({summary['steps']} steps), "
        f"{summary['artifact_versions']} artifact versions not produced by an imported step "
        f"and {summary['model_versions']} model versions from ZenML {export.store_version}; "
        f"{summary['runs_already_here']} runs were already here.",
        markup=False,
    )
    if not dry_run:
        console.print(
            f"Read ZenML in {summary['read_seconds']} s, wrote {summary['elements']:,} "
            f"elements in {summary['write_seconds']} s.",
            markup=False,
        )


async def _import(export: ZenMLExport, dry_run: bool, progress_bar: bool) -> dict[str, object]:
    store = await open_store(Settings())
    try:
        repo = LineageRepository(store)
        plan = await plan_import(repo, export)
        models = sum(len(m["versions"]) for m in plan.models)
        summary: dict[str, object] = {
            "runs": len(plan.runs),
            "steps": sum(len(run.steps) for run in plan.runs),
            "artifact_versions": len(plan.artifacts),
            "runs_already_here": plan.skipped_runs,
            "elements": plan.elements,
            "model_versions": models,
            "dry_run": dry_run,
        }
        if dry_run:
            return summary
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, disable=not progress_bar) as progress:
            task = progress.add_task("importing", total=len(plan.artifacts) + len(plan.runs))
            result = await write_import(repo, plan, lambda n: progress.advance(task, n))
        summary.update(
            write_seconds=round(result.write_seconds, 2), model_versions=result.model_versions
        )
        return summary
    finally:
        await store.close()
