"""Marquez-compatible reads: events sent by the real ``openlineage-python`` client, read back
over ``/api/v1`` as a tool built for Marquez reads them, each answer checked field by field
against the shapes of Marquez's published OpenAPI spec, on both stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.facet_v2 import dataset_type_dataset, parent_run, schema_dataset
from openlineage.client.transport.http import HttpConfig, HttpTransport

from tests.servers import STORE_KINDS, serving, store_for

START = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
AIRFLOW = "airflow-prod"
RAW = "s3://landing-zone"
DB = "postgres://analytics-db:5432"

# The properties Marquez's OpenAPI spec (spec/openapi.yml) gives each object.
NAMESPACE = {"name", "createdAt", "updatedAt", "ownerName", "description"}
DATASET = {
    "id",
    "type",
    "name",
    "physicalName",
    "createdAt",
    "updatedAt",
    "namespace",
    "sourceName",
    "fields",
    "tags",
    "lastModifiedAt",
    "description",
    "facets",
    "currentVersion",
}
JOB = {
    "id",
    "type",
    "name",
    "simpleName",
    "parentJobName",
    "createdAt",
    "updatedAt",
    "namespace",
    "inputs",
    "outputs",
    "location",
    "description",
    "latestRun",
    "facets",
    "currentVersion",
}
DATASET_VERSION = {
    "id",
    "type",
    "name",
    "physicalName",
    "createdAt",
    "version",
    "namespace",
    "sourceName",
    "fields",
    "tags",
    "description",
    "createdByRun",
    "facets",
}
RUN = {
    "id",
    "createdAt",
    "updatedAt",
    "nominalStartTime",
    "nominalEndTime",
    "state",
    "startedAt",
    "endedAt",
    "durationMs",
    "args",
    "facets",
}
GRAPH_NODE = {"id", "type", "data", "inEdges", "outEdges"}
FIELD_DATA = {
    "namespace",
    "dataset",
    "datasetVersion",
    "field",
    "fieldType",
    "transformationDescription",
    "transformationType",
    "inputFields",
}


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A server holding one Airflow DAG run (extract, then a transform with column lineage);
    yields its URL and the runIds."""
    folder: Path = tmp_path_factory.mktemp("marquez")
    with serving(store_for(str(request.param), request, folder, "marquez")) as url:
        yield url, send_dag(url)


def send_dag(url: str) -> dict[str, str]:
    ids = {name: str(uuid.uuid4()) for name in ("dag", "extract", "transform")}
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=ids["dag"]),
        job=parent_run.Job(namespace=AIRFLOW, name="billing_daily"),
    )
    schema = schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(name="invoice_id", type="bigint"),
            schema_dataset.SchemaDatasetFacetFields(name="amount", type="numeric"),
        ]
    )
    landing = InputDataset(namespace=RAW, name="invoices/2026-11-28.csv")
    staged = OutputDataset(namespace=DB, name="billing.invoices", facets={"schema": schema})
    staged_in = InputDataset(namespace=DB, name="billing.invoices")
    totals = OutputDataset(
        namespace=DB,
        name="billing.daily_totals",
        facets={
            "schema": schema_dataset.SchemaDatasetFacet(
                fields=[schema_dataset.SchemaDatasetFacetFields(name="total", type="numeric")]
            ),
            "columnLineage": cl.ColumnLineageDatasetFacet(
                fields={
                    "total": cl.Fields(
                        inputFields=[
                            cl.InputField(
                                namespace=DB,
                                name="billing.invoices",
                                field="amount",
                                transformations=[
                                    cl.Transformation(
                                        type="DIRECT", subtype="AGGREGATION", description="sum"
                                    )
                                ],
                            )
                        ]
                    )
                }
            ),
        },
    )

    def event(kind: RunState, run: str, job: str, minute: int, **more: Any) -> RunEvent:
        facets = {"parent": parent} if run != ids["dag"] else {}
        return RunEvent(
            eventType=kind,
            eventTime=(START + timedelta(minutes=minute)).isoformat(),
            run=Run(runId=ids[run], facets=facets),
            job=Job(namespace=AIRFLOW, name=job),
            producer="https://github.com/apache/airflow/tree/providers-openlineage/2.3.0",
            **more,
        )

    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, retry={"total": 0})))
    for item in (
        event(RunState.START, "dag", "billing_daily", 0),
        event(RunState.START, "extract", "billing_daily.extract", 1, inputs=[landing]),
        event(
            RunState.COMPLETE,
            "extract",
            "billing_daily.extract",
            3,
            inputs=[landing],
            outputs=[staged],
        ),
        event(RunState.START, "transform", "billing_daily.transform", 4, inputs=[staged_in]),
        event(
            RunState.COMPLETE,
            "transform",
            "billing_daily.transform",
            6,
            inputs=[staged_in],
            outputs=[totals],
        ),
        event(RunState.COMPLETE, "dag", "billing_daily", 7),
    ):
        client.emit(item)
    return ids


