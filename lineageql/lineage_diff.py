"""Why two artifact versions differ: their upstream lineage compared step by step.

Each side is the upstream subgraph of one version (``LineageRepository.lineage``). Its steps
are the producers of the versions in it: where a version has several (a cached step reusing
another's output), the one in the run of the side's own producer is taken, else the step
that executed. Steps are matched across the sides by name, and where a name occurs more than
once on a side, by position: the occurrences nearest the start version pair first (ordered
by depth, then creation time). Artifact versions are matched the same way by artifact name.

The store is asked a fixed number of times whatever the size of the graphs: the two walks,
then one batched read each for the steps, the versions, the steps' runs and the versions'
metadata.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lineageql.graph import Direction, LineageRepository, NodeKind
from lineageql.records import (
    ArtifactVersionRecord,
    ChangeKind,
    ExecutionStatus,
    LineageGraph,
    RunRecord,
    StepRecord,
)

T = TypeVar("T")

DEFAULT_DIFF_DEPTH = 10


@dataclass(frozen=True)
class ValueChange:
    """A key whose value differs; None where a side does not have the key."""

    key: str
    before: Any
    after: Any


@dataclass
class StepChange:
    step_name: str
    change: ChangeKind
    before: StepRecord | None
    after: StepRecord | None
    parameters: list[ValueChange] = field(default_factory=list)
    settings: list[ValueChange] = field(default_factory=list)
    source_changed: bool = False
    git_sha_before: str | None = None
    git_sha_after: str | None = None


@dataclass
class ArtifactChange:
    name: str
    change: ChangeKind
    before: ArtifactVersionRecord | None
    after: ArtifactVersionRecord | None
    metadata: list[ValueChange] = field(default_factory=list)


@dataclass
class LineageDiff:
    before: ArtifactVersionRecord
    after: ArtifactVersionRecord
    steps: list[StepChange]
    artifacts: list[ArtifactChange]
    truncated: bool


@dataclass
class _Side:
    """One version's upstream subgraph, with the records the comparison reads."""

    graph: LineageGraph
    versions: dict[str, ArtifactVersionRecord]
    steps: dict[str, StepRecord]
    producers: dict[str, list[str]]
    """Each version's producing steps in the subgraph, in id order."""

    def depth_of_step(self, step_id: str) -> int:
        return self.graph.step_depths.get(step_id, 0)

    def chosen_steps(self, start_id: str) -> list[StepRecord]:
        """One producer per version: the one in the start version's run if it has one there,
        else the one that executed (cached steps only reuse outputs)."""
        head = self._executed(self.producers.get(start_id, []))
        run_id = head.run_id if head else None
        chosen: dict[str, StepRecord] = {}
        for step_ids in self.producers.values():
            candidates = [self.steps[s] for s in step_ids if s in self.steps]
            pick = next((s for s in candidates if s.run_id == run_id), None) or self._executed(
                [s.id for s in candidates]
            )
            if pick is not None:
                chosen[pick.id] = pick
        return list(chosen.values())

    def _executed(self, step_ids: Sequence[str]) -> StepRecord | None:
        candidates = [self.steps[s] for s in step_ids if s in self.steps]
        candidates.sort(key=lambda s: (s.created, s.id))
        return next(
            (s for s in candidates if s.status is not ExecutionStatus.CACHED),
            candidates[0] if candidates else None,
        )

    def outputs_of(self, step_id: str) -> set[str]:
        return {v for v, steps in self.producers.items() if step_id in steps}


async def diff_lineage(
    repo: LineageRepository,
    from_id: str,
    to_id: str,
    depth: int = DEFAULT_DIFF_DEPTH,
) -> LineageDiff:
    """Compare the upstream lineage of version ``from_id`` with that of ``to_id``."""
    graphs = [await repo.lineage(i, Direction.UPSTREAM, depth) for i in (from_id, to_id)]
    version_ids = list(dict.fromkeys(v for g in graphs for v in g.artifact_depths))
    step_ids = list(dict.fromkeys(s for g in graphs for s in g.step_ids))
    versions = _present(version_ids, await repo.get_artifact_versions(version_ids))
    steps = _present(step_ids, await repo.get_steps(step_ids))
    run_ids = list(dict.fromkeys(step.run_id for step in steps.values()))
    runs: dict[str, RunRecord] = _present(run_ids, await repo.get_runs(run_ids))
    metadata = {
        vid: {entry.key: entry.value for entry in entries}
        for vid, entries in zip(
            version_ids, await repo.metadata_of(NodeKind.ARTIFACT_VERSION, version_ids), strict=True
        )
    }
    before, after = (_side(graph, versions, steps) for graph in graphs)
    step_changes = [
        _step_change(before, after, pair, runs)
        for pair in _pairs(
            before.chosen_steps(from_id),
            after.chosen_steps(to_id),
            name=lambda s: s.name,
            order=lambda s, side: (side.depth_of_step(s.id), s.created, s.id),
            sides=(before, after),
        )
    ]
    artifact_changes = [
        _artifact_change(pair, metadata)
        for pair in _pairs(
            list(before.versions.values()),
            list(after.versions.values()),
            name=lambda v: v.name,
            order=lambda v, side: (side.graph.artifact_depths[v.id], v.created, v.id),
            sides=(before, after),
        )
    ]
    return LineageDiff(
        before=versions[from_id],
        after=versions[to_id],
        steps=step_changes,
        artifacts=artifact_changes,
        truncated=any(g.truncated for g in graphs),
    )


