"""Live updates over WebSocket (graphql-transport-ws): a run as it runs, a pipeline's runs
as they start and finish.

Each subscription looks at the store when this process commits a write (the store's
``changes``) and at least every POLL_SECONDS otherwise, so writes by other processes (the SDK
writing straight to a Neo4j store) reach subscribers within a second too. A look is one small
read; an update is sent only when what it watches has changed.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from lineageql.arguments import stored_time
from lineageql.errors import NotFoundError
from lineageql.graph import LineageRepository
from lineageql.readpath import FieldReads
from lineageql.records import ExecutionStatus, RunRecord, pipeline_id_for
from lineageql.schema.context import Info
from lineageql.schema.types import PipelineRun

POLL_SECONDS = 0.25
WATCHED_RUNS = 50
"""How many of a pipeline's newest runs ``pipelineRunUpdates`` watches."""
FINISHED = (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CACHED)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The run now, then again each time its status, a step's status or a "
        "step's outputs change; ends once the run has finished."
    )
    async def run_updates(
        self, info: Info, run_id: strawberry.ID
    ) -> AsyncGenerator[PipelineRun, None]:
        repo = info.context.repo
        seen = None
        while True:
            await repo.store.sync_changes()
            progress = await repo.run_progress(str(run_id))
            if progress is None:
                raise NotFoundError(f"no pipeline run with id {str(run_id)!r}")
            if progress != seen:
                seen = progress
                run = await _fresh_run(info, repo, str(run_id))
                if run is not None:
                    yield PipelineRun.of(run)
                if progress.status in FINISHED:
                    return
            await repo.store.changes.wait(POLL_SECONDS)

    @strawberry.subscription(
        description="Each run of the pipeline that starts or changes status from now on; "
        "with since, first each run created at or after that time (a client catching up "
        "after a reconnect, or one that must not miss a run it starts right away)."
    )
    async def pipeline_run_updates(
        self, info: Info, pipeline_name: str, since: datetime | None = None
    ) -> AsyncGenerator[PipelineRun, None]:
        repo = info.context.repo
        pipeline_id = pipeline_id_for(pipeline_name)
        await repo.store.sync_changes()
        seen = await repo.recent_run_statuses(pipeline_id, WATCHED_RUNS)
        if since is not None:
            seen = await _seen_before(repo, seen, stored_time(since))
        while True:
            now = await repo.recent_run_statuses(pipeline_id, WATCHED_RUNS)
            changed = [run_id for run_id, status in now.items() if seen.get(run_id) != status]
            seen = now
            for run_id in reversed(changed):  # oldest first
                run = await _fresh_run(info, repo, run_id)
                if run is not None:
                    yield PipelineRun.of(run)
            await repo.store.changes.wait(POLL_SECONDS)
            await repo.store.sync_changes()


async def _seen_before(
    repo: LineageRepository, statuses: dict[str, str], since: str | None
) -> dict[str, str]:
    """Of the runs' statuses, those of runs created before ``since`` (the others are news)."""
    runs = await repo.get_runs(list(statuses))
    return {
        run.id: statuses[run.id]
        for run in runs
        if run is not None and since is not None and run.created < since
    }


async def _fresh_run(info: Info, repo: LineageRepository, run_id: str) -> RunRecord | None:
    """The run as stored now, with field reads that have read nothing yet: a socket's
    context lives as long as the socket, and each update must show the store as it is."""
    info.context.field_reads = FieldReads(repo)
    [run] = await repo.get_runs([run_id])
    return run
