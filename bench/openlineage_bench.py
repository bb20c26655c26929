"""OpenLineage ingest: Airflow-shaped DAG runs sent by the real ``openlineage-python`` client
(its HttpTransport, from THREADS threads) to ``lineageql serve``, for SECONDS.

Each DAG run is six events: the DAG's START, two tasks' START and COMPLETE (extract reads an
s3 file and writes a table, transform reads that table and writes another), the DAG's
COMPLETE. Prints events per second, p50/p95/p99 latency per event, and the graph it left.
With ``--columns N``, every dataset carries a ``schema`` facet of N columns and every output a
``columnLineage`` facet (each column from the input's column of the same name), as Spark sends.

Each thread sends one event at a time and waits for its answer, as one Airflow task does;
the server stores the events that arrive together in one transaction, so the rate grows with
the senders (16 by default; Airflow runs up to 32 tasks at once by default).

    python bench/openlineage_bench.py --store embedded --seconds 30 --threads 16
    python bench/openlineage_bench.py --store neo4j-harness --seconds 30
    python bench/openlineage_bench.py --store embedded --seconds 30 --columns 20
    python bench/openlineage_bench.py --store embedded --seconds 300 --columns 20 --window 60
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.facet_v2 import parent_run, schema_dataset
from openlineage.client.transport.http import HttpConfig, HttpTransport

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graph_bench import store_location
from tests.servers import serving


def column_facets(
    columns: int, source: InputDataset | None = None
) -> dict[str, schema_dataset.SchemaDatasetFacet | cl.ColumnLineageDatasetFacet]:
    """A schema of ``columns`` columns and, with ``source``, each column's lineage from the
    source's column of the same name."""
    if not columns:
        return {}
    names = [f"col_{j:02d}" for j in range(columns)]
    facets: dict[str, schema_dataset.SchemaDatasetFacet | cl.ColumnLineageDatasetFacet] = {
        "schema": schema_dataset.SchemaDatasetFacet(
            fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type="string") for n in names]
        )
    }
    if source is not None:
        identity = cl.Transformation(type="DIRECT", subtype="IDENTITY")
        facets["columnLineage"] = cl.ColumnLineageDatasetFacet(
            fields={
                n: cl.Fields(
                    inputFields=[
                        cl.InputField(
                            namespace=source.namespace,
                            name=source.name,
                            field=n,
                            transformations=[identity],
                        )
                    ]
                )
                for n in names
            }
        )
    return facets


def dag_events(index: int, columns: int = 0) -> list[RunEvent]:
    """One DAG run's six events, in the order Airflow sends them."""
    dag, extract, transform = (str(uuid.uuid4()) for _ in range(3))
    start = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=index)
    raw = InputDataset(
        namespace="s3://raw", name=f"orders-{index % 50}.csv", facets=column_facets(columns)
    )
    table = OutputDataset(
        namespace="postgres://db:5432",
        name=f"analytics.orders_{index % 50}",
        facets=column_facets(columns, raw),
    )
    table_source = InputDataset(namespace=table.namespace, name=table.name)
    daily = OutputDataset(
        namespace="postgres://db:5432",
        name=f"analytics.daily_{index % 50}",
        facets=column_facets(columns, table_source),
    )
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=dag), job=parent_run.Job(namespace="airflow", name="etl")
    )

    def event(
        kind: RunState,
        run_id: str,
        job: str,
        second: int,
        inputs: list[InputDataset] | None = None,
        outputs: list[OutputDataset] | None = None,
    ) -> RunEvent:
        facets = {"parent": parent} if run_id != dag else {}
        return RunEvent(
            eventType=kind,
            eventTime=(start + timedelta(seconds=second)).isoformat(),
            run=Run(runId=run_id, facets=facets),
            job=Job(namespace="airflow", name=job),
            inputs=inputs or [],
            outputs=outputs or [],
        )

    table_in = InputDataset(namespace=table.namespace, name=table.name)
    return [
        event(RunState.START, dag, "etl", 0),
        event(RunState.START, extract, "etl.extract", 1, [raw]),
        event(RunState.COMPLETE, extract, "etl.extract", 2, [raw], [table]),
        event(RunState.START, transform, "etl.transform", 3, [table_in]),
        event(RunState.COMPLETE, transform, "etl.transform", 4, [table_in], [daily]),
        event(RunState.COMPLETE, dag, "etl", 5),
    ]


class SharedCounter:
    """Numbers handed out to threads, each once."""

    def __init__(self) -> None:
        self._next = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            self._next += 1
            return self._next


def sender(
    url: str,
    seconds: float,
    next_index: SharedCounter,
    samples: list[tuple[float, float]],
    columns: int,
) -> None:
    """Send DAG runs' events one at a time until ``seconds`` pass; each event's (time it was
    answered, latency in ms) goes to ``samples``."""
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, timeout=60)))
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for item in dag_events(next_index(), columns):
            begin = time.perf_counter()
            client.emit(item)
            answered = time.perf_counter()
            samples.append((answered, (answered - begin) * 1000))


def windows(samples: list[tuple[float, float]], begin: float, args: argparse.Namespace) -> str:
    """Events answered per second in each whole window of ``args.window`` seconds: whether
    the rate holds as the history grows."""
    counts = [0] * int(args.seconds // args.window)
    for answered, _ in samples:
        index = int((answered - begin) // args.window)
        if index < len(counts):
            counts[index] += 1
    return " ".join(f"{count / args.window:,.0f}" for count in counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="embedded")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--columns", type=int, default=0, help="columns per dataset (0: none)")
    parser.add_argument(
        "--window", type=float, default=0, help="also print the rate in windows of this many s"
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        location = store_location(args.store, stack)
        url = stack.enter_context(serving(location))
        samples: list[tuple[float, float]] = []
        counter = SharedCounter()
        threads = [
            threading.Thread(
                target=sender, args=(url, args.seconds, counter, samples, args.columns)
            )
            for _ in range(args.threads)
        ]
        begin = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - begin
        latencies = sorted(latency for _, latency in samples)
        counts = httpx.post(
            f"{url}/graphql",
            json={"query": "{ pipelineRuns { totalCount } artifactVersions { totalCount } }"},
        ).json()["data"]
        print(
            f"store: {location}   threads: {args.threads}   seconds: {args.seconds:.0f}   "
            f"columns per dataset: {args.columns}"
        )
        print(
            f"events: {len(latencies)}   {len(latencies) / elapsed:,.0f} events/s   "
            f"p50 {statistics.median(latencies):.1f} ms   "
            f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms   "
            f"p99 {latencies[int(0.99 * (len(latencies) - 1))]:.1f} ms"
        )
        if args.window:
            print(f"events/s by {args.window:.0f} s window: " + windows(samples, begin, args))
        print(
            f"graph: {counts['pipelineRuns']['totalCount']} pipeline runs, "
            f"{counts['artifactVersions']['totalCount']} artifact versions"
        )


if __name__ == "__main__":
    main()