def get(url: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{url}/api/v1{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_namespaces_jobs_and_datasets_in_marquezs_shapes(
    server: tuple[str, dict[str, str]],
) -> None:
    url, ids = server
    namespaces = get(url, "/namespaces")["namespaces"]
    assert all(set(n) == NAMESPACE for n in namespaces)
    assert {AIRFLOW, RAW, DB} <= {n["name"] for n in namespaces}

    jobs = get(url, f"/namespaces/{quote(AIRFLOW, safe='')}/jobs")
    assert all(set(job) == JOB for job in jobs["jobs"])
    by_name = {job["name"]: job for job in jobs["jobs"]}
    assert set(by_name) == {"billing_daily", "billing_daily.extract", "billing_daily.transform"}
    extract = by_name["billing_daily.extract"]
    assert extract["id"] == {"namespace": AIRFLOW, "name": "billing_daily.extract"}
    assert extract["parentJobName"] == "billing_daily" and extract["simpleName"] == "extract"
    assert extract["inputs"] == [{"namespace": RAW, "name": "invoices/2026-11-28.csv"}]
    assert extract["outputs"] == [{"namespace": DB, "name": "billing.invoices"}]
    assert jobs["totalCount"] == 3
    # Each job's newest run: a task's own run, the DAG run for the DAG's job.
    assert set(extract["latestRun"]) == RUN and extract["latestRun"]["id"] == ids["extract"]
    assert extract["latestRun"]["state"] == "COMPLETED"
    assert extract["updatedAt"] == extract["latestRun"]["updatedAt"]
    assert by_name["billing_daily"]["latestRun"]["id"] == ids["dag"]

    datasets = get(url, f"/namespaces/{quote(DB, safe='')}/datasets")
    assert all(set(d) == DATASET for d in datasets["datasets"])
    invoices = next(d for d in datasets["datasets"] if d["name"] == "billing.invoices")
    assert invoices["id"] == {"namespace": DB, "name": "billing.invoices"}
    assert [(f["name"], f["type"]) for f in invoices["fields"]] == [
        ("invoice_id", "bigint"),
        ("amount", "numeric"),
    ]
    assert "schema" in invoices["facets"] and invoices["currentVersion"]
    assert invoices["type"] == "DB_TABLE"

    runs = get(url, f"/namespaces/{quote(AIRFLOW, safe='')}/jobs/billing_daily.extract/runs")
    [run] = runs["runs"]
    assert set(run) == RUN
    assert run["id"] == ids["extract"] and run["state"] == "COMPLETED"
    assert run["durationMs"] == 120_000
    [dag_run] = get(url, f"/namespaces/{quote(AIRFLOW, safe='')}/jobs/billing_daily/runs")["runs"]
    assert dag_run["id"] == ids["dag"] and dag_run["state"] == "COMPLETED"
    # GraphQL shows the namespaces too.
    shown = httpx.post(
        f"{url}/graphql",
        json={
            "query": '{ pipeline(name: "billing_daily") { namespace } '
            f'artifact(name: "{DB}/billing.invoices") {{ namespace }} }}'
        },
    ).json()["data"]
    assert shown == {"pipeline": {"namespace": AIRFLOW}, "artifact": {"namespace": DB}}


def test_one_namespace_job_dataset_and_run_and_a_datasets_versions(
    server: tuple[str, dict[str, str]],
) -> None:
    """What a Marquez client asks for one thing at a time, with the slashes and colons real
    namespaces and dataset names hold."""
    url, ids = server
    namespace = get(url, f"/namespaces/{quote(DB, safe='')}")
    assert set(namespace) == NAMESPACE and namespace["name"] == DB

    job = get(url, f"/namespaces/{quote(AIRFLOW, safe='')}/jobs/billing_daily.transform")
    assert set(job) == JOB and job["id"] == {
        "namespace": AIRFLOW,
        "name": "billing_daily.transform",
    }
    assert job["inputs"] == [{"namespace": DB, "name": "billing.invoices"}]
    assert job["outputs"] == [{"namespace": DB, "name": "billing.daily_totals"}]
    assert job["latestRun"]["id"] == ids["transform"]

    landing = get(url, f"/namespaces/{quote(RAW, safe='')}/datasets/invoices/2026-11-28.csv")
    assert set(landing) == DATASET
    assert landing["id"] == {"namespace": RAW, "name": "invoices/2026-11-28.csv"}

    invoices = get(url, f"/namespaces/{quote(DB, safe='')}/datasets/billing.invoices")
    listed = get(url, f"/namespaces/{quote(DB, safe='')}/datasets/billing.invoices/versions")
    [version] = listed["versions"]
    assert set(version) == DATASET_VERSION and listed["totalCount"] == 1
    assert version["id"] == {
        "namespace": DB,
        "name": "billing.invoices",
        "version": invoices["currentVersion"],
    }
    assert [f["name"] for f in version["fields"]] == ["invoice_id", "amount"]
    assert set(version["createdByRun"]) == RUN
    assert version["createdByRun"]["id"] == ids["extract"]

    for run_id in (ids["transform"], ids["dag"]):
        run = get(url, f"/jobs/runs/{run_id}")
        assert set(run) == RUN and run["id"] == run_id and run["state"] == "COMPLETED"


def test_a_topic_is_a_stream_and_versions_come_newest_first(
    server: tuple[str, dict[str, str]],
) -> None:
    """A dataset whose ``datasetType`` facet says it is a topic is a STREAM; each write of it
    is a version, listed newest first with the run that wrote it."""
    url, _ = server
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, retry={"total": 0})))
    kafka = "kafka://broker:9092"
    topic = dataset_type_dataset.DatasetTypeDatasetFacet(datasetType="TOPIC")
    writers = [str(uuid.uuid4()) for _ in range(3)]
    for minute, run_id in enumerate(writers):
        client.emit(
            RunEvent(
                eventType=RunState.COMPLETE,
                eventTime=(START + timedelta(hours=2, minutes=minute)).isoformat(),
                run=Run(runId=run_id),
                job=Job(namespace="flink", name="enrich_clicks"),
                producer="https://github.com/OpenLineage/OpenLineage/tree/1.30.0/integration/flink",
                outputs=[
                    OutputDataset(
                        namespace=kafka, name="clicks.enriched", facets={"datasetType": topic}
                    )
                ],
            )
        )
    dataset = get(url, f"/namespaces/{quote(kafka, safe='')}/datasets/clicks.enriched")
    assert dataset["type"] == "STREAM"
    path = f"/namespaces/{quote(kafka, safe='')}/datasets/clicks.enriched/versions"
    versions = get(url, path)
    assert versions["totalCount"] == 3
    assert [v["createdByRun"]["id"] for v in versions["versions"]] == writers[::-1]
    assert all(v["type"] == "STREAM" for v in versions["versions"])
    assert [v["createdByRun"]["id"] for v in get(url, path, limit=1, offset=1)["versions"]] == [
        writers[1]
    ]
    job = get(url, "/namespaces/flink/jobs/enrich_clicks")
    assert job["latestRun"]["id"] == writers[-1]


