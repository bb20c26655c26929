"""DataLoaders over the repository's batched reads, built fresh for every request.

Each loader turns the keys that one GraphQL execution asks for at the same moment into one
repository call, and so into one store round trip; loaders that answer the records of ids
they found (lineage, producers, consumers) make one more, for all those records at once.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from lineageql.graph import LineageRepository, NodeKind
from lineageql.records import (
    ArtifactRecord,
    ArtifactVersionRecord,
    IOLink,
    MetadataRecord,
    PipelineRecord,
    PipelineVersionRecord,
    RunRecord,
    StepRecord,
)

K = TypeVar("K")
V = TypeVar("V")
DepthKey = tuple[str, int]


def _by_depth(
    read: Callable[[Sequence[str], int], Awaitable[list[list[str]]]],
) -> Callable[[list[DepthKey]], Awaitable[list[list[str]]]]:
    """A load function for (id, depth) keys: one read per distinct depth asked for."""

    async def load(keys: list[DepthKey]) -> list[list[str]]:
        ids_by_depth: dict[int, list[str]] = defaultdict(list)
        for node_id, depth in keys:
            ids_by_depth[depth].append(node_id)
        answers: dict[DepthKey, list[str]] = {}
        for depth, ids in ids_by_depth.items():
            for node_id, found in zip(ids, await read(ids, depth), strict=True):
                answers[(node_id, depth)] = found
        return [answers[key] for key in keys]

    return load


def _with_records(
    read_ids: Callable[[list[K]], Awaitable[list[list[str]]]],
    get: Callable[[list[str]], Awaitable[Sequence[V | None]]],
) -> Callable[[list[K]], Awaitable[list[list[V]]]]:
    """A load function answering records instead of ids: one read of every id found."""

    async def load(keys: list[K]) -> list[list[V]]:
        groups = await read_ids(keys)
        wanted = list(dict.fromkeys(node_id for group in groups for node_id in group))
        found = dict(zip(wanted, await get(wanted), strict=True)) if wanted else {}
        return [[r for node_id in group if (r := found[node_id]) is not None] for group in groups]

    return load


class SharedDataLoader(DataLoader[K, V]):
    """A DataLoader whose answers one cancelled caller cannot cancel for the others.

    Every caller of ``load(key)`` awaits one shared future. When graphql-core gives up on a
    branch (a required field failed) it cancels that branch's tasks, and cancelling a task
    cancels the future it awaits, so another branch awaiting the same key would get a
    CancelledError that escapes the whole execution. Each caller awaits a shield instead.
    """

    def load(self, key: K) -> Awaitable[V]:
        return asyncio.shield(super().load(key))


def _loader(load: Callable[[list[str]], Awaitable[list[V]]]) -> DataLoader[str, V]:
    return SharedDataLoader(load_fn=load)


@dataclass(frozen=True)
class Loaders:
    """Every loader one request may use."""

    pipeline: DataLoader[str, PipelineRecord | None]
    run: DataLoader[str, RunRecord | None]
    step: DataLoader[str, StepRecord | None]
    artifact: DataLoader[str, ArtifactRecord | None]
    version: DataLoader[str, ArtifactVersionRecord | None]
    pipeline_version: DataLoader[str, PipelineVersionRecord | None]
    versions_of_pipeline: DataLoader[str, list[PipelineVersionRecord]]
    run_ids_of_pipeline_version: DataLoader[str, list[str]]
    run_count: DataLoader[str, int]
    run_ids_of_pipeline: DataLoader[str, list[str]]
    steps_of_run: DataLoader[str, list[StepRecord]]
    inputs_of_step: DataLoader[str, list[IOLink]]
    outputs_of_step: DataLoader[str, list[IOLink]]
    version_ids_of_artifact: DataLoader[str, list[str]]
    producers: DataLoader[str, list[StepRecord]]
    consumers: DataLoader[str, list[StepRecord]]
    tags: dict[NodeKind, DataLoader[str, list[str]]]
    metadata: dict[NodeKind, DataLoader[str, list[MetadataRecord]]]
    upstream_versions: DataLoader[DepthKey, list[ArtifactVersionRecord]]
    downstream_versions: DataLoader[DepthKey, list[ArtifactVersionRecord]]
    upstream_steps: DataLoader[DepthKey, list[StepRecord]]
    downstream_steps: DataLoader[DepthKey, list[StepRecord]]

    @classmethod
    def build(cls, repo: LineageRepository) -> Loaders:
        def tags_for(kind: NodeKind) -> DataLoader[str, list[str]]:
            return _loader(lambda ids: repo.tags_of(kind, ids))

        def metadata_for(kind: NodeKind) -> DataLoader[str, list[MetadataRecord]]:
            return _loader(lambda ids: repo.metadata_of(kind, ids))

        return cls(
            pipeline=_loader(repo.get_pipelines),
            run=_loader(repo.get_runs),
            step=_loader(repo.get_steps),
            artifact=_loader(repo.get_artifacts),
            version=_loader(repo.get_artifact_versions),
            pipeline_version=_loader(repo.get_pipeline_versions),
            versions_of_pipeline=_loader(repo.versions_of_pipelines),
            run_ids_of_pipeline_version=_loader(repo.run_ids_of_pipeline_versions),
            run_count=_loader(repo.run_counts),
            run_ids_of_pipeline=_loader(repo.run_ids_of_pipelines),
            steps_of_run=_loader(repo.steps_of_runs),
            inputs_of_step=_loader(repo.inputs_of_steps),
            outputs_of_step=_loader(repo.outputs_of_steps),
            version_ids_of_artifact=_loader(repo.version_ids_of_artifacts),
            producers=SharedDataLoader(load_fn=_with_records(repo.producers_of, repo.get_steps)),
            consumers=SharedDataLoader(load_fn=_with_records(repo.consumers_of, repo.get_steps)),
            tags={kind: tags_for(kind) for kind in NodeKind if kind is not NodeKind.STEP},
            metadata={
                kind: metadata_for(kind)
                for kind in (NodeKind.RUN, NodeKind.STEP, NodeKind.ARTIFACT_VERSION)
            },
            upstream_versions=SharedDataLoader(
                load_fn=_with_records(
                    _by_depth(repo.upstream_version_ids), repo.get_artifact_versions
                )
            ),
            downstream_versions=SharedDataLoader(
                load_fn=_with_records(
                    _by_depth(repo.downstream_version_ids), repo.get_artifact_versions
                )
            ),
            upstream_steps=SharedDataLoader(
                load_fn=_with_records(_by_depth(repo.upstream_step_ids), repo.get_steps)
            ),
            downstream_steps=SharedDataLoader(
                load_fn=_with_records(_by_depth(repo.downstream_step_ids), repo.get_steps)
            ),
        )
