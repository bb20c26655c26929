"""Attack benchmark: the hostile queries of issue 18 against `lineageql serve`, while a thread
polls /health every 20 ms. Prints, per attack, how it was answered, how long it took, the
largest answer, the server's peak resident memory and /health's slowest answer meanwhile.

The history: the graph benchmark's chain (RUNS runs x 3 steps x 2 outputs, 6,000 versions
at 1,000 runs) plus the demo-shaped fan-out (one loader's four outputs consumed by WIDE
trainers, one per run), where each nesting level of upstream/downstream multiplies the
answer and lineage downstream of X_train holds WIDE models and WIDE steps.

    python bench/attack_bench.py --store embedded --runs 1000 --wide 2000
    python bench/attack_bench.py --store neo4j-harness --runs 1000 --wide 2000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graph_bench import ingest_bulk, store_location
from lineageql.graph import LineageRepository, open_store
from lineageql.settings import Settings
from tests.attack_history import (
    ServerWatch,
    nested_walk,
    record_fan_out,
    resident_megabytes,
)
from tests.servers import served

INNERMOST = " ".join(
    f"{a}: upstream {{ {b}: downstream {{ id }} {c}: downstream {{ id }} }}"
    for a, b, c in (("a", "b", "c"), ("x", "y", "z"), ("u", "v", "w"))
)
SIX_DOWNSTREAM = (
    "{ pipelineRuns(first: 100) { edges { node { steps { outputs { artifactVersion { "
    + "downstream { " * 6
    + "id"
    + " }" * 6
    + " } } } } } } }"
)
LINEAGE = "lineage(artifactVersionId: $id, direction: DOWNSTREAM, depth: 50) { truncated %s }"
LINEAGE_GRAPH = "artifactVersions { depth artifactVersion { name } } edges { kind name }"


def attacks(first_version: str) -> list[tuple[str, str, dict[str, str]]]:
    heavy = LINEAGE % LINEAGE_GRAPH
    wide = heavy.replace("artifactVersionId: $id", 'artifactName: "X_train"')
    return [
        ("nested walk, 11 levels", nested_walk(11), {}),
        ("nested walk, aliases inside", nested_walk(9, leaf=INNERMOST), {}),
        ("six downstream under pipelineRuns", SIX_DOWNSTREAM, {}),
        (
            "50 aliases of lineage depth 50",
            "query($id: ID!) { " + " ".join(f"l{i}: {LINEAGE % ''}" for i in range(50)) + " }",
            {"id": first_version},
        ),
        (
            "4 aliases of lineage depth 50 with the graph (allowed)",
            "query($id: ID!) { " + " ".join(f"l{i}: {heavy}" for i in range(4)) + " }",
            {"id": first_version},
        ),
        ("nested walk, 2 levels (allowed)", nested_walk(2), {}),
        ("lineage of X_train with the graph (allowed)", "{ " + wide + " }", {}),
        (
            "3 aliases of lineage of X_train with the graph",
            "{ " + " ".join(f"l{i}: {wide}" for i in range(3)) + " }",
            {},
        ),
        (
            "1,000 repeated pipelines { totalCount }",
            "{ " + " ".join(["pipelines { totalCount }"] * 1000) + " }",
            {},
        ),
    ]


async def prepare(location: str, runs: int, wide: int) -> str:
    store = await open_store(Settings(store=location))
    repo = LineageRepository(store)
    try:
        ids = await ingest_bulk(repo, runs, 3)
        await record_fan_out(repo, runs=wide)
        first = await repo.outputs_of_steps([ids["step_ids"][0]])
        return first[0][0].artifact_version_id
    finally:
        await store.close()


def main(store: str, runs: int, wide: int) -> None:
    with ExitStack() as stack:
        location = store_location(store, stack)
        started = time.perf_counter()
        first_version = asyncio.run(prepare(location, runs, wide))
        took = time.perf_counter() - started
        print(f"store={store} runs={runs} wide={wide}: history ready in {took:.1f} s")
        server = stack.enter_context(served(location))
        print(f"server idle: {resident_megabytes(server.process.pid):.0f} MB resident")
        header = f"{'attack':<52} {'answer':<22} {'took':>8} {'bytes':>10} {'peak MB':>8}"
        print(header + f" {'health p50/max ms':>18}")
        for name, query, variables in attacks(first_version):
            with ServerWatch(server.url, server.process.pid) as watch:
                began = time.perf_counter()
                response = httpx.post(
                    f"{server.url}/graphql",
                    json={"query": query, "variables": variables},
                    timeout=600,
                )
                took = time.perf_counter() - began
            errors = response.json().get("errors") or []
            answer = errors[0]["extensions"]["code"] if errors else f"{response.status_code} data"
            latencies = watch.latencies or [0.0]
            print(
                f"{name:<52} {answer:<22} {took:>7.2f}s {len(response.content):>10,} "
                f"{watch.peak_mb:>8.0f} {statistics.median(latencies):>8.1f}/{max(latencies):.1f}"
            )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="embedded", help="embedded, neo4j-harness or a URL")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--wide", type=int, default=2000)
    args = parser.parse_args()
    main(args.store, args.runs, args.wide)


if __name__ == "__main__":
    cli()
