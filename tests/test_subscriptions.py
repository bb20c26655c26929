"""Live updates: GraphQL subscriptions over graphql-transport-ws, spoken by the
``websockets`` client to a real ``lineageql serve``, on both stores."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from lineageql.graph import LineageRepository, open_store
from lineageql.records import NewStep
from tests.servers import STORE_KINDS, serving, settings_for, store_for

TOKEN = "subscription-test-token"
LATENCY_LIMIT_SECONDS = 1.0

RUN_UPDATES = """subscription($id: ID!) {
  runUpdates(runId: $id) { name status steps { name status outputs { name } } }
}"""
PIPELINE_UPDATES = """subscription($name: String!, $since: DateTime) {
  pipelineRunUpdates(pipelineName: $name, since: $since) { name status }
}"""


@pytest.fixture(scope="module", params=STORE_KINDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A server with tokens on reads and writes; yields its URL and its store."""
    folder: Path = tmp_path_factory.mktemp("subscriptions")
    store = store_for(str(request.param), request, folder, "live")
    env = {
        "LINEAGEQL_API_TOKEN": TOKEN,
        "LINEAGEQL_READ_TOKEN_REQUIRED": "true",
        "LINEAGEQL_ARTIFACT_STORE": str(folder / "artifacts"),
    }
    with serving(store, **env) as url:
        yield url, store


def mutate(url: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {TOKEN}"},
    ).json()
    assert "errors" not in answer, answer
    return dict(answer["data"])


@asynccontextmanager
async def socket(url: str, token: str | None = TOKEN) -> AsyncIterator[Any]:
    address = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(address, subprotocols=["graphql-transport-ws"]) as ws:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


async def subscribe(ws: Any, query: str, **variables: Any) -> None:
    ack = await next_message(ws)
    assert ack["type"] == "connection_ack", ack
    message = {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
    await ws.send(json.dumps(message))


async def next_message(ws: Any, timeout: float = 10) -> dict[str, Any]:
    raw = await asyncio.wait_for(ws.recv(), timeout)
    assert isinstance(raw, str), "graphql-transport-ws messages are text frames"
    return dict(json.loads(raw))


async def next_update(ws: Any, since: float) -> tuple[dict[str, Any], float]:
    """The next data message and the seconds since ``since`` it took to arrive."""
    message = await next_message(ws)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"], time.perf_counter() - since


async def test_a_run_page_follows_the_run_as_the_server_records_it(
    served: tuple[str, str],
) -> None:
    url, _ = served
    run = mutate(
        url,
        'mutation { createPipelineRun(input: {pipelineName: "live", status: RUNNING}) '
        "{ id name } }",
    )["createPipelineRun"]
    async with socket(url) as ws:
        await subscribe(ws, RUN_UPDATES, id=run["id"])
        first, _ = await next_update(ws, time.perf_counter())
        assert first["runUpdates"] == {"name": run["name"], "status": "RUNNING", "steps": []}

        step = mutate(
            url,
            'mutation($run: ID!) { startStep(input: {runId: $run, name: "train"}) { id } }',
            run=run["id"],
        )["startStep"]
        written = time.perf_counter()  # the write has committed: its answer has come
        update, latency = await next_update(ws, written)
        assert update["runUpdates"]["steps"] == [
            {"name": "train", "status": "RUNNING", "outputs": []}
        ]
        assert latency < LATENCY_LIMIT_SECONDS

        mutate(
            url,
            "mutation($step: ID!) { finishStep(input: {stepId: $step, outputs: [{name: "
            '"model", newVersion: {name: "model", uri: "mem://model"}}]}) { id } }',
            step=step["id"],
        )
        written = time.perf_counter()
        update, latency = await next_update(ws, written)
        assert update["runUpdates"]["steps"] == [
            {"name": "train", "status": "COMPLETED", "outputs": [{"name": "model"}]}
        ]
        assert latency < LATENCY_LIMIT_SECONDS

        mutate(url, "mutation($id: ID!) { finishPipelineRun(id: $id) { id } }", id=run["id"])
        update, _ = await next_update(ws, time.perf_counter())
        assert update["runUpdates"]["status"] == "COMPLETED"
        assert (await next_message(ws))["type"] == "complete"


async def test_a_pipeline_page_hears_runs_start_and_finish(served: tuple[str, str]) -> None:
    url, _ = served
    async with socket(url) as ws:
        # With `since`, a run started before the subscription's first look is news too, so
        # the write need not wait for the subscription to be ready.
        since = datetime.now(UTC).isoformat()
        await subscribe(ws, PIPELINE_UPDATES, name="watched", since=since)
        run = mutate(
            url,
            'mutation { createPipelineRun(input: {pipelineName: "watched", name: "w-1", '
            "status: RUNNING}) { id } }",
        )["createPipelineRun"]
        written = time.perf_counter()
        update, latency = await next_update(ws, written)
        assert update["pipelineRunUpdates"] == {"name": "w-1", "status": "RUNNING"}
        assert latency < LATENCY_LIMIT_SECONDS
        mutate(
            url,
            "mutation($id: ID!) { finishPipelineRun(id: $id, status: FAILED) { id } }",
            id=run["id"],
        )
        update, _ = await next_update(ws, time.perf_counter())
        assert update["pipelineRunUpdates"] == {"name": "w-1", "status": "FAILED"}


@pytest.mark.parametrize("served", ["neo4j"], indirect=True)
async def test_writes_by_another_process_reach_subscribers(served: tuple[str, str]) -> None:
    """This test process writes straight to the server's Neo4j, as an SDK run would (the
    embedded store admits one writing process: the server)."""
    url, location = served
    run = mutate(
        url,
        'mutation { createPipelineRun(input: {pipelineName: "elsewhere", status: RUNNING}) '
        "{ id } }",
    )["createPipelineRun"]
    store = await open_store(settings_for(location))
    try:
        async with socket(url) as ws:
            await subscribe(ws, RUN_UPDATES, id=run["id"])
            await next_update(ws, time.perf_counter())
            await LineageRepository(store).create_step(NewStep(run_id=run["id"], name="remote"))
            written = time.perf_counter()
            update, latency = await next_update(ws, written)
            assert [s["name"] for s in update["runUpdates"]["steps"]] == ["remote"]
            assert latency < LATENCY_LIMIT_SECONDS
    finally:
        await store.close()


async def test_a_socket_without_the_token_is_refused(served: tuple[str, str]) -> None:
    url, _ = served
    for token in (None, "wrong"):
        async with socket(url, token=token) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await next_message(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_an_unknown_run_is_an_error(served: tuple[str, str]) -> None:
    url, _ = served
    async with socket(url) as ws:
        await subscribe(ws, RUN_UPDATES, id="no-such-run")
        message = await next_message(ws)
        assert message["type"] == "next"
        [error] = message["payload"]["errors"]
        assert error["extensions"]["code"] == "NOT_FOUND"
