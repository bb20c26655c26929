"""Faults lose nothing: eight real ``openlineage-python`` senders stream Airflow-shaped DAG
runs into `lineageql serve` while the server is killed with SIGKILL and started again, twice,
on both stores; and while its Neo4j is killed and kept away for five seconds. Each sender
retries an event until it is answered 201, as a production emitter with retries does. Every
event answered 201 is stored, the graph the stream leaves is exactly the graph the same
events make on a server that was never interrupted, and during the outage clients get 503
STORE_UNAVAILABLE, never a 500, until the server recovers by itself. SDK runs writing
through the server lose nothing when it is killed while a step computes: the client retries
what the server never received, and the runs equal uninterrupted ones."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import error_message_run, parent_run
from openlineage.client.transport.http import HttpConfig, HttpTransport

from lineageql import pipeline, step
from lineageql.client import close_connections
from lineageql.graph import LineageRepository
from lineageql.graph.embedded_store import EmbeddedStore
from lineageql.openlineage import change_of, parse_run_event
from tests.conftest import open_neo4j
from tests.neo4j_launcher import (
    HARNESS_PASSWORD,
    HARNESS_USER,
    Neo4jUnavailable,
    start_neo4j,
)
from tests.servers import STORE_KINDS, free_port, served, store_for

SENDERS = 8
DAGS_PER_SENDER = 12
KILLS_AT = (0.25, 0.55)
"""Fractions of the stream acknowledged when the server is killed."""
PRODUCER = "https://github.com/apache/airflow/tree/providers-openlineage/2.3.0"
SNAPSHOT = """query($after: String) {
  pipelineRuns(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { name status pipeline { name }
      steps { name status errorMessage
        inputs { name artifactVersion { name version } }
        outputs { name artifactVersion { name version } } } } } }
}"""


def dag_run(sender: int, index: int) -> list[RunEvent]:
    """One DAG run of sender ``sender``: the DAG's START, extract and load, each START and
    COMPLETE (every third load fails), the DAG's COMPLETE or FAIL. Each sender has its own
    tables, so the graph does not depend on how senders interleave."""
    dag, extract, load = (str(uuid.uuid4()) for _ in range(3))
    began = datetime(2026, 11, 30, 6, tzinfo=UTC) + timedelta(hours=sender, minutes=5 * index)
    fails = index % 3 == 2
    source = InputDataset(namespace="s3://landing", name=f"sender{sender}/orders-{index}.json")
    staged = OutputDataset(namespace="postgres://warehouse:5432", name=f"staging.orders_{sender}")
    mart = OutputDataset(namespace="postgres://warehouse:5432", name=f"mart.daily_{sender}")
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=dag), job=parent_run.Job(namespace="airflow", name="orders")
    )

    def event(
        kind: RunState,
        run_id: str,
        job: str,
        minute: int,
        inputs: list[InputDataset] | None = None,
        outputs: list[OutputDataset] | None = None,
        facets: dict[str, Any] | None = None,
    ) -> RunEvent:
        run_facets = dict(facets or {})
        if run_id != dag:
            run_facets["parent"] = parent
        return RunEvent(
            eventType=kind,
            eventTime=(began + timedelta(minutes=minute)).isoformat(),
            run=Run(runId=run_id, facets=run_facets),
            job=Job(namespace="airflow", name=job),
            producer=PRODUCER,
            inputs=inputs or [],
            outputs=outputs or [],
        )

    staged_input = InputDataset(namespace=staged.namespace, name=staged.name)
    error = error_message_run.ErrorMessageRunFacet(
        message="duplicate key value violates unique constraint", programmingLanguage="SQL"
    )
    return [
        event(RunState.START, dag, "orders", 0),
        event(RunState.START, extract, "orders.extract", 1, [source]),
        event(RunState.COMPLETE, extract, "orders.extract", 2, [source], [staged]),
        event(RunState.START, load, "orders.load", 3, [staged_input]),
        event(RunState.FAIL, load, "orders.load", 4, facets={"errorMessage": error})
        if fails
        else event(RunState.COMPLETE, load, "orders.load", 4, [staged_input], [mart]),
        event(RunState.FAIL if fails else RunState.COMPLETE, dag, "orders", 5),
    ]


def stream() -> list[list[RunEvent]]:
    return [
        [event for index in range(DAGS_PER_SENDER) for event in dag_run(sender, index)]
        for sender in range(SENDERS)
    ]


class Senders:
    """SENDERS threads, each sending its events in order, each retried until answered 201."""

    def __init__(self, url: str, events: list[list[RunEvent]]) -> None:
        self.url = url
        self.events = events
        self.acknowledged = 0
        self.retries = 0
        self.refusals: list[int] = []
        """HTTP statuses of the answers that were not 201."""
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._send, args=(mine,)) for mine in events]

    @property
    def total(self) -> int:
        return sum(len(mine) for mine in self.events)

    def __enter__(self) -> Senders:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for thread in self.threads:
            thread.join(timeout=180)

    def _send(self, mine: list[RunEvent]) -> None:
        transport = HttpTransport(HttpConfig(url=self.url, timeout=10, retry={"total": 0}))
        client = OpenLineageClient(transport=transport)
        for event in mine:
            deadline = time.monotonic() + 120
            while True:
                try:
                    client.emit(event)
                    break
                except Exception as error:  # refused, reset or 5xx while the server is down
                    response = getattr(error, "response", None)
                    with self.lock:
                        self.retries += 1
                        if response is not None:
                            self.refusals.append(response.status_code)
                    if time.monotonic() > deadline:
                        with self.lock:
                            self.failures.append(repr(error))
                        return
                    time.sleep(0.1)
            with self.lock:
                self.acknowledged += 1


def snapshot(url: str) -> list[dict[str, Any]]:
    """Every run with its steps and links, in a stable order (ids left out: version ids are
    made by the server)."""
    runs: list[dict[str, Any]] = []
    after = None
    while True:
        page = httpx.post(
            f"{url}/graphql", json={"query": SNAPSHOT, "variables": {"after": after}}, timeout=60
        ).json()["data"]["pipelineRuns"]
        runs.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    for run in runs:
        run["steps"].sort(key=lambda step: step["name"])
    return sorted(runs, key=lambda run: run["name"])


async def reference_snapshot(folder: Path, events: list[list[RunEvent]]) -> Any:
    """The graph of the same events, each applied once, sender by sender, on a fresh store
    that nothing interrupted, served for the same snapshot query."""
    store = EmbeddedStore(folder / "reference.lbdb")
    await store.migrate()
    repo = LineageRepository(store)
    from openlineage.client.serde import Serde

    for mine in events:
        for event in mine:
            await repo.record_run_event(change_of(parse_run_event(Serde.to_json(event).encode())))
    await store.close()


@pytest.fixture(params=STORE_KINDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield store_for(str(request.param), request, tmp_path, "faults")


def test_killing_the_server_mid_stream_loses_no_acknowledged_event(
    location: str, tmp_path: Path
) -> None:
    events = stream()
    with ExitStack() as stack:
        server = stack.enter_context(served(location))
        port = int(server.url.rsplit(":", 1)[1])
        kills = 0
        with Senders(server.url, events) as senders:
            for fraction in KILLS_AT:
                while senders.acknowledged < fraction * senders.total:
                    time.sleep(0.005)
                acknowledged = senders.acknowledged
                server.process.send_signal(signal.SIGKILL)
                server.process.wait()
                kills += 1
                # Started again on the same port; the senders keep retrying meanwhile.
                server = stack.enter_context(served(location, port=port))
                assert senders.acknowledged >= acknowledged
        assert not senders.failures, senders.failures
        assert senders.acknowledged == senders.total
        assert senders.retries > 0, "no event was sent while the server was down"
        assert kills == len(KILLS_AT)
        interrupted = snapshot(server.url)

    asyncio.run(reference_snapshot(tmp_path, events))
    with served(str(tmp_path / "reference.lbdb")) as reference:
        expected = snapshot(reference.url)
    assert len(expected) == SENDERS * DAGS_PER_SENDER
    assert interrupted == expected


OUTAGE_SECONDS = 5


def test_a_neo4j_outage_mid_stream_loses_nothing_and_answers_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neo4j is killed (SIGKILL) with the stream at a third, kept away for five seconds and
    started again over the same data; the server is never restarted."""
    monkeypatch.setenv("NEO4J_USER", HARNESS_USER)
    monkeypatch.setenv("NEO4J_PASSWORD", HARNESS_PASSWORD)
    home, port = tmp_path / "neo4j", free_port()
    try:
        neo4j = start_neo4j(home, port)
    except Neo4jUnavailable as error:
        pytest.fail(f"a Neo4j of its own could not start: {error}")
    events = stream()
    try:
        asyncio.run(_migrated(neo4j.url))
        with served(neo4j.url, LINEAGEQL_NEO4J_RETRY_SECONDS="1") as server:
            with Senders(server.url, events) as senders:
                while senders.acknowledged < senders.total / 3:
                    time.sleep(0.005)
                neo4j.process.send_signal(signal.SIGKILL)
                neo4j.process.wait()
                away_until = time.monotonic() + OUTAGE_SECONDS
                health = httpx.get(f"{server.url}/health", timeout=30)
                assert health.status_code == 503
                assert health.json()["status"] == "unavailable"
                query = httpx.post(
                    f"{server.url}/graphql",
                    json={"query": "{ pipelineRuns { totalCount } }"},
                    timeout=30,
                )
                assert query.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
                time.sleep(max(0.0, away_until - time.monotonic()))  # the outage itself
                neo4j = start_neo4j(home, port)
            assert not senders.failures, senders.failures
            assert senders.acknowledged == senders.total
            assert senders.refusals and set(senders.refusals) == {503}, senders.refusals
            assert httpx.get(f"{server.url}/health").status_code == 200
            interrupted = snapshot(server.url)
    finally:
        neo4j.stop()

    asyncio.run(reference_snapshot(tmp_path, events))
    with served(str(tmp_path / "reference.lbdb")) as reference:
        expected = snapshot(reference.url)
    assert interrupted == expected


