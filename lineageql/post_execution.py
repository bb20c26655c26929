"""The older post-execution API, as thin aliases over the Client's views.

from lineageql.post_execution import get_pipeline
last_step = get_pipeline(pipeline="first_pipeline").runs[0].steps[-1]
model = last_step.output.read()
"""

from __future__ import annotations

from typing import Any

from lineageql.client import Client, PipelineView, RunView

UNLISTED_RUNS_SCANNED = 100


def get_pipelines() -> list[PipelineView]:
    """Every pipeline, oldest first."""
    return Client().list_pipelines()


def get_pipeline(pipeline: Any) -> PipelineView:
    """A pipeline by name or id, or by the decorated pipeline function itself."""
    return Client().get_pipeline(pipeline if isinstance(pipeline, str) else pipeline.name)


def get_run(run_name: str) -> RunView:
    """A run by name (or id, or a name prefix only it has)."""
    return Client().get_pipeline_run(run_name)


def get_unlisted_runs() -> list[RunView]:
    """Runs recorded without a pipeline structure (by tools through the API rather than by
    the SDK), newest first, among the latest runs."""
    recent = Client().list_pipeline_runs(size=UNLISTED_RUNS_SCANNED)
    return [run for run in recent if run.pipeline_version is None]
