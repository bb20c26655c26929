"""Each GraphQL object field's data access, declared once: how to read a scalar field off a
record, and how to fetch a field's children for many parents in one batch.

Both ways of answering a query use this table: the planned executor fetches a field for a
whole level of parents at once, and the schema's resolvers fetch it through a per-request
loader (``lineageql.readpath.field_reads``) that batches the parents asking together.
Arguments arrive under their Python names, as Strawberry converts them.

A fetch answers one value per parent, in parent order; where one parent's value cannot be
made (a record gone, a singular field over several links) its place holds the error, so that
only that parent's field fails.
"""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from lineageql.arguments import stored_time
from lineageql.budget import check_budget
from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import LineageRepository, NodeKind
from lineageql.graph.listing import (
    DEFAULT_PAGE_SIZE,
    IdWindow,
    check_page_size,
    encode_position,
)
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.model_records import ModelArtifactKind, ModelStage
from lineageql.readpath.objects import (
    ColumnLineageValue,
    ColumnNodeValue,
    ConnectionValue,
    EdgeValue,
    LineageGraphNode,
    LineageNodeValue,
    LineageValue,
    ModelArtifactValue,
    PageInfoValue,
    StepArtifactValue,
)
from lineageql.records import (
    ArtifactVersionRecord,
    ExecutionStatus,
    IOLink,
    parse_time,
    split_producers,
)

T = TypeVar("T")
Getter = Callable[[Any], Any]
Fetch = Callable[[LineageRepository, list[Any], dict[str, Any]], Awaitable[list[Any]]]
"""Children for each parent, in parent order: an object or None, a list, or the error."""


@dataclass(frozen=True)
class TypeSpec:
    scalars: dict[str, Getter]
    relations: dict[str, Fetch]


def _time(text: str | None) -> datetime | None:
    return parse_time(text) if text else None


def _attr(name: str) -> Getter:
    return operator.attrgetter(name)


def _ids(parents: Sequence[Any]) -> list[str]:
    return [parent.id for parent in parents]


async def _records(
    get: Callable[[list[str]], Awaitable[Sequence[T | None]]], groups: list[list[str]]
) -> list[list[T]]:
    """Each group of ids as records, read in one batch (missing ones left out); groups
    that together would pass the whole-answer bound are refused before they are built."""
    check_budget(sum(map(len, groups)))
    wanted = list(dict.fromkeys(i for group in groups for i in group))
    found = dict(zip(wanted, await get(wanted), strict=True)) if wanted else {}
    return [[r for i in group if (r := found[i]) is not None] for group in groups]


def _reach(
    read_ids: Callable[[LineageRepository], Callable[[list[str], int], Awaitable[list[list[str]]]]],
    records: Callable[[LineageRepository], Callable[[list[str]], Awaitable[Sequence[Any]]]],
    default_depth: int = 1,
) -> Fetch:
    """The records each parent reaches within ``depth`` (``read_ids(repo)`` walks, then
    ``records(repo)`` reads what it reached, all parents at once)."""

    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        depth = args.get("depth", default_depth)
        return await _records(records(repo), await read_ids(repo)(_ids(parents), depth))

    return fetch


def _linked(
    read_ids: Callable[[LineageRepository, list[str]], Awaitable[list[list[str]]]],
    records: Callable[[LineageRepository], Callable[[list[str]], Awaitable[Sequence[Any]]]],
) -> Fetch:
    """The records each parent links to (``read_ids``), read for all parents at once."""

    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        return await _records(records(repo), await read_ids(repo, _ids(parents)))

    return fetch


def _one(
    read: Callable[[LineageRepository, list[str]], Awaitable[Sequence[Any]]],
    key: Callable[[Any], str],
    gone: Callable[[Any], str],
) -> Fetch:
    """A required to-one field keyed by ``key(parent)``; a gone record is that parent's
    NotFoundError, saying ``gone(parent)``."""

    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        found = await read(repo, [key(parent) for parent in parents])
        return [
            record if record is not None else NotFoundError(gone(parent))
            for parent, record in zip(parents, found, strict=True)
        ]

    return fetch


def _tags(kind: NodeKind) -> Fetch:
    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        return await repo.tags_of(kind, _ids(parents))

    return fetch


