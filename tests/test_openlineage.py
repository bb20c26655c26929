"""OpenLineage events in, sent by the real ``openlineage-python`` client to a real
``lineageql serve`` on each store, and read back through GraphQL as a user would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    error_message_run,
    parent_run,
    processing_engine_run,
    schema_dataset,
    sql_job,
)
from openlineage.client.serde import Serde
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

from lineageql.openlineage import run_step_id
from tests.servers import STORE_KINDS, serving, store_for

TOKEN = "openlineage-test-token"
START = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("openlineage")
    store = store_for(str(request.param), request, folder, "openlineage")
    with serving(store, LINEAGEQL_API_TOKEN=TOKEN) as url:
        yield url


def emitter(url: str, token: str | None = TOKEN) -> OpenLineageClient:
    auth = ApiKeyTokenProvider({"apiKey": token}) if token else None
    config = HttpConfig(url=url, retry={"total": 0}, **({"auth": auth} if auth else {}))
    return OpenLineageClient(transport=HttpTransport(config))


def at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def event(
    kind: RunState,
    run_id: str,
    job: str,
    minutes: float,
    *,
    namespace: str = "airflow",
    parent: tuple[str, str] | None = None,
    inputs: list[InputDataset] | None = None,
    outputs: list[OutputDataset] | None = None,
    run_facets: dict[str, Any] | None = None,
    job_facets: dict[str, Any] | None = None,
) -> RunEvent:
    facets = dict(run_facets or {})
    if parent is not None:
        facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=parent[0]),
            job=parent_run.Job(namespace=namespace, name=parent[1]),
        )
    return RunEvent(
        eventType=kind,
        eventTime=at(minutes),
        run=Run(runId=run_id, facets=facets),
        job=Job(namespace=namespace, name=job, facets=job_facets or {}),
        inputs=inputs or [],
        outputs=outputs or [],
        producer="https://github.com/apache/airflow",
    )


def graphql(url: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables})
    answer = response.json()
    assert "errors" not in answer, answer
    return dict(answer["data"])


RUN = """query($id: ID!) { pipelineRun(id: $id) {
  name status created pipeline { name }
  runMetadata { key value }
  steps { id name status errorMessage startTime endTime runMetadata { key value }
    inputs { name artifactVersion { name version saveType } }
    outputs { name artifactVersion { id name version saveType runMetadata { key value } } } }
} }"""

SNAPSHOT = """{
  pipelines(first: 100) { edges { node { name runCount } } }
  pipelineRuns(first: 100) { totalCount edges { node { id status steps { name status
    inputs { name artifactVersion { id } } outputs { name artifactVersion { id } } } } } }
  artifactVersions(first: 100) { totalCount edges { node { id name version } } }
}"""


def run_of(url: str, run_id: str) -> dict[str, Any]:
    found = graphql(url, RUN, id=run_id)["pipelineRun"]
    assert found is not None, run_id
    return dict(found)


def steps_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in run["steps"]}


def airflow_dag(url: str, client: OpenLineageClient) -> tuple[str, str, list[RunEvent]]:
    """A DAG run with two tasks: extract (s3 csv -> postgres table), transform (table ->
    daily table); the DAG run's id, extract's, and the events sent."""
    dag, extract, transform = (str(uuid.uuid4()) for _ in range(3))
    raw = InputDataset(namespace="s3://raw-bucket", name="orders.csv")
    table = OutputDataset(namespace="postgres://db:5432", name="analytics.public.orders")
    daily = OutputDataset(namespace="postgres://db:5432", name="analytics.public.daily")
    parent = (dag, "orders_dag")
    events = [
        event(RunState.START, dag, "orders_dag", 0),
        event(RunState.START, extract, "orders_dag.extract", 1, parent=parent, inputs=[raw]),
        event(
            RunState.COMPLETE,
            extract,
            "orders_dag.extract",
            2,
            parent=parent,
            inputs=[raw],
            outputs=[table],
        ),
        event(
            RunState.START,
            transform,
            "orders_dag.transform",
            3,
            parent=parent,
            inputs=[InputDataset(namespace=table.namespace, name=table.name)],
        ),
        event(
            RunState.COMPLETE,
            transform,
            "orders_dag.transform",
            4,
            parent=parent,
            inputs=[InputDataset(namespace=table.namespace, name=table.name)],
            outputs=[daily],
        ),
        event(RunState.COMPLETE, dag, "orders_dag", 5),
    ]
    for item in events:
        client.emit(item)
    return dag, extract, events


def test_an_airflow_dag_run_becomes_a_pipeline_run_with_lineage(server: str) -> None:
    dag, extract, _ = airflow_dag(server, emitter(server))
    run = run_of(server, dag)
    assert run["pipeline"]["name"] == "orders_dag" and run["status"] == "COMPLETED"
    assert run["created"].startswith("2026-11-20T06:00:00")
    steps = steps_of(run)
    assert set(steps) == {"orders_dag", "orders_dag.extract", "orders_dag.transform"}
    assert steps["orders_dag.extract"]["id"] == extract
    assert steps["orders_dag"]["id"] == run_step_id(dag)
    assert {s["status"] for s in steps.values()} == {"COMPLETED"}
    [raw] = steps["orders_dag.extract"]["inputs"]
    assert raw["artifactVersion"] == {
        "name": "s3://raw-bucket/orders.csv",
        "version": "1",
        "saveType": "EXTERNAL",
    }
    [table] = steps["orders_dag.extract"]["outputs"]
    assert table["artifactVersion"]["name"] == "postgres://db:5432/analytics.public.orders"
    [consumed] = steps["orders_dag.transform"]["inputs"]
    assert consumed["artifactVersion"]["name"] == table["artifactVersion"]["name"]
    assert consumed["artifactVersion"]["version"] == table["artifactVersion"]["version"]

    [daily] = steps["orders_dag.transform"]["outputs"]
    lineage = graphql(
        server,
        "query($id: ID!) { lineage(artifactVersionId: $id, depth: 5) { "
        "artifactVersions { depth artifactVersion { name } } steps { name } } }",
        id=daily["artifactVersion"]["id"],
    )["lineage"]
    reached = {(v["artifactVersion"]["name"], v["depth"]) for v in lineage["artifactVersions"]}
    assert reached == {
        ("postgres://db:5432/analytics.public.daily", 0),
        ("postgres://db:5432/analytics.public.orders", 1),
        ("s3://raw-bucket/orders.csv", 2),
    }


def test_dbt_and_spark_facets_are_metadata(server: str) -> None:
    client = emitter(server)
    run_id = str(uuid.uuid4())
    schema = schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(name="order_id", type="INTEGER"),
            schema_dataset.SchemaDatasetFacetFields(name="amount", type="NUMERIC"),
        ]
    )
    sql = sql_job.SQLJobFacet(query="select order_id, sum(amount) from orders group by 1")
    model = OutputDataset(
        namespace="postgres://warehouse:5432",
        name="jaffle.orders_summary",
        facets={"schema": schema},
    )
    for kind, minute in ((RunState.START, 10), (RunState.COMPLETE, 11)):
        client.emit(
            event(
                kind,
                run_id,
                "dbt.jaffle_shop.orders_summary",
                minute,
                namespace="dbt",
                inputs=[InputDataset(namespace="postgres://warehouse:5432", name="jaffle.orders")],
                outputs=[model],
                job_facets={"sql": sql},
            )
        )
    run = run_of(server, run_id)
    assert run["pipeline"]["name"] == "dbt.jaffle_shop.orders_summary"
    [step] = run["steps"]
    metadata = {m["key"]: m["value"] for m in step["runMetadata"]}
    assert metadata["sql"]["query"] == sql.query
    [output] = step["outputs"]
    version_metadata = {m["key"]: m["value"] for m in output["artifactVersion"]["runMetadata"]}
    assert [f["name"] for f in version_metadata["schema"]["fields"]] == ["order_id", "amount"]

    spark_run = str(uuid.uuid4())
    lineage = column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            "total": column_lineage_dataset.Fields(
                inputFields=[
                    column_lineage_dataset.InputField(
                        namespace="s3://lake", name="events", field="amount"
                    )
                ]
            )
        }
    )
    engine = processing_engine_run.ProcessingEngineRunFacet(version="3.5.1", name="spark")
    client.emit(
        event(
            RunState.COMPLETE,
            spark_run,
            "spark.daily_totals",
            20,
            namespace="spark",
            inputs=[InputDataset(namespace="s3://lake", name="events")],
            outputs=[
                OutputDataset(
                    namespace="s3://lake", name="daily_totals", facets={"columnLineage": lineage}
                )
            ],
            run_facets={"processing_engine": engine},
        )
    )
    spark = run_of(server, spark_run)
    assert spark["status"] == "COMPLETED"
    assert {m["key"]: m["value"] for m in spark["runMetadata"]}["processing_engine"]["name"] == (
        "spark"
    )
    [output] = spark["steps"][0]["outputs"]
    found = {m["key"]: m["value"] for m in output["artifactVersion"]["runMetadata"]}
    assert found["columnLineage"]["fields"]["total"]["inputFields"][0]["field"] == "amount"
    # Found like any other artifact's metadata.
    filtered = graphql(
        server,
        '{ artifactVersions(filter: {artifactName: "s3://lake/daily_totals"}) '
        "{ edges { node { runMetadata { key } } } } }",
    )
    [edge] = filtered["artifactVersions"]["edges"]
    assert [m["key"] for m in edge["node"]["runMetadata"]] == ["columnLineage"]


def test_replays_change_nothing_and_order_does_not_matter(server: str) -> None:
    client = emitter(server)
    _, _, sent = airflow_dag(server, client)
    before = graphql(server, SNAPSHOT)
    # The same events again: nothing changes.
    for item in sent:
        client.emit(item)
    assert graphql(server, SNAPSHOT) == before

    # A second DAG run whose events arrive in reverse order ends like one in order.
    reversed_dag = str(uuid.uuid4())
    for item in reversed(_dag_events(reversed_dag, namespace="replay")):
        client.emit(item)
    in_order = str(uuid.uuid4())
    for item in _dag_events(in_order, namespace="replay-in-order"):
        client.emit(item)
    shapes = [_shape(run_of(server, run_id)) for run_id in (reversed_dag, in_order)]
    assert shapes[0] == shapes[1]
    assert shapes[0]["status"] == "COMPLETED"


def _dag_events(dag: str, namespace: str = "airflow") -> list[RunEvent]:
    task = str(uuid.uuid5(uuid.UUID(dag), "task"))
    source = InputDataset(namespace=f"s3://{namespace}", name="in.csv")
    target = OutputDataset(namespace=f"s3://{namespace}", name="out.csv")
    parent = (dag, f"{namespace}_dag")
    return [
        event(RunState.START, dag, f"{namespace}_dag", 0),
        event(RunState.START, task, "task", 1, parent=parent, inputs=[source]),
        event(RunState.COMPLETE, task, "task", 2, parent=parent, inputs=[source], outputs=[target]),
        event(RunState.COMPLETE, dag, f"{namespace}_dag", 3),
    ]


def _shape(run: dict[str, Any]) -> dict[str, Any]:
    """A run without its ids and names that differ between the two namespaces."""
    return {
        "status": run["status"],
        "created": run["created"],
        "steps": sorted(
            (
                s["status"],
                s["startTime"],
                s["endTime"],
                len(s["inputs"]),
                [o["artifactVersion"]["version"] for o in s["outputs"]],
            )
            for s in run["steps"]
        ),
    }


def test_a_failed_task_fails_its_run_with_the_error(server: str) -> None:
    client = emitter(server)
    dag, task = str(uuid.uuid4()), str(uuid.uuid4())
    error = error_message_run.ErrorMessageRunFacet(
        message="division by zero", programmingLanguage="python"
    )
    client.emit(event(RunState.START, task, "flaky", 1, parent=(dag, "flaky_dag")))
    client.emit(
        event(
            RunState.FAIL,
            task,
            "flaky",
            2,
            parent=(dag, "flaky_dag"),
            outputs=[OutputDataset(namespace="s3://x", name="never-written")],
            run_facets={"errorMessage": error},
        )
    )
    # The DAG never sent its own events: the run ends with its steps' outcome.
    run = run_of(server, dag)
    assert run["status"] == "FAILED" and run["pipeline"]["name"] == "flaky_dag"
    [step] = run["steps"]
    assert step["status"] == "FAILED" and step["errorMessage"] == "division by zero"
    assert step["outputs"] == []  # a failed run wrote nothing


BAD_EVENTS = {
    "malformed JSON": (b"{not json", "not JSON"),
    "missing runId": (
        {
            "eventType": "START",
            "eventTime": at(0),
            "run": {},
            "job": {"namespace": "n", "name": "j"},
        },
        "run.runId: is required",
    ),
    "non-UUID runId": (
        {
            "eventType": "START",
            "eventTime": at(0),
            "run": {"runId": "run-1"},
            "job": {"namespace": "n", "name": "j"},
        },
        "run.runId: must be a UUID",
    ),
    "unknown eventType": (
        {
            "eventType": "FINISHED",
            "eventTime": at(0),
            "run": {"runId": str(uuid.uuid4())},
            "job": {"namespace": "n", "name": "j"},
        },
        "eventType: 'FINISHED' is not one of START",
    ),
    "missing job.name": (
        {
            "eventType": "START",
            "eventTime": at(0),
            "run": {"runId": str(uuid.uuid4())},
            "job": {"namespace": "n"},
        },
        "job.name: is required",
    ),
    "a date without time": (
        {
            "eventType": "START",
            "eventTime": "2026-11-20",
            "run": {"runId": str(uuid.uuid4())},
            "job": {"namespace": "n", "name": "j"},
        },
        "eventTime: is not an ISO 8601 date-time",
    ),
    "a DatasetEvent": (
        {"eventTime": at(0), "dataset": {"namespace": "n", "name": "d"}},
        "a DatasetEvent describes no run",
    ),
    "a control character in a job name": (
        {
            "eventType": "START",
            "eventTime": at(0),
            "run": {"runId": str(uuid.uuid4())},
            "job": {"namespace": "n", "name": "bad\x00name"},
        },
        "control characters",
    ),
}


@pytest.mark.parametrize("case", list(BAD_EVENTS))
def test_bad_events_are_refused_naming_what_is_wrong_and_store_nothing(
    server: str, case: str
) -> None:
    body, expected = BAD_EVENTS[case]
    before = graphql(server, SNAPSHOT)
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    response = httpx.post(
        f"{server}/api/v1/lineage",
        content=content,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert expected in error["message"], error["message"]
    assert graphql(server, SNAPSHOT) == before


def test_events_are_writes_that_need_the_token(server: str) -> None:
    before = graphql(server, SNAPSHOT)
    item = event(RunState.START, str(uuid.uuid4()), "sneaky", 0)
    for client in (emitter(server, token=None), emitter(server, token="wrong")):
        with pytest.raises(requests.HTTPError) as refused:
            client.emit(item)
        assert refused.value.response.status_code == 401
    response = httpx.post(f"{server}/api/v1/lineage", content=Serde.to_json(item))
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert graphql(server, SNAPSHOT) == before


HOSTILE = [
    "' OR 1=1 --",
    '") RETURN n //',
    "}) MATCH (n) DETACH DELETE n //",
    "$keys",
    "%s%s%n",
    "../../etc/passwd",
    "🧪" * 50,
    "{ __schema { types { name } } }",
    "[red]x[/red]",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_and_namespaces_are_stored_verbatim(server: str, hostile: str) -> None:
    client = emitter(server)
    run_id = str(uuid.uuid4())
    client.emit(
        event(
            RunState.COMPLETE,
            run_id,
            hostile,
            0,
            namespace=hostile,
            inputs=[InputDataset(namespace=hostile, name=hostile)],
            outputs=[OutputDataset(namespace=hostile, name=f"{hostile}-out")],
        )
    )
    run = run_of(server, run_id)
    assert run["pipeline"]["name"] == hostile
    [step] = run["steps"]
    assert step["name"] == hostile
    assert step["inputs"][0]["artifactVersion"]["name"] == f"{hostile}/{hostile}"
    assert step["outputs"][0]["artifactVersion"]["name"] == f"{hostile}/{hostile}-out"


async def test_events_sent_together_are_stored_together_and_fail_alone(server: str) -> None:
    """Twenty tasks of one DAG run at once; a twenty-first reuses a task's name under another
    runId, which the graph cannot hold (a step name is unique in its run): only it fails."""
    dag = str(uuid.uuid4())
    tasks = [str(uuid.uuid4()) for _ in range(21)]
    names = [f"task_{i}" for i in range(20)] + ["task_3"]
    bodies = [
        Serde.to_json(
            event(
                RunState.COMPLETE,
                task,
                name,
                1,
                parent=(dag, "burst_dag"),
                outputs=[OutputDataset(namespace="s3://burst", name=name)],
            )
        )
        for task, name in zip(tasks, names, strict=True)
    ]
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=server, headers=headers) as client:
        first = await client.post("/api/v1/lineage", content=bodies[0])
        assert first.status_code == 201
        answers = await asyncio.gather(
            *(client.post("/api/v1/lineage", content=body) for body in bodies[1:])
        )
    statuses = [answer.status_code for answer in answers]
    assert statuses[:19] == [201] * 19
    assert statuses[19] == 409
    assert "already has a step named 'task_3'" in answers[19].json()["errors"][0]["message"]
    run = run_of(server, dag)
    assert sorted(s["name"] for s in run["steps"]) == sorted(names[:20])
    assert run["status"] == "COMPLETED"