async def _migrated(url: str) -> None:
    await (await open_neo4j(url)).close()


class Restarts:
    """The server the SDK writes through, SIGKILLed from inside a step and started again on
    its port by another thread, while the step (and then its write) carries on."""

    def __init__(self, stack: ExitStack, location: str, **env: str) -> None:
        self.stack, self.location, self.env = stack, location, env
        self.server = stack.enter_context(served(location, **env))
        self.port = int(self.server.url.rsplit(":", 1)[1])
        self.kills = 0
        self.restarted: list[threading.Thread] = []

    def kill_and_restart(self) -> None:
        self.server.process.send_signal(signal.SIGKILL)
        self.server.process.wait()
        self.kills += 1
        thread = threading.Thread(target=self._start)
        thread.start()
        self.restarted.append(thread)

    def _start(self) -> None:
        self.server = self.stack.enter_context(served(self.location, port=self.port, **self.env))


RESTARTS: list[Restarts] = []
"""The test's server, for the step that kills it."""


@step
def read_rows(count: int) -> Annotated[list[int], "rows"]:
    return list(range(count))


@step
def total_while_the_server_restarts(rows: list[int]) -> Annotated[int, "total"]:
    """A step during which the server dies: its result must still be recorded."""
    if RESTARTS:
        RESTARTS[0].kill_and_restart()
    return sum(rows)


