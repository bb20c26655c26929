"""What changed between two versions of a model (say, production and staging): the lineage
diff of their model artifacts, and their metadata side by side.

Each side is asked for as ZenML spells a model version: a stage, a number or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lineageql.errors import NotFoundError
from lineageql.graph import LineageRepository, NodeKind
from lineageql.lineage_diff import DEFAULT_DIFF_DEPTH, LineageDiff, diff_lineage, value_changes
from lineageql.model_records import ModelVersionRecord


@dataclass(frozen=True)
class MetadataPair:
    """One metadata key of either version; None where a version lacks it."""

    key: str
    before: Any
    after: Any
    changed: bool


@dataclass(frozen=True)
class ModelVersionDiff:
    before: ModelVersionRecord
    after: ModelVersionRecord
    metadata: list[MetadataPair]
    lineage: LineageDiff | None
    """None when either version holds no model artifact."""


async def diff_model_versions(
    repo: LineageRepository,
    model: str,
    before: str,
    after: str,
    depth: int = DEFAULT_DIFF_DEPTH,
) -> ModelVersionDiff:
    """Compare version ``before`` of ``model`` with version ``after``."""
    sides = []
    for ref in (before, after):
        found = await repo.models.find_model_version(model, version=ref)
        if found is None:
            raise NotFoundError(f"model {model!r} has no version {ref!r}")
        sides.append(found)
    old, new = sides
    entries = await repo.metadata_of(NodeKind.MODEL_VERSION, [old.id, new.id])
    tables = [{entry.key: entry.value for entry in side} for side in entries]
    changed = {change.key for change in value_changes(tables[0], tables[1])}
    metadata = [
        MetadataPair(key, tables[0].get(key), tables[1].get(key), key in changed)
        for key in sorted(set(tables[0]) | set(tables[1]))
    ]
    artifacts = await repo.models.model_artifact_ids([old.id, new.id])
    lineage = None
    if artifacts[0] is not None and artifacts[1] is not None:
        lineage = await diff_lineage(repo, artifacts[0], artifacts[1], depth)
    return ModelVersionDiff(old, new, metadata, lineage)
