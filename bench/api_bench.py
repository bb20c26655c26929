"""API benchmark: the graph benchmark's history served by `lineageql serve` (uvicorn), queried
over HTTP at concurrency 1 and 16.

Prints, per query, p50/p95 latency, requests per second, and the store round trips one
request makes (counted in-process on the same store before the server starts).

    python bench/api_bench.py --store embedded --runs 1000
    python bench/api_bench.py --store neo4j-harness --runs 200
    python bench/api_bench.py --store /tmp/bench.lbdb --runs 1000   # ingests once, then reuses
    python bench/api_bench.py --store neo4j-harness --runs 1000 --workers 2
    python bench/api_bench.py --store embedded --runs 5000 --bulk   # growth, ingested whole
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graph_bench import ingest, ingest_bulk, store_location
from lineageql.graph import LineageRepository, open_store
from lineageql.settings import Settings
from tests.graphql_client import execute
from tests.servers import serving

RUN_WITH_STEPS = """query($name: String!) {
  pipelineRun(name: $name) { name status steps { name status startTime } }
}"""
NESTED = """{
  pipeline(name: "bench") { runs(first: 20) { edges { node {
    name steps { name outputs { name artifactVersion {
      name version upstream(depth: 3) { name version } } } } } } } }
}"""
NEWEST_OUTPUT = """{
  pipeline(name: "bench") { lastRun { steps { outputs { artifactVersion { id } } } } }
}"""
LINEAGE = """query($id: ID!) {
  lineage(artifactVersionId: $id, depth: 10) {
    artifactVersions { depth artifactVersion { name version } } edges { kind name }
  }
}"""


async def prepare(location: str, runs: int, steps: int, bulk: bool = False) -> dict[str, Any]:
    """Ingest the history unless the store has it (with ``bulk``, as whole runs, 50 a
    transaction: the way to thousands of runs); return the queries' variables and the round
    trips each query makes."""
    store = await open_store(Settings(store=location))
    repo = LineageRepository(store)
    try:
        page = await repo.list_runs()
        if page.total_count < runs:
            start = time.perf_counter()
            await (ingest_bulk if bulk else ingest)(repo, runs, steps)
            print(f"ingested {runs} runs x {steps} steps in {time.perf_counter() - start:.0f} s")
        last = await execute(repo, NEWEST_OUTPUT)
        newest = last["data"]["pipeline"]["lastRun"]
        cases = {
            "(a) pipelineRun(name) + steps": (
                RUN_WITH_STEPS,
                {"name": f"bench-run-{runs // 2:06d}"},
            ),
            "(b) pipeline > 20 runs > steps > outputs > upstream(3)": (NESTED, {}),
            "(c) lineage depth 10": (
                LINEAGE,
                {"id": newest["steps"][-1]["outputs"][0]["artifactVersion"]["id"]},
            ),
        }
        trips = {}
        for label, (query, variables) in cases.items():
            before = store.round_trips
            answer = await execute(repo, query, **variables)
            assert "errors" not in answer, answer
            trips[label] = store.round_trips - before
        return {"cases": cases, "trips": trips}
    finally:
        await store.close()


async def load(
    url: str, query: str, variables: dict[str, Any], concurrency: int, total: int
) -> tuple[float, float, float]:
    """p50 and p95 ms and requests/s for ``total`` requests from ``concurrency`` clients."""
    samples: list[float] = []
    body = {"query": query, "variables": variables}
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await client.post("/graphql", json=body)  # warm up

        async def worker(count: int) -> None:
            for _ in range(count):
                start = time.perf_counter()
                response = await client.post("/graphql", json=body)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200 and "errors" not in response.json()

        start = time.perf_counter()
        await asyncio.gather(*(worker(total // concurrency) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    samples.sort()
    return (
        statistics.median(samples),
        samples[int(0.95 * (len(samples) - 1))],
        len(samples) / elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        default="embedded",
        help="'embedded', 'neo4j-harness', a .lbdb path or a Neo4j URL",
    )
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--requests", type=int, default=160)
    parser.add_argument("--workers", type=int, default=1, help="server processes (Neo4j only)")
    parser.add_argument("--bulk", action="store_true", help="ingest whole runs (record_runs)")
    args = parser.parse_args()
    with ExitStack() as stack:
        location = store_location(args.store, stack)
        prepared = asyncio.run(prepare(location, args.runs, args.steps, args.bulk))
        url = stack.enter_context(serving(location, "--workers", str(args.workers)))
        print(
            f"store: {location}   history: {args.runs} runs x {args.steps} steps x 2 outputs"
            f"   workers: {args.workers}"
        )
        print(f"{'query':58} {'conc':>4} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'trips':>6}")
        for label, (query, variables) in prepared["cases"].items():
            for concurrency in (1, 16):
                p50, p95, rate = asyncio.run(
                    load(url, query, variables, concurrency, args.requests)
                )
                trips = prepared["trips"][label]
                print(f"{label:58} {concurrency:4} {p50:8.1f} {p95:8.1f} {rate:7.1f} {trips:6}")


if __name__ == "__main__":
    main()