def _present(ids: Sequence[str], found: Sequence[T | None]) -> dict[str, T]:
    return {i: record for i, record in zip(ids, found, strict=True) if record is not None}


def _side(
    graph: LineageGraph, versions: dict[str, ArtifactVersionRecord], steps: dict[str, StepRecord]
) -> _Side:
    producers: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if edge.kind == "PRODUCED" and edge.artifact_version_id in graph.artifact_depths:
            producers[edge.artifact_version_id].append(edge.step_id)
    return _Side(
        graph=graph,
        versions={v: versions[v] for v in graph.artifact_depths if v in versions},
        steps={s: steps[s] for s in graph.step_ids if s in steps},
        producers={v: sorted(set(s)) for v, s in producers.items()},
    )


@dataclass(frozen=True)
class _Pair:
    name: str
    before: Any
    after: Any
    position: tuple[Any, ...]


def _pairs(
    befores: list[T],
    afters: list[T],
    *,
    name: Callable[[T], str],
    order: Callable[[T, _Side], tuple[Any, ...]],
    sides: tuple[_Side, _Side],
) -> list[_Pair]:
    """Items matched by name, the n-th nearest occurrence of a name with the n-th; the
    pairs ordered by their position (the nearer side's), then name."""
    grouped: list[dict[str, list[T]]] = []
    for items, side in zip((befores, afters), sides, strict=True):
        by_name: dict[str, list[T]] = defaultdict(list)
        for item in sorted(items, key=lambda i: order(i, side)):
            by_name[name(item)].append(item)
        grouped.append(by_name)
    pairs = []
    for key in sorted(set(grouped[0]) | set(grouped[1])):
        olds, news = grouped[0].get(key, []), grouped[1].get(key, [])
        for index in range(max(len(olds), len(news))):
            old = olds[index] if index < len(olds) else None
            new = news[index] if index < len(news) else None
            positions = [
                order(item, side)[0]
                for item, side in ((old, sides[0]), (new, sides[1]))
                if item is not None
            ]
            pairs.append(_Pair(key, old, new, (min(positions), key, index)))
    return sorted(pairs, key=lambda pair: pair.position)


def value_changes(before: dict[str, Any], after: dict[str, Any]) -> list[ValueChange]:
    return [
        ValueChange(key, before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key) or (key in before) != (key in after)
    ]


def _kind(before: object | None, after: object | None, same: bool) -> ChangeKind:
    if before is None:
        return ChangeKind.ADDED
    if after is None:
        return ChangeKind.REMOVED
    return ChangeKind.SAME if same else ChangeKind.CHANGED


def _step_change(
    before_side: _Side, after_side: _Side, pair: _Pair, runs: dict[str, RunRecord]
) -> StepChange:
    old: StepRecord | None = pair.before
    new: StepRecord | None = pair.after
    parameters = value_changes(old.parameters, new.parameters) if old and new else []
    settings = value_changes(old.settings, new.settings) if old and new else []
    source_changed = bool(
        old and new and old.source_hash and new.source_hash and old.source_hash != new.source_hash
    )
    same = bool(
        old
        and new
        and (
            old.id == new.id
            # A cached step reuses the outputs of the step it stands for.
            or before_side.outputs_of(old.id) & after_side.outputs_of(new.id)
            or (not parameters and not settings and not source_changed)
        )
    )
    return StepChange(
        step_name=pair.name,
        change=_kind(old, new, same),
        before=old,
        after=new,
        parameters=parameters,
        settings=settings,
        source_changed=source_changed,
        git_sha_before=_git_sha(old, runs),
        git_sha_after=_git_sha(new, runs),
    )


def _git_sha(step: StepRecord | None, runs: dict[str, RunRecord]) -> str | None:
    run = runs.get(step.run_id) if step else None
    return run.git_sha if run else None


def _artifact_change(pair: _Pair, metadata: dict[str, dict[str, Any]]) -> ArtifactChange:
    old: ArtifactVersionRecord | None = pair.before
    new: ArtifactVersionRecord | None = pair.after
    change = ArtifactChange(
        pair.name, _kind(old, new, bool(old and new and old.id == new.id)), old, new
    )
    if old is not None and new is not None and change.change is ChangeKind.CHANGED:
        change.metadata = value_changes(metadata[old.id], metadata[new.id])
    return change
