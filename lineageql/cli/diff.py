"""``lineageql diff``: why two artifact versions differ, as a table or JSON."""

from __future__ import annotations

import json

import typer

from lineageql.cli.output import OutputFormat, OutputOption, friendly_errors, show
from lineageql.client import Client
from lineageql.client.client import UUID
from lineageql.client.diff_views import LineageDiffView, ValueChange
from lineageql.client.views import ArtifactVersionView
from lineageql.errors import NotFoundError

VersionArgument = typer.Argument(
    help="NAME (its latest version), NAME:VERSION, or a version id.", show_default=False
)


def diff(
    before: str = VersionArgument,
    after: str = VersionArgument,
    depth: int = typer.Option(10, help="How many steps upstream to compare."),
    output: OutputFormat = OutputOption,
) -> None:
    """Compare the upstream lineage of two artifact versions, e.g.
    `lineageql diff trained_model:1 trained_model:2`."""
    with friendly_errors():
        client = Client()
        old, new = _version(client, before), _version(client, after)
        found = old.diff(new, depth=depth)
    rows = diff_rows(found)
    if output is OutputFormat.json:
        shown = {**_header(found), "changes": rows}
        typer.echo(json.dumps(shown, indent=2, default=str))
        return
    title = f"{old.name}:{old.version} -> {new.name}:{new.version}"
    if found.truncated:
        title += f" (lineage cut at depth {depth})"
    show(short_step_ids(rows), DIFF_COLUMNS, output, title)


DIFF_COLUMNS = ["kind", "name", "change", "from", "to", "details"]


def short_step_ids(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Step ids shortened to 8 characters to fit a terminal (`--output json` has them whole)."""
    return [
        {**row, "from": _short(row["from"]), "to": _short(row["to"])}
        if row["kind"] == "step"
        else row
        for row in rows
    ]


def _short(step_id: object) -> object:
    return step_id[:8] if isinstance(step_id, str) else step_id


def _version(client: Client, text: str) -> ArtifactVersionView:
    """``text`` as a version id, NAME:VERSION, or NAME (an artifact named with colons, such
    as ``s3://bucket/file``, is tried whole when the split finds nothing)."""
    if UUID.match(text):
        return client.get_artifact_version(text)
    name, colon, version = text.rpartition(":")
    if not (colon and name and version):
        return client.get_artifact_version(text)
    try:
        return client.get_artifact_version(name, version)
    except NotFoundError as error:
        try:
            return client.get_artifact_version(text)
        except NotFoundError:
            raise error from None


def _header(found: LineageDiffView) -> dict[str, object]:
    return {
        "name": found.name,
        "from": found.before_version,
        "to": found.after_version,
        "truncated": found.truncated,
    }


def diff_rows(found: LineageDiffView) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for step in found.steps:
        details = [_changes("parameter", step.parameters), _changes("setting", step.settings)]
        if step.source_changed:
            details.append("source changed")
        if step.git_sha_before != step.git_sha_after:
            details.append(f"git {step.git_sha_before or '-'} -> {step.git_sha_after or '-'}")
        rows.append(
            {
                "kind": "step",
                "name": step.step_name,
                "change": step.change.value,
                "from": step.before.id if step.before else None,
                "to": step.after.id if step.after else None,
                "details": "; ".join(d for d in details if d),
            }
        )
    for artifact in found.artifacts:
        rows.append(
            {
                "kind": "artifact",
                "name": artifact.name,
                "change": artifact.change.value,
                "from": artifact.before.version if artifact.before else None,
                "to": artifact.after.version if artifact.after else None,
                "details": _changes("metadata", artifact.metadata),
            }
        )
    return rows


def _changes(what: str, changes: list[ValueChange]) -> str:
    return ", ".join(
        f"{what} {c.key}: {json.dumps(c.before, default=str)} -> {json.dumps(c.after, default=str)}"
        for c in changes
    )
