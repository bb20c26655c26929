"""``lineageql artifact ...`` and ``lineageql lineage``: artifacts, versions, pruning, and
lineage printed as a tree."""

from __future__ import annotations

from collections import Counter
from typing import Any

import typer
from rich.tree import Tree

from lineageql.cli.output import OutputFormat, OutputOption, console, friendly_errors, show
from lineageql.client import Client
from lineageql.client.client import UUID
from lineageql.errors import BadInputError

artifact_app = typer.Typer(help="Artifacts and their versions.", no_args_is_help=True)
version_app = typer.Typer(help="Artifact versions.", no_args_is_help=True)
artifact_app.add_typer(version_app, name="version")


@artifact_app.command("list")
def list_artifacts(output: OutputFormat = OutputOption) -> None:
    """List artifacts by name, with their latest version."""
    with friendly_errors():
        rows = [
            {
                "id": a.id,
                "name": a.name,
                "latest": a.latest_version,
                "versions": a.version_count,
                "tags": a.tags,
                "created": a.created,
            }
            for a in Client().list_artifacts()
        ]
    show(rows, ["name", "latest", "versions", "tags", "id"], output, "Artifacts")


@version_app.command("list")
def list_versions(
    name: str | None = typer.Argument(None, help="Only versions of this artifact."),
    output: OutputFormat = OutputOption,
) -> None:
    """List artifact versions, newest first."""
    with friendly_errors():
        rows = [
            {
                "id": v.id,
                "name": v.name,
                "version": v.version,
                "type": v.type,
                "data_type": v.data_type,
                "uri": v.uri,
                "tags": v.tags,
                "created": v.created,
            }
            for v in Client().list_artifact_versions(name)
        ]
    show(
        rows, ["name", "version", "type", "data_type", "created", "id"], output, "Artifact versions"
    )