def _metadata(kind: NodeKind) -> Fetch:
    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        return await repo.metadata_of(kind, _ids(parents))

    return fetch


async def connections_of(
    windows: list[IdWindow],
    get: Callable[[list[str]], Awaitable[Sequence[Any]]],
) -> list[ConnectionValue]:
    """The connection of each page of ids; the records of every page read at once."""
    pages = await _records(get, [window.shown for window in windows])
    connections = []
    for window, records in zip(windows, pages, strict=True):
        by_id = {record.id: record for record in records}
        edges = [
            EdgeValue(cursor=encode_position(i), node=by_id[i]) for i in window.shown if i in by_id
        ]
        info = PageInfoValue(window.has_next_page, edges[-1].cursor if edges else None)
        connections.append(ConnectionValue(edges, info, window.total_count))
    return connections


def _id_pages(
    read_ids: Callable[[LineageRepository, list[str]], Awaitable[list[list[str]]]],
    records: Callable[[LineageRepository], Callable[[list[str]], Awaitable[Sequence[Any]]]],
) -> Fetch:
    """A connection over each parent's id list (``read_ids``, newest first), paged by
    ``first`` and ``after``; ``records(repo)`` reads the records of a page."""

    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        groups = await read_ids(repo, _ids(parents))
        first, after = args.get("first", DEFAULT_PAGE_SIZE), args.get("after")
        windows = [IdWindow.of(ids, first, after) for ids in groups]
        return await connections_of(windows, records(repo))

    return fetch


# -- pipelines ---------------------------------------------------------------------------