def test_the_lineage_graph_from_a_dataset_and_from_a_job(
    server: tuple[str, dict[str, str]],
) -> None:
    url, _ = server
    graph = get(url, "/lineage", nodeId=f"dataset:{DB}:billing.daily_totals", depth=10)["graph"]
    assert all(set(node) == GRAPH_NODE for node in graph)
    nodes = {node["id"]: node for node in graph}
    landing = f"dataset:{RAW}:invoices/2026-11-28.csv"
    extract = f"job:{AIRFLOW}:billing_daily.extract"
    invoices = f"dataset:{DB}:billing.invoices"
    transform = f"job:{AIRFLOW}:billing_daily.transform"
    totals = f"dataset:{DB}:billing.daily_totals"
    assert set(nodes) == {landing, extract, invoices, transform, totals}
    for node in graph:
        assert set(node["data"]) == (DATASET if node["type"] == "DATASET" else JOB)
    flow = [(landing, extract), (extract, invoices), (invoices, transform), (transform, totals)]
    for origin, destination in flow:
        edge = {"origin": origin, "destination": destination}
        assert edge in nodes[origin]["outEdges"] and edge in nodes[destination]["inEdges"]
    assert sum(len(node["outEdges"]) for node in graph) == 4

    near = get(url, "/lineage", nodeId=transform, depth=1)["graph"]
    assert {node["id"] for node in near} == {transform, invoices, totals}


