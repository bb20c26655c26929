"""The Client and the older post-execution API, walked the way the seeds' inspection pages
walk them, on both stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest

from lineageql import Client, get_step_context, pipeline, step
from lineageql.client import documents as d
from lineageql.errors import AmbiguousError, ConflictError, NotFoundError
from lineageql.post_execution import get_pipeline, get_pipelines, get_run, get_unlisted_runs
from tests.test_sdk import fit, load_numbers, numbers_pipeline, unnamed


class CountingTransport:
    """Counts the GraphQL requests a walk makes."""

    def __init__(self, client: Client) -> None:
        self.inner = client.transport
        self.count = 0
        client.transport = self  # type: ignore[assignment]

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> Any:
        self.count += 1
        return self.inner.execute(document, variables)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(params=["in-process", "http"])
def walk_env(
    request: pytest.FixtureRequest, sdk_env: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """sdk_env, used in-process or through a real `lineageql serve` on the same store."""
    from lineageql.client import close_connections
    from tests.servers import serving

    if request.param == "in-process":
        yield sdk_env
        return
    env = {key: value for key, value in os.environ.items() if key.startswith("LINEAGEQL_")}
    with serving(env["LINEAGEQL_STORE"], **env) as url:
        monkeypatch.setenv("LINEAGEQL_URL", url)
        close_connections()
        yield sdk_env
        close_connections()


def test_the_post_execution_walk(walk_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sdk_env = walk_env
    first = numbers_pipeline(scale=1.0)
    second = numbers_pipeline(scale=2.0)

    @pipeline
    def other_pipeline() -> None:
        unnamed()

    other_pipeline()

    assert [p.name for p in get_pipelines()] == ["numbers_pipeline", "other_pipeline"]
    pipeline_x = get_pipeline(pipeline="numbers_pipeline")
    assert get_pipeline(pipeline=numbers_pipeline).id == pipeline_x.id
    [version] = pipeline_x.versions
    assert version.version == 1 and [r.id for r in version.runs] == [second.id, first.id]
    assert [r.id for r in pipeline_x.runs] == [second.id, first.id]

    run = get_run(run_name=second.name)
    assert run.steps[0].name == "load_numbers" and run.steps[-1].name == "fit"
    step = run.get_step(step="fit")
    assert run.get_step(step=fit).id == step.id
    assert run.get_step(step=load_numbers).id == run.steps["load_numbers"].id != step.id
    assert step.parameters == {"scale": 2.0}
    assert step.step_configuration == {"parameters": {"scale": 2.0}, "settings": {}}
    assert step.metadata["weight"] == 20.0 and run.metadata["weight"] == 20.0
    assert run.pipeline_configuration.parameters == {"scale": 2.0} and run.settings == {}
    assert step.outputs["model"].read() == {"weight": 20.0, "rows": 5}
    features = run.steps[0].outputs["features"]
    assert features.metadata["shape"] == [5, 2]

    written = run.visualize(sdk_env.parent / "visuals")
    printed = capsys.readouterr().out
    assert [p.suffix for p in written].count(".html") == 2 and all(p.exists() for p in written)
    assert "written to" in printed and str(written[0]) in printed
    assert "<table" in written[0].read_text()

    unlisted = Client().execute(d.CREATE_RUN, input={"pipelineName": "by_a_tool"})
    assert [r.id for r in get_unlisted_runs()] == [unlisted["createPipelineRun"]["id"]]


def test_client_lookups_errors_and_request_counts(walk_env: Path) -> None:
    first = numbers_pipeline(scale=1.0)
    second = numbers_pipeline(scale=3.0)
    client = Client()

    artifact = client.get_artifact("model")
    assert list(artifact.versions) == ["2", "1"] and artifact.latest_version.version == "2"
    assert client.get_artifact_version("model", "1").load() == {"weight": 10.0, "rows": 5}
    assert client.get_artifact_version("model").version == "2"
    assert [s.name for s in client.list_artifacts()] == ["features", "labels", "model", "score"]
    by_name = client.list_pipeline_runs(sort_by="name", descending=False)
    assert [r.name for r in by_name] == sorted(r.name for r in by_name)
    newest = client.list_pipeline_runs(pipeline_name="numbers_pipeline", size=1)
    assert [r.id for r in newest] == [second.id]

    with pytest.raises(AmbiguousError) as ambiguous:
        client.get_pipeline_run("numbers_pipeline-")
    assert len(ambiguous.value.candidates) == 2
    with pytest.raises(NotFoundError, match="list recent runs"):
        client.get_pipeline_run("numbers_pipeline-1999")
    with pytest.raises(ConflictError, match="already exists"):
        client.execute(d.CREATE_RUN, input={"pipelineName": "p", "name": first.name})

    counter = CountingTransport(client)
    run = client.get_pipeline_run(first.id)
    assert counter.count == 1
    trainer = run.steps["fit"]
    loaded = trainer.outputs["model"][0].load()
    _ = (trainer.inputs["features"].name, run.steps["load_numbers"].outputs["labels"].version)
    assert counter.count == 2 and loaded == {"weight": 10.0, "rows": 5}

    client.delete_pipeline_run(first.name)
    with pytest.raises(NotFoundError):
        client.get_pipeline_run(first.id)


def test_load_goes_through_the_download_route_without_artifact_store_access(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lineageql.client import close_connections
    from tests.servers import serving

    served_artifacts = tmp_path / "server-artifacts"
    monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", str(served_artifacts))
    with serving(str(tmp_path / "s.lbdb"), LINEAGEQL_ARTIFACT_STORE=str(served_artifacts)) as url:
        monkeypatch.setenv("LINEAGEQL_URL", url)
        close_connections()
        try:
            numbers_pipeline(scale=1.0)
            # A client on another machine: it cannot see the server's artifact store.
            monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", str(tmp_path / "elsewhere"))
            remote = Client()
            run = remote.get_pipeline("numbers_pipeline").last_run
            features = run.steps["load_numbers"].outputs["features"].load()
            assert features["square"].tolist() == [0, 1, 4, 9, 16]
            assert run.steps["fit"].outputs["model"].load() == {"weight": 10.0, "rows": 5}
            assert not (tmp_path / "elsewhere").exists()
        finally:
            close_connections()


@step
def evaluator(scale: float) -> Annotated[float, "score_seen"]:
    """Compares with the previous run of its pipeline, as the seeds' in-step example does."""
    current = Client().get_pipeline_run(get_step_context().pipeline_run.name)
    runs = current.pipeline.runs
    assert runs[0].id == current.id
    if len(runs) > 1:
        PREVIOUS.append(runs[1].steps["evaluator"].output.load())
    return scale


