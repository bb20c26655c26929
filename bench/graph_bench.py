"""Graph-layer benchmark: ingest a synthetic history, then time the hot batched reads.

The history is RUNS runs x STEPS steps x 2 outputs, chained: every step consumes both outputs
of the step before it (the first step of a run consumes the last step's outputs of the run
before), so upstream lineage to depth 10 walks ten real hops. Ingest goes through the
repository's ordinary write path as a recorder of live runs uses it: per step, one transaction
that creates it with its inputs and one that finishes it with its outputs.

    python bench/graph_bench.py --store embedded --runs 1000
    python bench/graph_bench.py --store bolt://127.0.0.1:7687 --runs 1000
    python bench/graph_bench.py --store neo4j-harness --runs 1000   # starts one from Maven
    python bench/graph_bench.py --store embedded --runs 1000 --bulk   # whole runs at once
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lineageql.graph import LineageRepository, open_store
from lineageql.graph.copy import count_store
from lineageql.records import (
    ExecutionStatus,
    NewArtifactVersion,
    NewRun,
    NewStep,
    OutputRef,
    RecordedRun,
    RecordedStep,
)
from lineageql.settings import Settings

OUTPUTS = ("left", "right")


async def ingest(repo: LineageRepository, runs: int, steps: int) -> dict[str, Any]:
    """Record the history; return the ids the reads query."""
    previous: dict[str, str] = {}
    run_ids: list[str] = []
    step_ids: list[str] = []
    last_version = ""
    for r in range(runs):
        run = await repo.create_run(NewRun(pipeline_name="bench", name=f"bench-run-{r:06d}"))
        run_ids.append(run.id)
        for s in range(steps):
            step = await repo.create_step(NewStep(run_id=run.id, name=f"step_{s}"), previous)
            step_ids.append(step.id)
            finished = await repo.finish_step(
                step.id,
                outputs={
                    output: NewArtifactVersion(
                        name=f"s{s}_{output}", uri=f"bench://{r}/{s}/{output}"
                    )
                    for output in OUTPUTS
                },
            )
            produced = finished.outputs
            previous = {f"in_{name}": vid for name, vid in produced.items()}
            last_version = produced["left"]
        await repo.update_run(run.id, status=ExecutionStatus.COMPLETED)
    return {"run_ids": run_ids, "step_ids": step_ids, "last_version": last_version}


async def ingest_bulk(
    repo: LineageRepository, runs: int, steps: int, batch: int = 50, start: int = 0
) -> dict[str, Any]:
    """The same runs as ``ingest``, written whole, ``batch`` runs per transaction (numbered
    from ``start``, to add to a history). An input names an existing version or an earlier
    step of its own run, so the runs of one batch do not chain to each other; the first run
    of each batch chains to the batch before."""
    previous: dict[str, str | OutputRef] = {}
    run_ids: list[str] = []
    for first in range(start, start + runs, batch):
        bundle = []
        for r in range(first, min(first + batch, start + runs)):
            recorded = []
            for s in range(steps):
                inputs: dict[str, str | OutputRef] = (
                    {f"in_{o}": OutputRef(step=f"step_{s - 1}", output=o) for o in OUTPUTS}
                    if s
                    else previous
                )
                outputs: dict[str, NewArtifactVersion | str] = {
                    o: NewArtifactVersion(name=f"s{s}_{o}", uri=f"bench://{r}/{s}/{o}")
                    for o in OUTPUTS
                }
                recorded.append(RecordedStep(name=f"step_{s}", inputs=inputs, outputs=outputs))
            previous = {}
            run = NewRun(
                pipeline_name="bench", name=f"bench-run-{r:06d}", status=ExecutionStatus.COMPLETED
            )
            bundle.append(RecordedRun(run=run, steps=recorded))
        written = await repo.record_runs(bundle)
        run_ids += [run.id for run in written]
        last = (await repo.steps_of_runs([written[-1].id]))[0][-1]
        links = (await repo.outputs_of_steps([last.id]))[0]
        previous = {f"in_{link.name}": link.artifact_version_id for link in links}
    step_ids = [s.id for group in await repo.steps_of_runs(run_ids) for s in group]
    last_version = (await repo.outputs_of_steps([step_ids[-1]]))[0][0].artifact_version_id
    return {"run_ids": run_ids, "step_ids": step_ids, "last_version": last_version}


async def timed(
    repo: LineageRepository, repeats: int, call: Callable[[], Awaitable[object]]
) -> tuple[float, float, float]:
    """p50 and p95 in milliseconds, and store round trips per call."""
    samples = []
    trips_before = repo.store.round_trips
    for _ in range(repeats):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    trips = (repo.store.round_trips - trips_before) / repeats
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], trips


async def main(
    store_location: str, runs: int, steps: int, repeats: int, bulk: bool = False
) -> None:
    graph = await open_store(Settings(store=store_location))
    repo = LineageRepository(graph)
    try:
        print(f"store: {graph.url}   history: {runs} runs x {steps} steps x 2 outputs")
        held = await count_store(graph)
        start = time.perf_counter()
        built = await (ingest_bulk if bulk else ingest)(repo, runs, steps)
        seconds = time.perf_counter() - start
        now = await count_store(graph)
        nodes = sum(now.nodes.values()) - sum(held.nodes.values())
        edges = sum(now.relationships.values()) - sum(held.relationships.values())
        elements = nodes + edges
        how = "bulk ingest (record_runs, 50 runs a transaction)" if bulk else "ingest"
        print(
            f"{how}: {nodes} nodes + {edges} edges in {seconds:.1f} s "
            f"= {elements / seconds:,.0f} elements/s"
        )
        run_ids, step_ids = built["run_ids"], built["step_ids"]
        cases = {
            "steps of 100 runs (one batch)": lambda: repo.steps_of_runs(run_ids[-100:]),
            "outputs of 1000 steps (one batch)": lambda: repo.outputs_of_steps(step_ids[-1000:]),
            "run by name prefix": lambda: repo.find_run_by_prefix(f"bench-run-{runs // 2:06d}"),
            "upstream lineage, depth 10": lambda: repo.upstream_version_ids(
                [built["last_version"]], 10
            ),
        }
        print(f"{'read':36} {'p50 ms':>8} {'p95 ms':>8} {'round trips':>12}")
        for label, call in cases.items():
            p50, p95, trips = await timed(repo, repeats, call)
            print(f"{label:36} {p50:8.2f} {p95:8.2f} {trips:12.1f}")
        [upstream] = await repo.upstream_version_ids([built["last_version"]], 10)
        print(f"(upstream depth 10 reached {len(upstream)} versions)")
    finally:
        await graph.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        default="embedded",
        help="'embedded' (a temporary file), 'neo4j-harness', or a Neo4j URL",
    )
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument(
        "--bulk", action="store_true", help="ingest whole runs with record_runs (recordRuns)"
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        location = store_location(args.store, stack)
        asyncio.run(main(location, args.runs, args.steps, args.repeats, args.bulk))


def store_location(store: str, stack: ExitStack) -> str:
    """The store a benchmark's ``--store`` names: ``embedded`` is a file in a temporary folder,
    ``neo4j-harness`` a Neo4j started from Maven Central; anything else is used as given.
    What is started or created lives as long as ``stack``."""
    if store == "embedded":
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        return str(Path(folder) / "bench.lbdb")
    if store == "neo4j-harness":
        from tests.neo4j_launcher import HARNESS_PASSWORD, HARNESS_USER, running_neo4j

        # Settings() and `lineageql serve` read the credentials from the environment.
        os.environ["LINEAGEQL_NEO4J_USER"] = HARNESS_USER
        os.environ["LINEAGEQL_NEO4J_PASSWORD"] = HARNESS_PASSWORD
        return str(stack.enter_context(running_neo4j()))
    return store


if __name__ == "__main__":
    cli()
