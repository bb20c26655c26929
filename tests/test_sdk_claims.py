"""README claims of the SDK and the Client, on both stores: YAML run options, where
metadata can be logged, and the Client's URL, token and unreachable-server error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pytest

from lineageql import Client, log_artifact_metadata, log_metadata, pipeline, step
from lineageql.errors import BadInputError, StoreUnavailableError, UnauthenticatedError
from lineageql.records import StorageSize
from tests.servers import free_port

CALLS: list[str] = []


@step
def make_rows(count: int = 2) -> Annotated[list, "rows"]:
    CALLS.append("make_rows")
    return list(range(count))


@step
def total(rows: list, scale: int = 1) -> Annotated[int, "total"]:
    CALLS.append("total")
    return sum(rows) * scale


@pipeline
def summing(count: int = 2) -> None:
    total(rows=make_rows(count=count))


def test_yaml_sets_settings_run_name_step_parameters_and_caching(
    sdk_env: Path, tmp_path: Path
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(
        json.dumps(
            {
                "run_name": "summing-release",
                "settings": {"docker": {"image": "python:3.11"}},
                "parameters": {"count": 4},
                "steps": {"total": {"parameters": {"scale": 10}, "enable_cache": False}},
            }
        )
    )
    CALLS.clear()
    first = summing.with_options(config_path=config)()
    assert first.name == "summing-release"
    assert first.settings == {"docker": {"image": "python:3.11"}}
    assert first.config.parameters == {"count": 4}
    assert first.steps["total"].config.parameters == {"scale": 10}
    assert first.steps["total"].output.load() == 60
    assert CALLS == ["make_rows", "total"]
    config.write_text(
        json.dumps(
            {
                "parameters": {"count": 4},
                "steps": {"total": {"parameters": {"scale": 10}, "enable_cache": False}},
            }
        )
    )
    CALLS.clear()
    second = summing.with_options(config_path=config)()
    # make_rows is cached (same code and parameters); total has caching off and runs again.
    assert second.steps["make_rows"].status.value == "cached"
    assert second.steps["total"].status.value == "completed"
    assert CALLS == ["total"]


def test_metadata_by_step_run_and_artifact_name_and_outside_a_step(sdk_env: Path) -> None:
    run = summing()
    step_id = run.steps["total"].id
    log_metadata({"checked": True}, step_id=step_id)
    log_metadata({"reviewer": "ana"}, run_id_name_or_prefix=run.name)
    log_metadata({"size": StorageSize(42)}, artifact_name="rows")
    log_artifact_metadata({"quality": 0.5}, artifact_name="total")
    client = Client()
    again = client.get_pipeline_run(run.id)
    assert again.run_metadata["reviewer"].value == "ana"
    assert again.steps["total"].run_metadata["checked"].value is True
    rows = client.get_artifact_version("rows")
    assert rows.run_metadata["size"].value == 42 and rows.run_metadata["size"].type == "StorageSize"
    assert client.get_artifact_version("total").run_metadata["quality"].value == 0.5
    with pytest.raises(BadInputError, match="outside a step"):
        log_metadata({"lost": 1})
    with pytest.raises(BadInputError, match="artifact_name"):
        log_artifact_metadata({"lost": 1})


def test_client_url_and_token_arguments_and_an_unreachable_server(tmp_path: Path) -> None:
    from lineageql.client import close_connections
    from lineageql.client import documents as d
    from tests.servers import serving

    with serving(str(tmp_path / "guarded.lbdb"), LINEAGEQL_API_TOKEN="t0ken") as url:
        create = {"input": {"pipelineName": "p", "name": "with-token"}}
        with pytest.raises(UnauthenticatedError):
            Client(url=url).execute(d.CREATE_RUN, **create)
        made = Client(url=f"{url}/graphql", token="t0ken").execute(d.CREATE_RUN, **create)
        assert made["createPipelineRun"]["name"] == "with-token"
    close_connections()
    nowhere = f"http://127.0.0.1:{free_port()}"
    for url in (nowhere, f"{nowhere}/graphql"):
        client = Client(url=url, token="t0ken")
        assert client.transport.url == nowhere  # type: ignore[attr-defined]
        with pytest.raises(
            StoreUnavailableError, match=f"cannot reach the lineageql server at {nowhere}"
        ):
            client.list_pipelines()
    close_connections()