async def _run_count(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    return await repo.run_counts(_ids(parents))


async def _runs(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
    status = args.get("status")
    statuses = [ExecutionStatus(status)] if status is not None else []
    first, after = args.get("first", DEFAULT_PAGE_SIZE), args.get("after")
    # One pipeline at a time: a cursor belongs to one list.
    windows = [(await repo.run_pages([parent.id], first, after, statuses))[0] for parent in parents]
    return await connections_of(windows, repo.get_runs)


def _newest_run(successful: bool) -> Fetch:
    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        as_of = stored_time(args.get("as_of"))
        return await repo.last_runs(_ids(parents), successful=successful, as_of=as_of)

    return fetch


def _declared(direction: str) -> Fetch:
    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        groups = await repo.declared_artifact_ids(_ids(parents), direction)
        return await _records(repo.get_artifacts, groups)

    return fetch


async def _pipeline_versions(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    return await repo.versions_of_pipelines(_ids(parents))


async def _pipeline_version(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    wanted = [run.pipeline_version_id for run in parents if run.pipeline_version_id is not None]
    found = dict(zip(wanted, await repo.get_pipeline_versions(wanted), strict=True))
    return [found.get(run.pipeline_version_id) for run in parents]


# -- runs and steps ----------------------------------------------------------------------


async def _steps(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
    return await repo.steps_of_runs(_ids(parents))


async def _step_by_name(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    groups = await repo.steps_of_runs(_ids(parents))
    return [next((s for s in group if s.name == args["name"]), None) for group in groups]


def _named(
    links: list[IOLink], versions: dict[str, ArtifactVersionRecord | None]
) -> list[StepArtifactValue] | NotFoundError:
    """A step's links with their versions, or the error naming a version that is gone."""
    named = []
    for link in links:
        version = versions[link.artifact_version_id]
        if version is None:
            return NotFoundError(f"artifact version {link.artifact_version_id!r} is gone")
        named.append(StepArtifactValue(link.name, version))
    return named


def _step_artifacts(
    read: Callable[[LineageRepository, list[str]], Awaitable[list[list[IOLink]]]],
) -> Fetch:
    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        link_groups = await read(repo, _ids(parents))
        ids = list(dict.fromkeys(link.artifact_version_id for g in link_groups for link in g))
        found = dict(zip(ids, await repo.get_artifact_versions(ids), strict=True)) if ids else {}
        return [_named(links, found) for links in link_groups]

    return fetch


def _only(which: str, fetch_all: Fetch) -> Fetch:
    """The single input or output (``which``) of each step; several are that step's error."""

    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        answer: list[Any] = []
        for step, group in zip(parents, await fetch_all(repo, parents, args), strict=True):
            if isinstance(group, Exception):
                answer.append(group)
            elif len(group) > 1:
                names = ", ".join(item.name for item in group)
                answer.append(
                    BadInputError(
                        f"step {step.name!r} has several {which}s ({names}); "
                        f"ask for `{which}s` and pick by name",
                        which,
                    )
                )
            else:
                answer.append(group[0] if group else None)
        return answer

    return fetch


# -- artifact versions -------------------------------------------------------------------


def _producers(executed: bool) -> Fetch:
    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        steps = await _records(repo.get_steps, await repo.producers_of(_ids(parents)))
        split = [split_producers(group) for group in steps]
        return [first if executed else reused for first, reused in split]

    return fetch


async def _reuse_count(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    steps = await _records(repo.get_steps, await repo.producers_of(_ids(parents)))
    return [len(split_producers(group)[1]) for group in steps]


async def _consumers(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    return await _records(repo.get_steps, await repo.consumers_of(_ids(parents)))


async def _latest_version(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    groups = await repo.version_ids_of_artifacts(_ids(parents))
    found = await _records(repo.get_artifact_versions, [group[:1] for group in groups])
    return [group[0] if group else None for group in found]


def _held(children_of: Callable[[Any], Any]) -> Fetch:
    """A field whose children the parent already holds (``children_of(parent)``)."""

    async def fetch(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
        return [children_of(parent) for parent in parents]

    return fetch


def _same(attribute: str) -> Fetch:
    """A field whose children are the parent's ``attribute``."""
    return _held(operator.attrgetter(attribute))


# -- columns ---------------------------------------------------------------------------


async def _columns(repo: LineageRepository, parents: list[Any], args: dict[str, Any]) -> list[Any]:
    return await repo.columns_of_versions(_ids(parents))


def _column_nodes(parent: ColumnLineageValue) -> list[ColumnNodeValue]:
    depths = parent.graph.column_depths
    return [ColumnNodeValue(c.id, depths[c.id], c) for c in parent.columns]


# -- models ----------------------------------------------------------------------------

DEFAULT_MODEL_VERSIONS = 20


async def _model_versions(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    """Each model's versions, newest first: those in ``stage`` if given, at most ``first``."""
    stage, first = args.get("stage"), args.get("first", DEFAULT_MODEL_VERSIONS)
    check_page_size(first)
    groups = await repo.models.versions_of_models(_ids(parents))
    wanted = None if stage is None else ModelStage(stage)
    chosen = [[v for v in group if wanted in (None, v.stage)][:first] for group in groups]
    check_budget(sum(map(len, chosen)))
    return chosen


async def _latest_model_version(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    groups = await repo.models.versions_of_models(_ids(parents))
    return [group[0] if group else None for group in groups]


async def _model_artifacts(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    """Each model version's artifact versions with their kinds (only ``kind``, if given)."""
    kind = args.get("kind")
    wanted = None if kind is None else ModelArtifactKind(kind)
    groups = [
        [link for link in links if wanted in (None, link.kind)]
        for links in await repo.models.artifacts_of_model_versions(_ids(parents))
    ]
    versions = await _records(
        repo.get_artifact_versions, [[link.artifact_version_id for link in g] for g in groups]
    )
    answer = []
    for links, found in zip(groups, versions, strict=True):
        by_id = {version.id: version for version in found}
        answer.append(
            [
                ModelArtifactValue(link.kind, by_id[link.artifact_version_id])
                for link in links
                if link.artifact_version_id in by_id
            ]
        )
    return answer


async def _stage_history(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    return await repo.models.stage_histories(_ids(parents))


async def _model_artifact(
    repo: LineageRepository, parents: list[Any], args: dict[str, Any]
) -> list[Any]:
    ids = await repo.models.model_artifact_ids(_ids(parents))
    found = await _records(repo.get_artifact_versions, [[i] if i else [] for i in ids])
    return [group[0] if group else None for group in found]


# -- lineage -----------------------------------------------------------------------------


def _lineage_nodes(parent: LineageValue) -> list[LineageNodeValue]:
    depths = parent.graph.artifact_depths
    return [LineageNodeValue(depths[v.id], v) for v in parent.versions]


def _lineage_edges(parent: LineageValue) -> list[Any]:
    return list(parent.graph.edges)


def _graph_nodes(parent: LineageValue) -> list[LineageGraphNode]:
    """Versions, then steps, as ``Lineage.nodes`` lists them."""
    graph = parent.graph
    nodes = [
        LineageGraphNode(
            "LineageVersionNode",
            v.id,
            "ARTIFACT_VERSION",
            v.name,
            graph.artifact_depths[v.id],
            version=v.version,
            artifact_version=v,
        )
        for v in parent.versions
    ]
    nodes += [
        LineageGraphNode(
            "LineageStepNode",
            s.id,
            "STEP",
            s.name,
            graph.step_depths[s.id],
            status=s.status,
            step=s,
        )
        for s in parent.steps
    ]
    return nodes


def _edge_end(source: bool) -> Getter:
    def get(edge: Any) -> str:
        step_first = (edge.kind == "PRODUCED") == source
        return str(edge.step_id if step_first else edge.artifact_version_id)

    return get


# -- the table ---------------------------------------------------------------------------

_RUN_SCALARS: dict[str, Getter] = {
    "id": _attr("id"),
    "name": _attr("name"),
    "status": _attr("status"),
    "created": lambda r: parse_time(r.created),
    "startTime": lambda r: _time(r.start_time),
    "endTime": lambda r: _time(r.end_time),
    "config": _attr("config"),
    "settings": _attr("settings"),
    "gitSha": _attr("git_sha"),
    "docstring": _attr("docstring"),
}

_STEP_SCALARS: dict[str, Getter] = {
    "id": _attr("id"),
    "name": _attr("name"),
    "stepName": _attr("step_name"),
    "status": _attr("status"),
    "startTime": lambda s: _time(s.start_time),
    "endTime": lambda s: _time(s.end_time),
    "cacheKey": _attr("cache_key"),
    "parameters": _attr("parameters"),
    "settings": _attr("settings"),
    "docstring": _attr("docstring"),
    "errorMessage": _attr("error_message"),
    "sourceHash": _attr("source_hash"),
}

_VERSION_SCALARS: dict[str, Getter] = {
    "id": _attr("id"),
    "name": _attr("name"),
    "version": _attr("version"),
    "type": _attr("type"),
    "dataType": _attr("data_type"),
    "uri": _attr("uri"),
    "materializer": _attr("materializer"),
    "saveType": _attr("save_type"),
    "created": lambda v: parse_time(v.created),
}


_LINEAGE_NODE_SCALARS: dict[str, Getter] = {
    "id": _attr("id"),
    "kind": _attr("kind"),
    "name": _attr("name"),
    "depth": _attr("depth"),
}


def _connection(node_type: str) -> dict[str, TypeSpec]:
    return {
        f"{node_type}Connection": TypeSpec(
            scalars={"totalCount": _attr("total_count")},
            relations={"edges": _same("edges"), "pageInfo": _same("page_info")},
        ),
        f"{node_type}Edge": TypeSpec(
            scalars={"cursor": _attr("cursor")}, relations={"node": _same("node")}
        ),
    }


TYPES: dict[str, TypeSpec] = {
    "Pipeline": TypeSpec(
        scalars={
            "id": _attr("id"),
            "name": _attr("name"),
            "docstring": _attr("docstring"),
            "created": lambda p: parse_time(p.created),
            "namespace": _attr("namespace"),
        },
        relations={
            "runCount": _run_count,
            "runs": _runs,
            "lastRun": _newest_run(successful=False),
            "lastSuccessfulRun": _newest_run(successful=True),
            "tags": _tags(NodeKind.PIPELINE),
            "versions": _pipeline_versions,
            "declaredInputs": _declared("INPUT"),
            "declaredOutputs": _declared("OUTPUT"),
        },
    ),
    "PipelineRun": TypeSpec(
        scalars=_RUN_SCALARS,
        relations={
            "tags": _tags(NodeKind.RUN),
            "runMetadata": _metadata(NodeKind.RUN),
            "pipeline": _one(
                lambda repo, ids: repo.get_pipelines(ids),
                lambda run: run.pipeline_id,
                lambda run: f"the pipeline of run {run.name!r} is gone",
            ),
            "steps": _steps,
            "step": _step_by_name,
            "pipelineVersion": _pipeline_version,
        },
    ),
    "PipelineVersion": TypeSpec(
        scalars={
            "version": _attr("version"),
            "structureHash": _attr("structure_hash"),
            "created": lambda v: parse_time(v.created),
        },
        relations={
            "runs": _id_pages(
                lambda repo, ids: repo.run_ids_of_pipeline_versions(ids),
                lambda repo: repo.get_runs,
            ),
        },
    ),
    "Step": TypeSpec(
        scalars=_STEP_SCALARS,
        relations={
            "runMetadata": _metadata(NodeKind.STEP),
            "run": _one(
                lambda repo, ids: repo.get_runs(ids),
                lambda step: step.run_id,
                lambda step: f"the run of step {step.name!r} is gone",
            ),
            "inputs": _step_artifacts(lambda repo, ids: repo.inputs_of_steps(ids)),
            "outputs": _step_artifacts(lambda repo, ids: repo.outputs_of_steps(ids)),
            "input": _only("input", _step_artifacts(lambda repo, ids: repo.inputs_of_steps(ids))),
            "output": _only(
                "output", _step_artifacts(lambda repo, ids: repo.outputs_of_steps(ids))
            ),
            "upstreamSteps": _reach(lambda r: r.upstream_step_ids, lambda r: r.get_steps),
            "downstreamSteps": _reach(lambda r: r.downstream_step_ids, lambda r: r.get_steps),
        },
    ),
    "StepArtifact": TypeSpec(
        scalars={"name": _attr("name")},
        relations={"artifactVersion": _same("artifact_version")},
    ),
    "ArtifactVersion": TypeSpec(
        scalars=_VERSION_SCALARS,
        relations={
            "visualizations": _same("visualizations"),
            "tags": _tags(NodeKind.ARTIFACT_VERSION),
            "runMetadata": _metadata(NodeKind.ARTIFACT_VERSION),
            "artifact": _one(
                lambda repo, ids: repo.get_artifacts(ids),
                lambda version: version.artifact_id,
                lambda version: f"the artifact of version {version.id!r} is gone",
            ),
            "producedBy": _producers(executed=True),
            "reusedBy": _producers(executed=False),
            "consumedBy": _consumers,
            "upstream": _reach(
                lambda r: r.upstream_version_ids,
                lambda r: r.get_artifact_versions,
                DEFAULT_LINEAGE_DEPTH,
            ),
            "downstream": _reach(
                lambda r: r.downstream_version_ids,
                lambda r: r.get_artifact_versions,
                DEFAULT_LINEAGE_DEPTH,
            ),
            "columns": _columns,
            "modelVersions": _linked(
                lambda repo, ids: repo.models.model_versions_holding(ids),
                lambda repo: repo.models.get_model_versions,
            ),
        },
    ),
    "Column": TypeSpec(
        scalars={
            "id": _attr("id"),
            "name": _attr("name"),
            "type": _attr("type"),
            "description": _attr("description"),
        },
        relations={
            "artifactVersion": _one(
                lambda repo, ids: repo.get_artifact_versions(ids),
                lambda column: column.version_id,
                lambda column: f"the artifact version of column {column.name!r} is gone",
            ),
            "upstream": _reach(lambda r: r.upstream_column_ids, lambda r: r.get_columns),
            "downstream": _reach(lambda r: r.downstream_column_ids, lambda r: r.get_columns),
        },
    ),
    "ColumnLineage": TypeSpec(
        scalars={"truncated": lambda lineage: lineage.graph.truncated},
        relations={
            "nodes": _held(_column_nodes),
            "edges": _held(lambda lineage: list(lineage.graph.links)),
        },
    ),
    "ColumnLineageNode": TypeSpec(
        scalars={"id": _attr("id"), "depth": _attr("depth")},
        relations={"column": _same("column")},
    ),
    "ColumnLineageEdge": TypeSpec(
        scalars={
            "source": _attr("source_id"),
            "target": _attr("column_id"),
            "transformation": _attr("transformation"),
            "subtype": _attr("subtype"),
            "description": _attr("description"),
            "masking": _attr("masking"),
        },
        relations={},
    ),
    "Artifact": TypeSpec(
        scalars={
            "id": _attr("id"),
            "name": _attr("name"),
            "created": lambda a: parse_time(a.created),
            "namespace": _attr("namespace"),
        },
        relations={
            "tags": _tags(NodeKind.ARTIFACT),
            "latestVersion": _latest_version,
            "versions": _id_pages(
                lambda repo, ids: repo.version_ids_of_artifacts(ids),
                lambda repo: repo.get_artifact_versions,
            ),
        },
    ),
    "Model": TypeSpec(
        scalars={
            "id": _attr("id"),
            "name": _attr("name"),
            "created": lambda m: parse_time(m.created),
            "description": _attr("description"),
            "license": _attr("license"),
            "audience": _attr("audience"),
            "useCases": _attr("use_cases"),
            "limitations": _attr("limitations"),
            "tradeOffs": _attr("trade_offs"),
            "ethics": _attr("ethics"),
        },
        relations={
            "tags": _tags(NodeKind.MODEL),
            "versions": _model_versions,
            "latestVersion": _latest_model_version,
        },
    ),
    "ModelVersion": TypeSpec(
        scalars={
            "id": _attr("id"),
            "number": _attr("number"),
            "name": _attr("name"),
            "stage": _attr("stage"),
            "created": lambda v: parse_time(v.created),
            "description": _attr("description"),
        },
        relations={
            "model": _one(
                lambda repo, ids: repo.models.get_models(ids),
                lambda version: version.model_id,
                lambda version: f"the model of version {version.name!r} is gone",
            ),
            "artifacts": _model_artifacts,
            "modelArtifact": _model_artifact,
            "runs": _linked(
                lambda repo, ids: repo.models.run_ids_of_model_versions(ids),
                lambda repo: repo.get_runs,
            ),
            "stageHistory": _stage_history,
            "tags": _tags(NodeKind.MODEL_VERSION),
            "runMetadata": _metadata(NodeKind.MODEL_VERSION),
        },
    ),
    "ModelArtifact": TypeSpec(
        scalars={"kind": _attr("kind")},
        relations={"artifactVersion": _same("artifact_version")},
    ),
    "StageChange": TypeSpec(
        scalars={
            "fromStage": _attr("from_stage"),
            "toStage": _attr("to_stage"),
            "at": lambda c: parse_time(c.at),
            "by": _attr("by"),
        },
        relations={},
    ),
    "Visualization": TypeSpec(scalars={"type": _attr("type"), "uri": _attr("uri")}, relations={}),
    "MetadataEntry": TypeSpec(
        scalars={
            "key": _attr("key"),
            "value": _attr("value"),
            "type": lambda m: m.type.value,
        },
        relations={},
    ),
    "PageInfo": TypeSpec(
        scalars={"hasNextPage": _attr("has_next_page"), "endCursor": _attr("end_cursor")},
        relations={},
    ),
    **_connection("Pipeline"),
    **_connection("PipelineRun"),
    **_connection("Artifact"),
    **_connection("ArtifactVersion"),
    **_connection("Model"),
    "Lineage": TypeSpec(
        scalars={"truncated": lambda lineage: lineage.graph.truncated},
        relations={
            "artifactVersions": _held(_lineage_nodes),
            "nodes": _held(_graph_nodes),
            "steps": _held(lambda lineage: list(lineage.steps)),
            "edges": _held(_lineage_edges),
        },
    ),
    "LineageVersionNode": TypeSpec(
        scalars={**_LINEAGE_NODE_SCALARS, "version": _attr("version")},
        relations={"artifactVersion": _same("artifact_version"), "reuseCount": _reuse_count},
    ),
    "LineageStepNode": TypeSpec(
        scalars={**_LINEAGE_NODE_SCALARS, "status": _attr("status")},
        relations={"step": _same("step")},
    ),
    "LineageArtifactNode": TypeSpec(
        scalars={"depth": _attr("depth")},
        relations={"artifactVersion": _same("artifact_version")},
    ),
    "LineageEdge": TypeSpec(
        scalars={
            "kind": _attr("kind"),
            "stepId": _attr("step_id"),
            "artifactVersionId": _attr("artifact_version_id"),
            "name": _attr("name"),
            "source": _edge_end(source=True),
            "target": _edge_end(source=False),
        },
        relations={},
    ),
}