PREVIOUS: list[float] = []


def test_a_step_reads_the_previous_run(walk_env: Path) -> None:
    @pipeline(enable_cache=False)
    def evaluated(scale: float) -> None:
        evaluator(scale=scale)

    PREVIOUS.clear()
    evaluated(scale=1.5)
    evaluated(scale=2.5)
    assert PREVIOUS == [1.5]


def test_a_guarded_server_takes_writes_only_with_its_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lineageql import UnauthenticatedError, load_artifact, save_artifact
    from lineageql.client import close_connections
    from tests.servers import serving

    artifacts = str(tmp_path / "artifacts")
    monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", artifacts)
    env = {"LINEAGEQL_ARTIFACT_STORE": artifacts, "LINEAGEQL_API_TOKEN": "s3cret"}
    with serving(str(tmp_path / "guarded.lbdb"), **env) as url:
        monkeypatch.setenv("LINEAGEQL_URL", url)
        close_connections()
        try:
            with pytest.raises(UnauthenticatedError, match="need a token"):
                save_artifact([1], "guarded")
            monkeypatch.setenv("LINEAGEQL_API_TOKEN", "s3cret")
            close_connections()
            save_artifact([1], "guarded")
            assert load_artifact("guarded") == [1]
        finally:
            close_connections()


def _walk_counts(client: Client) -> tuple[int, int]:
    """Requests the inspection walk sends, and the metadata values it read."""
    counter = CountingTransport(client)
    seen = 0
    for run in client.get_pipeline("many_runs").runs:
        for step_view in run.steps.values():
            for versions in step_view.outputs.values():
                seen += sum(len(version.run_metadata) for version in versions)
    client.transport = counter.inner
    return counter.count, seen


def test_walking_runs_steps_outputs_and_metadata_costs_the_same_requests_for_2_or_20_runs(
    walk_env: Path,
) -> None:
    @pipeline(enable_cache=False)
    def many_runs(count: int) -> None:
        load_numbers(count=count)

    counts, per_run = {}, set()
    recorded = 0
    for total in (2, 20):
        for _ in range(total - recorded):
            many_runs(count=3)
        recorded = total
        requests, seen = _walk_counts(Client())
        per_run.add(seen / total)
        counts[total] = requests
    # One request for the pipeline, one for its runs with their steps, outputs and metadata.
    assert counts[2] == counts[20] == 2, counts
    assert len(per_run) == 1 and per_run.pop() >= 2  # every run's outputs and metadata read
