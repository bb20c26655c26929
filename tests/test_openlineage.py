"""OpenLineage events in, sent by the real ``openlineage-python`` client to a real
``lineageql serve`` on each store, and read back through GraphQL as a user would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attr
import httpx
import orjson
import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    StaticDataset,
)
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    documentation_dataset,
    error_message_run,
    parent_run,
    processing_engine_run,
    schema_dataset,
    sql_job,
)
from openlineage.client.serde import Serde
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

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
    # The DAG run's own events report its status; only its tasks are steps.
    assert set(steps) == {"orders_dag.extract", "orders_dag.transform"}
    assert steps["orders_dag.extract"]["id"] == extract
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
    "a DatasetEvent without a name": (
        {"eventTime": at(0), "dataset": {"namespace": "n"}},
        "dataset.name: is required",
    ),
    "a JobEvent with a bad output": (
        {"eventTime": at(0), "job": {"namespace": "n", "name": "j"}, "outputs": ["t"]},
        "outputs[0]: must be a JSON object",
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
    """Twenty tasks of one DAG run at once, and a twenty-first whose 1,001 run facets are more
    than one write may set: only it fails."""
    dag = str(uuid.uuid4())
    tasks = [str(uuid.uuid4()) for _ in range(21)]
    names = [f"task_{i}" for i in range(21)]
    too_many = {f"custom_{i}": {"value": i} for i in range(1001)}
    bodies = [
        Serde.to_json(
            event(
                RunState.COMPLETE,
                task,
                name,
                1,
                parent=(dag, "burst_dag"),
                outputs=[OutputDataset(namespace="s3://burst", name=name)],
                run_facets=too_many if name == "task_20" else None,
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
    assert statuses[19] == 400
    assert "1001 metadata keys in one write" in answers[19].json()["errors"][0]["message"]
    run = run_of(server, dag)
    assert sorted(s["name"] for s in run["steps"]) == sorted(names[:20])
    assert run["status"] == "COMPLETED"


AIRFLOW_PRODUCER = "https://github.com/apache/airflow/tree/providers-openlineage/2.3.0"
LOAD = "billing.load_ledger"
SPARK_PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.31.0/integration/spark"


def test_an_airflow_task_retried_keeps_both_attempts(server: str) -> None:
    """Airflow gives a retried task instance a new runId under the same DAG run: each try
    is its own step, the second numbered, and the DAG run has no step of its own."""
    client = emitter(server)
    dag, first_try, second_try, publish = (str(uuid.uuid4()) for _ in range(4))
    parent = (dag, "billing")
    invoices = InputDataset(namespace="postgres://billing-db:5432", name="billing.public.invoices")
    ledger = OutputDataset(namespace="s3://finance-lake", name="ledger/2026-11-20.parquet")
    error = error_message_run.ErrorMessageRunFacet(
        message="psycopg2.OperationalError: server closed the connection unexpectedly",
        programmingLanguage="python",
    )
    sent = [
        event(RunState.START, dag, "billing", 0),
        event(
            RunState.START, first_try, "billing.load_ledger", 1, parent=parent, inputs=[invoices]
        ),
        event(
            RunState.FAIL,
            first_try,
            "billing.load_ledger",
            2,
            parent=parent,
            run_facets={"errorMessage": error},
        ),
        event(
            RunState.START, second_try, "billing.load_ledger", 7, parent=parent, inputs=[invoices]
        ),
        event(
            RunState.COMPLETE,
            second_try,
            "billing.load_ledger",
            9,
            parent=parent,
            inputs=[invoices],
            outputs=[ledger],
        ),
        event(RunState.START, publish, "billing.publish", 10, parent=parent),
        event(RunState.COMPLETE, publish, "billing.publish", 11, parent=parent),
        event(RunState.COMPLETE, dag, "billing", 12),
    ]
    for item in sent:
        client.emit(item)
    run = run_of(server, dag)
    steps = steps_of(run)
    assert set(steps) == {"billing.load_ledger", "billing.load_ledger#2", "billing.publish"}
    assert steps["billing.load_ledger"]["id"] == first_try
    assert steps["billing.load_ledger"]["status"] == "FAILED"
    assert "server closed the connection" in steps["billing.load_ledger"]["errorMessage"]
    assert steps["billing.load_ledger#2"]["id"] == second_try
    assert steps["billing.load_ledger#2"]["status"] == "COMPLETED"
    [written] = steps["billing.load_ledger#2"]["outputs"]
    assert written["artifactVersion"]["name"] == "s3://finance-lake/ledger/2026-11-20.parquet"
    # The DAG run reported success after the retry: that is the run's status.
    assert run["status"] == "COMPLETED"
    step_names = graphql(
        server, "query($id: ID!) { pipelineRun(id: $id) { steps { name stepName } } }", id=dag
    )["pipelineRun"]["steps"]
    assert {s["stepName"] for s in step_names} == {"billing.load_ledger", "billing.publish"}
    # Replayed, nothing changes (the retry keeps its number).
    before = run_of(server, dag)
    for item in sent:
        client.emit(item)
    assert run_of(server, dag) == before


def test_a_spark_application_with_repeated_actions_keeps_every_action(server: str) -> None:
    """The Spark integration sends the application's own START/COMPLETE and, for each SQL
    action, a run with the application as parent; the same action can run twice."""
    client = emitter(server)
    app = str(uuid.uuid4())
    parent = (app, "nightly_rollup")
    events_table = InputDataset(namespace="s3://events-lake", name="raw/clicks")
    daily = OutputDataset(namespace="s3://events-lake", name="marts/daily_clicks")
    actions = [
        (str(uuid.uuid4()), "nightly_rollup.execute_drop_table", [], []),
        (str(uuid.uuid4()), "nightly_rollup.execute_drop_table", [], []),
        (
            str(uuid.uuid4()),
            "nightly_rollup.execute_insert_into_hadoop_fs_relation_command.marts_daily_clicks",
            [events_table],
            [daily],
        ),
    ]

    def spark_event(kind: RunState, run_id: str, job: str, minute: float, **more: Any) -> RunEvent:
        item = event(kind, run_id, job, minute, namespace="spark-prod", **more)
        return attr.evolve(item, producer=SPARK_PRODUCER)

    client.emit(spark_event(RunState.START, app, "nightly_rollup", 0))
    for index, (run_id, job, inputs, outputs) in enumerate(actions):
        client.emit(spark_event(RunState.START, run_id, job, index + 1, parent=parent))
        client.emit(
            spark_event(
                RunState.COMPLETE,
                run_id,
                job,
                index + 1.5,
                parent=parent,
                inputs=inputs,
                outputs=outputs,
            )
        )
    client.emit(spark_event(RunState.COMPLETE, app, "nightly_rollup", 5))
    run = run_of(server, app)
    names = sorted(s["name"] for s in run["steps"])
    assert names == [
        "nightly_rollup.execute_drop_table",
        "nightly_rollup.execute_drop_table#2",
        "nightly_rollup.execute_insert_into_hadoop_fs_relation_command.marts_daily_clicks",
    ]
    assert run["status"] == "COMPLETED"
    assert {s["status"] for s in run["steps"]} == {"COMPLETED"}


def test_events_without_event_type_and_with_loose_times_are_taken(server: str) -> None:
    """The spec lets a RunEvent leave out eventType (it then only adds what it carries), and
    producers send times without a zone (taken as UTC) or with nanoseconds."""
    run_id = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    bodies = [
        {
            "eventType": "START",
            "eventTime": "2026-11-20T08:00:00",
            "run": {"runId": run_id},
            "job": {"namespace": "cron", "name": "export_accounts"},
            "producer": "https://example.com/scheduler/v3",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        },
        {
            "eventTime": "2026-11-20T08:00:30.123456789Z",
            "run": {
                "runId": run_id,
                "facets": {
                    "nominalTime": {
                        "_producer": "https://example.com/scheduler/v3",
                        "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json",
                        "nominalStartTime": "2026-11-20T08:00:00Z",
                    }
                },
            },
            "job": {"namespace": "cron", "name": "export_accounts"},
            "producer": "https://example.com/scheduler/v3",
        },
        {
            "eventType": "COMPLETE",
            "eventTime": "2026-11-20T09:01:00.987654321+01:00",
            "run": {"runId": run_id},
            "job": {"namespace": "cron", "name": "export_accounts"},
            "producer": "https://example.com/scheduler/v3",
        },
    ]
    for body in bodies:
        response = httpx.post(
            f"{server}/api/v1/lineage", content=orjson.dumps(body), headers=headers
        )
        assert response.status_code == 201, response.text
    run = run_of(server, run_id)
    assert run["status"] == "COMPLETED"
    assert run["created"].startswith("2026-11-20T08:00:00")
    metadata = {m["key"]: m["value"] for m in run["runMetadata"]}
    assert metadata["nominalTime"]["nominalStartTime"] == "2026-11-20T08:00:00Z"
    # 09:01 at +01:00 is 08:01 UTC; nanoseconds are cut to the microseconds stored.
    ended = graphql(server, "query($id: ID!) { pipelineRun(id: $id) { endTime } }", id=run_id)
    assert ended["pipelineRun"]["endTime"].startswith("2026-11-20T08:01:00.987654")


def test_job_and_dataset_events_declare_static_lineage(server: str) -> None:
    """A JobEvent (what dbt and Airflow send for a job's declared datasets) and a
    DatasetEvent (a dataset's schema published on its own), as openlineage-python sends them."""
    client = emitter(server)
    orders = InputDataset(namespace="postgres://warehouse:5432", name="shop.public.orders")
    refunds = InputDataset(namespace="postgres://warehouse:5432", name="shop.public.refunds")
    revenue = OutputDataset(namespace="postgres://warehouse:5432", name="shop.marts.net_revenue")
    job = Job(namespace="dbt", name="shop.net_revenue")
    declared = JobEvent(
        eventTime=at(30),
        producer=AIRFLOW_PRODUCER,
        job=job,
        inputs=[orders, refunds],
        outputs=[revenue],
    )
    client.emit(declared)
    client.emit(declared)  # replayed: the same declaration
    query = """query($name: String!) { pipeline(name: $name) {
      declaredInputs { name } declaredOutputs { name latestVersion { id } } } }"""
    found = graphql(server, query, name="shop.net_revenue")["pipeline"]
    assert [a["name"] for a in found["declaredInputs"]] == [
        "postgres://warehouse:5432/shop.public.orders",
        "postgres://warehouse:5432/shop.public.refunds",
    ]
    assert found["declaredOutputs"] == [
        {"name": "postgres://warehouse:5432/shop.marts.net_revenue", "latestVersion": None}
    ]
    # Declared again without refunds: the new declaration replaces the old.
    client.emit(attr.evolve(declared, inputs=[orders]))
    again = graphql(server, query, name="shop.net_revenue")["pipeline"]
    assert [a["name"] for a in again["declaredInputs"]] == [
        "postgres://warehouse:5432/shop.public.orders"
    ]

    published = DatasetEvent(
        eventTime=at(31),
        producer=AIRFLOW_PRODUCER,
        dataset=StaticDataset(
            namespace="s3://finance-lake",
            name="reference/fx_rates.parquet",
            facets={
                "schema": schema_dataset.SchemaDatasetFacet(
                    fields=[
                        schema_dataset.SchemaDatasetFacetFields(name="currency", type="string"),
                        schema_dataset.SchemaDatasetFacetFields(name="rate", type="double"),
                    ]
                ),
                "documentation": documentation_dataset.DocumentationDatasetFacet(
                    description="Daily FX rates from the treasury feed"
                ),
            },
        ),
    )
    client.emit(published)
    version_query = """query($name: String!) { artifactVersion(name: $name) {
      version saveType runMetadata { key value } columns { name type } } }"""
    version = graphql(server, version_query, name="s3://finance-lake/reference/fx_rates.parquet")[
        "artifactVersion"
    ]
    assert version["saveType"] == "EXTERNAL" and version["version"] == "1"
    assert [(c["name"], c["type"]) for c in version["columns"]] == [
        ("currency", "string"),
        ("rate", "double"),
    ]
    metadata = {m["key"]: m["value"] for m in version["runMetadata"]}
    assert metadata["documentation"]["description"] == "Daily FX rates from the treasury feed"
    # Published again with a new description: set on the same version, no new one.
    client.emit(
        attr.evolve(
            published,
            dataset=attr.evolve(
                published.dataset,
                facets={
                    "documentation": documentation_dataset.DocumentationDatasetFacet(
                        description="FX rates, end of day"
                    )
                },
            ),
        )
    )
    version = graphql(server, version_query, name="s3://finance-lake/reference/fx_rates.parquet")[
        "artifactVersion"
    ]
    assert version["version"] == "1"
    metadata = {m["key"]: m["value"] for m in version["runMetadata"]}
    assert metadata["documentation"]["description"] == "FX rates, end of day"
    assert "schema" in metadata
