"""Experiment comparison: metadata of up to 20 runs side by side, with changes between them."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import NodeKind
from lineageql.records import MetadataType, RunRecord
from lineageql.schema.context import Info
from lineageql.schema.types import PipelineRun

MAX_COMPARED_RUNS = 20
_NUMERIC = (MetadataType.INT, MetadataType.FLOAT, MetadataType.STORAGE_SIZE)


@strawberry.type
class ComparisonCell:
    run_id: strawberry.ID
    value: JSON | None = strawberry.field(description="Null where the run has no such key.")
    change: float | None = strawberry.field(
        description="Value minus the nearest earlier run's value of this key, both numbers."
    )


@strawberry.type
class ComparisonRow:
    key: str
    cells: list[ComparisonCell]


@strawberry.type
class RunComparison:
    runs: list[PipelineRun] = strawberry.field(description="Oldest first.")
    rows: list[ComparisonRow]


async def compare_runs(info: Info, ids: list[str], keys: list[str] | None) -> RunComparison:
    """The metadata table of ``ids`` (oldest run first), for ``keys`` or every key logged."""
    unique = list(dict.fromkeys(ids))
    if not 1 <= len(unique) <= MAX_COMPARED_RUNS:
        raise BadInputError(f"give 1 to {MAX_COMPARED_RUNS} run ids, got {len(unique)}", "ids")
    found = await info.context.repo.get_runs(unique)
    missing = [run_id for run_id, run in zip(unique, found, strict=True) if run is None]
    if missing:
        raise NotFoundError(f"no pipeline run with id {missing[0]!r}")
    runs: list[RunRecord] = sorted((r for r in found if r), key=lambda r: (r.created, r.id))
    entries = await info.context.repo.metadata_of(NodeKind.RUN, [r.id for r in runs])
    by_run = [{entry.key: entry for entry in run_entries} for run_entries in entries]
    wanted = keys if keys is not None else sorted({key for table in by_run for key in table})
    rows = []
    for key in wanted:
        cells: list[ComparisonCell] = []
        previous: float | None = None
        for run, table in zip(runs, by_run, strict=True):
            entry = table.get(key)
            number = float(entry.value) if entry and entry.type in _NUMERIC else None
            change: float | None = None
            if number is not None and previous is not None:
                change = number - previous
            cells.append(
                ComparisonCell(
                    run_id=strawberry.ID(run.id),
                    value=JSON(entry.value) if entry else None,
                    change=change,
                )
            )
            previous = number if number is not None else previous
        rows.append(ComparisonRow(key=key, cells=cells))
    return RunComparison(runs=[PipelineRun.of(r) for r in runs], rows=rows)