@artifact_app.command("prune")
def prune(
    only_artifact: bool = typer.Option(False, help="Delete only the files."),
    only_metadata: bool = typer.Option(False, help="Delete only the records."),
    ignore_errors: bool = typer.Option(False, help="Go on past files that cannot be deleted."),
    threads: int = typer.Option(1, "--threads", "-t", help="Files deleted at a time."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete artifact versions that no run produced or consumed."""
    with friendly_errors():
        if only_artifact and only_metadata:
            raise BadInputError("--only-artifact and --only-metadata exclude each other")
        client = Client()
        unused = client.unused_artifact_versions()
        if not unused:
            console.print("No unused artifact versions.")
            return
        console.print(f"{len(unused)} artifact versions no run uses:")
        for version in unused:
            console.print(f"  {version.name} v{version.version}  {version.uri}", markup=False)
        if not yes and not typer.confirm(
            f"Delete the {len(unused)} version{'' if len(unused) == 1 else 's'} listed?"
        ):
            raise typer.Exit(1)
        result = client.prune_artifacts(
            only_artifact=only_artifact,
            only_metadata=only_metadata,
            ignore_errors=ignore_errors,
            threads=threads,
            version_ids=[version.id for version in unused],
        )
    deleted = len(result["deletedVersionIds"])
    console.print(f"Deleted {deleted} version records and {len(result['deletedUris'])} file sets.")
    if not only_artifact and deleted < len(unused):
        console.print(f"  {len(unused) - deleted} versions were kept: a run uses them now.")
    for uri in result["keptUris"]:
        console.print(f"  kept (outside the artifact store): {uri}", markup=False)
    for kept in result["inUse"]:
        console.print(f"  kept (in use): {kept['uri']}: {kept['reason']}", markup=False)
    for failure in result["failures"]:
        console.print(f"  could not delete {failure['uri']}: {failure['message']}", markup=False)
    if result["stopped"]:
        console.print(f"Stopped early: {result['stopped']}", markup=False)
        for uri in result["leftUris"]:
            console.print(f"  left in place: {uri}", markup=False)
        raise typer.Exit(1)


def lineage(
    artifact: str = typer.Argument(help="Artifact name (its latest version) or version id."),
    depth: int = typer.Option(3, help="How many steps to follow."),
    downstream: bool = typer.Option(False, help="Follow what was derived from it instead."),
    version: str | None = typer.Option(None, help="A version of the named artifact."),
    column: str | None = typer.Option(
        None, help="Follow one column of it instead (column-level lineage)."
    ),
) -> None:
    """Print the upstream (or downstream) lineage of an artifact version as a tree."""
    with friendly_errors():
        client = Client()
        by_id = UUID.match(artifact) and version is None
        start = client.get_artifact_version(artifact, None if by_id else version)
        if column is not None:
            found = client.column_lineage(start.id, column, downstream=downstream, depth=depth)
            console.print(_column_tree(found, downstream))
            return
        graph = client.lineage(start.id, downstream=downstream, depth=depth)
    reuses = {node["id"]: node.get("reuseCount", 0) for node in graph["nodes"]}
    versions = {
        v["artifactVersion"]["id"]: {
            **v["artifactVersion"],
            "reuses": reuses.get(v["artifactVersion"]["id"], 0),
        }
        for v in graph["artifactVersions"]
    }
    steps = {s["id"]: s for s in graph["steps"]}
    # Upstream, a version's producer leads to what that step consumed; downstream, its
    # consumers lead to what they produced.
    toward_step = "CONSUMED" if downstream else "PRODUCED"
    step_of: dict[str, list[str]] = {}
    versions_of: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        if edge["kind"] == toward_step:
            step_of.setdefault(edge["artifactVersionId"], []).append(edge["stepId"])
        else:
            versions_of.setdefault(edge["stepId"], []).append(edge["artifactVersionId"])
    tree = Tree(_label(versions[start.id]))
    _grow(tree, start.id, step_of, versions_of, versions, steps, {start.id})
    console.print(tree)


def _grow(
    tree: Tree,
    version_id: str,
    step_of: dict[str, list[str]],
    versions_of: dict[str, list[str]],
    versions: dict[str, dict[str, Any]],
    steps: dict[str, dict[str, str]],
    seen: set[str],
) -> None:
    """Add the steps next to ``version_id`` (grouped by step name, since other runs share
    them) and, under each, the versions one step further."""
    by_name: dict[str, list[str]] = {}
    for step_id in dict.fromkeys(step_of.get(version_id, [])):
        by_name.setdefault(steps[step_id]["name"], []).append(step_id)
    for name in sorted(by_name):
        group = by_name[name]
        statuses = Counter(steps[step_id]["status"].lower() for step_id in group)
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        branch = tree.add(f"[cyan]{name}[/cyan]  {summary}")
        reached = dict.fromkeys(v for step_id in group for v in versions_of.get(step_id, []))
        for next_id in sorted(reached, key=lambda v: (versions[v]["name"], versions[v]["version"])):
            if next_id in seen:
                branch.add(_label(versions[next_id]) + "  (shown above)")
                continue
            seen.add(next_id)
            leaf = branch.add(_label(versions[next_id]))
            _grow(leaf, next_id, step_of, versions_of, versions, steps, seen)


def _column_tree(graph: dict[str, Any], downstream: bool) -> Tree:
    """Column lineage as a tree from the start column: under each column, the columns it
    came from (or that came from it), each with the transformation between them."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    next_of: dict[str, list[dict[str, Any]]] = {}
    for edge in graph["edges"]:
        near, far = (
            (edge["source"], edge["target"]) if downstream else (edge["target"], edge["source"])
        )
        next_of.setdefault(near, []).append({**edge, "far": far})
    start = next(node for node in graph["nodes"] if node["depth"] == 0)
    tree = Tree(_column_label(start))
    seen = {start["id"]}

    def grow(branch: Tree, column_id: str) -> None:
        for edge in sorted(
            next_of.get(column_id, []), key=lambda e: _column_label(nodes[e["far"]])
        ):
            how = " ".join(part for part in (edge["transformation"], edge["subtype"]) if part)
            masked = " [yellow]masked[/yellow]" if edge["masking"] else ""
            label = f"{_column_label(nodes[edge['far']])}  [cyan]{how.lower()}[/cyan]{masked}"
            if edge["far"] in seen:
                branch.add(label + "  (shown above)")
                continue
            seen.add(edge["far"])
            grow(branch.add(label), edge["far"])

    grow(tree, start["id"])
    if graph["truncated"]:
        tree.add("[dim]... more beyond --depth[/dim]")
    return tree


def _column_label(node: dict[str, Any]) -> str:
    column, version = node["column"], node["column"]["artifactVersion"]
    kind = f" [dim]{column['type']}[/dim]" if column["type"] else ""
    return f"[bold]{column['name']}[/bold]{kind}  {version['name']} v{version['version']}"


def _label(version: dict[str, Any]) -> str:
    """A version's line: name, version, id, and how many cached steps reused it."""
    reused = version.get("reuses", 0)
    note = f"  [yellow]reused by {reused} cached step{'s' if reused != 1 else ''}[/yellow]"
    shown = f"[bold]{version['name']}[/bold] v{version['version']}  [dim]{version['id']}[/dim]"
    return shown + (note if reused else "")
