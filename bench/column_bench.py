"""Column-lineage benchmark: DATASETS datasets of COLUMNS columns, each dataset made by a
Spark-shaped job from the one before it and a shared dimension table (every column from the
same column upstream, DIRECT, and from the join key, INDIRECT).

Prints p50/p95 of ``columnLineage`` to depth DEPTH from a column of the last dataset, cold
(a new repository) and warm, and the store round trips of a walk from one column and from
every column of a version at once (they should not grow with the number of columns).

    python bench/column_bench.py --store embedded --datasets 1000 --columns 20
    python bench/column_bench.py --store neo4j-harness --datasets 1000 --columns 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graph_bench import store_location
from lineageql.graph import LineageRepository, open_store
from lineageql.openlineage import run_step_id
from lineageql.records import (
    ColumnSource,
    DatasetChange,
    ExecutionStatus,
    NewColumn,
    RunEventChange,
)
from lineageql.settings import Settings
from tests.graphql_client import execute

DIMENSION = "s3://bench-lake/dim/customers"
LINEAGE = """query($name: String!, $column: String!, $depth: Int!) {
  columnLineage(artifactName: $name, column: $column, depth: $depth) {
    truncated nodes { id depth column { name artifactVersion { name version } } }
    edges { source target transformation subtype }
  }
}"""
EVERY_COLUMN = """query($name: String!, $depth: Int!) {
  artifactVersion(name: $name) { columns { name upstream(depth: $depth) { name } } }
}"""


def dataset(index: int) -> str:
    return f"s3://bench-lake/tables/t{index:05d}"


def job_event(index: int, columns: int) -> RunEventChange:
    """The job making dataset ``index`` from dataset ``index - 1`` and the dimension."""
    run_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"column-bench/{index}"))
    names = [f"c{j:02d}" for j in range(columns)]
    sources = {
        name: [
            ColumnSource(
                dataset=dataset(index - 1), field=name, transformation="DIRECT", subtype="IDENTITY"
            ),
            ColumnSource(
                dataset=DIMENSION, field="customer_id", transformation="INDIRECT", subtype="JOIN"
            ),
        ]
        for name in names
    }
    schema = [NewColumn(name=name, type="string") for name in names]
    previous = DatasetChange(name=dataset(index - 1), uri=dataset(index - 1), columns=schema)
    dimension = DatasetChange(
        name=DIMENSION, uri=DIMENSION, columns=[NewColumn(name="customer_id", type="long")]
    )
    output = DatasetChange(
        name=dataset(index), uri=dataset(index), columns=schema, column_sources=sources
    )
    return RunEventChange(
        pipeline_name="bench_spark_app",
        run_id=run_id,
        run_name=run_id,
        step_id=run_step_id(run_id),
        step_name="bench_spark_app.insert",
        run_step_id=run_step_id(run_id),
        event_time=f"2026-11-25T00:{index // 60 % 60:02d}:{index % 60:02d}.000000Z",
        status=ExecutionStatus.COMPLETED,
        inputs=[previous, dimension],
        outputs=[output],
    )


async def ingest(repo: LineageRepository, datasets: int, columns: int) -> None:
    batch = [job_event(index, columns) for index in range(1, datasets + 1)]
    for start in range(0, len(batch), 50):
        await repo.record_run_events(batch[start : start + 50])


async def timed(
    repo: LineageRepository, query: str, repeats: int, **variables: object
) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        answer = await execute(repo, query, **variables)
        samples.append((time.perf_counter() - start) * 1000)
        assert "errors" not in answer, answer
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="embedded")
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--depth", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    with ExitStack() as stack:
        location = store_location(args.store, stack)
        store = await open_store(Settings(store=location))
        try:
            repo = LineageRepository(store)
            started = time.perf_counter()
            await ingest(repo, args.datasets, args.columns)
            seconds = time.perf_counter() - started
            print(
                f"store: {args.store}   history: {args.datasets} datasets x {args.columns} "
                f"columns ({args.datasets} jobs, ingested in {seconds:.0f} s)"
            )
            last = dataset(args.datasets)
            variables = {"name": last, "column": "c07", "depth": args.depth}
            cold = []
            for _ in range(10):
                cold += await timed(LineageRepository(store), LINEAGE, 1, **variables)
            warm = await timed(repo, LINEAGE, args.repeats, **variables)
            answer = await execute(repo, LINEAGE, **variables)
            nodes = len(answer["data"]["columnLineage"]["nodes"])
            print(f"columnLineage depth {args.depth} from one column: {nodes} columns reached")
            for label, samples in (("cold (new repository)", cold), ("warm", warm)):
                p50 = statistics.median(samples)
                p95 = statistics.quantiles(samples, n=20)[-1]
                print(f"  {label:24} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
            for label, query, extra in (
                ("one column", LINEAGE, variables),
                (f"all {args.columns} columns", EVERY_COLUMN, {"name": last, "depth": args.depth}),
            ):
                fresh = LineageRepository(store)
                before = store.round_trips
                await execute(fresh, query, **extra)
                print(f"  round trips, {label:16} {store.round_trips - before}")
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())
