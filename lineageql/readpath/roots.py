"""The root query fields the read path answers itself, each one repository read (or a few)
that mirrors the resolver of the same name in ``lineageql.schema.query``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lineageql.arguments import one_of, stored_time
from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import Direction, LineageRepository
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.readpath.objects import LineageValue

RootFetch = Callable[[LineageRepository, dict[str, Any]], Awaitable[Any]]


def _enum_value(value: Any) -> str:
    return str(getattr(value, "value", value))


async def _pipeline(repo: LineageRepository, args: dict[str, Any]) -> Any:
    if one_of(id=args.get("id"), name=args.get("name")) == "id":
        return (await repo.get_pipelines([str(args["id"])]))[0]
    return (await repo.get_pipelines_by_name([str(args["name"])]))[0]


async def _pipeline_run(repo: LineageRepository, args: dict[str, Any]) -> Any:
    which = one_of(id=args.get("id"), name=args.get("name"), namePrefix=args.get("namePrefix"))
    if which == "id":
        return (await repo.get_runs([str(args["id"])]))[0]
    if which == "name":
        return (await repo.get_runs_by_name([str(args["name"])]))[0]
    return await repo.find_run_by_prefix(str(args["namePrefix"]))


async def _step(repo: LineageRepository, args: dict[str, Any]) -> Any:
    return (await repo.get_steps([str(args["id"])]))[0]


async def _artifact(repo: LineageRepository, args: dict[str, Any]) -> Any:
    if one_of(id=args.get("id"), name=args.get("name")) == "id":
        return (await repo.get_artifacts([str(args["id"])]))[0]
    return (await repo.get_artifacts_by_name([str(args["name"])]))[0]


async def _artifact_version(repo: LineageRepository, args: dict[str, Any]) -> Any:
    version, as_of = args.get("version"), args.get("asOf")
    if one_of(id=args.get("id"), name=args.get("name")) == "id":
        if version is not None or as_of is not None:
            raise BadInputError("goes with name, not with id", "version" if version else "asOf")
        return (await repo.get_artifact_versions([str(args["id"])]))[0]
    try:
        return await repo.find_artifact_version(str(args["name"]), version, stored_time(as_of))
    except NotFoundError:
        return None


async def _lineage(repo: LineageRepository, args: dict[str, Any]) -> Any:
    version_id, name = args.get("artifactVersionId"), args.get("artifactName")
    one_of(artifactVersionId=version_id, artifactName=name)
    start = await repo.lineage_start(
        version_id and str(version_id), name, stored_time(args.get("asOf"))
    )
    graph = await repo.lineage(
        start,
        Direction(_enum_value(args.get("direction", "UPSTREAM"))),
        args.get("depth", DEFAULT_LINEAGE_DEPTH),
    )
    versions = await repo.get_artifact_versions(list(graph.artifact_depths))
    steps = await repo.get_steps(graph.step_ids)
    return LineageValue(
        graph, [v for v in versions if v is not None], [s for s in steps if s is not None]
    )


ROOTS: dict[str, RootFetch] = {
    "pipeline": _pipeline,
    "pipelineRun": _pipeline_run,
    "step": _step,
    "artifact": _artifact,
    "artifactVersion": _artifact_version,
    "lineage": _lineage,
}
