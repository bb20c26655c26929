"""What each kind of write touches, for the read caches (``store.Topic``): the keys of the
nodes it created or changed, of both ends of each relationship it made, and the names and
cache keys they are looked up by."""

from __future__ import annotations

from collections.abc import Iterable

from lineageql.graph.store import Topic, Touched
from lineageql.records import ArtifactVersionRecord, RunRecord, StepRecord


def structure(keys: Iterable[str] | None, *, upstream: bool = False) -> Touched:
    """A write of runs, steps, versions and links (with their tags and metadata), under
    ``keys`` (None: anything). ``upstream`` when it changed what existing versions were
    derived from or who produced them (an existing version linked as an output, an input
    linked to an existing step)."""
    frozen = None if keys is None else frozenset(keys)
    touched: dict[Topic, frozenset[str] | None] = {Topic.GRAPH: frozen, Topic.ANNOTATIONS: frozen}
    if upstream:
        touched[Topic.UPSTREAM] = None
    return touched


def changed(keys: Iterable[str]) -> Touched:
    """A write that changed only properties of existing runs or steps."""
    return {Topic.GRAPH: frozenset(keys)}


def annotated(node_id: str) -> Touched:
    """A write of one node's tags or metadata."""
    return {Topic.ANNOTATIONS: frozenset({node_id})}


def run_keys(run: RunRecord) -> set[str]:
    keys = {run.id, run.name, run.pipeline_id}
    if run.pipeline_version_id:
        keys.add(run.pipeline_version_id)
    return keys


def step_keys(step: StepRecord) -> set[str]:
    keys = {step.id, step.run_id}
    if step.cache_key:
        keys.add(step.cache_key)
    return keys


def version_keys(version: ArtifactVersionRecord) -> set[str]:
    return {version.id, version.artifact_id, version.name}
