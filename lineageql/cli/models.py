"""``lineageql model ...``: registered models, their versions and stages, and what changed
between two versions."""

from __future__ import annotations

import json
from typing import Any

import typer

from lineageql.cli.diff import DIFF_COLUMNS, diff_rows, short_step_ids
from lineageql.cli.output import OutputFormat, OutputOption, friendly_errors, show
from lineageql.client import Client, ModelVersionView

model_app = typer.Typer(help="The model registry: models, versions, stages.", no_args_is_help=True)
version_app = typer.Typer(help="Versions of a model.", no_args_is_help=True)
model_app.add_typer(version_app, name="version")

VersionArgument = typer.Argument(
    help="A version: its number, its name, or a stage (production, staging).",
    show_default=False,
)


def version_row(version: ModelVersionView) -> dict[str, Any]:
    return {
        "id": version.id,
        "model": version.model_name,
        "number": version.number,
        "name": version.name,
        "stage": version.stage,
        "created": version.created,
        "model artifact": ", ".join(
            f"{v.name}:{v.version}" for v in version.model_artifacts.values()
        ),
        "runs": version.run_names,
        "metadata": version.metadata,
        "tags": version.tags,
    }


@model_app.command("list")
def list_models(output: OutputFormat = OutputOption) -> None:
    """List registered models, by name."""
    with friendly_errors():
        rows = [
            {
                "id": m.id,
                "name": m.name,
                "latest version": m.latest_version_name,
                "license": m.license,
                "tags": m.tags,
                "created": m.created,
            }
            for m in Client().list_models()
        ]
    show(rows, ["name", "latest version", "license", "tags", "created"], output, "Models")


@version_app.command("list")
def list_versions(
    model: str = typer.Argument(help="The model's name."),
    stage: str | None = typer.Option(None, help="Only versions in this stage."),
    output: OutputFormat = OutputOption,
) -> None:
    """List a model's versions, newest first."""
    with friendly_errors():
        rows = [version_row(v) for v in Client().list_model_versions(model, stage=stage)]
    columns = ["number", "name", "stage", "model artifact", "runs", "created"]
    show(rows, columns, output, f"Versions of {model}")


@version_app.command("update")
def update_version(
    model: str = typer.Argument(help="The model's name."),
    version: str = VersionArgument,
    stage: str = typer.Option(..., help="none, staging, production or archived."),
    force: bool = typer.Option(
        False, "--force", help="Archive the version holding the stage now, if another does."
    ),
    output: OutputFormat = OutputOption,
) -> None:
    """Move a model version to a stage, e.g.
    `lineageql model version update iris_classifier 3 --stage production`."""
    with friendly_errors():
        moved = Client().get_model_version(model, version).set_stage(stage, force=force)
    show([version_row(moved)], ["number", "name", "stage", "model artifact"], output, model)


@model_app.command("diff")
def diff_versions(
    model: str = typer.Argument(help="The model's name."),
    before: str = VersionArgument,
    after: str = VersionArgument,
    depth: int = typer.Option(10, help="How many steps upstream of the model to compare."),
    output: OutputFormat = OutputOption,
) -> None:
    """What changed between two versions of a model: metadata side by side, then the
    lineage of their model artifacts, e.g. `lineageql model diff iris_classifier production
    staging`."""
    with friendly_errors():
        found = Client().diff_model_versions(model, before, after, depth=depth)
    rows: list[dict[str, object]] = [
        {
            "kind": "metadata",
            "name": pair.key,
            "change": "CHANGED" if pair.changed else "SAME",
            "from": pair.before,
            "to": pair.after,
            "details": "",
        }
        for pair in found.metadata
    ]
    if found.lineage is not None:
        rows += diff_rows(found.lineage)
    if output is OutputFormat.json:
        shown = {"model": model, "from": found.before, "to": found.after, "changes": rows}
        typer.echo(json.dumps(shown, indent=2, default=str))
        return
    title = f"{model}: {found.before} -> {found.after}"
    if found.lineage is None:
        title += " (no model artifact on one side: metadata only)"
    show(short_step_ids(rows), DIFF_COLUMNS, output, title)
