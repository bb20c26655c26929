"""``lineageql pipeline ...``: pipelines, their runs, and one run in detail."""

from __future__ import annotations

from typing import Any

import typer
from rich.tree import Tree

from lineageql.cli.output import OutputFormat, OutputOption, console, friendly_errors, show
from lineageql.client import Client, RunView

pipeline_app = typer.Typer(help="Pipelines and their runs.", no_args_is_help=True)
runs_app = typer.Typer(help="Pipeline runs.", no_args_is_help=True)
pipeline_app.add_typer(runs_app, name="runs")


def run_row(run: RunView) -> dict[str, Any]:
    return {
        "id": run.id,
        "name": run.name,
        "pipeline": run.pipeline_name,
        "status": run.status.value,
        "created": run.created,
        "tags": run.tags,
    }


@pipeline_app.command("list")
def list_pipelines(output: OutputFormat = OutputOption) -> None:
    """List pipelines, oldest first."""
    with friendly_errors():
        pipelines = Client().list_pipelines()
        rows = [
            {"id": p.id, "name": p.name, "runs": p.run_count, "created": p.created}
            for p in pipelines
        ]
    show(rows, ["name", "runs", "created", "id"], output, "Pipelines")


@runs_app.command("list")
def list_runs(
    pipeline: str | None = typer.Option(None, "--pipeline", "-p", help="Pipeline name or id."),
    status: str | None = typer.Option(None, help="Only runs with this status."),
    size: int = typer.Option(20, help="How many runs (newest first)."),
    output: OutputFormat = OutputOption,
) -> None:
    """List pipeline runs, newest first."""
    with friendly_errors():
        client = Client()
        if pipeline is not None:
            runs = client.get_pipeline(pipeline).get_runs(size=size, status=status)
        else:
            runs = client.list_pipeline_runs(size=size, status=status)
    show(
        [run_row(run) for run in runs],
        ["name", "pipeline", "status", "created", "id"],
        output,
        "Pipeline runs",
    )


@runs_app.command("describe")
def describe_run(
    run: str = typer.Argument(help="Run id, name or name prefix."),
    output: OutputFormat = OutputOption,
) -> None:
    """A run's steps in execution order, with their status and outputs."""
    with friendly_errors():
        found = Client().get_pipeline_run(run)
        steps: list[dict[str, Any]] = [
            {
                "name": step.name,
                "step": step.step_name,
                "status": step.status.value,
                "parameters": step.parameters,
                "outputs": {
                    name: f"{versions[0].name} v{versions[0].version}"
                    for name, versions in step.outputs.items()
                },
                "error": step.error_message,
            }
            for step in found.steps.values()
        ]
    if output is OutputFormat.json:
        show([{**run_row(found), "steps": steps}], [], output, "")
        return
    tree = Tree(f"[bold]{found.name}[/bold]  {found.status.value}  ({found.pipeline_name})")
    for step in steps:
        branch = tree.add(f"{step['name']}  {step['status']}")
        outputs: dict[str, str] = step["outputs"]
        for output_name, version in outputs.items():
            branch.add(f"{output_name}: {version}")
        if step["error"]:
            branch.add(f"[red]{step['error']}[/red]")
    console.print(tree)
