"""Column-level lineage: OpenLineage ``schema`` and ``columnLineage`` facets sent by the real
``openlineage-python`` client, in the shapes Spark and dbt send them, become columns and
links in the graph, read back through GraphQL on both stores; an SDK DataFrame output gets
its columns too."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pandas as pd
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.facet_v2 import parent_run, schema_dataset
from openlineage.client.transport.http import HttpConfig, HttpTransport

from lineageql import Client, pipeline, step
from lineageql.graph import LineageRepository
from lineageql.openlineage import change_of, parse_run_event
from lineageql.schema import Context, schema
from tests.graphql_client import _SCRATCH_STORE, execute
from tests.servers import STORE_KINDS, serving, store_for

SPARK = "https://github.com/OpenLineage/OpenLineage/tree/1.31.0/integration/spark"
DBT = "https://github.com/OpenLineage/OpenLineage/tree/1.31.0/integration/dbt"
START = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
LAKE = "s3://acme-lake"
WAREHOUSE = "postgres://warehouse.acme.internal:5432"


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("columns")
    with serving(store_for(str(request.param), request, folder, "columns")) as url:
        yield url


def schema_of(*fields: tuple[str, str]) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in fields]
    )


def source(
    namespace: str, name: str, field: str, *transformations: tuple[str, str, str, bool]
) -> cl.InputField:
    return cl.InputField(
        namespace=namespace,
        name=name,
        field=field,
        transformations=[
            cl.Transformation(type=kind, subtype=subtype, description=text, masking=masking)
            for kind, subtype, text, masking in transformations
        ],
    )


DIRECT_SUM = ("DIRECT", "AGGREGATION", "sum(amount)", False)
IDENTITY = ("DIRECT", "IDENTITY", "", False)
JOIN = ("INDIRECT", "JOIN", "", False)
FILTER = ("INDIRECT", "FILTER", "country = 'DE'", False)
HASHED = ("DIRECT", "TRANSFORMATION", "sha2(email, 256)", True)


def spark_job(app: str, action: str) -> list[RunEvent]:
    """A Spark application whose one SQL action joins orders to customers into a revenue
    mart, with the column lineage the Spark integration sends."""
    orders = InputDataset(
        namespace=LAKE,
        name="raw/orders",
        facets={
            "schema": schema_of(
                ("order_id", "long"),
                ("customer_id", "long"),
                ("amount", "decimal(12,2)"),
                ("country", "string"),
            )
        },
    )
    customers = InputDataset(
        namespace=LAKE,
        name="raw/customers",
        facets={
            "schema": schema_of(("customer_id", "long"), ("email", "string"), ("segment", "string"))
        },
    )
    joined = [
        source(LAKE, "raw/orders", "customer_id", JOIN),
        source(LAKE, "raw/customers", "customer_id", JOIN),
        source(LAKE, "raw/orders", "country", FILTER),
    ]
    mart = OutputDataset(
        namespace=LAKE,
        name="marts/revenue_by_segment",
        facets={
            "schema": schema_of(
                ("segment", "string"), ("revenue", "decimal(22,2)"), ("contact", "string")
            ),
            "columnLineage": cl.ColumnLineageDatasetFacet(
                fields={
                    "segment": cl.Fields(
                        inputFields=[source(LAKE, "raw/customers", "segment", IDENTITY), *joined]
                    ),
                    "revenue": cl.Fields(
                        inputFields=[source(LAKE, "raw/orders", "amount", DIRECT_SUM), *joined]
                    ),
                    "contact": cl.Fields(
                        inputFields=[source(LAKE, "raw/customers", "email", HASHED), *joined]
                    ),
                }
            ),
        },
    )
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=app), job=parent_run.Job(namespace="spark", name="revenue_app")
    )

    def event(kind: RunState, run_id: str, job: str, minute: int, **more: Any) -> RunEvent:
        facets = {"parent": parent} if run_id != app else {}
        return RunEvent(
            eventType=kind,
            eventTime=(START + timedelta(minutes=minute)).isoformat(),
            run=Run(runId=run_id, facets=facets),
            job=Job(namespace="spark", name=job),
            producer=SPARK,
            **more,
        )

    job = "revenue_app.execute_insert_into_hadoop_fs_relation_command.marts_revenue_by_segment"
    return [
        event(RunState.START, app, "revenue_app", 0),
        event(RunState.START, action, job, 1, inputs=[orders, customers]),
        event(RunState.COMPLETE, action, job, 2, inputs=[orders, customers], outputs=[mart]),
        event(RunState.COMPLETE, app, "revenue_app", 3),
    ]


def dbt_model(run_id: str) -> list[RunEvent]:
    """A dbt model reading the mart into a warehouse report: a share computed from revenue."""
    mart = InputDataset(namespace=LAKE, name="marts/revenue_by_segment")
    report = OutputDataset(
        namespace=WAREHOUSE,
        name="analytics.reporting.segment_share",
        facets={
            "schema": schema_of(("segment", "text"), ("revenue_share", "numeric")),
            "columnLineage": cl.ColumnLineageDatasetFacet(
                fields={
                    "segment": cl.Fields(
                        inputFields=[source(LAKE, "marts/revenue_by_segment", "segment", IDENTITY)]
                    ),
                    "revenue_share": cl.Fields(
                        inputFields=[
                            source(
                                LAKE,
                                "marts/revenue_by_segment",
                                "revenue",
                                (
                                    "DIRECT",
                                    "TRANSFORMATION",
                                    "revenue / sum(revenue) over ()",
                                    False,
                                ),
                            )
                        ]
                    ),
                }
            ),
        },
    )
    return [
        RunEvent(
            eventType=kind,
            eventTime=(START + timedelta(minutes=minute)).isoformat(),
            run=Run(runId=run_id),
            job=Job(namespace="dbt", name="acme.analytics.segment_share"),
            producer=DBT,
            inputs=[mart],
            outputs=[report] if kind is RunState.COMPLETE else [],
        )
        for kind, minute in ((RunState.START, 10), (RunState.COMPLETE, 11))
    ]


def emit(url: str, events: list[RunEvent]) -> None:
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, retry={"total": 0})))
    for item in events:
        client.emit(item)


def graphql(url: str, query: str, **variables: Any) -> dict[str, Any]:
    return dict(httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}).json())


COLUMN_LINEAGE = """query($name: String!, $column: String!, $direction: LineageDirection!,
  $depth: Int!) {
  columnLineage(artifactName: $name, column: $column, direction: $direction, depth: $depth) {
    truncated
    nodes { id depth column { name type artifactVersion { name version } } }
    edges { source target transformation subtype description masking }
  }
}"""


@pytest.fixture(scope="module")
def history(server: str) -> str:
    emit(server, spark_job(str(uuid.uuid4()), str(uuid.uuid4())))
    emit(server, dbt_model(str(uuid.uuid4())))
    return server


def named(nodes: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    return {
        (n["column"]["artifactVersion"]["name"], n["column"]["name"]): n["depth"] for n in nodes
    }


def test_a_report_column_is_traced_to_the_raw_columns_it_came_from(history: str) -> None:
    answer = graphql(
        history,
        COLUMN_LINEAGE,
        name=f"{WAREHOUSE}/analytics.reporting.segment_share",
        column="revenue_share",
        direction="UPSTREAM",
        depth=5,
    )
    assert "errors" not in answer, answer
    lineage = answer["data"]["columnLineage"]
    assert not lineage["truncated"]
    assert named(lineage["nodes"]) == {
        (f"{WAREHOUSE}/analytics.reporting.segment_share", "revenue_share"): 0,
        (f"{LAKE}/marts/revenue_by_segment", "revenue"): 1,
        (f"{LAKE}/raw/orders", "amount"): 2,
        (f"{LAKE}/raw/orders", "customer_id"): 2,
        (f"{LAKE}/raw/orders", "country"): 2,
        (f"{LAKE}/raw/customers", "customer_id"): 2,
    }
    ids = {
        (n["column"]["artifactVersion"]["name"], n["column"]["name"]): n["id"]
        for n in lineage["nodes"]
    }
    by_pair = {(e["source"], e["target"]): e for e in lineage["edges"]}
    summed = by_pair[
        (
            ids[(f"{LAKE}/raw/orders", "amount")],
            ids[(f"{LAKE}/marts/revenue_by_segment", "revenue")],
        )
    ]
    assert summed["transformation"] == "DIRECT"
    assert summed["subtype"] == "AGGREGATION"
    assert summed["description"] == "sum(amount)"
    assert summed["masking"] is False
    filtered = by_pair[
        (
            ids[(f"{LAKE}/raw/orders", "country")],
            ids[(f"{LAKE}/marts/revenue_by_segment", "revenue")],
        )
    ]
    assert (filtered["transformation"], filtered["subtype"]) == ("INDIRECT", "FILTER")
    assert len(lineage["edges"]) == 5
    types = {n["column"]["name"]: n["column"]["type"] for n in lineage["nodes"]}
    assert types["amount"] == "decimal(12,2)" and types["revenue_share"] == "numeric"


def test_downstream_of_a_raw_column_and_a_masked_one(history: str) -> None:
    downstream = graphql(
        history,
        COLUMN_LINEAGE,
        name=f"{LAKE}/raw/customers",
        column="email",
        direction="DOWNSTREAM",
        depth=3,
    )["data"]["columnLineage"]
    assert named(downstream["nodes"]) == {
        (f"{LAKE}/raw/customers", "email"): 0,
        (f"{LAKE}/marts/revenue_by_segment", "contact"): 1,
    }
    [edge] = downstream["edges"]
    assert edge["masking"] is True and edge["description"] == "sha2(email, 256)"
    # Depth 1 from the mart's revenue, both ways: one link each way, and more beyond.
    both = graphql(
        history,
        COLUMN_LINEAGE,
        name=f"{LAKE}/marts/revenue_by_segment",
        column="revenue",
        direction="BOTH",
        depth=1,
    )["data"]["columnLineage"]
    assert (
        named(both["nodes"])[(f"{WAREHOUSE}/analytics.reporting.segment_share", "revenue_share")]
        == 1
    )
    # The raw columns have no sources and revenue_share feeds nothing: nothing lies beyond.
    assert both["truncated"] is False
    near = graphql(
        history,
        COLUMN_LINEAGE,
        name=f"{WAREHOUSE}/analytics.reporting.segment_share",
        column="revenue_share",
        direction="UPSTREAM",
        depth=1,
    )["data"]["columnLineage"]
    assert len(near["nodes"]) == 2 and near["truncated"] is True  # the raw columns lie beyond


def test_a_versions_columns_in_order_with_their_neighbours(history: str) -> None:
    answer = graphql(
        history,
        """query($name: String!) { artifactVersion(name: $name) { columns {
          name type upstream { name artifactVersion { name } }
          downstream(depth: 2) { name } } } }""",
        name=f"{LAKE}/marts/revenue_by_segment",
    )
    assert "errors" not in answer, answer
    columns = answer["data"]["artifactVersion"]["columns"]
    assert [c["name"] for c in columns] == ["segment", "revenue", "contact"]
    revenue = columns[1]
    assert sorted((u["artifactVersion"]["name"], u["name"]) for u in revenue["upstream"]) == [
        (f"{LAKE}/raw/customers", "customer_id"),
        (f"{LAKE}/raw/orders", "amount"),
        (f"{LAKE}/raw/orders", "country"),
        (f"{LAKE}/raw/orders", "customer_id"),
    ]
    assert [d["name"] for d in revenue["downstream"]] == ["revenue_share"]


def test_unknown_columns_are_clear_errors_and_replays_add_nothing(history: str) -> None:
    missing = graphql(
        history,
        COLUMN_LINEAGE,
        name=f"{LAKE}/raw/orders",
        column="discount",
        direction="UPSTREAM",
        depth=2,
    )
    [error] = missing["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "has no column 'discount'" in error["message"]
    before = graphql(
        history,
        COLUMN_LINEAGE,
        name=f"{LAKE}/marts/revenue_by_segment",
        column="revenue",
        direction="BOTH",
        depth=5,
    )
    app, action = str(uuid.uuid4()), str(uuid.uuid4())
    events = spark_job(app, action)
    emit(history, events)
    emit(history, events)  # replayed: the same columns and links, once
    versions = graphql(
        history,
        """query($name: String!) { artifact(name: $name) { versions { totalCount } } }""",
        name=f"{LAKE}/marts/revenue_by_segment",
    )["data"]["artifact"]["versions"]["totalCount"]
    assert versions == 2
    latest = graphql(
        history,
        COLUMN_LINEAGE,
        name=f"{LAKE}/marts/revenue_by_segment",
        column="revenue",
        direction="UPSTREAM",
        depth=1,
    )["data"]["columnLineage"]
    assert len(latest["edges"]) == 4
    assert (
        before["data"]["columnLineage"]["nodes"][0]["column"]["artifactVersion"]["version"] == "1"
    )


COLUMN_QUERY = """query($id: ID!) {
  artifactVersion(id: $id) { name columns { id name type description
    artifactVersion { name } upstream(depth: 2) { name } downstream { name } } }
  columnLineage(artifactVersionId: $id, column: "revenue", direction: BOTH, depth: 3) {
    truncated nodes { id depth column { name } } edges { source target subtype } }
}"""


async def test_column_queries_answer_the_same_through_both_paths(repo: LineageRepository) -> None:
    from openlineage.client.serde import Serde

    for item in spark_job(str(uuid.uuid4()), str(uuid.uuid4())) + dbt_model(str(uuid.uuid4())):
        await repo.record_run_event(change_of(parse_run_event(Serde.to_json(item).encode())))
    mart = await repo.find_artifact_version(f"{LAKE}/marts/revenue_by_segment")
    answers = []
    for fast in (True, False):
        context = Context(LineageRepository(repo.store), _SCRATCH_STORE, fast_reads=fast)
        result = await schema.execute(COLUMN_QUERY, {"id": mart.id}, context_value=context)
        assert result.errors is None, result.errors
        assert context.planned_roots == (2 if fast else 0)
        answers.append(orjson.dumps(result.data))
    assert answers[0] == answers[1]
    assert b'"subtype":"AGGREGATION"' in answers[0]


@step
def load_orders() -> pd.DataFrame:
    return pd.DataFrame(
        {"order_id": [1, 2, 3], "amount": [9.5, 20.0, 3.25], "country": ["DE", "FR", "DE"]}
    )


@pipeline
def orders_pipeline() -> None:
    load_orders()


def test_a_dataframe_output_gets_its_columns(sdk_env: Path) -> None:
    run = orders_pipeline()
    version = run.steps["load_orders"].output
    found = Client().execute(
        "query($id: ID!) { artifactVersion(id: $id) { columns { name type } } }", id=version.id
    )
    assert found["artifactVersion"]["columns"] == [
        {"name": "order_id", "type": "int64"},
        {"name": "amount", "type": "float64"},
        {"name": "country", "type": str(pd.Series(["DE"]).dtype)},  # object, or str on pandas 3
    ]


def test_the_cli_prints_a_columns_lineage(history: str) -> None:
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "lineageql",
            "lineage",
            f"{WAREHOUSE}/analytics.reporting.segment_share",
            "--column",
            "revenue_share",
            "--depth",
            "3",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "LINEAGEQL_URL": history, "COLUMNS": "200"},
        check=True,
    ).stdout
    lines = shown.splitlines()
    assert lines[0].startswith("revenue_share numeric")
    assert any(
        "revenue decimal(22,2)" in line and "direct transformation" in line for line in lines
    )
    assert any("amount decimal(12,2)" in line and "direct aggregation" in line for line in lines)
    assert any("country string" in line and "indirect filter" in line for line in lines)


async def test_fields_that_shape_the_whole_output_feed_every_column(
    repo: LineageRepository,
) -> None:
    """The facet's ``dataset`` list (a filter, a join key) is a source of every output
    column, those only the schema lists included."""
    from openlineage.client.serde import Serde

    orders = InputDataset(namespace=LAKE, name="raw/orders_eu")
    output = OutputDataset(
        namespace=LAKE,
        name="marts/eu_orders",
        facets={
            "schema": schema_of(("order_id", "long"), ("amount", "decimal(12,2)")),
            "columnLineage": cl.ColumnLineageDatasetFacet(
                fields={
                    "amount": cl.Fields(
                        inputFields=[source(LAKE, "raw/orders_eu", "amount", IDENTITY)]
                    )
                },
                dataset=[source(LAKE, "raw/orders_eu", "country", FILTER)],
            ),
        },
    )
    event = RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=START.isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace="spark", name="eu_orders"),
        producer=SPARK,
        inputs=[orders],
        outputs=[output],
    )
    await repo.record_run_event(change_of(parse_run_event(Serde.to_json(event).encode())))
    answer = await execute(
        repo,
        """{ artifactVersion(name: "s3://acme-lake/marts/eu_orders") { columns { name
          upstream { name } } } }""",
    )
    columns = {
        c["name"]: sorted(u["name"] for u in c["upstream"])
        for c in answer["data"]["artifactVersion"]["columns"]
    }
    assert columns == {"order_id": ["country"], "amount": ["amount", "country"]}