def test_column_lineage_in_marquezs_shape(server: tuple[str, dict[str, str]]) -> None:
    url, _ = server
    graph = get(
        url, "/column-lineage", nodeId=f"datasetField:{DB}:billing.daily_totals:total", depth=5
    )["graph"]
    assert all(set(node) == GRAPH_NODE for node in graph)
    nodes = {node["id"]: node for node in graph}
    total = f"datasetField:{DB}:billing.daily_totals:total"
    amount = f"datasetField:{DB}:billing.invoices:amount"
    assert set(nodes) == {total, amount}
    data = nodes[total]["data"]
    assert nodes[total]["type"] == "DATASET_FIELD" and set(data) == FIELD_DATA
    assert (data["namespace"], data["dataset"], data["field"], data["fieldType"]) == (
        DB,
        "billing.daily_totals",
        "total",
        "numeric",
    )
    [source] = data["inputFields"]
    assert (source["dataset"], source["field"], source["transformationType"]) == (
        "billing.invoices",
        "amount",
        "DIRECT",
    )
    assert source["transformations"] == [
        {"type": "DIRECT", "subtype": "AGGREGATION", "description": "sum", "masking": False}
    ]
    assert {"origin": amount, "destination": total} in nodes[total]["inEdges"]


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/lineage", {"nodeId": f"dataset:{DB}:nowhere"}, 404, "no dataset 'nowhere'"),
        ("/lineage", {"nodeId": "table:x"}, 400, "is not dataset:NAMESPACE:NAME"),
        ("/lineage", {}, 400, "nodeId: is required"),
        ("/lineage", {"nodeId": f"dataset:{DB}:billing.invoices", "depth": "0"}, 400, "depth"),
        ("/column-lineage", {"nodeId": f"datasetField:{DB}:billing.invoices:vat"}, 404, "no field"),
        (f"/namespaces/{AIRFLOW}/jobs/nope/runs", {}, 404, "no job 'nope'"),
        (f"/namespaces/{AIRFLOW}/jobs/nope", {}, 404, "no job 'nope'"),
        ("/namespaces/nowhere", {}, 404, "no namespace 'nowhere'"),
        (f"/namespaces/{DB}/datasets/nowhere", {}, 404, "no dataset 'nowhere'"),
        (f"/namespaces/{DB}/datasets/billing.invoices/versions", {"limit": "0"}, 400, "limit"),
        (f"/jobs/runs/{uuid.UUID(int=7)}", {}, 404, "no run"),
    ],
)
def test_bad_reads_say_what_is_wrong(
    server: tuple[str, dict[str, str]], path: str, params: dict[str, str], status: int, says: str
) -> None:
    url, _ = server
    response = httpx.get(f"{url}/api/v1{path}", params=params)
    assert response.status_code == status, response.text
    assert says in response.json()["errors"][0]["message"]


def test_a_job_name_in_two_namespaces_is_two_pipelines(server: tuple[str, dict[str, str]]) -> None:
    """``etl`` scheduled by two teams: two pipelines, each job read in its own namespace."""
    url, _ = server
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, retry={"total": 0})))
    runs = {}
    for minute, team in enumerate(("team-a", "team-b")):
        runs[team] = str(uuid.uuid4())
        for kind in (RunState.START, RunState.COMPLETE):
            client.emit(
                RunEvent(
                    eventType=kind,
                    eventTime=(START + timedelta(hours=1, minutes=minute)).isoformat(),
                    run=Run(runId=runs[team]),
                    job=Job(namespace=team, name="etl"),
                    producer="https://example.com/cron",
                    outputs=[OutputDataset(namespace=f"s3://{team}", name="out.parquet")],
                )
            )
    query = """query($id: ID!) { pipelineRun(id: $id) { pipeline { name namespace runCount } } }"""
    pipelines = {
        team: httpx.post(
            f"{url}/graphql", json={"query": query, "variables": {"id": runs[team]}}
        ).json()["data"]["pipelineRun"]["pipeline"]
        for team in runs
    }
    assert pipelines == {
        "team-a": {"name": "etl", "namespace": "team-a", "runCount": 1},
        "team-b": {"name": "team-b/etl", "namespace": "team-b", "runCount": 1},
    }
    listed = httpx.post(
        f"{url}/graphql",
        json={
            "query": '{ pipelines(filter: {namespace: "team-b"}) { edges { node { name } } } '
            'artifacts(filter: {namespace: "s3://team-a"}) { edges { node { name } } } }'
        },
    ).json()["data"]
    assert [e["node"]["name"] for e in listed["pipelines"]["edges"]] == ["team-b/etl"]
    assert [e["node"]["name"] for e in listed["artifacts"]["edges"]] == ["s3://team-a/out.parquet"]
    for team in runs:
        [job] = get(url, f"/namespaces/{team}/jobs")["jobs"]
        assert job["id"] == {"namespace": team, "name": "etl"}
        assert job["outputs"] == [{"namespace": f"s3://{team}", "name": "out.parquet"}]
        [run] = get(url, f"/namespaces/{team}/jobs/etl/runs")["runs"]
        assert run["id"] == runs[team]
        graph = get(url, "/lineage", nodeId=f"job:{team}:etl", depth=2)["graph"]
        assert {n["id"] for n in graph} == {f"job:{team}:etl", f"dataset:s3://{team}:out.parquet"}