@step
def report(total: int) -> Annotated[dict, "report"]:
    return {"total": total}


@pipeline
def restarted_pipeline(count: int = 10) -> None:
    report(total_while_the_server_restarts(read_rows(count=count)))


SDK_RUNS = 3
SDK_SNAPSHOT = """query { pipelineRuns(first: 50, orderBy: {field: CREATED, direction: ASC}) {
  edges { node { status steps { name status
    outputs { name artifactVersion { name version } } } } } } }"""


def _sdk_graph(url: str) -> list[Any]:
    answer = httpx.post(f"{url}/graphql", json={"query": SDK_SNAPSHOT}, timeout=60).json()
    return [edge["node"] for edge in answer["data"]["pipelineRuns"]["edges"]]


def test_sdk_runs_writing_through_a_killed_server_lose_nothing(
    location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run's middle step kills the server (SIGKILL) and has it started again; the step's
    end is written once the server is back, and the runs equal uninterrupted ones."""
    artifacts = str(tmp_path / "artifacts")
    monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", artifacts)
    with ExitStack() as stack:
        restarts = Restarts(stack, location, LINEAGEQL_ARTIFACT_STORE=artifacts)
        RESTARTS.append(restarts)
        monkeypatch.setenv("LINEAGEQL_URL", restarts.server.url)
        close_connections()
        try:
            runs = [restarted_pipeline(count=10 + i) for i in range(SDK_RUNS)]
            assert [run.steps["report"].output.load() for run in runs] == [
                {"total": sum(range(10 + i))} for i in range(SDK_RUNS)
            ]
        finally:
            RESTARTS.clear()
            close_connections()
        for thread in restarts.restarted:
            thread.join()
        assert restarts.kills == SDK_RUNS
        interrupted = _sdk_graph(restarts.server.url)

    reference = str(tmp_path / "reference.lbdb")
    monkeypatch.setenv("LINEAGEQL_STORE", reference)
    monkeypatch.delenv("LINEAGEQL_URL")
    close_connections()
    try:
        for i in range(SDK_RUNS):
            restarted_pipeline(count=10 + i)
    finally:
        close_connections()
    with served(reference) as server:
        expected = _sdk_graph(server.url)
    assert len(expected) == SDK_RUNS
    assert all(run["status"] == "COMPLETED" for run in expected)
    assert interrupted == expected
